//go:build gc && !purego

package mask

import (
	"math"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// XOR and XORCopy call xorInPlace and xorCopy, in assembly, for every
// length: below 128 bytes they mask with a few overlapping loads and
// stores, from 128 bytes on they go to the kernel useAVX2 selects. xorGo
// is the plain Go loop here and never calls a kernel; the tests use it as
// one more kernel.
const (
	goCallsKernel = false
	asmMin        = math.MaxInt
	alignMin      = math.MaxInt
	storeAlign    = 32
)

// xorInPlace sets b[i] ^= key[(pos+i)%4] for every i < len(b).
//
//go:noescape
func xorInPlace(b []byte, key *[4]byte, pos int)

// xorCopy sets dst[i] = src[i] ^ key[(pos+i)%4] for every i < len(src),
// after XORCopy's checks (copyOK), which it makes in assembly; it jumps to
// copyPanic when they fail.
//
//go:noescape
func xorCopy(dst, src []byte, key *[4]byte, pos int)

//go:noescape
func xorAVX2(dst, src *byte, n int, k uint32)

//go:noescape
func xorSSE2(dst, src *byte, n int, k uint32)

// useAVX2 selects the kernel xorInPlace and xorCopy jump to for 128 bytes or
// more.
var useAVX2 = cpu.X86.HasAVX2

// xorKernel is never reached in this build (xorGo calls no kernel); it
// exists so that xorLong has one definition for every build.
func xorKernel(dst, src *byte, n int, k uint32) {
	key := keyOf(k)
	xorCopy(unsafe.Slice(dst, n), unsafe.Slice(src, n), &key, 0)
}

var kernels = []kernel{
	{"avx2", xorAVX2, cpu.X86.HasAVX2, func() func() { return setAVX2(true) }},
	{"sse2", xorSSE2, true, func() func() { return setAVX2(false) }}, // SSE2 is part of amd64
}

func setAVX2(on bool) (restore func()) {
	old := useAVX2
	useAVX2 = on
	return func() { useAVX2 = old }
}
