//go:build !linux

package frames

// measureSyscalls has no per-thread system call count outside Linux.
func measureSyscalls(func(Out, []byte, int, func()) error, []byte) (float64, error) {
	return 0, errNoCount
}
