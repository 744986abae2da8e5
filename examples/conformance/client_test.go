package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/wsframe/wsframe/codec"
	"github.com/wsframe/wsframe/handshake"
)

// timeout bounds every read and write of a case: a server that does not
// answer fails the case instead of hanging the test.
const timeout = 10 * time.Second

// client is a raw WebSocket client: it writes exactly the bytes a case
// asks for, in the pieces it asks for, and checks every frame that comes
// back.
type client struct {
	t  *testing.T
	nc net.Conn
	rd *codec.Reader
	// enc encodes the frames a client may send. Frames that break the
	// protocol on purpose are built by raw.
	enc       codec.Encoder
	sentClose bool
}

// dial connects to addr and completes the opening handshake.
func dial(t *testing.T, addr string) *client {
	t.Helper()
	c := connect(t, addr)
	req, key := upgradeRequest(t, addr)
	c.write(req)
	c.readResponse(key)
	return c
}

// connect opens a TCP connection to addr for a client that has not sent
// its upgrade request yet.
func connect(t *testing.T, addr string) *client {
	t.Helper()
	return &client{t: t, nc: dialTCP(t, addr), enc: codec.Encoder{Client: true}}
}

func upgradeRequest(t *testing.T, addr string) ([]byte, handshake.Key) {
	t.Helper()
	var hc handshake.Client
	req, key, err := hc.AppendRequest(nil, &url.URL{Scheme: "ws", Host: addr, Path: "/"})
	if err != nil {
		t.Fatal(err)
	}
	return req, key
}

// readResponse reads and checks the server's handshake response; the
// bytes after it are the first of the WebSocket stream.
func (c *client) readResponse(key handshake.Key) {
	c.t.Helper()
	var hc handshake.Client
	var buf []byte
	for {
		buf = c.readMore(buf)
		_, n, err := hc.ParseResponse(buf, key)
		if err == handshake.ErrIncomplete {
			continue
		}
		if err != nil {
			c.t.Fatalf("handshake: %v\n%s", err, buf)
		}
		c.attach(buf[n:])
		return
	}
}

func dialTCP(t *testing.T, addr string) net.Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return nc
}

// attach makes c read frames from the connection, starting with the bytes
// that followed the handshake response.
func (c *client) attach(rest []byte) {
	c.rd = codec.NewReader(io.MultiReader(bytes.NewReader(rest), c.nc), 64<<10)
	c.rd.Client = true
	c.rd.MaxPayload = -1
	c.rd.RejectNonMinimal = true
}

// readMore appends the next bytes read from the connection to buf.
func (c *client) readMore(buf []byte) []byte {
	c.t.Helper()
	var tmp [4096]byte
	c.nc.SetReadDeadline(time.Now().Add(timeout))
	n, err := c.nc.Read(tmp[:])
	if err != nil {
		c.t.Fatalf("reading the handshake response after %q: %v", buf, err)
	}
	return append(buf, tmp[:n]...)
}

// frame encodes a frame a client may send.
func (c *client) frame(op codec.Opcode, fin bool, payload []byte) []byte {
	c.t.Helper()
	b, err := c.enc.AppendFrame(nil, op, fin, 0, payload)
	if err != nil {
		c.t.Fatalf("encoding a %v frame: %v", op, err)
	}
	return b
}

// message encodes a message as frames of at most maxFrame bytes.
func (c *client) message(op codec.Opcode, payload []byte, maxFrame int) []byte {
	c.t.Helper()
	b, err := c.enc.AppendMessage(nil, op, 0, payload, maxFrame)
	if err != nil {
		c.t.Fatalf("encoding a %v message: %v", op, err)
	}
	return b
}

func (c *client) text(s string) []byte   { return c.frame(codec.OpText, true, []byte(s)) }
func (c *client) ping(s string) []byte   { return c.frame(codec.OpPing, true, []byte(s)) }
func (c *client) pong(s string) []byte   { return c.frame(codec.OpPong, true, []byte(s)) }
func (c *client) binary(b []byte) []byte { return c.frame(codec.OpBinary, true, b) }

// closeFrame encodes a Close frame with a code the client may send.
func (c *client) closeFrame(code codec.CloseCode, reason string) []byte {
	c.t.Helper()
	b, err := c.enc.AppendClose(nil, code, reason)
	if err != nil {
		c.t.Fatalf("encoding close %v: %v", code, err)
	}
	return b
}

// raw encodes any frame, also one the protocol forbids, masked as a
// client's frame must be.
func raw(op codec.Opcode, fin bool, rsv uint8, payload []byte) []byte {
	var key [4]byte
	for i := range key {
		key[i] = byte(rand.Uint32())
	}
	h := codec.Header{Fin: fin, Rsv: rsv, Opcode: op, Masked: true, Key: key}
	return codec.AppendFrame(nil, h, payload)
}

// closePayload returns the payload of a Close frame with any code.
func closePayload(code uint16, reason string) []byte {
	return append([]byte{byte(code >> 8), byte(code)}, reason...)
}

// mode is how a case writes its frames.
type mode struct {
	frameWise bool // one write per frame
	chop      int  // writes of chop bytes; 0 for one write for everything
}

var (
	atOnce    = mode{}
	frameWise = mode{frameWise: true}
	byteWise  = mode{chop: 1}
)

