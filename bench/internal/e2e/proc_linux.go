package e2e

import (
	"bytes"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// RSS returns the resident set of process pid: VmRSS in /proc/PID/status.
func RSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			f := bytes.Fields(v) // "1234", "kB"
			if len(f) != 2 || string(f[1]) != "kB" {
				break
			}
			kb, err := strconv.ParseInt(string(f[0]), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// RaiseNofile raises the soft limit on open files to at least n with
// unix.Setrlimit, which child processes inherit, or says why it cannot.
func RaiseNofile(n int) error {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("getrlimit: %v", err)
	}
	if lim.Max < uint64(n) {
		return fmt.Errorf("needs %d open files and the hard limit is %d (raise it with ulimit -Hn as root)", n, lim.Max)
	}
	lim.Cur = max(lim.Cur, uint64(n))
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("setrlimit: %v", err)
	}
	return nil
}
