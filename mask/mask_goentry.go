//go:build !amd64 || !gc || purego

package mask

import "unsafe"

// Without the amd64 assembly, XOR and XORCopy call these, which go to xorGo:
// on arm64 it keeps short slices in Go and hands long ones to the kernel,
// elsewhere it is the Go loop for every length.

// xorInPlace is what XOR calls.
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