func chops(n int) mode { return mode{chop: n} }

func (m mode) String() string {
	switch {
	case m.frameWise:
		return ", frame by frame"
	case m.chop == 1:
		return ", byte by byte"
	case m.chop > 0:
		return fmt.Sprintf(", in chops of %d bytes", m.chop)
	}
	return ""
}

// send writes frames in the given mode.
func (c *client) send(m mode, frames ...[]byte) {
	c.t.Helper()
	if m.frameWise {
		for _, f := range frames {
			c.write(f)
		}
		return
	}
	wire := bytes.Join(frames, nil)
	if m.chop == 0 {
		c.write(wire)
		return
	}
	for len(wire) > 0 {
		n := min(m.chop, len(wire))
		c.write(wire[:n])
		wire = wire[n:]
	}
}

// sendConcurrently writes frames from another goroutine, so that the
// server's replies can be read while the client is still writing: neither
// side can then block the other for good. Call the function it returns
// once the replies are read.
func (c *client) sendConcurrently(frames ...[]byte) (wait func()) {
	wire := bytes.Join(frames, nil)
	done := make(chan error, 1)
	go func() {
		c.nc.SetWriteDeadline(time.Now().Add(timeout))
		_, err := c.nc.Write(wire)
		done <- err
	}()
	return func() {
		c.t.Helper()
		if err := <-done; err != nil {
			c.t.Fatalf("write: %v", err)
		}
	}
}

func (c *client) write(b []byte) {
	c.t.Helper()
	writeConn(c.t, c.nc, b)
}

// writeConn writes b to nc within the case timeout or fails the test.
func writeConn(t *testing.T, nc net.Conn, b []byte) {
	t.Helper()
	nc.SetWriteDeadline(time.Now().Add(timeout))
	if _, err := nc.Write(b); err != nil {
		t.Fatalf("write: %v", err)
	}
}

// next reads the next frame from the server.
func (c *client) next() codec.Frame {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(timeout))
	f, err := c.rd.ReadFrame()
	if err != nil {
		c.t.Fatalf("reading a frame: %v", err)
	}
	return f
}

// expect checks that the next frame is a whole message of opcode op with
// the given payload.
func (c *client) expect(op codec.Opcode, payload []byte) {
	c.t.Helper()
	f := c.next()
	if f.Opcode != op || !f.Fin || f.Rsv != 0 || !bytes.Equal(f.Payload, payload) {
		c.t.Fatalf("got %v %s, want %v fin len=%d %s", f.Header, describe(f.Payload), op, len(payload), diff(f.Payload, payload))
	}
}

func (c *client) expectText(s string)   { c.t.Helper(); c.expect(codec.OpText, []byte(s)) }
func (c *client) expectBinary(b []byte) { c.t.Helper(); c.expect(codec.OpBinary, b) }
func (c *client) expectPong(s string)   { c.t.Helper(); c.expect(codec.OpPong, []byte(s)) }

// expectClose checks that the next frame is a Close frame with the given
// code, answers it if the client has not sent a Close frame itself, and
// checks that the server then closes the TCP connection.
func (c *client) expectClose(want codec.CloseCode) {
	c.t.Helper()
	f := c.next()
	if f.Opcode != codec.OpClose {
		c.t.Fatalf("got %v %s, want close %v", f.Header, describe(f.Payload), want)
	}
	code, reason, err := codec.ParseClosePayload(f.Payload)
	if err != nil {
		c.t.Fatalf("close payload % x: %v", f.Payload, err)
	}
	if code != want {
		c.t.Fatalf("got close %v %q, want close %v", code, reason, want)
	}
	if !c.sentClose {
		c.write(c.closeFrame(code, ""))
		c.sentClose = true
	}
	c.expectEOF()
}

// expectEOF checks that the server closes the connection with nothing
// more to send.
func (c *client) expectEOF() {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(timeout))
	f, err := c.rd.ReadFrame()
	switch {
	case err == nil:
		c.t.Fatalf("got %v %s, want the end of the connection", f.Header, describe(f.Payload))
	case !errors.Is(err, io.EOF):
		c.t.Fatalf("got %v, want the end of the connection", err)
	}
}

// closeNormally runs the closing handshake from the client's side.
func (c *client) closeNormally() {
	c.t.Helper()
	c.sendClose(codec.CloseNormal, "")
	c.expectClose(codec.CloseNormal)
}

func (c *client) sendClose(code codec.CloseCode, reason string) {
	c.t.Helper()
	c.write(c.closeFrame(code, reason))
	c.sentClose = true
}

// sync checks that the server sent nothing since the last frame read: the
// next frame must be the pong to a ping sent now.
func (c *client) sync() {
	c.t.Helper()
	c.send(atOnce, c.ping("sync"))
	c.expectPong("sync")
}

func describe(b []byte) string {
	if len(b) <= 32 {
		return fmt.Sprintf("%q", b)
	}
	return fmt.Sprintf("%q... (%d bytes)", b[:32], len(b))
}

// diff describes where got first differs from want.
func diff(got, want []byte) string {
	if bytes.Equal(got, want) {
		return ""
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	return fmt.Sprintf("(payload differs from byte %d)", i)
}
