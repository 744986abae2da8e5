package conformance

import (
	"bytes"
	"compress/flate"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/wsframe/wsframe/codec"
	"github.com/wsframe/wsframe/handshake"
)

// deflateClient is a client that negotiates permessage-deflate and reads
// whole messages, inflated.
type deflateClient struct {
	t      *testing.T
	nc     net.Conn
	enc    codec.Encoder
	dec    codec.MessageDecoder
	params handshake.DeflateParams
	active bool // the server accepted the offer
	buf    []byte
	in     []byte
}

func dialDeflate(t *testing.T, addr, offer string) *deflateClient {
	t.Helper()
	nc := dialTCP(t, addr)
	hc := handshake.Client{Extensions: offer}
	req, key, err := hc.AppendRequest(nil, &url.URL{Scheme: "ws", Host: addr, Path: "/"})
	if err != nil {
		t.Fatal(err)
	}
	c := &deflateClient{t: t, nc: nc, buf: make([]byte, 64<<10)}
	c.write(req)
	var resp []byte
	for {
		nc.SetReadDeadline(time.Now().Add(timeout))
		n, err := nc.Read(c.buf)
		if err != nil {
			t.Fatalf("reading the handshake response: %v", err)
		}
		resp = append(resp, c.buf[:n]...)
		r, head, err := hc.ParseResponse(resp, key)
		if err == handshake.ErrIncomplete {
			continue
		}
		if err != nil {
			t.Fatalf("handshake: %v", err)
		}
		c.params, c.active, err = handshake.DeflateResponse(r.Extensions(nil))
		if err != nil {
			t.Fatalf("server's permessage-deflate response: %v", err)
		}
		c.in = append([]byte(nil), resp[head:]...)
		break
	}
	c.enc = codec.Encoder{Client: true, Compress: c.active, CompressMin: 1}
	c.dec = codec.MessageDecoder{Decoder: codec.Decoder{Client: true, MaxPayload: -1}, MaxMessage: -1,
		Inflate: c.active, InflateContext: !c.params.ServerNoContextTakeover}
	return c
}

func (c *deflateClient) write(b []byte) {
	c.t.Helper()
	writeConn(c.t, c.nc, b)
}

// next returns the next message from the server.
func (c *deflateClient) next() codec.Message {
	c.t.Helper()
	for {
		if len(c.in) > 0 {
			msg, n, err := c.dec.Decode(c.in)
			c.in = c.in[n:]
			if err == nil {
				return msg
			}
			if err != codec.ErrNeedMore {
				c.t.Fatalf("decoding the server's frames: %v", err)
			}
		}
		c.nc.SetReadDeadline(time.Now().Add(timeout))
		n, err := c.nc.Read(c.buf)
		if err != nil {
			c.t.Fatalf("read: %v", err)
		}
		c.in = c.buf[:n]
	}
}

func (c *deflateClient) expectClose(want codec.CloseCode) {
	c.t.Helper()
	msg := c.next()
	if msg.Opcode != codec.OpClose || msg.Code != want {
		c.t.Fatalf("got %v (code %v), want close %v", msg.Opcode, msg.Code, want)
	}
}

// echoes sends count messages of size bytes of op, compressed when the
// server accepted compression, and checks every echo.
func (c *deflateClient) echoes(op codec.Opcode, size, count int, maxFrame int, seed uint64) {
	c.t.Helper()
	r := rand.New(rand.NewPCG(seed, uint64(size)))
	words := []string{"websocket ", "frame ", "deflate ", "κόσμε ", "message ", "{\"a\":1} "}
	for i := 0; i < count; i++ {
		p := make([]byte, 0, size)
		if op == codec.OpText {
			for len(p) < size {
				p = append(p, words[r.IntN(len(words))]...)
			}
			for len(p) > size && p[len(p)-1]&0xc0 == 0x80 {
				p = p[:len(p)-1]
			}
			p = bytes.ToValidUTF8(p[:min(len(p), size)], nil)
		} else {
			p = p[:size]
			for j := range p {
				p[j] = byte(r.IntN(4)) // compressible, but not trivially
			}
		}
		out, err := c.enc.AppendMessage(nil, op, 0, p, maxFrame)
		if err != nil {
			c.t.Fatal(err)
		}
		if c.active && size > 0 && out[0]&0x40 == 0 {
			c.t.Fatal("message sent without RSV1 although compression is on")
		}
		c.write(out)
		msg := c.next()
		if msg.Opcode != op || !bytes.Equal(msg.Payload, p) {
			c.t.Fatalf("message %d of %d bytes: echo is %v of %d bytes", i, size, msg.Opcode, len(msg.Payload))
		}
		if c.active && size >= codec.DefaultCompressMin && !msg.Compressed {
			c.t.Fatalf("message %d of %d bytes echoed uncompressed", i, size)
		}
	}
}

