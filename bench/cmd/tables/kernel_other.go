//go:build !gc || purego

package main

// maskKernel names the kernel wsframe's mask package uses: none in this
// build, which runs its Go code everywhere.
func maskKernel() string {
	return "none, Go code (purego or non-gc build)"
}
