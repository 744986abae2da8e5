// Package conformance runs the example servers against the cases of the
// Autobahn TestSuite's sections 1 to 7, 9 and 10, with a raw client that
// controls fragmentation, the pieces each frame is written in and the order
// of every byte, and checks the echoed frames and the close codes exactly.
//
// Cases are named after the Autobahn case they follow ("6.4.1 ..."); the
// variants added here (other chop sizes, one-byte fragments, limits, the
// opening handshake) carry the number of the case or section they extend.
package conformance

import (
	"bufio"
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

type testCase struct {
	name string
	run  func(c *client)
}

// rawCase is a case that makes its own connection, for the opening
// handshake.
type rawCase struct {
	name string
	run  func(t *testing.T, addr string)
}

var servers = []struct {
	name, pkg string
	linux     bool // builds only on Linux
}{
	{"echo", "github.com/wsframe/wsframe/examples/echo", false},
	{"epoll", "github.com/wsframe/wsframe/examples/epoll", true},
}

func TestConformance(t *testing.T) {
	bins := build(t)
	cases := allCases()
	for _, s := range servers {
		if bins[s.name] == "" {
			continue
		}
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			addr := start(t, bins[s.name])
			for _, rc := range handshakeCases() {
				t.Run(rc.name, func(t *testing.T) { rc.run(t, addr) })
			}
			for _, rc := range deflateCases() {
				t.Run(rc.name, func(t *testing.T) { rc.run(t, addr) })
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) { tc.run(dial(t, addr)) })
			}
		})
	}
}

func allCases() []testCase {
	var all []testCase
	for _, section := range [][]testCase{
		section1(), section2(), section3(), section4(), section5(),
		section6(), section7(), section9(), section10(),
	} {
		all = append(all, section...)
	}
	return all
}

// build compiles the example servers into a temporary directory and
// returns their paths by name.
func build(t *testing.T) map[string]string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	dir := t.TempDir()
	bins := map[string]string{}
	args := []string{"build", "-o", dir + string(filepath.Separator)}
	for _, s := range servers {
		if s.linux && runtime.GOOS != "linux" {
			t.Logf("%s: skipped, it runs only on Linux", s.name)
			continue
		}
		args = append(args, s.pkg)
		bins[s.name] = filepath.Join(dir, s.name)
	}
	cmd := exec.Command(goTool, args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return bins
}

// start runs the server bin on a free port of 127.0.0.1 and returns the
// address it prints. The server is stopped when t ends; it must still be
// running then.
func start(t *testing.T, bin string) string {
	t.Helper()
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		if errors.Is(err, syscall.ENOEXEC) {
			// Under a user-mode emulator (GOARCH=arm64 -exec qemu-...),
			// a child built for the emulated architecture cannot be run.
			t.Skipf("cannot run a %s child process here: %v", runtime.GOARCH, err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Signal 0 asks whether the server still runs; Windows has none.
		if runtime.GOOS != "windows" && cmd.Process.Signal(syscall.Signal(0)) != nil {
			t.Errorf("%s exited during the test: %s", bin, stderr.String())
		}
		cmd.Process.Kill()
		cmd.Wait()
		if s := stderr.String(); s != "" {
			t.Logf("%s wrote to stderr:\n%s", filepath.Base(bin), s)
		}
	})

	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			line <- sc.Text()
		}
		close(line)
	}()
	select {
	case l := <-line:
		addr, ok := strings.CutPrefix(l, "listening on ")
		if !ok {
			t.Fatalf("%s printed %q, want \"listening on ADDR\"", bin, l)
		}
		return addr
	case <-time.After(timeout):
		t.Fatalf("%s did not print its address: %s", bin, stderr.String())
	}
	return ""
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
