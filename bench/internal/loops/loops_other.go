//go:build !amd64

// Package loops holds an AVX2 loop placed two ways; off amd64 it has none.
package loops

// Available reports false: the loops exist on amd64 only.
func Available() bool { return false }

// Fits is not available off amd64.
func Fits(b []byte, k uint32) { panic("loops: amd64 only") }

// Crosses is not available off amd64.
func Crosses(b []byte, k uint32) { panic("loops: amd64 only") }
