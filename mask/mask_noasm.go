//go:build (!amd64 && !arm64) || !gc || purego

package mask

import "unsafe"

// Without an assembly kernel, xorGo never takes the block path.
const (
	haveAsm    = false
	asmMin     = int(^uint(0) >> 1)
	alignMin   = asmMin
	storeAlign = 32 // alignment of dst that xorLong sets up for the kernel
)

// xorKernel is never reached in this build (asmMin is the largest int); it
// exists so that xorLong has one definition for every build.
func xorKernel(dst, src *byte, n int, k uint32) {
	xorGo(unsafe.Slice(dst, n), unsafe.Slice(src, n), keyOf(k), 0)
}

// kernels lists the assembly kernels for tests and benchmarks: none here.
var kernels []kernel
