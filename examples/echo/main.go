// Command echo is a WebSocket echo server with one goroutine per
// connection, built on the sans-IO handshake and codec packages.
//
//	go run ./examples/echo -addr 127.0.0.1:9001
//
// Each connection reads the upgrade request until it is complete and
// answers it, then feeds whatever it reads to a codec.MessageDecoder: text
// and binary messages, fragmented or not, are echoed as one frame each,
// pings are answered with pongs, pongs are ignored, a close frame is
// answered with its close reply, and a protocol violation is answered with
// a close frame carrying the code the codec gives for it. The server then
// closes the connection. It accepts every origin.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"time"

	"github.com/wsframe/wsframe/codec"
	"github.com/wsframe/wsframe/handshake"
)

const (
	// copyLimit is the longest payload an echo copies into the output
	// buffer, so that the replies to one read leave in one write. Longer
	// payloads are written from where they lie, after the header, with
	// writev.
	copyLimit = 1024

	// handshakeTimeout bounds the time a client has to send its upgrade
	// request.
	handshakeTimeout = 10 * time.Second

	// writeTimeout bounds the time a write may wait for a client that
	// does not read.
	writeTimeout = 10 * time.Second

	// lingerTimeout bounds the time the server waits, after its last
	// frame, for the client to close its side.
	lingerTimeout = 2 * time.Second
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9001", "`address` to listen on")
	maxMessage := flag.Int64("max-message", codec.DefaultMaxMessage, "largest message accepted, in `bytes`")
	readBuffer := flag.Int("read-buffer", 32<<10, "read buffer of each connection, in `bytes`")
	deflate := flag.Bool("deflate", true, "negotiate permessage-deflate (RFC 7692)")
	clientContext := flag.Bool("deflate-client-context", false, "with -deflate, let clients keep their compression context (costs the server 32 KiB per connection)")
	flag.Parse()
	if *maxMessage <= 0 {
		fmt.Fprintln(os.Stderr, "echo: -max-message must be positive")
		os.Exit(2)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listening on", ln.Addr())

	s := &server{
		// The read buffer holds the whole upgrade request while it arrives.
		up:         handshake.Upgrader{MaxHeaderBytes: handshake.DefaultMaxHeaderBytes},
		maxMessage: *maxMessage,
		readBuffer: max(*readBuffer, handshake.DefaultMaxHeaderBytes),
	}
	if *deflate {
		s.up.Extensions = (&handshake.Deflate{ClientContextTakeover: *clientContext}).Negotiate
	}
	for {
		nc, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Most likely out of file descriptors: wait for some to free up.
			log.Print(err)
			time.Sleep(50 * time.Millisecond)
			continue
		}
		go s.serve(nc)
	}
}

type server struct {
	up         handshake.Upgrader
	maxMessage int64
	readBuffer int
}

// conn is the state of one upgraded connection.
type conn struct {
	nc  net.Conn
	dec codec.MessageDecoder
	enc codec.Encoder
	out []byte    // replies not yet written
	vec [3][]byte // the writev of an echo: earlier replies, header, payload
}

// serve runs one connection from its upgrade request to its close.
func (s *server) serve(nc net.Conn) {
	defer nc.Close()
	buf := make([]byte, s.readBuffer)
	c := &conn{nc: nc}
	data, ok := s.upgrade(c, buf)
	if !ok {
		return
	}
	c.dec.MaxMessage = s.maxMessage
	c.dec.MaxPayload = s.maxMessage
	defer c.dec.Reset()

	for {
		if !c.handle(data) {
			linger(nc, buf)
			return
		}
		n, err := nc.Read(buf)
		if n == 0 && err != nil {
			return // the peer left without a close frame, or the connection broke
		}
		data = buf[:n]
	}
}

