package mask

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"
	"unsafe"
)

// refXOR is the byte-at-a-time definition from RFC 6455 section 5.3.
func refXOR(dst, src []byte, key [4]byte, pos int) int {
	for i := range src {
		dst[i] = src[i] ^ key[(pos+i)&3]
	}
	return (pos + len(src)) & 3
}

var testKey = [4]byte{0x37, 0xfa, 0x21, 0x3d}

// testLengths are every length 0..1024 and some large odd ones.
func testLengths(t *testing.T) []int {
	n := make([]int, 0, 1030)
	for i := 0; i <= 1024; i++ {
		n = append(n, i)
	}
	if testing.Short() {
		return append(n, 4099)
	}
	return append(n, 4099, 65537, 1<<20+3)
}

// aligned64 returns a slice of n bytes whose first byte is on a 64-byte
// boundary.
func aligned64(n int) []byte {
	b := make([]byte, n+64)
	off := int(-uintptr(unsafe.Pointer(&b[0]))) & 63
	return b[off : off+n : off+n]
}

func fill(b []byte, seed int64) {
	rand.New(rand.NewSource(seed)).Read(b)
}

// forEachDispatch runs f once with every kernel the CPU supports selected
// for XOR and XORCopy, and once more with the assembly path disabled when
// there is one (the Go-only build is covered by -tags purego), logging the
// kernels it had to skip.
func forEachDispatch(t *testing.T, f func(t *testing.T)) {
	t.Run("dispatch", f)
	for _, k := range kernels {
		if !k.supported {
			t.Logf("kernel %s: not supported by this CPU, skipped", k.name)
			continue
		}
		t.Run(k.name, func(t *testing.T) {
			restore := k.pick()
			defer restore()
			f(t)
		})
	}
}

func TestXORMatchesReference(t *testing.T) {
	forEachDispatch(t, func(t *testing.T) {
		maxLen := 1<<20 + 3
		src := aligned64(maxLen + 8)
		want := aligned64(maxLen + 8)
		got := aligned64(maxLen + 8)
		fill(src, 1)
		for _, n := range testLengths(t) {
			for off := 0; off < 8; off++ {
				if n > 4099 && off != 3 {
					continue // one misaligned run is enough for the big sizes
				}
				for pos := 0; pos < 4; pos++ {
					wantPos := refXOR(want[off:off+n], src[off:off+n], testKey, pos)

					b := got[off : off+n]
					copy(b, src[off:off+n])
					if p := XOR(b, testKey, pos); p != wantPos {
						t.Fatalf("XOR n=%d off=%d pos=%d: returned %d, want %d", n, off, pos, p, wantPos)
					}
					if !bytes.Equal(b, want[off:off+n]) {
						t.Fatalf("XOR n=%d off=%d pos=%d: first difference at %d", n, off, pos, firstDiff(b, want[off:off+n]))
					}
				}
			}
		}
	})
}

func TestXORCopyMatchesReference(t *testing.T) {
	forEachDispatch(t, func(t *testing.T) {
		maxLen := 1<<20 + 3
		src := aligned64(maxLen + 8)
		want := aligned64(maxLen + 8)
		dstBuf := aligned64(maxLen + 8 + 16)
		fill(src, 2)
		for _, n := range testLengths(t) {
			for srcOff := 0; srcOff < 8; srcOff++ {
				for _, dstOff := range []int{srcOff, (srcOff + 3) & 7, 7 - srcOff} {
					if n > 4099 && srcOff != 1 {
						continue
					}
					for pos := 0; pos < 4; pos++ {
						s := src[srcOff : srcOff+n]
						wantPos := refXOR(want[:n], s, testKey, pos)
						// dst is longer than src: the bytes after len(src) are
						// canaries that must survive.
						d := dstBuf[dstOff : dstOff+n+8]
						for i := range d {
							d[i] = 0xa5
						}
						if p := XORCopy(d, s, testKey, pos); p != wantPos {
							t.Fatalf("XORCopy n=%d srcOff=%d dstOff=%d pos=%d: returned %d, want %d", n, srcOff, dstOff, pos, p, wantPos)
						}
						if !bytes.Equal(d[:n], want[:n]) {
							t.Fatalf("XORCopy n=%d srcOff=%d dstOff=%d pos=%d: first difference at %d", n, srcOff, dstOff, pos, firstDiff(d[:n], want[:n]))
						}
						for i, c := range d[n:] {
							if c != 0xa5 {
								t.Fatalf("XORCopy n=%d: wrote canary byte %d past len(src)", n, i)
							}
						}
					}
				}
			}
		}
	})
}

