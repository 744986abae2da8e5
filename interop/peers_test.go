package interop

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// requireEnv names the variable that, set to 1, turns a missing peer from
// a skip into a failure: make test-interop sets it.
const requireEnv = "WSFRAME_INTEROP_REQUIRE"

// The Debian interpreter and browser, unless these variables name others:
// the python3 first on PATH may be another build, without Debian's
// python3-websockets.
var (
	pythonPath   = envOr("WSFRAME_INTEROP_PYTHON", "/usr/bin/python3")
	chromiumPath = envOr("WSFRAME_INTEROP_CHROMIUM", "/usr/bin/chromium")
)

func envOr(name, value string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return value
}

// missing skips t because a peer is not installed, or fails it under
// WSFRAME_INTEROP_REQUIRE=1.
func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv(requireEnv) == "1" {
		t.Fatalf("%s (%s=1: every peer is required)", msg, requireEnv)
	}
	t.Skip(msg)
}

// needNode returns the node binary, once node and the pinned ws package
// are installed.
func needNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		missing(t, "Node.js not found on PATH: apt-get install nodejs npm")
	}
	if _, err := os.Stat("node_modules/ws/package.json"); err != nil {
		missing(t, "the npm package ws is not installed: run npm ci in interop/")
	}
	return node
}

var python struct {
	once sync.Once
	err  error
}

// needPython returns Debian's python3 once it can import websockets.
func needPython(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(pythonPath); err != nil {
		missing(t, "Python 3 not found at %s: apt-get install python3 python3-websockets", pythonPath)
	}
	python.once.Do(func() {
		out, err := exec.Command(pythonPath, "-c", "import websockets").CombinedOutput()
		if err != nil {
			python.err = fmt.Errorf("%v: %s", err, bytes.TrimSpace(out))
		}
	})
	if python.err != nil {
		missing(t, "%s cannot import websockets (%v): apt-get install python3-websockets", pythonPath, python.err)
	}
	return pythonPath
}

func needChromium(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		missing(t, "headless Chromium not found at %s: apt-get install chromium", chromiumPath)
	}
	return chromiumPath
}

// syncBuffer collects a process's output for the test log.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// proc is a long-running peer: a server whose standard output is read line
// by line. Every line is also kept for the log, so lines nobody reads are
// not lost.
type proc struct {
	name    string
	cmd     *exec.Cmd
	lines   chan string
	stdout  syncBuffer
	stderr  syncBuffer
	done    chan struct{}
	waitErr error
}

// start starts cmd in a process group of its own and ends the group when t
// ends.
func start(t *testing.T, name string, cmd *exec.Cmd) *proc {
	t.Helper()
	p := &proc{name: name, cmd: cmd, lines: make(chan string, 1024), done: make(chan struct{})}
	cmd.Stderr = &p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			fmt.Fprintln(&p.stdout, sc.Text())
			select {
			case p.lines <- sc.Text():
			default: // nobody reads them: the log has them
			}
		}
		p.waitErr = cmd.Wait()
		close(p.lines)
		close(p.done)
	}()
	t.Cleanup(func() {
		killGroup(cmd)
		<-p.done
		if t.Failed() || testing.Verbose() {
			t.Logf("%s stdout:\n%s\n%s stderr:\n%s", name, tail(p.stdout.String(), 4000),
				name, tail(p.stderr.String(), 4000))
		}
	})
	return p
}

// line returns the next line p prints.
func (p *proc) line(timeout time.Duration) (string, error) {
	select {
	case l, ok := <-p.lines:
		if !ok {
			return "", fmt.Errorf("%s exited (%v) before printing the line expected; stderr:\n%s",
				p.name, p.waitErr, tail(p.stderr.String(), 2000))
		}
		return l, nil
	case <-time.After(timeout):
		return "", fmt.Errorf("%s printed nothing for %v", p.name, timeout)
	}
}

// running returns an error if p has exited.
func (p *proc) running() error {
	select {
	case <-p.done:
		return fmt.Errorf("%s exited: %v; stderr:\n%s", p.name, p.waitErr, tail(p.stderr.String(), 2000))
	default:
		return nil
	}
}

// scriptTimeout bounds one run of a client script.
const scriptTimeout = 40 * time.Second

// runScript runs a client script to its end with input on its standard
// input and returns the results it printed, one JSON object a line.
func runScript(t *testing.T, name string, cmd *exec.Cmd, input any) []result {
	t.Helper()
	in, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdin = bytes.NewReader(in)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	ownGroup(cmd)
	timer := time.AfterFunc(scriptTimeout, func() { killGroup(cmd) })
	start := time.Now()
	err = cmd.Run()
	timer.Stop()
	killGroup(cmd) // anything the script left behind
	t.Logf("%s ran for %v", name, time.Since(start).Round(time.Millisecond))
	results, perr := parseResults(stdout.Bytes())
	if err != nil || perr != nil {
		t.Errorf("%s: %v; %v\nstdout:\n%s\nstderr:\n%s", name, err, perr,
			tail(stdout.String(), 4000), tail(stderr.String(), 4000))
	}
	return results
}

func parseResults(out []byte) ([]result, error) {
	var rs []result
	for _, l := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		var r result
		dec := json.NewDecoder(bytes.NewReader(l))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			return rs, fmt.Errorf("result line %q: %v", l, err)
		}
		rs = append(rs, r)
	}
	return rs, nil
}

// opened takes off the line a client script prints first once connected,
// {"case": "open", "extensions": ...}, and checks that the server's
// response selected the extensions want ("" for none).
func opened(t *testing.T, name string, got []result, want string) []result {
	t.Helper()
	if len(got) == 0 || got[0].Case != "open" {
		t.Errorf("%s did not report the open connection first", name)
		return got
	}
	if got[0].Extensions != want {
		t.Errorf("%s: the server's response selected extensions %q, want %q", name, got[0].Extensions, want)
	} else {
		t.Logf("%s: extensions %q", name, got[0].Extensions)
	}
	return got[1:]
}

// tail returns the end of s, at most n bytes.
func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
