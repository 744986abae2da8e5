//go:build (!amd64 && !arm64) || !gc || purego

package mask

import "unsafe"

// Without an assembly kernel, xor never takes the block path.
const (
	asmMin    = int(^uint(0) >> 1)
	blockSize = 32
)

// xorBlocks is never reached in this build (asmMin is the largest int); it
// exists so that xor has one definition for every build.
func xorBlocks(dst, src *byte, n int, k uint32) {
	xorGo(unsafe.Slice(dst, n), unsafe.Slice(src, n), k)
}

// kernels lists the assembly kernels for tests and benchmarks: none here.
var kernels []kernel
