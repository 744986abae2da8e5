//go:build !linux

package fuzz

import "testing"

// guarded hands out ordinary heap memory where there are no guard pages:
// the targets still run, but an out-of-bounds access goes unnoticed.
type guarded struct{}

func (*guarded) tail(_ testing.TB, n int) []byte { return make([]byte, n) }
func (*guarded) head(_ testing.TB, n int) []byte { return make([]byte, n) }
