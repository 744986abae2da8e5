package frames

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"

	coder "github.com/coder/websocket"
	"github.com/gobwas/ws"
	gorilla "github.com/gorilla/websocket"
	nbws "github.com/lesismal/nbio/nbhttp/websocket"
	"github.com/lxzan/gws"

	"github.com/wsframe/wsframe/bench/internal/fake"
	"github.com/wsframe/wsframe/codec"
)

// Writer is one library's way of sending a binary message.
type Writer struct {
	Name   string
	Detail string
	Alt    bool // another way of writing with wsframe, in no ratio
	// Server and Client set the library up as that side of a connection
	// to out, call ready, then send p n times, each as one binary message.
	// Nil where the library has no such side.
	Server, Client func(out Out, p []byte, n int, ready func()) error
}

// Out is where a writer sends: the counting sink of a benchmark, or a
// loopback socket on which the kernel counts the system calls.
type Out interface {
	// Write and WriteBuffers are for the writers that write to the
	// connection themselves; WriteBuffers writes bufs as one writev.
	io.Writer
	WriteBuffers(bufs net.Buffers) (int64, error)
	// Accepted returns the connection a server library takes over, its
	// client's upgrade request already read.
	Accepted() net.Conn
	// Dial returns the connection a client library dials; it answers the
	// upgrade request.
	Dial() net.Conn
}

// sinkOut sends everything to a fake.Sink.
type sinkOut struct{ *fake.Sink }

func (o sinkOut) Accepted() net.Conn { return fake.NewConn(nil, o.Sink) }
func (o sinkOut) Dial() net.Conn     { return fake.NewServerConn(nil, o.Sink) }

// Writers returns the writers of the encode table, wsframe first.
func Writers() []*Writer {
	return []*Writer{
		{
			Name: "wsframe", Detail: "`Encoder.AppendFrame`, `Write`",
			Server: wsframeAppend(false), Client: wsframeAppend(true),
		},
		{
			Name: "wsframe writev", Detail: "`Encoder.Buffers`, one writev", Alt: true,
			Server: wsframeBuffers(false), Client: wsframeBuffers(true),
		},
		{
			Name: "gobwas", Detail: "`ws.WriteHeader`, `Write`; client: `ws.NewMask`, `ws.Cipher` on a copy",
			Server: gobwasWrite(false), Client: gobwasWrite(true),
		},
		{Name: "gorilla", Detail: "`Conn.WriteMessage`", Server: gorillaServerWrite, Client: gorillaClientWrite},
		{Name: "coder", Detail: "`Conn.Write`", Server: coderServerWrite, Client: coderClientWrite},
		{Name: "gws", Detail: "`Conn.WriteMessage`", Server: gwsServerWrite, Client: gwsClientWrite},
		{Name: "nbio", Detail: "`Conn.WriteMessage`", Server: nbioServerWrite, Client: nbioClientWrite},
	}
}

// wsframeAppend appends each frame to a reused buffer and writes it.
func wsframeAppend(client bool) func(Out, []byte, int, func()) error {
	return func(w Out, p []byte, n int, ready func()) error {
		enc := codec.Encoder{Client: client}
		buf := make([]byte, 0, codec.MaxHeaderSize+len(p))
		ready()
		for range n {
			var err error
			if buf, err = enc.AppendFrame(buf[:0], codec.OpBinary, true, 0, p); err != nil {
				return err
			}
			if _, err := w.Write(buf); err != nil {
				return err
			}
		}
		return nil
	}
}

// wsframeBuffers writes each frame as the net.Buffers Encoder.Buffers
// returns, which a net.Conn writes with one writev: for a server the
// header and the caller's payload, uncopied; for a client the header and
// the payload masked into the start of scratch.
func wsframeBuffers(client bool) func(Out, []byte, int, func()) error {
	return func(w Out, p []byte, n int, ready func()) error {
		enc := codec.Encoder{Client: client}
		scratch := make([]byte, 0, codec.MaxHeaderSize+len(p))
		ready()
		for range n {
			bufs, err := enc.Buffers(scratch, codec.OpBinary, true, 0, p)
			if err != nil {
				return err
			}
			if _, err := w.WriteBuffers(bufs); err != nil {
				return err
			}
		}
		return nil
	}
}

