// Package mask implements the masking of WebSocket payloads described in
// RFC 6455 section 5.3: every payload byte is XORed with one byte of a
// four-byte key, the key repeating every four bytes.
//
// XOR unmasks (or masks) a payload in place; XORCopy writes the masked bytes
// to a separate slice so the source is left untouched, as a client encoder
// needs. Both take the key position at which the slice starts and return the
// position after it, so a payload that arrives in pieces is processed by
// chaining calls:
//
//	pos := 0
//	for _, chunk := range chunks {
//		pos = mask.XOR(chunk, key, pos)
//	}
//
// Large slices are processed by an assembly kernel where one exists for the
// CPU (AVX2 or SSE2 on amd64, NEON on arm64), chosen once at start-up from
// golang.org/x/sys/cpu, so GODEBUG=cpu.avx2=off selects the SSE2 kernel.
// Short slices, other architectures and builds with the purego tag use
// word-wide Go code. All paths give identical results on every byte order.
package mask

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// XOR masks b in place with key, starting at key position pos: b[i] is
// XORed with key[(pos+i)%4]. Only pos modulo 4 matters; pass the number of
// payload bytes already processed before b. XOR returns the key position
// that follows b, (pos+len(b)) % 4.
//
// Masking and unmasking are the same operation.
func XOR(b []byte, key [4]byte, pos int) int {
	xorGo(b, b, key, pos)
	return (pos + len(b)) & 3
}

// XORCopy sets dst[i] = src[i] ^ key[(pos+i)%4] for every i < len(src) and
// returns the key position that follows src, (pos+len(src)) % 4. Bytes of dst
// past len(src) are not touched.
//
// dst and src may be the same slice (then XORCopy is XOR), but must not
// overlap in any other way. XORCopy panics if dst is shorter than src or if
// the two overlap inexactly.
func XORCopy(dst, src []byte, key [4]byte, pos int) int {
	if len(dst) < len(src) {
		panic("mask: dst is shorter than src")
	}
	dst = dst[:len(src)]
	if inexactOverlap(dst, src) {
		panic("mask: dst and src overlap inexactly")
	}
	xorGo(dst, src, key, pos)
	return (pos + len(src)) & 3
}

// rotate returns the key as a little-endian word whose first byte is the
// key byte for position pos.
func rotate(key [4]byte, pos int) uint32 {
	return bits.RotateLeft32(binary.LittleEndian.Uint32(key[:]), -8*(pos&3))
}

// xorLong sets dst[i] = src[i] ^ key[(pos+i)%4] for every i < len(src),
// where len(dst) == len(src) >= asmMin, with the assembly kernel. Long
// slices first have their head, up to the next block boundary of dst, done
// by xorGo in Go, so that the kernel's wide stores are aligned.
func xorLong(dst, src []byte, key [4]byte, pos int) {
	if len(src) >= alignMin {
		if head := int(-uintptr(unsafe.Pointer(&dst[0]))) & (storeAlign - 1); head != 0 {
			xorGo(dst[:head], src[:head], key, pos)
			dst, src = dst[head:], src[head:]
			pos += head
		}
	}
	xorKernel(&dst[0], &src[0], len(src), rotate(key, pos))
}

// inexactOverlap reports whether x and y share memory without starting at
// the same address.
func inexactOverlap(x, y []byte) bool {
	if len(x) == 0 || len(y) == 0 || &x[0] == &y[0] {
		return false
	}
	xs := uintptr(unsafe.Pointer(&x[0]))
	ys := uintptr(unsafe.Pointer(&y[0]))
	return xs <= ys+uintptr(len(y)-1) && ys <= xs+uintptr(len(x)-1)
}
