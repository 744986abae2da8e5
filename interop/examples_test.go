package interop

import (
	"flag"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wsframe/wsframe/codec"
	"github.com/wsframe/wsframe/handshake"
)

// exampleServers are the example commands under test, in ../examples.
var exampleServers = []string{"echo", "epoll"}

var raceExamples = flag.Bool("race-examples", false, "build the example servers with the race detector")

// examplesDeflate is the examples' response to the permessage-deflate
// offers of ws, websockets and Chromium ("permessage-deflate;
// client_max_window_bits") and to handshake.DeflateOffer: handshake.Deflate
// never keeps a context, and asks the client not to either.
const examplesDeflate = "permessage-deflate; server_no_context_takeover; client_no_context_takeover"

// examplesDeflateRun is what the Go client expects of the examples once it
// offers permessage-deflate: they compress the echoes of at least
// codec.DefaultCompressMin bytes.
var examplesDeflateRun = deflateRun{
	offer: true, found: true,
	params:     handshake.DeflateParams{ServerNoContextTakeover: true, ClientNoContextTakeover: true},
	compresses: compressesFrom(codec.DefaultCompressMin),
}

// TestExampleServers runs the Node ws, Python websockets and Chromium
// clients against each example server, then the client of client_test.go,
// which also pipelines large messages so that the server's replies back up;
// all of it with permessage-deflate, which the examples negotiate by
// default, and the peers' clients again, and the Go client offering it,
// against the example started with -deflate=false.
func TestExampleServers(t *testing.T) {
	dir := t.TempDir()
	for _, name := range exampleServers {
		t.Run(name, func(t *testing.T) {
			bin := buildExample(t, dir, name)
			srv, addr := startExample(t, bin)
			url := "ws://" + addr + "/"
			t.Run("node", func(t *testing.T) {
				nodeClient(t, url, echoCases(allFeatures), examplesDeflate)
			})
			t.Run("node-invalid-utf8", func(t *testing.T) { nodeClient(t, url, invalidUTF8Cases(), examplesDeflate) })
			t.Run("python", func(t *testing.T) { pythonClient(t, url, examplesDeflate) })
			t.Run("chromium", func(t *testing.T) { chromiumClient(t, url, examplesDeflate) })
			for _, cfg := range clientConfigs() {
				t.Run("go/"+cfg.name, func(t *testing.T) { goClient(t, addr, cfg, deflateRun{}, echoCases(allFeatures)) })
			}
			t.Run("go/trickle", func(t *testing.T) {
				goClient(t, addr, trickleConfig("frame"), deflateRun{}, smallCases(echoCases(allFeatures), 128<<10))
			})
			t.Run("go/pipelined", func(t *testing.T) { goPipelined(t, addr, deflateRun{}) })
			t.Run("go/frames-with-request", func(t *testing.T) { goEarly(t, addr) })
			for _, cfg := range deflateConfigs() {
				t.Run("go/deflate/"+cfg.name, func(t *testing.T) {
					goClient(t, addr, cfg, examplesDeflateRun, echoCases(allFeatures))
				})
			}
			t.Run("go/deflate/trickle", func(t *testing.T) {
				goClient(t, addr, trickleConfig("message"), examplesDeflateRun, smallCases(echoCases(allFeatures), 128<<10))
			})
			t.Run("go/deflate/pipelined", func(t *testing.T) { goPipelined(t, addr, examplesDeflateRun) })
			checkExample(t, srv)

			t.Run("no-deflate", func(t *testing.T) {
				srv, addr := startExample(t, bin, "-deflate=false")
				url := "ws://" + addr + "/"
				t.Run("node", func(t *testing.T) { nodeClient(t, url, echoCases(allFeatures), "") })
				t.Run("node-invalid-utf8", func(t *testing.T) { nodeClient(t, url, invalidUTF8Cases(), "") })
				t.Run("python", func(t *testing.T) { pythonClient(t, url, "") })
				t.Run("chromium", func(t *testing.T) { chromiumClient(t, url, "") })
				t.Run("go/deflate-declined", func(t *testing.T) {
					goClient(t, addr, deflateConfigs()[1], deflateRun{offer: true, compresses: never}, echoCases(allFeatures))
				})
				checkExample(t, srv)
			})
		})
	}
}

