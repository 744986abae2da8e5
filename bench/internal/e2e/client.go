package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"time"

	"github.com/wsframe/wsframe/codec"
	"github.com/wsframe/wsframe/handshake"
)

// Client is the one client every server is measured with: wsframe's
// handshake and codec packages over a net.Conn.
type Client struct {
	nc  net.Conn
	in  io.Reader // the connection, after any bytes read with the response
	rd  *codec.Reader
	enc codec.Encoder
	out []byte
	msg []byte
}

// handshakeTimeout bounds the time a server has to answer the upgrade.
const handshakeTimeout = 10 * time.Second

// Dial connects to addr and completes the opening handshake. It allocates
// no read buffer: a connection that only idles needs none.
func Dial(addr string) (*Client, error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	c, err := upgrade(nc, addr)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}

func upgrade(nc net.Conn, addr string) (*Client, error) {
	var hc handshake.Client
	req, key, err := hc.AppendRequest(nil, &url.URL{Scheme: "ws", Host: addr, Path: "/"})
	if err != nil {
		return nil, err
	}
	nc.SetDeadline(time.Now().Add(handshakeTimeout))
	defer nc.SetDeadline(time.Time{})
	if _, err := nc.Write(req); err != nil {
		return nil, err
	}
	buf := make([]byte, 0, 1024)
	for {
		if len(buf) == cap(buf) {
			return nil, errors.New("handshake response too long")
		}
		k, err := nc.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+k]
		_, n, perr := hc.ParseResponse(buf, key)
		if perr == handshake.ErrIncomplete {
			if err != nil {
				return nil, fmt.Errorf("handshake: %w", err)
			}
			continue
		}
		if perr != nil {
			return nil, fmt.Errorf("handshake: %w", perr)
		}
		c := &Client{nc: nc, in: nc, enc: codec.Encoder{Client: true}}
		if rest := buf[n:]; len(rest) > 0 {
			c.in = io.MultiReader(bytes.NewReader(bytes.Clone(rest)), nc)
		}
		return c, nil
	}
}

// Echo sends p as a binary message and reads the message that comes back,
// which must be the same.
func (c *Client) Echo(p []byte) error {
	if c.rd == nil {
		c.rd = codec.NewReader(c.in, 16<<10)
		c.rd.Client = true
		c.rd.MaxPayload = maxMessage
	}
	c.out, _ = c.enc.AppendFrame(c.out[:0], codec.OpBinary, true, 0, p)
	if _, err := c.nc.Write(c.out); err != nil {
		return err
	}
	c.msg = c.msg[:0]
	for {
		f, err := c.rd.ReadFrame()
		if err != nil {
			return err
		}
		switch f.Opcode {
		case codec.OpBinary, codec.OpContinuation:
			c.msg = append(c.msg, f.Payload...)
			if !f.Fin {
				continue
			}
			if !bytes.Equal(c.msg, p) {
				return fmt.Errorf("echo of %d bytes came back as %d different bytes", len(p), len(c.msg))
			}
			return nil
		case codec.OpPing, codec.OpPong:
			// No server here pings unasked; ignore either.
		default:
			return fmt.Errorf("unexpected %v frame", f.Opcode)
		}
	}
}

// SetDeadline sets the connection's read and write deadline.
func (c *Client) SetDeadline(t time.Time) error { return c.nc.SetDeadline(t) }

// Close sends a close frame and closes the connection without waiting for
// the answer.
func (c *Client) Close() error {
	c.out, _ = c.enc.AppendClose(c.out[:0], codec.CloseNormal, "")
	c.nc.SetWriteDeadline(time.Now().Add(time.Second))
	c.nc.Write(c.out)
	if c.rd != nil {
		c.rd.Reset()
	}
	return c.nc.Close()
}

// Reset closes the connection at once: the kernel sends a reset and keeps
// no TIME_WAIT state, so that thousands of idle connections can be closed
// and opened again.
func (c *Client) Reset() error {
	if tc, ok := c.nc.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	if c.rd != nil {
		c.rd.Reset()
	}
	return c.nc.Close()
}
