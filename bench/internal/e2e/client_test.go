package e2e

import (
	"bytes"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/wsframe/wsframe/codec"
	"github.com/wsframe/wsframe/handshake"
)

// cannedServer listens on loopback and answers every upgrade request with
// a 101 response whose Sec-WebSocket-Extensions is ext (none if empty),
// whatever the request offered. It then echoes text messages, inflating
// compressed ones, and compresses its replies if compress. It returns the
// address.
func cannedServer(t *testing.T, ext string, compress bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go cannedConn(nc, ext, compress)
		}
	}()
	return ln.Addr().String()
}

func cannedConn(nc net.Conn, ext string, compress bool) {
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 64<<10)
	n := 0
	var req handshake.Request
	for {
		k, err := nc.Read(buf[n:])
		n += k
		head, perr := req.Parse(buf[:n], 0)
		if perr == handshake.ErrIncomplete {
			if err != nil {
				return
			}
			continue
		}
		if perr != nil {
			return
		}
		if _, err := nc.Write(handshake.AppendResponse(nil, req.Key(), "", ext, nil)); err != nil {
			return
		}
		n = copy(buf, buf[head:n])
		break
	}
	dec := codec.MessageDecoder{Inflate: true}
	enc := codec.Encoder{Compress: compress}
	data := buf[:n]
	for {
		msg, used, err := dec.Decode(data)
		data = data[used:]
		if err == codec.ErrNeedMore {
			k, rerr := nc.Read(buf)
			if k == 0 && rerr != nil {
				return
			}
			data = buf[:k]
			continue
		}
		if err != nil || msg.Opcode != codec.OpText {
			return
		}
		out, err := enc.AppendMessage(nil, codec.OpText, 0, msg.Payload, 0)
		if err != nil {
			return
		}
		if _, err := nc.Write(out); err != nil {
			return
		}
	}
}

// TestDialDeflateNegotiation checks what DialDeflate accepts of a server's
// answer to DeflateOffer: permessage-deflate must be there, with
// parameters allowed in answer to it, and Deflate reports them.
func TestDialDeflateNegotiation(t *testing.T) {
	for _, tc := range []struct {
		ext     string
		mode    string // Deflate.Mode, when accepted
		refused bool   // ErrNoDeflate
	}{
		{ext: "", refused: true},
		{ext: "permessage-deflate", mode: "server: context takeover, client: context takeover"},
		{ext: "permessage-deflate; server_no_context_takeover",
			mode: "server: no context takeover, client: context takeover"},
		{ext: "permessage-deflate; client_no_context_takeover",
			mode: "server: context takeover, client: no context takeover"},
		{ext: "permessage-deflate;server_no_context_takeover;client_no_context_takeover",
			mode: "server: no context takeover, client: no context takeover"},
		{ext: "permessage-deflate; server_max_window_bits=12",
			mode: "server: context takeover, client: context takeover"},
		// Not offered, so not allowed: a window for the client.
		{ext: "permessage-deflate; client_max_window_bits=10"},
		{ext: "permessage-deflate; client_max_window_bits=15"},
		{ext: "permessage-deflate; server_max_window_bits=16"},
		{ext: "permessage-deflate; server_no_context_takeover; server_no_context_takeover"},
		{ext: "permessage-deflate; no_such_parameter"},
		{ext: "permessage-deflate, permessage-deflate"},
		// An extension that was not offered fails Client.Check.
		{ext: "x-webkit-deflate-frame"},
		{ext: "permessage-deflate, x-other"},
	} {
		addr := cannedServer(t, tc.ext, false)
		c, err := DialDeflate(addr)
		switch {
		case tc.mode != "":
			if err != nil {
				t.Errorf("%q: %v", tc.ext, err)
				continue
			}
			d := c.Deflate()
			if d.Response != tc.ext || d.Mode() != tc.mode {
				t.Errorf("%q: Deflate() = %q, %q; want %q, %q", tc.ext, d.Response, d.Mode(), tc.ext, tc.mode)
			}
			if !c.enc.Compress {
				t.Errorf("%q: the client does not compress", tc.ext)
			}
			c.Reset()
		case err == nil:
			c.Reset()
			t.Errorf("%q: accepted, with %q", tc.ext, c.Deflate().Response)
		case tc.refused != errors.Is(err, ErrNoDeflate):
			t.Errorf("%q: error %v; want ErrNoDeflate: %v", tc.ext, err, tc.refused)
		}
	}

	// Dial offers nothing and negotiates nothing.
	c, err := Dial(cannedServer(t, "", false))
	if err != nil {
		t.Fatal(err)
	}
	if c.Deflate() != nil || c.enc.Compress {
		t.Errorf("Dial: Deflate() = %v, Compress %v; want nil, false", c.Deflate(), c.enc.Compress)
	}
	c.Reset()
}

// TestEchoTextCompressed checks that EchoText sends compressed text with
// RSV1 on a connection that negotiated permessage-deflate, inflates the
// echo, and refuses an echo of compressed text that came back
// uncompressed; text shorter than codec.DefaultCompressMin goes out and
// may come back uncompressed.
func TestEchoTextCompressed(t *testing.T) {
	const ext = "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
	c, err := DialDeflate(cannedServer(t, ext, true))
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	for _, n := range []int{1 << 10, 64 << 10, 16, 1 << 10} {
		if err := c.EchoText(Text(n)); err != nil {
			t.Errorf("%d bytes: %v", n, err)
		}
	}
	out, _ := c.enc.AppendMessage(nil, codec.OpText, 0, Text(1<<10), 0)
	if h, _, err := codec.DecodeHeader(out); err != nil || h.Rsv != codec.Rsv1 {
		t.Errorf("the client's 1 KiB message has header %v, %v; want RSV1", h, err)
	}
	c.Reset()

	c, err = DialDeflate(cannedServer(t, ext, false))
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if err := c.EchoText(Text(16)); err != nil {
		t.Errorf("16 bytes, uncompressed both ways: %v", err)
	}
	if err := c.EchoText(Text(1 << 10)); err == nil || !strings.Contains(err.Error(), "uncompressed") {
		t.Errorf("1 KiB echoed uncompressed: error %v; want one that says so", err)
	}
	c.Reset()
}

// TestText checks that Text is valid UTF-8 of the length asked, the same
// on every call, and compressible.
func TestText(t *testing.T) {
	p := Text(1 << 10)
	if len(p) != 1<<10 || !bytes.Equal(p, Text(1<<10)) {
		t.Fatalf("Text(1024): %d bytes, or not the same twice", len(p))
	}
	enc := codec.Encoder{Compress: true}
	out, err := enc.AppendMessage(nil, codec.OpText, 0, p, 0)
	if err != nil || len(out) > len(p)/2 {
		t.Errorf("1 KiB of Text compresses to %d bytes (%v); want at most half", len(out), err)
	}
	var dec codec.MessageDecoder
	dec.Client = true
	dec.Inflate = true
	if msg, _, err := dec.Decode(out); err != nil || !bytes.Equal(msg.Payload, p) {
		t.Errorf("Text does not decode as UTF-8 text: %v", err)
	}
}