// trickleConfig is the client writing 1 to 7 bytes at a time.
func trickleConfig(write string) clientConfig {
	return clientConfig{readSize: 4 << 10, dec: codec.MessageDecoder{Decoder: codec.Decoder{Client: true}}, write: write, trickle: true}
}

// checkExample checks that the example server still runs and reported no
// panic or data race.
func checkExample(t *testing.T, srv *proc) {
	t.Helper()
	if err := srv.running(); err != nil {
		t.Error(err)
	}
	if e := srv.stderr.String(); strings.Contains(e, "DATA RACE") || strings.Contains(e, "panic") {
		t.Errorf("%s reported:\n%s", srv.name, tail(e, 8000))
	}
}

// goClient runs the cases with the client of client_test.go, offering
// permessage-deflate as run says. The example servers select no
// subprotocol.
func goClient(t *testing.T, addr string, cfg clientConfig, run deflateRun, cases []caseSpec) {
	c := dialDeflate(t, addr, cfg, "", run)
	got, _ := c.run(cases, cfg.write)
	checkResults(t, cases, got)
	c.checkCompression(t, true)
}

// goPipelined writes large messages and pings from one goroutine while
// reading the echoes in another, so that the server's replies back up: a
// server that stops reading while they wait must still make progress.
//
// With permessage-deflate, the messages go out compressed.
func goPipelined(t *testing.T, addr string, run deflateRun) {
	const n, size, pingEvery = 96, 256 << 10, 8
	c := dialDeflate(t, addr, clientConfig{readSize: 16 << 10, dec: codec.MessageDecoder{Decoder: codec.Decoder{Client: true}}}, "", run)
	written := make(chan error, 1)
	// The writer's own record of what it wrote, c's once it is done.
	var wantRSV1 []bool
	var wire wireLog
	go func() {
		enc := codec.Encoder{Client: true, Compress: c.enc.Compress}
		var out []byte
		for i := 0; i < n; i++ {
			out, _ = enc.AppendMessage(out[:0], codec.OpBinary, 0, randomBytes(size, uint32(i+1)), 0)
			wantRSV1 = append(wantRSV1, enc.Compress)
			if i%pingEvery == 0 {
				out, _ = enc.AppendPing(out, []byte(strconv.Itoa(i)))
			}
			wire.scan(out)
			if _, err := c.nc.Write(out); err != nil {
				written <- err
				return
			}
		}
		written <- nil
	}()
	// Let the writes get ahead: 24 MiB each way is more than the socket
	// buffers of both directions hold.
	time.Sleep(200 * time.Millisecond)
	echoes, pongs := 0, 0
	for echoes < n {
		msg, err := c.next()
		if err != nil {
			t.Fatalf("after %d echoes and %d pongs: %v", echoes, pongs, err)
		}
		switch msg.Opcode {
		case codec.OpPong:
			if want := strconv.Itoa(pongs * pingEvery); string(msg.Payload) != want {
				t.Errorf("pong %d carries %q, want %q", pongs, msg.Payload, want)
			}
			pongs++
		case codec.OpBinary:
			if got, want := sha(msg.Payload), sha(randomBytes(size, uint32(echoes+1))); got != want {
				t.Errorf("echo %d: %d bytes, SHA-256 %.12s, want %d bytes, %.12s", echoes, len(msg.Payload), got, size, want)
			}
			echoes++
		default:
			t.Fatalf("after %d echoes: unexpected %v frame", echoes, msg.Opcode)
		}
	}
	if err := <-written; err != nil {
		t.Fatal(err)
	}
	c.wantRSV1, c.wire = wantRSV1, wire
	if want := (n + pingEvery - 1) / pingEvery; pongs != want {
		t.Errorf("%d pongs, want %d", pongs, want)
	}
	bye := []caseSpec{{Name: "close", Op: "close", Code: 1000, Reason: "bye"}}
	got, _ := c.run(bye, "frame")
	checkResults(t, bye, got)
	c.checkCompression(t, false)
}

