//go:build gc && !purego

package mask

import "golang.org/x/sys/cpu"

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

func xorKernel(dst, src *byte, n int, k uint32) { xorNEON(dst, src, n, k) }

var kernels = []kernel{
	{"neon", xorNEON, cpu.ARM64.HasASIMD, func() func() {
		old := goCallsKernel
		goCallsKernel = true
		return func() { goCallsKernel = old }
	}},
}
