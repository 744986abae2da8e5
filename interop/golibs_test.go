package interop

import (
	"bytes"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gorilla/websocket"

	"github.com/wsframe/wsframe/codec"
	"github.com/wsframe/wsframe/handshake"
)

// golibPayloads are the payloads the frame tests exchange with the Go
// libraries: every length encoding at its edges.
func golibPayloads() [][]byte {
	r := rand.New(rand.NewSource(5))
	var ps [][]byte
	for _, n := range []int{0, 1, 125, 126, 127, 65535, 65536, 70000} {
		p := make([]byte, n)
		r.Read(p)
		ps = append(ps, p)
	}
	return ps
}

// TestGobwasFrames checks frames in both directions against gobwas/ws:
// frames it writes (masked, as a client, and unmasked, as a server) decode
// to the same headers and payloads with our Decoder, and frames our
// Encoder writes read back the same with its ReadFrame.
func TestGobwasFrames(t *testing.T) {
	for _, masked := range []bool{true, false} {
		var wire bytes.Buffer
		var want []ws.Frame
		for i, p := range golibPayloads() {
			op := []ws.OpCode{ws.OpBinary, ws.OpText, ws.OpContinuation}[i%3]
			f := ws.NewFrame(op, i%2 == 0, p)
			if masked {
				f = ws.MaskFrame(f)
			}
			if err := ws.WriteFrame(&wire, f); err != nil {
				t.Fatal(err)
			}
			want = append(want, ws.NewFrame(op, i%2 == 0, p))
		}
		want = append(want, ws.NewPingFrame([]byte("ping")), ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusGoingAway, "bye")))
		for _, f := range want[len(want)-2:] {
			if masked {
				f = ws.MaskFrame(f)
			}
			ws.WriteFrame(&wire, f)
		}
		r := codec.NewReader(&wire, 4096)
		r.Client = !masked
		for i, w := range want {
			f, err := r.ReadFrame()
			if err != nil {
				t.Fatalf("masked=%v frame %d: %v", masked, i, err)
			}
			if f.Fin != w.Header.Fin || byte(f.Opcode) != byte(w.Header.OpCode) || f.Masked != masked ||
				f.Length != w.Header.Length || !bytes.Equal(f.Payload, w.Payload) {
				t.Fatalf("masked=%v frame %d: %v, want %+v", masked, i, f.Header, w.Header)
			}
		}
		if _, err := r.ReadFrame(); err != io.EOF {
			t.Fatalf("after the last frame: %v", err)
		}
	}

	// Our frames, read by gobwas.
	for _, client := range []bool{false, true} {
		e := codec.Encoder{Client: client}
		var wire []byte
		payloads := golibPayloads()
		for i, p := range payloads {
			wire, _ = e.AppendFrame(wire, codec.OpBinary, i%2 == 0, 0, p)
		}
		rd := bytes.NewReader(wire)
		for i, p := range payloads {
			f, err := ws.ReadFrame(rd)
			if err != nil {
				t.Fatalf("client=%v: gobwas ReadFrame %d: %v", client, i, err)
			}
			if f.Header.Masked != client {
				t.Fatalf("client=%v frame %d: masked=%v", client, i, f.Header.Masked)
			}
			if f.Header.Masked {
				ws.Cipher(f.Payload, f.Header.Mask, 0)
			}
			if f.Header.Fin != (i%2 == 0) || f.Header.OpCode != ws.OpBinary || !bytes.Equal(f.Payload, p) {
				t.Fatalf("client=%v frame %d: %+v", client, i, f.Header)
			}
		}
	}
}

// serveOurs runs a minimal echo server built on our handshake and codec
// for one connection.
func serveOurs(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(30 * time.Second))
		var up handshake.Upgrader
		buf := make([]byte, 64<<10)
		var req []byte
		for {
			n, err := nc.Read(buf)
			if err != nil {
				return
			}
			req = append(req, buf[:n]...)
			res, head, err := up.Handshake(nil, req)
			if err == handshake.ErrIncomplete {
				continue
			}
			nc.Write(res.Response)
			if err != nil {
				return
			}
			req = req[head:]
			break
		}
		var m codec.MessageDecoder
		var e codec.Encoder
		var out []byte
		in := req
		for {
			for len(in) > 0 {
				msg, n, err := m.Decode(in)
				in = in[n:]
				if err == codec.ErrNeedMore {
					break
				}
				if err != nil {
					out, _ = e.AppendClose(out, codec.CloseCodeOf(err), "")
					nc.Write(out)
					return
				}
				if msg.Opcode == codec.OpText || msg.Opcode == codec.OpBinary {
					out, _ = e.AppendMessage(out, msg.Opcode, 0, msg.Payload, 1000) // fragmented echo
				} else {
					out, _ = e.AppendReply(out, msg)
				}
				if msg.Opcode == codec.OpClose {
					nc.Write(out)
					return
				}
			}
			if len(out) > 0 {
				nc.Write(out)
				out = out[:0]
			}
			n, err := nc.Read(buf)
			if err != nil {
				return
			}
			in = buf[:n]
		}
	}()
	return ln.Addr().String()
}