// TestXORCopyInPlace checks that dst == src behaves as XOR.
func TestXORCopyInPlace(t *testing.T) {
	forEachDispatch(t, func(t *testing.T) {
		src := make([]byte, 2000)
		fill(src, 3)
		want := make([]byte, len(src))
		for n := 0; n <= len(src); n += 7 {
			for pos := 0; pos < 4; pos++ {
				refXOR(want[:n], src[:n], testKey, pos)
				b := append([]byte(nil), src[:n]...)
				XORCopy(b, b, testKey, pos)
				if !bytes.Equal(b, want[:n]) {
					t.Fatalf("n=%d pos=%d: in-place XORCopy differs at %d", n, pos, firstDiff(b, want[:n]))
				}
			}
		}
	})
}

// TestKernels calls every supported kernel directly, at every length up
// to 1 KiB and some large ones, with dst at every offset 0..33 of a 64-byte
// boundary (the kernels align their stores to 32 bytes) and src at another
// offset 0..7, in place and to a separate dst, for every key rotation.
func TestKernels(t *testing.T) {
	// The Go loop is one more kernel where it calls none itself; on arm64
	// it hands long slices to NEON, and the tests of XOR and XORCopy cover
	// what it keeps.
	all := kernels
	if !goCallsKernel {
		all = append(all[:len(all):len(all)], kernel{name: "go", fn: func(dst, src *byte, n int, k uint32) {
			key := keyOf(k)
			xorGo(dst, src, n, &key, 0)
		}, supported: true})
	}
	const maxLen = 1<<20 + 64
	src := aligned64(maxLen + 8)
	want := aligned64(maxLen + 8)
	dst := aligned64(maxLen + 48)
	fill(src, 4)
	lengths := []int{}
	for n := 0; n <= 1024; n++ {
		lengths = append(lengths, n)
	}
	lengths = append(lengths, 4096, 65536+3, maxLen-1)
	for _, k := range all {
		if !k.supported {
			t.Logf("kernel %s: not supported by this CPU, skipped", k.name)
			continue
		}
		t.Run(k.name, func(t *testing.T) {
			for _, n := range lengths {
				for off := 0; off < 34; off++ {
					if n > 1024 && off%8 != 3 && off != 17 {
						continue
					}
					soff := (off * 5) % 8
					for pos := 0; pos < 4; pos++ {
						kw := rotate(testKey, pos)
						refXOR(want[:n], src[soff:soff+n], testKey, pos)
						guard := dst[off+n : off+n+8]
						for i := range guard {
							guard[i] = 0x5a
						}
						call(k.fn, dst[off:off+n], src[soff:soff+n], kw)
						if !bytes.Equal(dst[off:off+n], want[:n]) {
							t.Fatalf("n=%d off=%d src off=%d pos=%d: differs at %d", n, off, soff, pos, firstDiff(dst[off:off+n], want[:n]))
						}
						for _, c := range guard {
							if c != 0x5a {
								t.Fatalf("n=%d off=%d: wrote past n", n, off)
							}
						}
						// In place.
						b := dst[off : off+n]
						copy(b, src[soff:soff+n])
						call(k.fn, b, b, kw)
						if !bytes.Equal(b, want[:n]) {
							t.Fatalf("in place n=%d off=%d pos=%d: differs at %d", n, off, pos, firstDiff(b, want[:n]))
						}
					}
				}
			}
		})
	}
}

func call(fn func(dst, src *byte, n int, k uint32), dst, src []byte, k uint32) {
	if len(src) == 0 {
		return
	}
	fn(&dst[0], &src[0], len(src), k)
}