// upgrade reads the upgrade request into buf and answers it. It returns the
// bytes read after the request, the first bytes of the WebSocket stream, or
// false when the connection is to be closed.
func (s *server) upgrade(c *conn, buf []byte) ([]byte, bool) {
	c.nc.SetReadDeadline(time.Now().Add(handshakeTimeout))
	n := 0
	for {
		// Handshake refuses a request that does not end within
		// MaxHeaderBytes, so buf never fills up.
		k, rerr := c.nc.Read(buf[n:])
		n += k
		res, head, err := s.up.Handshake(c.out[:0], buf[:n])
		if err == handshake.ErrIncomplete {
			if rerr != nil {
				return nil, false
			}
			continue
		}
		c.out = res.Response[:0]
		c.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, werr := c.nc.Write(res.Response); werr != nil {
			return nil, false
		}
		if err != nil { // refused: the response says why
			linger(c.nc, buf)
			return nil, false
		}
		c.nc.SetReadDeadline(time.Time{})
		compression(&c.dec, &c.enc, res.Extensions)
		return buf[head:n], true
	}
}

// handle decodes the messages in data and answers them. Payloads are views
// of data or of the decoder's buffers, valid until the next Decode, so
// every reply is written or copied before that. It returns false when the
// connection is to be closed.
func (c *conn) handle(data []byte) bool {
	for {
		msg, n, err := c.dec.Decode(data)
		data = data[n:]
		if err == codec.ErrNeedMore {
			return c.flush()
		}
		if err != nil {
			c.out, _ = c.enc.AppendClose(c.out, codec.CloseCodeOf(err), "")
			c.flush()
			return false
		}
		switch msg.Opcode {
		case codec.OpText, codec.OpBinary:
			if !c.echo(msg) {
				return false
			}
		case codec.OpClose:
			c.out, _ = c.enc.AppendReply(c.out, msg)
			c.flush()
			return false // the rest of data comes after the close: ignore it
		default: // a ping gets its pong; a pong needs nothing
			c.out, _ = c.enc.AppendReply(c.out, msg)
		}
	}
}

// compression turns permessage-deflate on for a connection whose response
// accepted it.
func compression(dec *codec.MessageDecoder, enc *codec.Encoder, extensions string) {
	p, found, _ := handshake.DeflateResponse([][]byte{[]byte(extensions)})
	if !found {
		return
	}
	dec.Inflate = true
	dec.InflateContext = !p.ClientNoContextTakeover
	enc.Compress = true
}

// echo sends msg back as one frame, compressed when the connection
// negotiated it.
func (c *conn) echo(msg codec.Message) bool {
	if c.enc.Compress {
		c.out, _ = c.enc.AppendMessage(c.out, msg.Opcode, 0, msg.Payload, 0)
		return len(c.out) <= copyLimit || c.flush()
	}
	if len(msg.Payload) <= copyLimit {
		c.out, _ = c.enc.AppendFrame(c.out, msg.Opcode, true, 0, msg.Payload)
		return true
	}
	frame, _ := c.enc.Buffers(nil, msg.Opcode, true, 0, msg.Payload)
	bufs := append(net.Buffers(c.vec[:0]), c.out, frame[0], frame[1])
	err := write(c.nc, bufs)
	c.out = c.out[:0]
	return err == nil
}

// flush writes the replies gathered in c.out.
func (c *conn) flush() bool {
	if len(c.out) == 0 {
		return true
	}
	err := write(c.nc, net.Buffers{c.out})
	c.out = c.out[:0]
	return err == nil
}

// write writes bufs to nc, one writev where it can. A client that reads
// gets writeTimeout from each time it took bytes: only one that takes
// nothing for that long is dropped.
func write(nc net.Conn, bufs net.Buffers) error {
	for {
		nc.SetWriteDeadline(time.Now().Add(writeTimeout))
		n, err := bufs.WriteTo(nc) // takes what was written off bufs
		if err == nil || n == 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
			return err
		}
	}
}

// linger ends a connection whose last bytes have been written: it closes
// the sending side, so the client reads the end of the stream, and reads
// until the client closes its side too. Closing a socket with unread input
// resets the connection and can destroy replies the client has not read
// yet.
func linger(nc net.Conn, buf []byte) {
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	nc.SetReadDeadline(time.Now().Add(lingerTimeout))
	for {
		if _, err := nc.Read(buf); err != nil {
			return
		}
	}
}
