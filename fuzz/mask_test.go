package fuzz

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/wsframe/wsframe/mask"
)

// maskMaxLen bounds the slices FuzzMask builds: past a page, so that the
// guarded slices span two, and past every threshold at which the package
// changes path.
const maskMaxLen = 4200

const canary = 0xa5

var maskSrcGuard, maskDstGuard guarded

// tile returns n bytes repeating data (zeros when data is empty), so that
// the fuzzer picks contents and length separately.
func tile(data []byte, n int) []byte {
	b := make([]byte, n)
	if len(data) > 0 {
		for i := 0; i < n; i += copy(b[i:], data) {
		}
	}
	return b
}

// chunker yields chunk lengths from a seed (splitmix64): mostly short,
// sometimes long, sometimes empty.
type chunker uint64

func (c *chunker) next() int {
	*c += 0x9e3779b97f4a7c15
	z := uint64(*c)
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	z ^= z >> 31
	if z&3 == 0 {
		return int(z>>8) % 700
	}
	return int(z>>8) % 40
}

func mustPanic(t *testing.T, what string, fn func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Fatalf("%s did not panic", what)
		}
	}()
	fn()
}

func FuzzMask(f *testing.F) {
	f.Add([]byte("Hello"), uint16(5), uint32(0x3d21fa37), uint8(0), uint16(0), uint64(0))
	f.Add([]byte{0xff, 0x00, 0x55}, uint16(1000), uint32(0xdeadbeef), uint8(3), uint16(0x7c5), uint64(42))
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, uint16(4096), uint32(1), uint8(1), uint16(0xfff), uint64(7))
	f.Fuzz(checkMask)
}

// checkMask compares every way of masking n bytes tiled from data with the
// byte loop: in place and into a separate slice, at the source offset (the
// low 6 bits of offs) and destination offset (the next 6), in chunks drawn
// from chunking, and next to unmapped pages.
func checkMask(t *testing.T, data []byte, n16 uint16, key32 uint32, pos8 uint8, offs uint16, chunking uint64) {
	n := int(n16) % (maskMaxLen + 1)
	var key [4]byte
	binary.LittleEndian.PutUint32(key[:], key32)
	pos := int(pos8)
	soff, doff := int(offs&63), int(offs>>6&63)
	src := tile(data, n)
	want := make([]byte, n)
	unmaskRef(want, src, key, pos)
	wantPos := (pos + n) & 3

	check := func(what string, got []byte, gotPos int) {
		t.Helper()
		if gotPos != wantPos {
			t.Fatalf("%s: n=%d pos=%d returned %d, want %d", what, n, pos, gotPos, wantPos)
		}
		if !bytes.Equal(got, want) {
			i := 0
			for got[i] == want[i] {
				i++
			}
			t.Fatalf("%s: n=%d pos=%d key=%x: byte %d is %#x, want %#x", what, n, pos, key, i, got[i], want[i])
		}
	}
	padded := func(off int) []byte { return bytes.Repeat([]byte{canary}, off+n+64) }
	canariesIntact := func(what string, b []byte, from, to int) {
		t.Helper()
		for i, c := range b {
			if (i < from || i >= to) && c != canary {
				t.Fatalf("%s: n=%d wrote byte %d outside [%d, %d)", what, n, i, from, to)
			}
		}
	}

	// In place, at an offset into a heap buffer with canaries around.
	buf := padded(soff)
	copy(buf[soff:], src)
	check("XOR", buf[soff:soff+n], mask.XOR(buf[soff:soff+n], key, pos))
	canariesIntact("XOR", buf, soff, soff+n)

	// Into a separate slice longer than src: the source stays as it was
	// and nothing past len(src) is written.
	sbuf := padded(soff)
	copy(sbuf[soff:], src)
	dbuf := padded(doff)
	p := mask.XORCopy(dbuf[doff:], sbuf[soff:soff+n], key, pos)
	check("XORCopy", dbuf[doff:doff+n], p)
	canariesIntact("XORCopy", dbuf, doff, doff+n)
	if !bytes.Equal(sbuf[soff:soff+n], src) {
		t.Fatal("XORCopy modified its source")
	}

	// dst and src the same slice.
	copy(buf[soff:], src)
	check("XORCopy in place", buf[soff:soff+n], mask.XORCopy(buf[soff:soff+n], buf[soff:soff+n], key, pos))

	// In chunks, the key position carried from call to call.
	for _, copying := range []bool{false, true} {
		copy(buf[soff:], src)
		clear(dbuf)
		c := chunker(chunking)
		p := pos
		for at := 0; at < n; {
			end := min(at+c.next(), n)
			if copying {
				p = mask.XORCopy(dbuf[doff+at:doff+end], buf[soff+at:soff+end], key, p)
			} else {
				p = mask.XOR(buf[soff+at:soff+end], key, p)
			}
			at = end
		}
		if n == 0 {
			p = mask.XOR(nil, key, pos)
		}
		if copying {
			check("XORCopy in chunks", dbuf[doff:doff+n], p)
		} else {
			check("XOR in chunks", buf[soff:soff+n], p)
		}
	}

	// Next to unmapped pages: the last byte before one, the first after one.
	for _, place := range []func(*guarded, testing.TB, int) []byte{(*guarded).tail, (*guarded).head} {
		b := place(&maskSrcGuard, t, n)
		copy(b, src)
		check("XOR next to a guard page", b, mask.XOR(b, key, pos))
		copy(b, src)
		d := place(&maskDstGuard, t, n)
		check("XORCopy next to guard pages", d, mask.XORCopy(d, b, key, pos))
		b = maskSrcGuard.tail(t, n)
		copy(b, src)
		d = maskDstGuard.head(t, n)
		check("XORCopy from a tail to a head", d, mask.XORCopy(d, b, key, pos))
	}

	// Arguments that XORCopy refuses.
	if n > 0 {
		mustPanic(t, "XORCopy into a shorter dst", func() { mask.XORCopy(dbuf[:n-1], sbuf[:n], key, pos) })
	}
	if n > 1 {
		shift := 1 + soff%(n-1)
		both := make([]byte, 2*n)
		mustPanic(t, "XORCopy with dst overlapping the end of src", func() { mask.XORCopy(both[shift:shift+n], both[:n], key, pos) })
		mustPanic(t, "XORCopy with src overlapping the end of dst", func() { mask.XORCopy(both[:n], both[shift:shift+n], key, pos) })
		copy(both, src)
		check("XORCopy to the adjacent slice", both[n:], mask.XORCopy(both[n:], both[:n], key, pos))
	}
}