// TestChunked feeds a payload in random chunks, chaining the returned key
// position, and expects the bytes of one whole call.
func TestChunked(t *testing.T) {
	forEachDispatch(t, func(t *testing.T) {
		r := rand.New(rand.NewSource(5))
		for iter := 0; iter < 200; iter++ {
			n := r.Intn(20000)
			src := make([]byte, n)
			r.Read(src)
			key := [4]byte{byte(r.Int()), byte(r.Int()), byte(r.Int()), byte(r.Int())}
			start := r.Intn(4)
			want := make([]byte, n)
			wantPos := refXOR(want, src, key, start)

			inPlace := append([]byte(nil), src...)
			copied := make([]byte, n)
			posA, posB := start, start
			for i := 0; i < n; {
				c := 1 + r.Intn(1+r.Intn(600))
				if i+c > n {
					c = n - i
				}
				posA = XOR(inPlace[i:i+c], key, posA)
				posB = XORCopy(copied[i:i+c], src[i:i+c], key, posB)
				i += c
			}
			if posA != wantPos || posB != wantPos {
				t.Fatalf("iter %d: positions %d, %d, want %d", iter, posA, posB, wantPos)
			}
			if !bytes.Equal(inPlace, want) || !bytes.Equal(copied, want) {
				t.Fatalf("iter %d (n=%d): chunked result differs", iter, n)
			}
		}
	})
}

func TestPosModulo(t *testing.T) {
	for _, pos := range []int{-7, -1, 4, 5, 1 << 30} {
		b := []byte("hello, websocket")
		want := make([]byte, len(b))
		wantPos := refXOR(want, b, testKey, pos&3)
		if p := XOR(b, testKey, pos); p != wantPos || !bytes.Equal(b, want) {
			t.Errorf("pos %d: got %d %x, want %d %x", pos, p, b, wantPos, want)
		}
	}
}

func TestXORCopyPanics(t *testing.T) {
	const short, overlap = "mask: dst is shorter than src", "mask: dst and src overlap inexactly"
	buf := make([]byte, 100)
	for _, tc := range []struct {
		name     string
		dst, src []byte
		want     string // the panic message, or "" for none
	}{
		{"short dst", buf[:9], make([]byte, 10), short},
		{"short dst, overlapping", buf[0:9], buf[1:11], short},
		{"nil dst", nil, make([]byte, 1), short},
		{"overlap ahead", buf[1:50], buf[0:49], overlap},
		{"overlap behind", buf[0:49], buf[1:50], overlap},
		{"overlap by one byte", buf[49:98], buf[1:50], overlap},
		{"longer dst, overlapping in its first n bytes", buf[10:90], buf[0:20], overlap},
		{"same slice", buf[3:40], buf[3:40], ""},
		{"same start, longer dst", buf[3:90], buf[3:40], ""},
		{"adjacent after", buf[50:], buf[:50], ""},
		{"adjacent before", buf[:50], buf[50:], ""},
		{"src inside dst, past its first n bytes", buf[0:60], buf[20:40], ""},
		{"empty src inside dst", buf[0:60], buf[20:20], ""},
		{"both empty", nil, nil, ""},
	} {
		if ok := copyOK(tc.dst, tc.src); ok != (tc.want == "") {
			t.Errorf("%s: copyOK = %v", tc.name, ok)
		}
		func() {
			defer func() {
				got, _ := recover().(string)
				if got != tc.want {
					t.Errorf("%s: XORCopy panicked with %q, want %q", tc.name, got, tc.want)
				}
			}()
			XORCopy(tc.dst, tc.src, testKey, 0)
		}()
	}
}

func TestNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	for _, n := range []int{8, 125, 4096, 65536} {
		b := make([]byte, n)
		d := make([]byte, n)
		if a := testing.AllocsPerRun(100, func() { XOR(b, testKey, 1) }); a != 0 {
			t.Errorf("XOR(%d bytes): %v allocs", n, a)
		}
		if a := testing.AllocsPerRun(100, func() { XORCopy(d, b, testKey, 3) }); a != 0 {
			t.Errorf("XORCopy(%d bytes): %v allocs", n, a)
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

func Example() {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	// The masked "Hello" of RFC 6455 section 5.7, unmasked in two pieces.
	payload := []byte{0x7f, 0x9f, 0x4d, 0x51, 0x58}
	pos := XOR(payload[:2], key, 0)
	pos = XOR(payload[2:], key, pos)
	fmt.Printf("%s %d\n", payload, pos)
	// Output: Hello 1
}
