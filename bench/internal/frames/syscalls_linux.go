package frames

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
)

// measureSyscalls sends syscallMessages messages with fn over a loopback
// socket from one locked OS thread and returns the write system calls
// (write, writev) the kernel counted for that thread per message.
func measureSyscalls(fn func(Out, []byte, int, func()) error, p []byte) (float64, error) {
	if _, err := threadWrites(); err != nil {
		return 0, errNoCount
	}
	out, err := newSocketOut()
	if err != nil {
		return 0, err
	}
	defer out.close()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var before int64
	var rerr error
	ready := func() { before, rerr = threadWrites() }
	if err := fn(out, p, syscallMessages, ready); err != nil {
		return 0, err
	}
	after, err := threadWrites()
	if err != nil || rerr != nil {
		return 0, errNoCount
	}
	return float64(after-before) / syscallMessages, nil
}

// threadWrites returns the write system calls of the calling thread so
// far: syscw in /proc/thread-self/io.
func threadWrites() (int64, error) {
	b, err := os.ReadFile("/proc/thread-self/io")
	if err != nil {
		return 0, err
	}
	s := bufio.NewScanner(bytes.NewReader(b))
	for s.Scan() {
		if v, ok := bytes.CutPrefix(s.Bytes(), []byte("syscw: ")); ok {
			return strconv.ParseInt(string(v), 10, 64)
		}
	}
	return 0, errNoCount
}