// goEarly sends a message, a ping and a close in the same write as the
// upgrade request: the server must take the bytes after the request head
// as the start of the WebSocket stream.
func goEarly(t *testing.T, addr string) {
	c := dialEarly(t, addr, clientConfigs()[1], "", deflateRun{}, func(enc *codec.Encoder, dst []byte) []byte {
		dst, _ = enc.AppendFrame(dst, codec.OpText, true, 0, []byte("early"))
		dst, _ = enc.AppendPing(dst, []byte("ping"))
		dst, _ = enc.AppendClose(dst, codec.CloseNormal, "")
		return dst
	})
	for _, want := range []struct {
		op      codec.Opcode
		payload string
	}{{codec.OpText, "early"}, {codec.OpPong, "ping"}, {codec.OpClose, "\x03\xe8"}} {
		msg, err := c.next()
		if err != nil {
			t.Fatalf("waiting for %v %q: %v", want.op, want.payload, err)
		}
		if msg.Opcode != want.op || string(msg.Payload) != want.payload {
			t.Errorf("got %v %q, want %v %q", msg.Opcode, msg.Payload, want.op, want.payload)
		}
	}
	if err := c.closed(); err != nil {
		t.Error(err)
	}
}

// buildExample builds the example server name into dir and returns the
// binary's path.
func buildExample(t *testing.T, dir, name string) string {
	t.Helper()
	bin := filepath.Join(dir, name)
	args := []string{"build", "-o", bin}
	if *raceExamples {
		args = append(args, "-race")
	}
	args = append(args, "./examples/"+name)
	cmd := exec.Command("go", args...)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "GOWORK=off")
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	t.Logf("built %s in %v", name, time.Since(start).Round(time.Millisecond))
	return bin
}

// startExample starts an example server with the flags args on a free
// port of 127.0.0.1 and returns it with the address it printed.
func startExample(t *testing.T, bin string, args ...string) (*proc, string) {
	t.Helper()
	name := strings.Join(append([]string{filepath.Base(bin)}, args...), " ")
	p := start(t, name, exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...))
	l, err := p.line(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	addr, ok := strings.CutPrefix(l, "listening on ")
	if !ok {
		t.Fatalf("%s printed %q, want \"listening on 127.0.0.1:PORT\"", p.name, l)
	}
	if host, _, err := net.SplitHostPort(addr); err != nil || host != "127.0.0.1" {
		t.Fatalf("%s listens on %q, want 127.0.0.1:PORT", p.name, addr)
	}
	return p, addr
}

// clientInput is what a client script reads on its standard input.
type clientInput struct {
	URL       string     `json:"url"`
	Mode      string     `json:"mode"` // "echo" or "capture"
	TimeoutMs int        `json:"timeoutMs"`
	Cases     []caseSpec `json:"cases"`
}

// nodeClient runs the cases with the Node client; the server must select
// the extensions ext.
func nodeClient(t *testing.T, url string, cases []caseSpec, ext string) {
	node := needNode(t)
	got := runScript(t, "node client", exec.Command(node, "peers/node/client.mjs"),
		clientInput{URL: url, Mode: "echo", TimeoutMs: int(scriptTimeout / time.Millisecond), Cases: cases})
	checkResults(t, cases, opened(t, "node client", got, ext))
}

// pythonClient runs the echo cases with the Python client; the server must
// select the extensions ext.
func pythonClient(t *testing.T, url, ext string) {
	python := needPython(t)
	// websockets sends str fragments, each whole UTF-8: no cut inside a
	// character.
	cases := echoCases(features{fragments: true, ping: true})
	got := runScript(t, "python client", exec.Command(python, "peers/python/client.py"),
		clientInput{URL: url, Mode: "echo", TimeoutMs: int(scriptTimeout / time.Millisecond), Cases: cases})
	checkResults(t, cases, opened(t, "python client", got, ext))
}
