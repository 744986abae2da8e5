//go:build gc && !purego

package mask

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// Slices of asmMin bytes or more go to the NEON kernel.
const (
	asmMin    = 128
	blockSize = 32
)

//go:noescape
func xorNEON(dst, src *byte, n int, k uint32)

var useNEON = cpu.ARM64.HasASIMD

func xorBlocks(dst, src *byte, n int, k uint32) {
	if useNEON {
		xorNEON(dst, src, n, k)
		return
	}
	xorGo(unsafe.Slice(dst, n), unsafe.Slice(src, n), k)
}

var kernels = []kernel{
	{"neon", xorNEON, cpu.ARM64.HasASIMD, func() func() {
		old := useNEON
		useNEON = true
		return func() { useNEON = old }
	}},
}