// deflateCases follow Autobahn TestSuite sections 12 (permessage-deflate
// with the plain offer, many messages of each size) and 13 (the offers with
// parameters), with message counts scaled down.
func deflateCases() []rawCase {
	var cases []rawCase
	sizes := []int{16, 64, 256, 1024, 4096, 8192, 16384, 32768, 65536, 131072}
	for i, size := range sizes {
		for j, op := range []codec.Opcode{codec.OpText, codec.OpBinary} {
			size, op := size, op
			count := max(5, 100*16/max(size/64, 16))
			cases = append(cases, rawCase{fmt.Sprintf("12.%d.%d %v messages of %d bytes", j+1, i+1, op, size), func(t *testing.T, addr string) {
				c := dialDeflate(t, addr, "permessage-deflate")
				if !c.active {
					t.Fatal("permessage-deflate not accepted")
				}
				c.echoes(op, size, count, 0, uint64(i))
				c.write(mustClose(t, &c.enc))
				c.expectClose(codec.CloseNormal)
			}})
		}
	}
	offers := []string{
		"permessage-deflate",
		"permessage-deflate; client_no_context_takeover",
		"permessage-deflate; client_max_window_bits=8",
		"permessage-deflate; client_max_window_bits=15",
		"permessage-deflate; client_no_context_takeover; client_max_window_bits=8",
		"permessage-deflate; client_no_context_takeover; client_max_window_bits=15",
		"permessage-deflate; client_no_context_takeover; client_max_window_bits=8, permessage-deflate; client_no_context_takeover, permessage-deflate",
		"permessage-deflate; server_no_context_takeover",
		"permessage-deflate; client_max_window_bits",
	}
	for i, offer := range offers {
		offer := offer
		cases = append(cases, rawCase{fmt.Sprintf("13.%d %s", i+1, offer), func(t *testing.T, addr string) {
			c := dialDeflate(t, addr, offer)
			if !c.active || !c.params.ServerNoContextTakeover || !c.params.ClientNoContextTakeover {
				t.Fatalf("offer %q: accepted %v with %+v", offer, c.active, c.params)
			}
			for _, size := range []int{16, 1024, 65536} {
				c.echoes(codec.OpText, size, 10, 0, uint64(size))
				c.echoes(codec.OpBinary, size, 10, 333, uint64(size)) // fragmented
			}
			c.write(mustClose(t, &c.enc))
			c.expectClose(codec.CloseNormal)
		}})
	}
	cases = append(cases,
		rawCase{"13.x declined: server window below 15 bits", func(t *testing.T, addr string) {
			c := dialDeflate(t, addr, "permessage-deflate; server_max_window_bits=9")
			if c.active {
				t.Fatalf("accepted an offer limiting the server's window: %+v", c.params)
			}
			c.echoes(codec.OpText, 1024, 3, 0, 1)
			c.write(mustClose(t, &c.enc))
			c.expectClose(codec.CloseNormal)
		}},
		rawCase{"13.x declined: unknown parameter", func(t *testing.T, addr string) {
			c := dialDeflate(t, addr, "permessage-deflate; x_unknown=1")
			if c.active {
				t.Fatal("accepted an offer with an unknown parameter")
			}
			c.echoes(codec.OpBinary, 100, 3, 0, 1)
			c.write(mustClose(t, &c.enc))
			c.expectClose(codec.CloseNormal)
		}},
		rawCase{"12.x RSV1 on a continuation frame", func(t *testing.T, addr string) {
			c := dialDeflate(t, addr, "permessage-deflate")
			first, _ := c.enc.AppendMessage(nil, codec.OpBinary, 0, bytes.Repeat([]byte("ab"), 300), 0)
			first[0] &^= 0x80 // not final
			cont := codec.AppendFrame(nil, codec.Header{Fin: true, Rsv: codec.Rsv1, Opcode: codec.OpContinuation, Masked: true}, []byte{0})
			c.write(append(first, cont...))
			c.expectClose(codec.CloseProtocolError)
		}},
		rawCase{"12.x RSV1 on a ping", func(t *testing.T, addr string) {
			c := dialDeflate(t, addr, "permessage-deflate")
			c.write(codec.AppendFrame(nil, codec.Header{Fin: true, Rsv: codec.Rsv1, Opcode: codec.OpPing, Masked: true}, nil))
			c.expectClose(codec.CloseProtocolError)
		}},
		rawCase{"12.x invalid DEFLATE data", func(t *testing.T, addr string) {
			c := dialDeflate(t, addr, "permessage-deflate")
			c.write(codec.AppendFrame(nil, codec.Header{Fin: true, Rsv: codec.Rsv1, Opcode: codec.OpBinary, Masked: true}, []byte{0xff, 0xff, 0xff, 0xff}))
			c.expectClose(codec.CloseInvalidPayload)
		}},
		rawCase{"12.x invalid UTF-8 inside compressed text", func(t *testing.T, addr string) {
			c := dialDeflate(t, addr, "permessage-deflate")
			msg, _ := c.enc.AppendMessage(nil, codec.OpText, 0, []byte("valid then \xed\xa0\x80 not"), 0)
			c.write(msg)
			c.expectClose(codec.CloseInvalidPayload)
		}},
		rawCase{"12.x decompression bomb", func(t *testing.T, addr string) {
			c := dialDeflate(t, addr, "permessage-deflate")
			// 64 MiB of zeros in about 64 KiB: past the servers' 16 MiB limit.
			var b bytes.Buffer
			fw, _ := flate.NewWriter(&b, flate.BestCompression)
			fw.Write(make([]byte, 1<<20))
			fw.Flush()
			payload := bytes.Repeat(b.Bytes(), 64)
			payload = payload[:len(payload)-4]
			c.write(codec.AppendFrame(nil, codec.Header{Fin: true, Rsv: codec.Rsv1, Opcode: codec.OpBinary, Masked: true, Key: [4]byte{1, 2, 3, 4}}, payload))
			c.expectClose(codec.CloseMessageTooBig)
		}},
	)
	return cases
}

func mustClose(t *testing.T, e *codec.Encoder) []byte {
	t.Helper()
	b, err := e.AppendClose(nil, codec.CloseNormal, "")
	if err != nil {
		t.Fatal(err)
	}
	return b
}
