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
// On amd64, XOR and XORCopy go straight to assembly: fewer than 128 bytes
// take a few overlapping loads and stores, more go to the AVX2 or the SSE2
// kernel, chosen once at start-up from golang.org/x/sys/cpu (so
// GODEBUG=cpu.avx2=off selects SSE2). On arm64, slices of 64 bytes or more
// go to a NEON kernel and shorter ones to word-wide Go code, which other
// architectures and builds with the purego tag use for every length. All
// paths give identical results on every byte order.
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
	xorInPlace(b, &key, pos)
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
	xorCopy(dst, src, &key, pos)
	return (pos + len(src)) & 3
}

// copyOK reports whether XORCopy may go on: dst is at least as long as src
// and its first len(src) bytes either are the bytes of src or do not overlap
// them, which they do when their starts differ by less than len(src) either
// way.
func copyOK(dst, src []byte) bool {
	n := uintptr(len(src))
	x := uintptr(unsafe.Pointer(unsafe.SliceData(dst))) - uintptr(unsafe.Pointer(unsafe.SliceData(src)))
	return len(dst) >= len(src) && (x == 0 || x >= n && -x >= n)
}

// copyPanic is called instead of masking when copyOK is false.
func copyPanic(dst, src []byte) {
	if len(dst) < len(src) {
		panic("mask: dst is shorter than src")
	}
	panic("mask: dst and src overlap inexactly")
}

// rotate returns the key as a little-endian word whose first byte is the
// key byte for position pos.
func rotate(key [4]byte, pos int) uint32 {
	return bits.RotateLeft32(binary.LittleEndian.Uint32(key[:]), -8*(pos&3))
}

// xorLong sets dst[i] = src[i] ^ key[(pos+i)%4] for every i < n, where
// n >= asmMin, with the assembly kernel. Slices of alignMin bytes or more
// first have their head, up to the next block boundary of dst, done by
// xorGo in Go, so that the kernel's wide stores are aligned.
func xorLong(dst, src *byte, n int, key *[4]byte, pos int) {
	if n >= alignMin {
		if head := int(-uintptr(unsafe.Pointer(dst))) & (storeAlign - 1); head != 0 {
			xorGo(dst, src, head, key, pos)
			dst, src = (*byte)(unsafe.Add(unsafe.Pointer(dst), head)), (*byte)(unsafe.Add(unsafe.Pointer(src), head))
			n -= head
			pos += head
		}
	}
	xorKernel(dst, src, n, rotate(*key, pos))
}