// gobwasWrite writes the header and then the payload; a client masks a
// copy of the payload with a fresh key, leaving the caller's bytes alone.
func gobwasWrite(client bool) func(Out, []byte, int, func()) error {
	return func(w Out, p []byte, n int, ready func()) error {
		var masked []byte
		if client {
			masked = make([]byte, len(p))
		}
		ready()
		for range n {
			h := ws.Header{Fin: true, OpCode: ws.OpBinary, Length: int64(len(p))}
			payload := p
			if client {
				h.Masked, h.Mask = true, ws.NewMask()
				copy(masked, p)
				ws.Cipher(masked, h.Mask, 0)
				payload = masked
			}
			if err := ws.WriteHeader(w, h); err != nil {
				return err
			}
			if _, err := w.Write(payload); err != nil {
				return err
			}
		}
		return nil
	}
}

// gorillaServerWrite writes from a server Conn made by Upgrader.Upgrade,
// which takes over the hijacked 4 KiB write buffer as net/http's server
// hands it over.
func gorillaServerWrite(out Out, p []byte, n int, ready func()) error {
	var up gorilla.Upgrader
	c, err := up.Upgrade(&fake.ResponseWriter{Conn: out.Accepted()}, fake.UpgradeRequest(), nil)
	if err != nil {
		return err
	}
	return gorillaWrite(c, p, n, ready)
}

// gorillaClientWrite writes from a client Conn made by Dialer.Dial.
func gorillaClientWrite(out Out, p []byte, n int, ready func()) error {
	d := gorilla.Dialer{NetDialContext: func(context.Context, string, string) (net.Conn, error) {
		return out.Dial(), nil
	}}
	c, _, err := d.Dial("ws://localhost/", nil)
	if err != nil {
		return err
	}
	return gorillaWrite(c, p, n, ready)
}

func gorillaWrite(c *gorilla.Conn, p []byte, n int, ready func()) error {
	ready()
	for range n {
		if err := c.WriteMessage(gorilla.BinaryMessage, p); err != nil {
			return err
		}
	}
	return nil
}

// coderServerWrite writes from a Conn made by Accept, over the hijacked
// 4 KiB bufio.Writer.
func coderServerWrite(out Out, p []byte, n int, ready func()) error {
	rw := &fake.ResponseWriter{Conn: out.Accepted()}
	c, err := coder.Accept(rw, fake.UpgradeRequest(), &coder.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return err
	}
	return coderWrite(c, p, n, ready)
}

// coderClientWrite writes from a client Conn made by Dial, through an
// http.Client whose transport dials the fake connection.
func coderClientWrite(out Out, p []byte, n int, ready func()) error {
	sc := out.Dial()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) {
		return sc, nil
	}}}
	c, _, err := coder.Dial(context.Background(), "ws://localhost/", &coder.DialOptions{HTTPClient: hc})
	if err != nil {
		return err
	}
	return coderWrite(c, p, n, ready)
}

func coderWrite(c *coder.Conn, p []byte, n int, ready func()) error {
	defer c.CloseNow()
	ctx := context.Background()
	ready()
	for range n {
		if err := c.Write(ctx, coder.MessageBinary, p); err != nil {
			return err
		}
	}
	return nil
}

// gwsServerWrite writes from a Conn made by UpgradeFromConn.
func gwsServerWrite(out Out, p []byte, n int, ready func()) error {
	up := gws.NewUpgrader(&gws.BuiltinEventHandler{}, nil)
	conn := out.Accepted()
	c, err := up.UpgradeFromConn(conn, bufio.NewReader(conn), fake.UpgradeRequest())
	if err != nil {
		return err
	}
	return gwsWrite(c, p, n, ready)
}

