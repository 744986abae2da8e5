package frames

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sync"

	"github.com/wsframe/wsframe/handshake"
)

// socketOut sends on a loopback TCP connection whose other end answers an
// upgrade request, if it gets one, and then reads and discards everything.
type socketOut struct {
	conn *net.TCPConn
	peer net.Conn
	done chan struct{} // closed when the peer has stopped reading
}

func newSocketOut() (*socketOut, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return nil, err
	}
	peer, err := ln.Accept()
	if err != nil {
		c.Close()
		return nil, err
	}
	o := &socketOut{conn: c.(*net.TCPConn), peer: peer, done: make(chan struct{})}
	o.conn.SetWriteBuffer(4 << 20)
	peer.(*net.TCPConn).SetReadBuffer(4 << 20)
	go o.drain()
	return o, nil
}

// drain answers an upgrade request at the start of the stream and reads
// the rest until the connection ends.
func (o *socketOut) drain() {
	defer close(o.done)
	buf := make([]byte, 64<<10)
	var head []byte
	for {
		n, err := o.peer.Read(buf)
		if err != nil {
			return
		}
		if head == nil && n >= 4 && string(buf[:4]) != "GET " {
			break // a server's stream: its response, then frames
		}
		head = append(head, buf[:n]...)
		if end := bytes.Index(head, []byte("\r\n\r\n")); end >= 0 {
			var r handshake.Request
			if _, err := r.Parse(head, 0); err != nil || r.Check() != nil {
				o.peer.Close()
				return
			}
			if _, err := o.peer.Write(handshake.AppendResponse(nil, r.Key(), "", "", nil)); err != nil {
				return
			}
			break
		}
	}
	io.Copy(io.Discard, o.peer)
}

func (o *socketOut) Write(p []byte) (int, error) { return o.conn.Write(p) }

func (o *socketOut) WriteBuffers(bufs net.Buffers) (int64, error) { return bufs.WriteTo(o.conn) }

func (o *socketOut) Accepted() net.Conn { return o.conn }
func (o *socketOut) Dial() net.Conn     { return o.conn }

func (o *socketOut) close() {
	o.conn.Close()
	<-o.done
	o.peer.Close()
}

// syscallCounts caches what measureSyscalls found for each case and
// writer; the benchmarks report it with every run.
var syscallCounts sync.Map // syscallKey → syscallCount

type syscallKey struct {
	c  *EncodeCase
	wr *Writer
}

type syscallCount struct {
	n   float64
	err error
}

// syscallMessages is how many messages a count is taken over.
const syscallMessages = 64

// syscalls returns the write system calls per message that wr makes for
// c on a loopback socket, measured the first time it is asked.
func (c *EncodeCase) syscalls(wr *Writer) (float64, error) {
	k := syscallKey{c, wr}
	if v, ok := syscallCounts.Load(k); ok {
		sc := v.(syscallCount)
		return sc.n, sc.err
	}
	n, err := measureSyscalls(c.fn(wr), c.payload)
	syscallCounts.Store(k, syscallCount{n, err})
	return n, err
}

var errNoCount = errors.New("the kernel does not count system calls per thread here")
