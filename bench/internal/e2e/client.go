package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"strings"
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

	deflate *Deflate // what the server accepted of DeflateOffer, if offered

	// The read side of EchoText: a message decoder fed from buf; pending
	// is the part of the last read it has not consumed yet.
	dec     *codec.MessageDecoder
	buf     []byte
	pending []byte
}

// handshakeTimeout bounds the time a server has to answer the upgrade.
const handshakeTimeout = 10 * time.Second

// DeflateOffer is the Sec-WebSocket-Extensions value DialDeflate offers:
// permessage-deflate without parameters, which leaves context takeover on
// both sides to the server. It does not offer client_max_window_bits,
// which would let a server shrink the client's window below the 15 bits
// that compress/flate, the client's compressor, always uses.
const DeflateOffer = "permessage-deflate"

// Deflate is what a server's response accepted of DeflateOffer.
type Deflate struct {
	// Response is the Sec-WebSocket-Extensions value of the response.
	Response string
	// Params are its permessage-deflate parameters.
	Params handshake.DeflateParams
}

// Mode describes who keeps a compression context between messages:
// "server: context takeover, client: no context takeover".
func (d *Deflate) Mode() string {
	side := func(no bool) string {
		if no {
			return "no context takeover"
		}
		return "context takeover"
	}
	return "server: " + side(d.Params.ServerNoContextTakeover) + ", client: " + side(d.Params.ClientNoContextTakeover)
}

// ErrNoDeflate is the error of DialDeflate when the server's response does
// not accept permessage-deflate.
var ErrNoDeflate = errors.New("the server did not accept permessage-deflate")

// Dial connects to addr and completes the opening handshake. It allocates
// no read buffer: a connection that only idles needs none.
func Dial(addr string) (*Client, error) {
	return dial(addr, &handshake.Client{})
}

// DialDeflate is Dial with DeflateOffer in the request. The server must
// accept it (else the error is ErrNoDeflate) with parameters RFC 7692
// allows in an answer to that offer; the client then compresses the
// messages of EchoText and inflates those it receives. Deflate tells what
// was negotiated.
func DialDeflate(addr string) (*Client, error) {
	return dial(addr, &handshake.Client{Extensions: DeflateOffer})
}

func dial(addr string, hc *handshake.Client) (*Client, error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	c, err := upgrade(nc, addr, hc)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}

// Deflate returns what the server accepted of DeflateOffer, or nil for a
// connection made by Dial.
func (c *Client) Deflate() *Deflate { return c.deflate }

// acceptedDeflate checks the Sec-WebSocket-Extensions of a response to
// DeflateOffer that Client.Check passed: it must accept permessage-deflate,
// with parameters allowed in answer to that offer.
func acceptedDeflate(resp *handshake.Response) (*Deflate, error) {
	values := resp.Extensions(nil)
	var all []string
	for _, v := range values {
		all = append(all, string(v))
	}
	value := strings.Join(all, ", ")
	p, found, err := handshake.DeflateResponse(values)
	if err != nil {
		return nil, fmt.Errorf("handshake: Sec-WebSocket-Extensions %q: %w", value, err)
	}
	if !found {
		return nil, fmt.Errorf("handshake: %w (offered %q, response extensions %q)", ErrNoDeflate, DeflateOffer, value)
	}
	return &Deflate{Response: value, Params: p}, nil
}

func upgrade(nc net.Conn, addr string, hc *handshake.Client) (*Client, error) {
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
		resp, n, perr := hc.ParseResponse(buf, key)
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
		if hc.Extensions != "" {
			if c.deflate, err = acceptedDeflate(&resp); err != nil {
				return nil, err
			}
			c.enc.Compress = true
		}
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

// EchoText sends p, which must be UTF-8, as a text message and reads the
// message that comes back, which must be the same text. On a connection
// that negotiated permessage-deflate p goes out compressed, with RSV1, if
// it is at least codec.DefaultCompressMin bytes long, and then the echo
// must come back compressed too.
func (c *Client) EchoText(p []byte) error {
	if c.dec == nil {
		c.dec = &codec.MessageDecoder{Decoder: codec.Decoder{Client: true, MaxPayload: maxMessage}, MaxMessage: maxMessage}
		if c.deflate != nil {
			c.dec.Inflate = true
			c.dec.InflateContext = !c.deflate.Params.ServerNoContextTakeover
		}
		c.buf = make([]byte, 16<<10)
	}
	var err error
	if c.out, err = c.enc.AppendMessage(c.out[:0], codec.OpText, 0, p, 0); err != nil {
		return err
	}
	if _, err := c.nc.Write(c.out); err != nil {
		return err
	}
	compressed := c.deflate != nil && len(p) >= codec.DefaultCompressMin
	for {
		if len(c.pending) == 0 {
			n, err := c.in.Read(c.buf)
			if n == 0 {
				if err == nil {
					continue
				}
				return err
			}
			c.pending = c.buf[:n]
		}
		msg, n, err := c.dec.Decode(c.pending)
		c.pending = c.pending[n:]
		if err == codec.ErrNeedMore {
			continue
		}
		if err != nil {
			return err
		}
		switch msg.Opcode {
		case codec.OpText:
			if !bytes.Equal(msg.Payload, p) {
				return fmt.Errorf("echo of %d bytes of text came back as %d different bytes", len(p), len(msg.Payload))
			}
			if compressed && !msg.Compressed {
				return fmt.Errorf("echo of a compressed %d-byte text message came back uncompressed", len(p))
			}
			return nil
		case codec.OpPing, codec.OpPong:
			// No server here pings unasked; ignore either.
		default:
			return fmt.Errorf("unexpected %v message", msg.Opcode)
		}
	}
}

// dropReadState frees what EchoText keeps for reading, and with it any
// inflate context, for a connection that will only idle from now on.
func (c *Client) dropReadState() {
	if c.dec != nil {
		c.dec.Reset()
	}
	c.dec, c.buf, c.pending = nil, nil, nil
}

// Text returns n bytes of UTF-8 text, JSON-like records from a small
// vocabulary that compress as a server's messages do, the same for every
// server.
func Text(n int) []byte {
	rng := rand.New(rand.NewPCG(1692, uint64(n)))
	names := []string{"ada", "brian", "chen", "dora", "emil", "fatou", "gus", "hana"}
	kinds := []string{"join", "leave", "post", "edit", "like", "reply", "ping"}
	var b bytes.Buffer
	for seq := 1; b.Len() < n; seq++ {
		fmt.Fprintf(&b, `{"seq":%d,"from":"%s","kind":"%s","room":%d,"text":"%s %s","at":%d}`+"\n",
			seq, names[rng.IntN(len(names))], kinds[rng.IntN(len(kinds))], rng.IntN(64),
			names[rng.IntN(len(names))], kinds[rng.IntN(len(kinds))], 1700000000+rng.IntN(1<<20))
	}
	return b.Bytes()[:n]
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
	c.dropReadState()
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
	c.dropReadState()
	return c.nc.Close()
}
