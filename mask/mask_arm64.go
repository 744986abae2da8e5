//go:build gc && !purego

package mask

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// Slices of asmMin bytes or more go to the NEON kernel.
const (
	asmMin     = 64
	alignMin   = 512
	storeAlign = 32 // alignment of dst that xorLong sets up for the kernel
)

//go:noescape
func xorNEON(dst, src *byte, n int, k uint32)

// goCallsKernel is false on the rare system that does not report Advanced
// SIMD; xorGo then keeps every length in Go.
var goCallsKernel = cpu.ARM64.HasASIMD

// xorInPlace is what XOR calls: xorGo, which keeps short slices in Go
// and hands long ones to the kernel.
func xorInPlace(b []byte, key *[4]byte, pos int) {
	xorGo(unsafe.SliceData(b), unsafe.SliceData(b), len(b), key, pos)
}

// xorCopy is what XORCopy calls: the same after XORCopy's checks.
func xorCopy(dst, src []byte, key *[4]byte, pos int) {
	if !copyOK(dst, src) {
		copyPanic(dst, src)
	}
	xorGo(unsafe.SliceData(dst), unsafe.SliceData(src), len(src), key, pos)
}

func xorKernel(dst, src *byte, n int, k uint32) { xorNEON(dst, src, n, k) }

var kernels = []kernel{
	{"neon", xorNEON, cpu.ARM64.HasASIMD, func() func() {
		old := goCallsKernel
		goCallsKernel = true
		return func() { goCallsKernel = old }
	}},
}