// gwsClientWrite writes from a client Conn made by NewClientFromConn.
func gwsClientWrite(out Out, p []byte, n int, ready func()) error {
	c, _, err := gws.NewClientFromConn(&gws.BuiltinEventHandler{}, &gws.ClientOption{Addr: "ws://localhost/"}, out.Dial())
	if err != nil {
		return err
	}
	return gwsWrite(c, p, n, ready)
}

func gwsWrite(c *gws.Conn, p []byte, n int, ready func()) error {
	ready()
	for range n {
		if err := c.WriteMessage(gws.OpcodeBinary, p); err != nil {
			return err
		}
	}
	return nil
}

// nbioUpgrader is an Upgrader whose Conns write in the caller's goroutine
// rather than queueing the frame for another.
func nbioUpgrader() *nbws.Upgrader {
	u := nbws.NewUpgrader()
	u.BlockingModAsyncWrite = false
	u.BlockingModHandleRead = false
	u.KeepaliveTime = 0
	return u
}

// nbioServerWrite writes from a Conn made by the Upgrader for a net/http
// server.
func nbioServerWrite(out Out, p []byte, n int, ready func()) error {
	rw := &fake.ResponseWriter{Conn: out.Accepted()}
	c, err := nbioUpgrader().UpgradeWithoutHandlingReadForConnFromSTDServer(rw, fake.UpgradeRequest(), nil)
	if err != nil {
		return err
	}
	return nbioWrite(c, p, n, ready)
}

// nbioClientWrite writes from a client Conn made by NewClientConn over an
// upgraded connection.
func nbioClientWrite(out Out, p []byte, n int, ready func()) error {
	c := nbws.NewClientConn(nbioUpgrader(), out.Accepted(), "", false, false)
	return nbioWrite(c, p, n, ready)
}

func nbioWrite(c *nbws.Conn, p []byte, n int, ready func()) error {
	ready()
	for range n {
		if err := c.WriteMessage(nbws.BinaryMessage, p); err != nil {
			return err
		}
	}
	return nil
}

// EncodeSizes are the payload sizes of the encode cases.
var EncodeSizes = []int{16, 1 << 10, 16 << 10}

// EncodeCase is one message size sent by one side.
type EncodeCase struct {
	Name   string // role=server/size=16
	Label  string
	Size   int
	Client bool

	payload []byte
}

// EncodeCases returns every size sent by a server, then by a client.
func EncodeCases() []*EncodeCase {
	var cs []*EncodeCase
	for _, client := range []bool{false, true} {
		role := "server"
		if client {
			role = "client"
		}
		for _, n := range EncodeSizes {
			cs = append(cs, &EncodeCase{
				Name:  fmt.Sprintf("role=%s/size=%d", role, n),
				Label: role + ", " + SizeLabel(n),
				Size:  n, Client: client,
				payload: randomPayload(n, 1),
			})
		}
	}
	return cs
}

func (c *EncodeCase) fn(wr *Writer) func(Out, []byte, int, func()) error {
	if c.Client {
		return wr.Client
	}
	return wr.Server
}

// Bench returns the benchmark of wr sending the case's message, nil if
// wr has no such side. It reports the Write calls per message that reach
// the sink as writes/op and, where the kernel counts them, the write
// system calls per message on a loopback socket as syscalls/op.
func (c *EncodeCase) Bench(wr *Writer) func(*testing.B) {
	fn := c.fn(wr)
	if fn == nil {
		return nil
	}
	return func(b *testing.B) {
		b.SetBytes(int64(c.Size))
		b.ReportAllocs()
		sink := &fake.Sink{}
		ready := func() {
			sink.Reset()
			b.ResetTimer()
		}
		if err := fn(sinkOut{sink}, c.payload, b.N, ready); err != nil {
			b.Fatalf("%s: %v", wr.Name, err)
		}
		b.StopTimer()
		b.ReportMetric(float64(sink.Writes)/float64(b.N), "writes/op")
		if n, err := c.syscalls(wr); err == nil {
			b.ReportMetric(n, "syscalls/op")
		}
	}
}

