//go:build gc && !purego

package main

import (
	"runtime"

	"golang.org/x/sys/cpu"
)

// maskKernel names the kernel wsframe's mask package picks on this CPU, from
// the same golang.org/x/sys/cpu variables it reads, so GODEBUG settings such
// as cpu.avx2=off show here too.
func maskKernel() string {
	switch runtime.GOARCH {
	case "amd64":
		if cpu.X86.HasAVX2 {
			return "AVX2"
		}
		return "SSE2 (no AVX2, or GODEBUG cpu.avx2=off)"
	case "arm64":
		return "NEON"
	}
	return "none, Go code (no assembly for " + runtime.GOARCH + ")"
}
