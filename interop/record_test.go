package interop

import (
	"bytes"
	"flag"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/wsframe/wsframe/codec"
	"github.com/wsframe/wsframe/handshake"
)

var record = flag.Bool("record", false, "capture what the Node and Python clients send into testdata (TestRecord)")

// TestRecord, run with -record, captures the bytes the Node ws and Python
// websockets clients send for captureCases into testdata, where
// TestCapturedFrames reads them.
func TestRecord(t *testing.T) {
	if !*record {
		t.Skip("run with -record to capture the clients' bytes into testdata")
	}
	for _, p := range capturePeers {
		t.Run(p.name, func(t *testing.T) {
			var cmd *exec.Cmd
			switch p.name {
			case "node":
				cmd = exec.Command(needNode(t), "peers/node/client.mjs")
			case "python":
				cmd = exec.Command(needPython(t), "peers/python/client.py")
			}
			head, stream := capture(t, cmd, captureCases(p.f))
			for name, b := range map[string][]byte{p.name + "-client.http": head, p.name + "-client.bin": stream} {
				if err := os.WriteFile(filepath.Join("testdata", name), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			t.Logf("%s: request %d bytes, stream %d bytes", p.name, len(head), len(stream))
		})
	}
}

// capture runs the client cmd in capture mode against a server that
// answers the handshake and the close and nothing else, and returns the
// request head and every byte after it.
func capture(t *testing.T, cmd *exec.Cmd, cases []caseSpec) (head, stream []byte) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	results := make(chan []result, 1)
	go func() {
		results <- runScript(t, cmd.Path, cmd, clientInput{URL: "ws://" + ln.Addr().String() + "/", Mode: "capture",
			TimeoutMs: int(scriptTimeout / time.Millisecond), Cases: cases})
	}()
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(scriptTimeout))
	nc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(scriptTimeout))

	buf := make([]byte, 64<<10)
	var in []byte
	var up handshake.Upgrader
	for {
		n, err := nc.Read(buf)
		in = append(in, buf[:n]...)
		res, hn, herr := up.Handshake(nil, in)
		if herr == handshake.ErrIncomplete && err == nil {
			continue
		}
		if herr != nil {
			t.Fatalf("handshake: %v (read: %v)", herr, err)
		}
		if _, err := nc.Write(res.Response); err != nil {
			t.Fatal(err)
		}
		head, stream = in[:hn:hn], bytes.Clone(in[hn:])
		break
	}

	// Decode a copy of what arrives, to know when the close frame is in.
	var dec codec.MessageDecoder
	var enc codec.Encoder
	data := bytes.Clone(stream)
	for {
		msg, n, err := dec.Decode(data)
		data = data[n:]
		if err == nil && msg.Opcode == codec.OpClose {
			reply, _ := enc.AppendReply(nil, msg)
			nc.Write(reply)
			nc.(*net.TCPConn).CloseWrite()
			break
		}
		if err != nil && err != codec.ErrNeedMore {
			t.Fatalf("decoding the capture: %v", err)
		}
		if err == nil {
			continue
		}
		n, rerr := nc.Read(buf)
		if n == 0 && rerr != nil {
			t.Fatalf("the client ended the connection before its close frame: %v", rerr)
		}
		stream = append(stream, buf[:n]...)
		data = bytes.Clone(buf[:n])
	}
	for { // the client ends the connection after the close handshake
		n, err := nc.Read(buf)
		stream = append(stream, buf[:n]...)
		if err != nil {
			break
		}
	}
	got := opened(t, cmd.Path, <-results, "") // the server above selects no extension
	if len(got) != 1 || got[0].Case != "capture" || got[0].Code != 1000 {
		t.Errorf("the client reported %+v, want the close reply 1000", got)
	}
	return head, stream
}
