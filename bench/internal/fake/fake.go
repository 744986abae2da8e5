// Package fake provides the connections the codec benchmarks run over: a
// socket that serves a byte stream forever, a sink that counts the writes it
// is given, a net.Conn made of the two, and an http.ResponseWriter that can
// be hijacked, so that every library's own server path can be set up over
// them without a network.
package fake

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wsframe/wsframe/handshake"
)

// ReadSize is the most bytes one read of a Socket returns, as a socket
// with 64 KiB waiting in its receive queue would.
const ReadSize = 64 << 10

// Socket is an io.Reader that serves a stream the way a socket serves
// what arrives: in reads of up to ReadSize bytes, going back to the start
// of the stream after its end, so that it never runs dry. A read never
// spans the end of the stream, as a read of a socket ends where the data
// that has arrived ends.
type Socket struct {
	stream []byte
	off    int
	left   int64 // bytes before io.EOF; negative for none
}

// NewSocket returns a Socket serving stream, which must not be empty. The
// Socket only reads stream.
func NewSocket(stream []byte) *Socket {
	if len(stream) == 0 {
		panic("fake: empty stream")
	}
	return &Socket{stream: stream, left: -1}
}

// Limit makes the Socket return io.EOF after n more bytes: for libraries
// whose only read path is a loop that runs until the connection ends.
func (s *Socket) Limit(n int64) { s.left = n }

// Rewind starts the stream again from its first byte, with no limit.
func (s *Socket) Rewind() { s.off, s.left = 0, -1 }

func (s *Socket) Read(p []byte) (int, error) {
	if s.left == 0 {
		return 0, io.EOF
	}
	n := min(len(p), ReadSize, len(s.stream)-s.off)
	if s.left > 0 && int64(n) > s.left {
		n = int(s.left)
	}
	copy(p, s.stream[s.off:s.off+n])
	s.off += n
	if s.off == len(s.stream) {
		s.off = 0
	}
	if s.left > 0 {
		s.left -= int64(n)
	}
	return n, nil
}

// Sink is an io.Writer that discards what it is given and counts the
// calls, each of which would be one system call on a socket. With Keep set
// it also keeps the bytes, for checks.
type Sink struct {
	Writes int64
	Bytes  int64
	Keep   bool
	Got    []byte
}

func (s *Sink) Write(p []byte) (int, error) {
	s.Writes++
	s.Bytes += int64(len(p))
	if s.Keep {
		s.Got = append(s.Got, p...)
	}
	return len(p), nil
}

// WriteBuffers takes bufs as one writev would: one call for all of them.
func (s *Sink) WriteBuffers(bufs net.Buffers) (int64, error) {
	s.Writes++
	var n int64
	for _, b := range bufs {
		n += int64(len(b))
		if s.Keep {
			s.Got = append(s.Got, b...)
		}
	}
	s.Bytes += n
	return n, nil
}

// Reset forgets the writes counted and the bytes kept.
func (s *Sink) Reset() { s.Writes, s.Bytes, s.Got = 0, 0, s.Got[:0] }

// Conn is a net.Conn that reads from R and writes to W. Its deadlines do
// nothing. Reads after Close, or with a nil R, return io.EOF.
type Conn struct {
	R      io.Reader
	W      io.Writer
	closed bool
}

// NewConn returns a Conn reading r and writing w.
func NewConn(r io.Reader, w io.Writer) *Conn { return &Conn{R: r, W: w} }

func (c *Conn) Read(p []byte) (int, error) {
	if c.closed || c.R == nil {
		return 0, io.EOF
	}
	return c.R.Read(p)
}

func (c *Conn) Write(p []byte) (int, error) {
	if c.closed {
		return 0, net.ErrClosed
	}
	return c.W.Write(p)
}

func (c *Conn) Close() error                     { c.closed = true; return nil }
func (c *Conn) LocalAddr() net.Addr              { return addr }
func (c *Conn) RemoteAddr() net.Addr             { return addr }
func (c *Conn) SetDeadline(time.Time) error      { return nil }
func (c *Conn) SetReadDeadline(time.Time) error  { return nil }
func (c *Conn) SetWriteDeadline(time.Time) error { return nil }

var addr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9001}

// Key is the Sec-WebSocket-Key of UpgradeRequest, the one in RFC 6455
// section 1.3.
const Key = "dGhlIHNhbXBsZSBub25jZQ=="

