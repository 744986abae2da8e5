package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// Server is one echo server, run as a child process.
type Server struct {
	Name   string // "wsframe echo", "gorilla", ...
	Detail string // how it serves
	Ours   bool   // one of wsframe's examples

	// Deflate, for a server of DeflateServers, says how it negotiates
	// permessage-deflate; Mode tells the servers of one library apart
	// where it has more than one (coder), and is empty otherwise.
	Deflate string
	Mode    string
	// IdleText, when positive, is the size of the text each idle
	// compressed connection has echoed first, instead of the default.
	IdleText int

	bin  string
	args []string
	cmd  *exec.Cmd
	addr string
	exit chan error // the child's exit, once it has ended
}

// Servers returns the servers whose binaries Build put in dir: wsframe's
// two examples (epoll on Linux only), then one per peer library.
func Servers(dir string) []*Server {
	ss := []*Server{{
		Name: "wsframe echo", Detail: "examples/echo: goroutine per connection, 32 KiB read buffer", Ours: true,
		bin: filepath.Join(dir, "echo"),
	}}
	if runtime.GOOS == "linux" {
		ss = append(ss, &Server{
			Name: "wsframe epoll", Detail: "examples/epoll: one epoll loop per CPU, shared 64 KiB read buffer", Ours: true,
			bin: filepath.Join(dir, "epoll"),
		})
	}
	details := map[string]string{
		"gorilla": "net/http, `Upgrader.Upgrade`, `ReadMessage`/`WriteMessage` in the handler",
		"gobwas":  "`ws.Upgrade` on each accepted conn, `wsutil.ReadClientData`/`WriteServerMessage`, bufio",
		"gws":     "`Server.RunListener`, `OnMessage` → `WriteMessage`",
		"nbio":    "nbhttp `Engine` (non-blocking), `Upgrader`, `OnMessage` → `WriteMessage`",
		"coder":   "net/http, `Accept`, `Read`/`Write` in the handler",
	}
	for _, lib := range Libs {
		ss = append(ss, &Server{Name: lib, Detail: details[lib], bin: filepath.Join(dir, "peerecho"), args: []string{"-lib", lib}})
	}
	return ss
}

// DeflateServers returns the servers of Servers(dir) again, each started
// so that it negotiates permessage-deflate: wsframe's examples with
// -deflate (handshake.Deflate), the peers with peerecho's -deflate, once
// per mode of DeflateModes. A library without a mode there has no server
// in the list.
func DeflateServers(dir string) []*Server {
	var ss []*Server
	for _, s := range Servers(dir) {
		if s.Ours {
			c := *s
			c.args = append(slices.Clone(s.args), "-deflate=true")
			c.Deflate = "`-deflate` (its default): `handshake.Deflate{}`, which keeps no compression context of its own " +
				"and asks the client to keep none; `MessageDecoder{Inflate}` and `Encoder{Compress}`, whose flate state is pooled"
			ss = append(ss, &c)
			k := *s
			k.args = append(slices.Clone(s.args), "-deflate=true", "-deflate-client-context")
			k.Mode = "client context"
			// Enough text to fill the 32 KiB window the server keeps.
			k.IdleText = 40 << 10
			k.Deflate = "`-deflate -deflate-client-context`: `handshake.Deflate{ClientContextTakeover: true}`, which lets the client " +
				"keep its compression context, so the server keeps the last 32 KiB of each connection's inflated output " +
				"(`MessageDecoder{InflateContext}`); the flate state itself is still pooled. Its connections each echo 40 KiB of text first, which fills that window"
			ss = append(ss, &k)
		}
	}
	details := map[string]string{
		"gorilla":                           "`Upgrader{EnableCompression: true}`",
		"gobwas":                            "`ws.Upgrader{Negotiate: wsflate.Extension{Parameters: wsflate.DefaultParameters}.Negotiate}`; a `wsflate.Reader` and `wsflate.Writer` (compress/flate, BestSpeed) made per connection at the upgrade and reset per message, with `wsutil.Reader`/`Writer` and a `wsflate.MessageState`",
		"gws":                               "`PermessageDeflate{Enabled: true}`, the rest gws's defaults",
		"nbio":                              "`Upgrader.EnableCompression(true)`",
		"coder/" + DeflateContextTakeover:   "`AcceptOptions{CompressionMode: CompressionContextTakeover}`",
		"coder/" + DeflateNoContextTakeover: "`AcceptOptions{CompressionMode: CompressionNoContextTakeover}`",
	}
	for _, s := range Servers(dir) {
		if s.Ours {
			continue
		}
		lib := s.Name
		for _, mode := range DeflateModes[lib] {
			c := *s
			c.args = append(slices.Clone(s.args), "-deflate", mode)
			c.Deflate = details[lib]
			if len(DeflateModes[lib]) > 1 {
				c.Mode = mode
				c.Deflate = details[lib+"/"+mode]
			}
			ss = append(ss, &c)
		}
	}
	return ss
}

