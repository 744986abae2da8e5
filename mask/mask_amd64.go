//go:build gc && !purego

package mask

import (
	"math"

	"golang.org/x/sys/cpu"
)

// Slices of asmMin bytes or more go to the assembly kernel; below that the
// call costs more than the Go loop saves. The AVX2 kernel aligns its own
// stores, so xorLong never has to (alignMin is out of reach).
const (
	asmMin     = 64
	alignMin   = math.MaxInt
	storeAlign = 32
)

//go:noescape
func xorAVX2(dst, src *byte, n int, k uint32)

//go:noescape
func xorSSE2(dst, src *byte, n int, k uint32)

// Every amd64 CPU has SSE2.
const haveAsm = true

// useAVX2 selects the kernel xorKernel jumps to.
var useAVX2 = cpu.X86.HasAVX2

// xorKernel jumps to xorAVX2 or xorSSE2 after one test of useAVX2, so that
// xorGo reaches the kernel with a single call.
//
//go:noescape
func xorKernel(dst, src *byte, n int, k uint32)

var kernels = []kernel{
	{"avx2", xorAVX2, cpu.X86.HasAVX2, func() func() { return setAVX2(true) }},
	{"sse2", xorSSE2, true, func() func() { return setAVX2(false) }}, // SSE2 is part of amd64
}

func setAVX2(on bool) (restore func()) {
	old := useAVX2
	useAVX2 = on
	return func() { useAVX2 = old }
}
