//go:build linux

package mask

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"
)

// guarded maps a region of data pages between two PROT_NONE pages, so any
// read or write just before or just after it faults instead of passing
// silently.
type guarded struct {
	mem  []byte
	data []byte
}

func newGuarded(t *testing.T, dataPages int) *guarded {
	t.Helper()
	ps := unix.Getpagesize()
	mem, err := unix.Mmap(-1, 0, (dataPages+2)*ps, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	if err := unix.Mprotect(mem[:ps], unix.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mprotect(mem[len(mem)-ps:], unix.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	g := &guarded{mem: mem, data: mem[ps : len(mem)-ps : len(mem)-ps]}
	t.Cleanup(func() { unix.Munmap(g.mem) })
	return g
}

// tail returns the last n bytes of the data region: the byte after it is
// on the guard page.
func (g *guarded) tail(n int) []byte { return g.data[len(g.data)-n:] }

// head returns the first n bytes: the byte before it is on the guard page.
func (g *guarded) head(n int) []byte { return g.data[:n:n] }

func TestGuardPages(t *testing.T) {
	src := newGuarded(t, 2)
	dst := newGuarded(t, 2)
	limit := len(src.data)
	var lengths []int
	for n := 0; n <= 1024; n++ {
		lengths = append(lengths, n)
	}
	lengths = append(lengths, 4095, limit-1, limit)
	forEachDispatch(t, func(t *testing.T) {
		ref := make([]byte, limit)
		want := make([]byte, limit)
		fill(ref, 6)
		for _, n := range lengths {
			for pos := 0; pos < 4; pos++ {
				refXOR(want[:n], ref[:n], testKey, pos)
				for _, place := range []func(*guarded, int) []byte{(*guarded).tail, (*guarded).head} {
					b := place(src, n)
					copy(b, ref[:n])
					XOR(b, testKey, pos)
					if !bytes.Equal(b, want[:n]) {
						t.Fatalf("XOR n=%d pos=%d: differs at %d", n, pos, firstDiff(b, want[:n]))
					}
					copy(b, ref[:n])
					d := place(dst, n)
					XORCopy(d, b, testKey, pos)
					if !bytes.Equal(d, want[:n]) {
						t.Fatalf("XORCopy n=%d pos=%d: differs at %d", n, pos, firstDiff(d, want[:n]))
					}
				}
			}
		}
	})
	for _, k := range kernels {
		if !k.supported {
			continue
		}
		for n := 0; n <= 2048; n++ {
			b := src.tail(n)
			call(k.fn, dst.tail(n), b, rotate(testKey, 1))
			call(k.fn, b, b, rotate(testKey, 2))
			b = src.head(n)
			call(k.fn, dst.head(n), b, rotate(testKey, 3))
		}
	}
}
