//go:build (!amd64 && !arm64) || !gc || purego

package mask

import "unsafe"

// Without an assembly kernel, xorGo never takes the block path.
const (
	goCallsKernel = false
	asmMin        = int(^uint(0) >> 1)
	alignMin      = asmMin
	storeAlign    = 32 // alignment of dst that xorLong sets up for the kernel
)

// xorInPlace is what XOR calls: the Go loop.
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

// xorKernel is never reached in this build (asmMin is the largest int); it
// exists so that xorLong has one definition for every build.
func xorKernel(dst, src *byte, n int, k uint32) {
	key := keyOf(k)
	xorGo(dst, src, n, &key, 0)
}

// kernels lists the assembly kernels for tests and benchmarks: none here.
var kernels []kernel