// HeaderWriter is one library's way of encoding a frame header alone.
type HeaderWriter struct {
	Name   string
	Detail string
	// Write encodes h n times, each time into the same reused buffer,
	// and returns the last encoding.
	Write func(h codec.Header, n int) []byte
}

// HeaderWriters returns the header encoders, wsframe first. Only gobwas
// exports one among the peers.
func HeaderWriters() []*HeaderWriter {
	return []*HeaderWriter{
		{Name: "wsframe", Detail: "`codec.AppendHeader`", Write: func(h codec.Header, n int) []byte {
			buf := make([]byte, 0, codec.MaxHeaderSize)
			for range n {
				buf = codec.AppendHeader(buf[:0], h)
			}
			return buf
		}},
		{Name: "gobwas", Detail: "`ws.WriteHeader` to a `bytes.Buffer`", Write: func(h codec.Header, n int) []byte {
			wh := gobwasHeader(h)
			var bb bytes.Buffer
			bb.Grow(ws.MaxHeaderSize)
			for range n {
				bb.Reset()
				if err := ws.WriteHeader(&bb, wh); err != nil {
					panic(err)
				}
			}
			return bb.Bytes()
		}},
		{Name: "gobwas-buffer", Detail: "`ws.WriteHeaderBuffer` to a `bytes.Buffer`", Write: func(h codec.Header, n int) []byte {
			wh := gobwasHeader(h)
			var bb bytes.Buffer
			bb.Grow(ws.MaxHeaderSize)
			scratch := make([]byte, ws.MaxHeaderSize)
			for range n {
				bb.Reset()
				if err := ws.WriteHeaderBuffer(&bb, wh, scratch); err != nil {
					panic(err)
				}
			}
			return bb.Bytes()
		}},
	}
}

func gobwasHeader(h codec.Header) ws.Header {
	return ws.Header{Fin: h.Fin, Rsv: h.Rsv, OpCode: ws.OpCode(h.Opcode), Masked: h.Masked, Mask: h.Key, Length: h.Length}
}

// HeaderCase is one header: a binary frame of one length, from a server
// or from a client.
type HeaderCase struct {
	Name   string
	Label  string
	Header codec.Header
}

// HeaderCases returns headers with each length encoding (7-bit, 16-bit,
// 64-bit), unmasked and masked.
func HeaderCases() []*HeaderCase {
	var cs []*HeaderCase
	for _, masked := range []bool{false, true} {
		role := "server"
		if masked {
			role = "client"
		}
		for _, n := range []int64{16, 1 << 10, 1 << 20} {
			h := codec.Header{Fin: true, Opcode: codec.OpBinary, Length: n}
			if masked {
				h.Masked, h.Key = true, [4]byte{0x37, 0xfa, 0x21, 0x3d}
			}
			cs = append(cs, &HeaderCase{
				Name:   fmt.Sprintf("role=%s/size=%d", role, n),
				Label:  fmt.Sprintf("%s, %s (%d bytes)", role, SizeLabel(int(n)), h.Size()),
				Header: h,
			})
		}
	}
	return cs
}

// Bench returns the benchmark of hw encoding the case's header.
func (c *HeaderCase) Bench(hw *HeaderWriter) func(*testing.B) {
	return func(b *testing.B) {
		b.ReportAllocs()
		hw.Write(c.Header, b.N)
	}
}

// CopyRef returns the benchmark of copying the payload into a reused
// buffer and writing it once: the least a writer that copies can do.
func (c *EncodeCase) CopyRef() func(*testing.B) {
	return func(b *testing.B) {
		b.SetBytes(int64(c.Size))
		b.ReportAllocs()
		sink := &fake.Sink{}
		buf := make([]byte, len(c.payload))
		b.ResetTimer()
		for range b.N {
			copy(buf, c.payload)
			sink.Write(buf)
		}
		b.StopTimer()
		b.ReportMetric(float64(sink.Writes)/float64(b.N), "writes/op")
	}
}
