//go:build linux

package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/wsframe/wsframe/codec"
	"github.com/wsframe/wsframe/handshake"
)

var idleConns = flag.Int("idle-conns", 10000, "connections TestIdleMemory opens")

// TestIdleMemory measures what idle upgraded connections cost the server.
// The server runs in this process, so that runtime.MemStats sees it alone;
// the clients run in a child process (this test binary, running
// TestIdleClient), so that their memory and descriptors are not counted.
func TestIdleMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("opens many connections; skipped in -short mode")
	}
	n := *idleConns
	raiseNofile(t, n+100)

	loops := runtime.NumCPU()
	addr := startServer(t, loops)
	time.Sleep(50 * time.Millisecond) // let the loops allocate their buffers
	before := measure()

	cmd := exec.Command(os.Args[0], "-test.run=^TestIdleClient$")
	cmd.Env = append(os.Environ(), "WSFRAME_IDLE_ADDR="+addr, "WSFRAME_IDLE_CONNS="+strconv.Itoa(n))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		if errors.Is(err, syscall.ENOEXEC) {
			// Under a user-mode emulator (GOARCH=arm64 -exec qemu-...),
			// a child built for the emulated architecture cannot be run.
			t.Skipf("cannot run a %s child process here: %v", runtime.GOARCH, err)
		}
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close() // the child resets its connections and exits

	sc := bufio.NewScanner(stdout)
	for sc.Scan() && sc.Text() != "ready" {
		t.Log("client:", sc.Text())
	}
	if sc.Err() != nil || sc.Text() != "ready" {
		t.Fatalf("the client did not connect: %v", sc.Err())
	}
	elapsed := time.Since(start)
	after := measure()

	per := func(a, b uint64) float64 { return (float64(a) - float64(b)) / float64(n) }
	t.Logf("%d idle connections on %d loops, opened and upgraded in %v", n, loops, elapsed.Round(time.Millisecond))
	t.Logf("Go heap in use: %.0f bytes per connection (HeapAlloc %d -> %d)", per(after.heap, before.heap), before.heap, after.heap)
	t.Logf("Go memory from the OS: %.0f bytes per connection (Sys %d -> %d)", per(after.sys, before.sys), before.sys, after.sys)
	t.Logf("process RSS: %.0f bytes per connection (VmRSS %d -> %d)", per(after.rss, before.rss), before.rss, after.rss)
	if heap := per(after.heap, before.heap); heap > 2048 {
		t.Errorf("an idle connection costs %.0f bytes of heap, want at most 2048", heap)
	}
}

type usage struct{ heap, sys, rss uint64 }

func measure() usage {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return usage{heap: ms.HeapAlloc, sys: ms.Sys, rss: vmRSS()}
}

// vmRSS returns the resident set size of this process from
// /proc/self/status, in bytes.
func vmRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmRSS:" && f[2] == "kB" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// raiseNofile raises the soft limit on open files to at least n, or skips
// the test if the hard limit is lower.
func raiseNofile(t *testing.T, n int) {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Skipf("getrlimit: %v", err)
	}
	if lim.Cur >= uint64(n) {
		return
	}
	if lim.Max < uint64(n) {
		t.Skipf("needs %d open files, the hard limit is %d: raise it (ulimit -Hn) or lower -idle-conns", n, lim.Max)
	}
	lim.Cur = uint64(n)
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Skipf("setrlimit to %d open files: %v", n, err)
	}
}

// TestIdleClient is the client side of TestIdleMemory, run in a child
// process: it opens and upgrades the connections, prints "ready", and
// holds them idle until its standard input closes.
func TestIdleClient(t *testing.T) {
	addr := os.Getenv("WSFRAME_IDLE_ADDR")
	if addr == "" {
		t.Skip("run by TestIdleMemory")
	}
	n, err := strconv.Atoi(os.Getenv("WSFRAME_IDLE_CONNS"))
	if err != nil {
		t.Fatal(err)
	}
	raiseNofile(t, n+100)

	conns := make([]*net.TCPConn, n)
	const workers = 16
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				c, err := upgraded(addr)
				if err != nil {
					errs <- fmt.Errorf("connection %d: %w", i, err)
					return
				}
				conns[i] = c
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	// Reset rather than close, so that the client ports do not linger in
	// TIME_WAIT after the test.
	for _, c := range conns {
		c.SetLinger(0)
		c.Close()
	}
}

// startServer runs a server with loops event loops in this process, on a
// port of its own, and returns its address. It runs until the test binary
// ends.
func startServer(t *testing.T, loops int) string {
	t.Helper()
	lfd, err := listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr, err := localAddr(lfd)
	if err != nil {
		t.Fatal(err)
	}
	s := &server{maxMessage: codec.DefaultMaxMessage}
	go func() { panic(s.serve(lfd, loops)) }()
	return addr
}

// upgraded opens a connection to addr and completes the opening handshake.
func upgraded(addr string) (*net.TCPConn, error) {
	nc, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	c := nc.(*net.TCPConn)
	var hc handshake.Client
	req, key, err := hc.AppendRequest(nil, &url.URL{Scheme: "ws", Host: addr, Path: "/"})
	if err == nil {
		_, err = c.Write(req)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 0, 512)
	for err == nil {
		if len(buf) == cap(buf) {
			err = errors.New("response too long")
			break
		}
		var k int
		k, err = c.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+k]
		if err == nil {
			_, _, err = hc.ParseResponse(buf, key)
			if err == nil {
				break
			}
			if err == handshake.ErrIncomplete {
				err = nil
			}
		}
	}
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("%w (read %q)", err, bytes.TrimSpace(buf))
	}
	return c, nil
}