// TestGorillaClient has a gorilla/websocket client talk to our server:
// its masked frames (fragmented by a small write buffer) must decode, and
// our fragmented echoes must read back in gorilla.
func TestGorillaClient(t *testing.T) {
	addr := serveOurs(t)
	d := websocket.Dialer{WriteBufferSize: 1024, HandshakeTimeout: 10 * time.Second}
	c, _, err := d.Dial("ws://"+addr+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	for i, p := range golibPayloads() {
		mt := websocket.BinaryMessage
		if i%2 == 1 {
			mt, p = websocket.TextMessage, []byte(strings.Repeat("é", len(p)/2))
		}
		if err := c.WriteMessage(mt, p); err != nil {
			t.Fatal(err)
		}
		gt, got, err := c.ReadMessage()
		if err != nil || gt != mt || !bytes.Equal(got, p) {
			t.Fatalf("message %d (%d bytes): type %d, %d bytes, %v", i, len(p), gt, len(got), err)
		}
	}
	pong := make(chan string, 1)
	c.SetPongHandler(func(s string) error { pong <- s; return nil })
	c.WriteControl(websocket.PingMessage, []byte("hi"), time.Now().Add(time.Second))
	c.WriteMessage(websocket.TextMessage, []byte("after ping"))
	if _, got, err := c.ReadMessage(); err != nil || string(got) != "after ping" {
		t.Fatalf("after ping: %q %v", got, err)
	}
	if s := <-pong; s != "hi" {
		t.Fatalf("pong %q", s)
	}
	c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4001, "done"))
	_, _, err = c.ReadMessage()
	if ce, ok := err.(*websocket.CloseError); !ok || ce.Code != 4001 {
		t.Fatalf("close: %v", err)
	}
}

// TestGorillaServer has our client (handshake.Client, Encoder, MessageDecoder)
// talk to a gorilla/websocket echo server.
func TestGorillaServer(t *testing.T) {
	up := websocket.Upgrader{WriteBufferSize: 1024}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		for {
			mt, p, err := c.ReadMessage()
			if err != nil {
				return
			}
			if err := c.WriteMessage(mt, p); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	u, _ := url.Parse(strings.Replace(srv.URL, "http", "ws", 1))
	nc, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	var hc handshake.Client
	req, key, err := hc.AppendRequest(nil, u)
	if err != nil {
		t.Fatal(err)
	}
	nc.Write(req)
	buf := make([]byte, 64<<10)
	var in []byte
	for {
		n, err := nc.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		in = append(in, buf[:n]...)
		_, head, err := hc.ParseResponse(in, key)
		if err == handshake.ErrIncomplete {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		in = in[head:]
		break
	}
	e := codec.Encoder{Client: true}
	m := codec.MessageDecoder{Decoder: codec.Decoder{Client: true}}
	next := func() codec.Message {
		for {
			if len(in) > 0 {
				msg, n, err := m.Decode(in)
				in = in[n:]
				if err == nil {
					return msg
				}
				if err != codec.ErrNeedMore {
					t.Fatal(err)
				}
			}
			n, err := nc.Read(buf)
			if err != nil {
				t.Fatal(err)
			}
			in = buf[:n]
		}
	}
	for i, p := range golibPayloads() {
		out, _ := e.AppendMessage(nil, codec.OpBinary, 0, p, 777)
		nc.Write(out)
		msg := next()
		if msg.Opcode != codec.OpBinary || !bytes.Equal(msg.Payload, p) {
			t.Fatalf("echo %d: %v, %d bytes", i, msg.Opcode, len(msg.Payload))
		}
	}
	out, _ := e.AppendClose(nil, 4002, "bye")
	nc.Write(out)
	if msg := next(); msg.Opcode != codec.OpClose || msg.Code != 4002 {
		t.Fatalf("close reply: %v %v", msg.Opcode, msg.Code)
	}
}
