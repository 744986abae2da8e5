//go:build (!amd64 && !arm64) || !gc || purego

package mask

// Without an assembly kernel, xorGo never takes the block path.
const (
	goCallsKernel = false
	asmMin        = int(^uint(0) >> 1)
	alignMin      = asmMin
	storeAlign    = 32 // alignment of dst that xorLong sets up for the kernel
)

// xorKernel is never reached in this build (asmMin is the largest int); it
// exists so that xorLong has one definition for every build.
func xorKernel(dst, src *byte, n int, k uint32) {
	key := keyOf(k)
	xorGo(dst, src, n, &key, 0)
}

// kernels lists the assembly kernels for tests and benchmarks: none here.
var kernels []kernel