// UpgradeRequest returns a valid upgrade request as net/http's server
// hands it to a handler: the input of the libraries' server upgraders.
func UpgradeRequest() *http.Request {
	return &http.Request{
		Method:     http.MethodGet,
		URL:        &url.URL{Path: "/"},
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Host:       "localhost",
		RemoteAddr: addr.String(),
		RequestURI: "/",
		Header: http.Header{
			"Upgrade":               {"websocket"},
			"Connection":            {"Upgrade"},
			"Sec-Websocket-Key":     {Key},
			"Sec-Websocket-Version": {"13"},
		},
	}
}

// ResponseWriter is the http.ResponseWriter of an upgrade request over
// Conn: what it writes goes to the Conn, and Hijack hands the Conn over
// with buffers of the sizes net/http's server uses (4 KiB) or those set.
type ResponseWriter struct {
	Conn       net.Conn
	ReadBuffer int // size of the hijacked bufio.Reader; 0 for 4096
	header     http.Header
	wrote      bool
}

func (w *ResponseWriter) Header() http.Header {
	if w.header == nil {
		w.header = make(http.Header)
	}
	return w.header
}

func (w *ResponseWriter) WriteHeader(code int) {
	if w.wrote {
		return
	}
	w.wrote = true
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", code, http.StatusText(code))
	w.Header().Write(&b)
	b.WriteString("\r\n")
	w.Conn.Write(b.Bytes())
}

func (w *ResponseWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.Conn.Write(p)
}

func (w *ResponseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	size := w.ReadBuffer
	if size <= 0 {
		size = 4096
	}
	return w.Conn, bufio.NewReadWriter(bufio.NewReaderSize(w.Conn, size), bufio.NewWriterSize(w.Conn, 4096)), nil
}

// ServerConn is a net.Conn for a client library's dialer: it answers the
// upgrade request written to it with a valid 101 response, which it then
// serves to reads, and after that sends every write to W and serves reads
// from R. Reads wait for the request to be written, as they would for the
// server's answer; reads and writes may come from different goroutines, as
// they do from an http.Transport.
type ServerConn struct {
	R io.Reader
	W io.Writer

	upgraded atomic.Bool // the request is in: writes go straight to W
	mu       sync.Mutex
	req      []byte
	resp     *bytes.Reader // the 101 response, once the request is in
	answered chan struct{} // closed when resp is set
	closed   chan struct{}
}

// NewServerConn returns a ServerConn that serves r after the handshake
// and writes to w.
func NewServerConn(r io.Reader, w io.Writer) *ServerConn {
	return &ServerConn{R: r, W: w, answered: make(chan struct{}), closed: make(chan struct{})}
}

func (c *ServerConn) Write(p []byte) (int, error) {
	if c.upgraded.Load() {
		return c.W.Write(p)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.resp != nil {
		return c.W.Write(p)
	}
	c.req = append(c.req, p...)
	end := bytes.Index(c.req, []byte("\r\n\r\n"))
	if end < 0 {
		return len(p), nil
	}
	if end+4 != len(c.req) {
		return 0, errors.New("fake: data written before the handshake response was read")
	}
	var r handshake.Request
	if _, err := r.Parse(c.req, 0); err != nil {
		return 0, err
	}
	if err := r.Check(); err != nil {
		return 0, err
	}
	c.resp = bytes.NewReader(handshake.AppendResponse(nil, r.Key(), "", "", nil))
	c.upgraded.Store(true)
	close(c.answered)
	return len(p), nil
}

func (c *ServerConn) Read(p []byte) (int, error) {
	select {
	case <-c.answered:
	case <-c.closed:
		return 0, net.ErrClosed
	}
	c.mu.Lock()
	if c.resp.Len() > 0 {
		defer c.mu.Unlock()
		return c.resp.Read(p)
	}
	c.mu.Unlock()
	if c.R == nil {
		// Nothing more arrives, as on an idle socket, until Close.
		<-c.closed
		return 0, net.ErrClosed
	}
	return c.R.Read(p)
}

func (c *ServerConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.closed:
	default:
		close(c.closed)
	}
	return nil
}

func (c *ServerConn) LocalAddr() net.Addr              { return addr }
func (c *ServerConn) RemoteAddr() net.Addr             { return addr }
func (c *ServerConn) SetDeadline(time.Time) error      { return nil }
func (c *ServerConn) SetReadDeadline(time.Time) error  { return nil }
func (c *ServerConn) SetWriteDeadline(time.Time) error { return nil }