// Label is the server's name with its mode, if it has one:
// "coder (context-takeover)".
func (s *Server) Label() string {
	if s.Mode == "" {
		return s.Name
	}
	return s.Name + " (" + s.Mode + ")"
}

// Build compiles wsframe's echo examples and cmd/peerecho into dir with
// the go command. It finds the sources from the working directory, which
// must be inside the bench module.
func Build(dir string) error {
	bench, err := benchDir()
	if err != nil {
		return err
	}
	root := filepath.Dir(bench)
	goTool := "go"
	if p, err := exec.LookPath("go"); err == nil {
		goTool = p
	} else if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		goTool = p
	}
	examples := []string{"./examples/echo"}
	if runtime.GOOS == "linux" {
		examples = append(examples, "./examples/epoll")
	}
	// With -o naming a directory, go build writes each main package there
	// under its directory's name.
	// The two modules build at once: most of the time goes to linking,
	// one process each.
	out := dir + string(filepath.Separator)
	builds := []struct {
		dir  string
		pkgs []string
	}{{root, examples}, {bench, []string{"./cmd/peerecho"}}}
	errs := make([]error, len(builds))
	var wg sync.WaitGroup
	for i, b := range builds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(goTool, append([]string{"build", "-o", out}, b.pkgs...)...)
			cmd.Dir = b.dir
			if msg, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("go build %s: %v\n%s", strings.Join(b.pkgs, " "), err, msg)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// benchDir returns the directory of the bench module, found from the
// working directory upwards.
func benchDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(b, []byte("module github.com/wsframe/wsframe/bench\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the bench module (github.com/wsframe/wsframe/bench): its go.mod was not found")
		}
		dir = parent
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// startTimeout bounds the time a server has to say where it listens.
const startTimeout = 10 * time.Second

// Start runs the server on 127.0.0.1 and a free port and waits for it to
// say where it listens.
func (s *Server) Start() error {
	if s.cmd != nil {
		return fmt.Errorf("%s: already running", s.Name)
	}
	cmd := exec.Command(s.bin, append(s.args, "-addr", "127.0.0.1:0")...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %v", s.Name, err)
	}
	s.cmd, s.exit = cmd, make(chan error, 1)
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				addr <- a
				break
			}
		}
		io.Copy(io.Discard, stdout)
		s.exit <- cmd.Wait()
	}()
	select {
	case s.addr = <-addr:
		return nil
	case err := <-s.exit:
		s.cmd = nil
		return fmt.Errorf("%s exited before listening: %v", s.Name, err)
	case <-time.After(startTimeout):
		s.Stop()
		return fmt.Errorf("%s did not say where it listens within %s", s.Name, startTimeout)
	}
}

// Addr is where the running server listens.
func (s *Server) Addr() string { return s.addr }

// Pid is the server's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Stop kills the server and waits for it to end.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.exit
	s.cmd, s.addr = nil, ""
}

// Running reports whether the server has been started and has not ended.
func (s *Server) Running() bool {
	if s.cmd == nil {
		return false
	}
	select {
	case err := <-s.exit:
		s.exit <- err
		return false
	default:
		return true
	}
}
