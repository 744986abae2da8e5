package mask

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// xorGo sets dst[i] = src[i] ^ key[(pos+i)%4] for every i < n, where dst
// and src point to n bytes each and dst may be src. Where goCallsKernel is
// set (arm64), slices of asmMin bytes or more go on to the assembly kernel
// and shorter ones are done right here, so that a short payload costs a
// single call.
//
// The Go loop goes eight bytes per step (32 per iteration) and finishes
// with one word that ends at the last byte, overlapping the words before
// it, instead of a tail of narrower steps. That last word is loaded before
// anything is stored, so the bytes it writes again come from the source
// even when dst is src. Words go through encoding/binary's little-endian
// accessors, which the compiler turns into single loads and stores where
// the CPU allows unaligned access and into byte moves where it does not,
// and which give the same bytes on big-endian machines. The accessors work
// on fixed-size array views built with unsafe.Add, so the loop carries no
// bounds checks; no pointer is ever formed past the last byte.
func xorGo(dst, src *byte, n int, key *[4]byte, pos int) {
	if n >= asmMin && goCallsKernel {
		if n < alignMin {
			xorKernel(dst, src, n, rotate(*key, pos))
			return
		}
		xorLong(dst, src, n, key, pos)
		return
	}
	if n <= 0 {
		return
	}
	k := rotate(*key, pos)
	s := unsafe.Pointer(src)
	d := unsafe.Pointer(dst)
	if n < 8 {
		if n >= 4 {
			// Two words, the second ending at the last byte.
			t := binary.LittleEndian.Uint32((*[4]byte)(unsafe.Add(s, n-4))[:]) ^ bits.RotateLeft32(k, -8*(n&3))
			h := binary.LittleEndian.Uint32((*[4]byte)(s)[:]) ^ k
			binary.LittleEndian.PutUint32((*[4]byte)(d)[:], h)
			binary.LittleEndian.PutUint32((*[4]byte)(unsafe.Add(d, n-4))[:], t)
			return
		}
		for i := 0; i < n; i++ {
			*(*byte)(unsafe.Add(d, i)) = *(*byte)(unsafe.Add(s, i)) ^ byte(k)
			k >>= 8
		}
		return
	}
	k64 := uint64(k) | uint64(k)<<32
	// The word at n-8 starts at key position n&3 past pos.
	last := binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(s, n-8))[:]) ^ bits.RotateLeft64(k64, -8*(n&3))
	i := 0
	for ; n-i >= 32; i += 32 {
		sw := (*[32]byte)(unsafe.Add(s, i))
		dw := (*[32]byte)(unsafe.Add(d, i))
		a := binary.LittleEndian.Uint64(sw[0:8]) ^ k64
		b := binary.LittleEndian.Uint64(sw[8:16]) ^ k64
		c := binary.LittleEndian.Uint64(sw[16:24]) ^ k64
		e := binary.LittleEndian.Uint64(sw[24:32]) ^ k64
		binary.LittleEndian.PutUint64(dw[0:8], a)
		binary.LittleEndian.PutUint64(dw[8:16], b)
		binary.LittleEndian.PutUint64(dw[16:24], c)
		binary.LittleEndian.PutUint64(dw[24:32], e)
	}
	for ; n-i > 8; i += 8 {
		sw := (*[8]byte)(unsafe.Add(s, i))
		binary.LittleEndian.PutUint64((*[8]byte)(unsafe.Add(d, i))[:], binary.LittleEndian.Uint64(sw[:])^k64)
	}
	binary.LittleEndian.PutUint64((*[8]byte)(unsafe.Add(d, n-8))[:], last)
}
