// Package loops holds one AVX2 masking loop placed two ways, in a 64-byte
// line of its own and across two lines, so that a benchmark can show what
// the placement of a loop costs on the CPU it runs on. The tables report
// where the linker put each compared kernel's loop for the same reason.
package loops

// Fits masks b, whose length must be a multiple of 64, in place with the
// key word k (key byte 0 in its low byte), with a loop that fits in one
// 64-byte line.
//
//go:noescape
func Fits(b []byte, k uint32)

// Crosses is Fits with its loop starting 48 bytes into a 64-byte line, so
// that it runs into the next.
//
//go:noescape
func Crosses(b []byte, k uint32)

// Available reports whether the CPU can run the loops (they need AVX2).
func Available() bool { return available }
