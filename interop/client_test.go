package interop

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/wsframe/wsframe/codec"
	"github.com/wsframe/wsframe/handshake"
)

// clientConfig is one way of driving the client: how much it reads at a
// time, how its MessageDecoder is set up and how it writes whole messages.
type clientConfig struct {
	name     string
	readSize int
	dec      codec.MessageDecoder
	// write is how whole messages go out: "frame", AppendFrame; "buffers",
	// Encoder.Buffers; "message", AppendMessage in one frame; "split",
	// AppendMessage in 16 KiB frames. Only AppendMessage compresses.
	write string
	// trickle writes 1 to 7 bytes at a time, so that the server reads
	// headers, payloads and control frames in pieces.
	trickle bool
	// compressLevel and compressMin configure the Encoder once
	// permessage-deflate is negotiated (0: its defaults).
	compressLevel, compressMin int
}

func clientConfigs() []clientConfig {
	return []clientConfig{
		{name: "read=16", readSize: 16, dec: codec.MessageDecoder{Decoder: codec.Decoder{Client: true}}, write: "frame"},
		{name: "read=256k", readSize: 256 << 10, dec: codec.MessageDecoder{Decoder: codec.Decoder{Client: true}}, write: "buffers"},
		{name: "read=4k/stream-above=1", readSize: 4 << 10,
			dec: codec.MessageDecoder{Decoder: codec.Decoder{Client: true, StreamAbove: 1}}, write: "split"},
		{name: "read=1k/stream", readSize: 1 << 10,
			dec: codec.MessageDecoder{Decoder: codec.Decoder{Client: true, StreamAbove: 512}, Stream: true}, write: "frame"},
	}
}

// echoServer is a peer's echo server script. Both answer a close frame
// with the code and reason they received.
type echoServer struct {
	name string
	// cmd starts the script with --deflate=deflate: "on", "no-context" or
	// "off".
	cmd func(t *testing.T, deflate string) *exec.Cmd
	// countsPings: the server reports how many pings it received.
	countsPings bool
	// on and noContext are the parameters of the server's response to
	// handshake.DeflateOffer with --deflate=on and --deflate=no-context.
	// Both servers then compress every message.
	on, noContext handshake.DeflateParams
}

var echoServers = []echoServer{
	{
		name: "node",
		cmd: func(t *testing.T, deflate string) *exec.Cmd {
			return exec.Command(needNode(t), "peers/node/server.mjs", "--deflate="+deflate)
		},
		countsPings: true,
		// ws with perMessageDeflate {threshold: 0} (and serverNoContextTakeover).
		on:        handshake.DeflateParams{ClientNoContextTakeover: true},
		noContext: handshake.DeflateParams{ServerNoContextTakeover: true, ClientNoContextTakeover: true},
	},
	{
		name: "python",
		cmd: func(t *testing.T, deflate string) *exec.Cmd {
			return exec.Command(needPython(t), "peers/python/server.py", "--deflate="+deflate)
		},
		// websockets' default: server_max_window_bits=12, and the
		// server's context kept unless asked otherwise.
		on:        handshake.DeflateParams{ClientNoContextTakeover: true, ServerMaxWindowBits: 12},
		noContext: handshake.DeflateParams{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 12},
	},
}

// serverEvent is a line an echo server script prints.
type serverEvent struct {
	Port       int    `json:"port"`
	Event      string `json:"event"` // "open", "close" or "error"
	Protocol   string `json:"protocol"`
	Extensions string `json:"extensions"` // offered by the client
	Negotiated string `json:"negotiated"` // the response's Sec-WebSocket-Extensions
	Code       int    `json:"code"`
	Reason     string `json:"reason"`
	Pings      *int   `json:"pings"`
	Error      string `json:"error"`
}

func (p *proc) event(t *testing.T) serverEvent {
	t.Helper()
	l, err := p.line(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var ev serverEvent
	if err := json.Unmarshal([]byte(l), &ev); err != nil {
		t.Fatalf("%s printed %q: %v", p.name, l, err)
	}
	if ev.Error != "" {
		t.Fatalf("%s: %s", p.name, ev.Error)
	}
	return ev
}

// TestClient runs a client built from handshake.Client, codec.Encoder and
// codec.MessageDecoder against the Node ws and Python websockets echo
// servers: without compression, with permessage-deflate while the server
// keeps its compression context and while it does not, and offering it to
// a server that declines.
func TestClient(t *testing.T) {
	for _, s := range echoServers {
		t.Run(s.name, func(t *testing.T) {
			// Offering no extension to a server that would accept one.
			srv, addr := startEcho(t, s, "on")
			for _, cfg := range clientConfigs() {
				t.Run(cfg.name, func(t *testing.T) { echoRun(t, s, srv, addr, cfg, deflateRun{}) })
			}
			t.Run("server-close", func(t *testing.T) { serverCloseRun(t, srv, addr, clientConfigs()[0], deflateRun{}) })

			// The server keeps its context: InflateContext.
			on := deflateRun{offer: true, found: true, params: s.on, compresses: always}
			for _, cfg := range deflateConfigs() {
				t.Run("deflate/"+cfg.name, func(t *testing.T) { echoRun(t, s, srv, addr, cfg, on) })
			}
			// With compressMin 1, "close me" goes out compressed.
			t.Run("deflate/server-close", func(t *testing.T) { serverCloseRun(t, srv, addr, deflateConfigs()[2], on) })
			if err := srv.running(); err != nil {
				t.Error(err)
			}

			t.Run("deflate-no-context", func(t *testing.T) {
				srv, addr := startEcho(t, s, "no-context")
				run := deflateRun{offer: true, found: true, params: s.noContext, compresses: always}
				for _, cfg := range deflateConfigs() {
					t.Run(cfg.name, func(t *testing.T) { echoRun(t, s, srv, addr, cfg, run) })
				}
				if err := srv.running(); err != nil {
					t.Error(err)
				}
			})
			t.Run("deflate-declined", func(t *testing.T) {
				srv, addr := startEcho(t, s, "off")
				echoRun(t, s, srv, addr, deflateConfigs()[0], deflateRun{offer: true, compresses: never})
				if err := srv.running(); err != nil {
					t.Error(err)
				}
			})
		})
	}
}

// startEcho starts s's server with --deflate=deflate and returns it with
// its address.
func startEcho(t *testing.T, s echoServer, deflate string) (*proc, string) {
	t.Helper()
	srv := start(t, s.name+" server --deflate="+deflate, s.cmd(t, deflate))
	ev := srv.event(t)
	if ev.Port == 0 {
		t.Fatalf("%s printed %+v first, want its port", srv.name, ev)
	}
	return srv, net.JoinHostPort("127.0.0.1", strconv.Itoa(ev.Port))
}

// echoRun runs the echo cases against s's server, then checks what the
// server saw and what was compressed each way.
func echoRun(t *testing.T, s echoServer, srv *proc, addr string, cfg clientConfig, run deflateRun) {
	c := dialDeflate(t, addr, cfg, "chat", run)
	checkOpen(t, srv, c)
	cases := echoCases(allFeatures)
	got, pings := c.run(cases, cfg.write)
	checkResults(t, cases, got)
	if r := got[len(got)-1]; r.Reason != "bye" {
		t.Errorf("the server's close reason is %q, want the one sent, \"bye\"", r.Reason)
	}
	ev := srv.event(t)
	if ev.Event != "close" || ev.Code != 1000 || ev.Reason != "bye" {
		t.Errorf("the server saw %+v, want close 1000 \"bye\"", ev)
	}
	if s.countsPings && (ev.Pings == nil || *ev.Pings != pings) {
		t.Errorf("the server saw %v pings, want %d", ev.Pings, pings)
	}
	c.checkCompression(t, true)
}

func serverCloseRun(t *testing.T, srv *proc, addr string, cfg clientConfig, run deflateRun) {
	c := dialDeflate(t, addr, cfg, "chat", run)
	checkOpen(t, srv, c)
	c.serverClose(t)
	if ev := srv.event(t); ev.Event != "close" || ev.Code != 4000 {
		t.Errorf("the server saw %+v, want our reply: close 4000", ev)
	}
	c.checkCompression(t, false)
}

// checkOpen checks the server's open event: the subprotocol chat, our
// offer, and the response c received.
func checkOpen(t *testing.T, srv *proc, c *wsClient) {
	t.Helper()
	offer := ""
	if c.deflate.offer {
		offer = handshake.DeflateOffer
	}
	ev := srv.event(t)
	if ev.Event != "open" || ev.Protocol != "chat" || ev.Extensions != offer || ev.Negotiated != c.negotiated {
		t.Errorf("the server saw %+v, want open with subprotocol chat, extensions offered %q and negotiated %q",
			ev, offer, c.negotiated)
	}
}

// wsClient is a WebSocket client on a net.Conn, made of the handshake and
// codec packages and nothing else.
type wsClient struct {
	nc      net.Conn
	trickle bool
	enc     codec.Encoder
	dec     codec.MessageDecoder
	buf     []byte // read buffer
	data    []byte // read, not yet decoded
	out     []byte
	scratch []byte // for Encoder.Buffers
	frame   []byte // a frame from Encoder.Buffers in one piece, for wire
	pieces  []byte // a streamed message so far

	write      string // the clientConfig's
	deflate    deflateRun
	negotiated string // the response's Sec-WebSocket-Extensions
	// wantRSV1 has, for each data message sent, whether it was to be
	// compressed; wire has what the frames written say, and any breach of
	// RFC 7692 seen in them.
	wantRSV1 []bool
	wire     wireLog
	// received has the length and RSV1 of each data message received.
	received []received
}

// wsGUID is the GUID of RFC 6455 section 1.3.
const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// dial connects to addr and runs the opening handshake, offering the
// subprotocols chat and superchat, and checks that the server selected
// protocol ("" for none) and no extension.
func dial(t *testing.T, addr string, cfg clientConfig, protocol string) *wsClient {
	t.Helper()
	return dialEarly(t, addr, cfg, protocol, deflateRun{}, nil)
}

// dialDeflate is dial offering permessage-deflate as run says, checking the
// response against it and, once negotiated, turning compression on.
func dialDeflate(t *testing.T, addr string, cfg clientConfig, protocol string, run deflateRun) *wsClient {
	t.Helper()
	return dialEarly(t, addr, cfg, protocol, run, nil)
}

// dialEarly is dialDeflate, sending the frames early calls for with the
// request, in the same write, before the server's answer.
func dialEarly(t *testing.T, addr string, cfg clientConfig, protocol string, run deflateRun,
	early func(enc *codec.Encoder, dst []byte) []byte) *wsClient {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(scriptTimeout))
	c := &wsClient{nc: nc, trickle: cfg.trickle, dec: cfg.dec, buf: make([]byte, cfg.readSize), write: cfg.write, deflate: run,
		enc: codec.Encoder{Client: true, CompressLevel: cfg.compressLevel, CompressMin: cfg.compressMin}}

	hc := handshake.Client{Protocols: []string{"chat", "superchat"}}
	if run.offer {
		hc.Extensions = handshake.DeflateOffer
	}
	req, key, err := hc.AppendRequest(nil, &url.URL{Scheme: "ws", Host: addr, Path: "/echo"})
	if err != nil {
		t.Fatal(err)
	}
	if early != nil {
		req = early(&c.enc, req)
	}
	if _, err := nc.Write(req); err != nil {
		t.Fatal(err)
	}
	var head []byte
	for {
		n, rerr := nc.Read(c.buf)
		head = append(head, c.buf[:n]...)
		resp, hn, err := hc.ParseResponse(head, key)
		if err == handshake.ErrIncomplete {
			if rerr != nil {
				t.Fatalf("connection ended inside the response head (%v): %q", rerr, head)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v; response:\n%s", err, head)
		}
		sum := sha1.Sum([]byte(key.String() + wsGUID))
		if got, want := string(resp.Header().Get("Sec-WebSocket-Accept")), base64.StdEncoding.EncodeToString(sum[:]); got != want {
			t.Errorf("Sec-WebSocket-Accept %q, want %q", got, want)
		}
		if p := string(resp.Protocol()); p != protocol {
			t.Errorf("subprotocol %q, want %q", p, protocol)
		}
		exts := resp.Extensions(nil)
		c.negotiated = string(bytes.Join(exts, []byte(", ")))
		if !run.offer {
			if len(exts) != 0 {
				t.Errorf("extensions %q, none offered", exts)
			}
		} else {
			params, found, err := handshake.DeflateResponse(exts)
			if err != nil {
				t.Fatalf("the response's extensions %q: %v", exts, err)
			}
			if found != run.found || params != run.params {
				t.Errorf("the response's extensions %q: permessage-deflate %v %+v, want %v %+v",
					exts, found, params, run.found, run.params)
			}
			if found {
				c.dec.Inflate = true
				c.dec.InflateContext = !params.ServerNoContextTakeover
				c.enc.Compress = true
			}
		}
		t.Logf("negotiated %q", c.negotiated)
		c.data = head[hn:] // the first bytes of the WebSocket stream
		return c
	}
}

// decode returns the next message, or piece of one, reading as needed.
func (c *wsClient) decode() (codec.Message, error) {
	for {
		if len(c.data) > 0 {
			msg, n, err := c.dec.Decode(c.data)
			c.data = c.data[n:]
			if err != codec.ErrNeedMore {
				return msg, err
			}
			// All of c.data was taken: c.buf is free again.
		}
		n, err := c.nc.Read(c.buf)
		if n == 0 && err != nil {
			return codec.Message{}, err
		}
		c.data = c.buf[:n]
	}
}

// next returns the next whole message or control frame, joining the pieces
// of a streamed message. The payload is valid until the next call.
func (c *wsClient) next() (codec.Message, error) {
	c.pieces = c.pieces[:0]
	first, compressed := true, false
	for {
		msg, err := c.decode()
		if err != nil || msg.Opcode.IsControl() {
			return msg, err
		}
		if first {
			first, compressed = false, msg.Compressed
		} else if msg.Compressed != compressed {
			return msg, fmt.Errorf("a piece of a message reports Compressed %v, its first %v", msg.Compressed, compressed)
		}
		if !c.dec.Stream {
			c.received = append(c.received, received{len(msg.Payload), compressed})
			return msg, nil
		}
		c.pieces = append(c.pieces, msg.Payload...)
		if !msg.More {
			msg.Payload = c.pieces
			c.received = append(c.received, received{len(msg.Payload), compressed})
			return msg, nil
		}
	}
}

func (c *wsClient) flush() error {
	out := c.out
	c.out = c.out[:0]
	c.wire.scan(out)
	if !c.trickle {
		_, err := c.nc.Write(out)
		return err
	}
	for i := 1; len(out) > 0; i++ {
		n := min(i%7+1, len(out))
		if _, err := c.nc.Write(out[:n]); err != nil {
			return err
		}
		out = out[n:]
	}
	return nil
}

var opcodes = map[string]codec.Opcode{"text": codec.OpText, "binary": codec.OpBinary}

// send appends the message of case c: as its fragments (with a ping after
// the first if it asks), or whole in the way write names. Once
// permessage-deflate is negotiated, fragments are compressed too unless
// write is "frame".
func (c *wsClient) send(cs caseSpec, op codec.Opcode, p []byte, write string) (pings int, err error) {
	switch {
	case cs.Frags != nil:
		frags, rsv := cs.Frags, uint8(0)
		if c.enc.Compress && write != "frame" {
			p, frags = deflateFrags(p, frags)
			rsv = codec.Rsv1
		}
		c.wantRSV1 = append(c.wantRSV1, rsv != 0)
		off := 0
		for i, n := range frags {
			fop, frsv := codec.OpContinuation, uint8(0)
			if i == 0 {
				fop, frsv = op, rsv
			}
			if c.out, err = c.enc.AppendFrame(c.out, fop, i == len(frags)-1, frsv, p[off:off+n]); err != nil {
				return pings, err
			}
			off += n
			if i == 0 && cs.Ping != nil {
				if c.out, err = c.enc.AppendPing(c.out, cs.Ping.bytes()); err != nil {
					return pings, err
				}
				pings++
			}
		}
	case write == "buffers":
		if err := c.flush(); err != nil {
			return pings, err
		}
		bufs, err := c.enc.Buffers(c.scratch, op, true, 0, p)
		if err != nil {
			return pings, err
		}
		c.scratch = bufs[len(bufs)-1]
		c.wantRSV1 = append(c.wantRSV1, false)
		c.frame = append(c.frame[:0], bufs[0]...)
		c.wire.scan(append(c.frame, bufs[1]...)) // the header and the masked payload
		_, err = bufs.WriteTo(c.nc)
		return pings, err
	default:
		err = c.appendWhole(op, p, write)
	}
	return pings, err
}

// appendWhole appends a whole message: with AppendMessage, which
// compresses, for write "message" and "split", else with AppendFrame.
func (c *wsClient) appendWhole(op codec.Opcode, p []byte, write string) (err error) {
	switch write {
	case "message", "split":
		maxFrame := 0
		if write == "split" {
			maxFrame = 16 << 10
		}
		c.out, err = c.enc.AppendMessage(c.out, op, 0, p, maxFrame)
		least := c.enc.CompressMin
		if least == 0 {
			least = codec.DefaultCompressMin
		}
		c.wantRSV1 = append(c.wantRSV1, c.enc.Compress && len(p) >= least)
	default:
		c.out, err = c.enc.AppendFrame(c.out, op, true, 0, p)
		c.wantRSV1 = append(c.wantRSV1, false)
	}
	return err
}

// run runs the cases and returns their results as the scripts report
// them, with the number of pings sent.
func (c *wsClient) run(cases []caseSpec, write string) (results []result, pings int) {
	for _, cs := range cases {
		r, n, err := c.runCase(cs, write)
		pings += n
		if err != nil {
			r.Error = err.Error()
			return append(results, r), pings
		}
		results = append(results, r)
	}
	return results, pings
}

func (c *wsClient) runCase(cs caseSpec, write string) (r result, pings int, err error) {
	r.Case = cs.Name
	switch cs.Op {
	case "text", "binary":
		p := cs.Payload.bytes()
		r.Sent = sha(p)
		if pings, err = c.send(cs, opcodes[cs.Op], p, write); err != nil {
			return r, pings, err
		}
		if err = c.flush(); err != nil {
			return r, pings, err
		}
		for r.Sha256 == "" || (cs.Ping != nil && r.Pong == "") {
			msg, err := c.next()
			if err != nil {
				return r, pings, err
			}
			switch msg.Opcode {
			case codec.OpPong:
				r.Pong = sha(msg.Payload)
			case codec.OpText, codec.OpBinary:
				r.Op, r.Len, r.Sha256 = msg.Opcode.String(), len(msg.Payload), sha(msg.Payload)
			default:
				return r, pings, fmt.Errorf("unexpected %v frame", msg.Opcode)
			}
		}
	case "burst":
		var all []byte
		for _, m := range cs.Messages {
			p := m.Payload.bytes()
			all = append(all, p...)
			if err = c.appendWhole(opcodes[m.Op], p, write); err != nil {
				return r, 0, err
			}
		}
		r.Sent = sha(all)
		if err = c.flush(); err != nil {
			return r, 0, err
		}
		var got []byte
		for range cs.Messages {
			msg, err := c.next()
			if err != nil {
				return r, 0, err
			}
			r.Ops += msg.Opcode.String()[:1]
			got = append(got, msg.Payload...)
		}
		r.Len, r.Sha256 = len(got), sha(got)
	case "ping":
		p := cs.Payload.bytes()
		r.Sent = sha(p)
		if c.out, err = c.enc.AppendPing(c.out, p); err != nil {
			return r, 0, err
		}
		if err = c.flush(); err != nil {
			return r, 1, err
		}
		msg, err := c.next()
		if err != nil {
			return r, 1, err
		}
		if msg.Opcode != codec.OpPong {
			return r, 1, fmt.Errorf("got a %v frame, want a pong", msg.Opcode)
		}
		r.Pong = sha(msg.Payload)
		return r, 1, nil
	case "close":
		start := time.Now()
		if c.out, err = c.enc.AppendClose(c.out, codec.CloseCode(cs.Code), cs.Reason); err != nil {
			return r, 0, err
		}
		if err = c.flush(); err != nil {
			return r, 0, err
		}
		msg, err := c.next()
		if err != nil {
			return r, 0, err
		}
		if msg.Opcode != codec.OpClose {
			return r, 0, fmt.Errorf("got a %v frame, want a close", msg.Opcode)
		}
		r.Code, r.Reason = int(msg.Code), string(msg.Reason)
		if err = c.closed(); err != nil {
			return r, 0, err
		}
		r.Ms = int(time.Since(start) / time.Millisecond)
	default:
		return r, 0, fmt.Errorf("unknown case op %q", cs.Op)
	}
	return r, pings, nil
}

// closed checks, after the peer's close frame, that the decoder refuses
// more and that the server ends the stream; it then closes the connection.
func (c *wsClient) closed() error {
	if _, _, err := c.dec.Decode(c.data); err != codec.ErrPeerClosed {
		return fmt.Errorf("after the close frame Decode returned %v, want ErrPeerClosed", err)
	}
	if len(c.data) > 0 {
		return fmt.Errorf("%d bytes after the close frame", len(c.data))
	}
	c.nc.SetReadDeadline(time.Now().Add(maxCloseMs * time.Millisecond))
	n, err := c.nc.Read(c.buf)
	c.nc.Close()
	if n > 0 || !errors.Is(err, io.EOF) {
		return fmt.Errorf("after the close handshake read %d bytes, %v; want the end of the stream", n, err)
	}
	return nil
}

// serverClose asks the server to close and answers its close frame.
func (c *wsClient) serverClose(t *testing.T) {
	t.Helper()
	if err := c.appendWhole(codec.OpText, []byte("close me"), "message"); err != nil {
		t.Fatal(err)
	}
	if err := c.flush(); err != nil {
		t.Fatal(err)
	}
	msg, err := c.next()
	if err != nil {
		t.Fatal(err)
	}
	if msg.Opcode != codec.OpClose || msg.Code != 4000 || string(msg.Reason) != "requested" {
		t.Fatalf("got %v %d %q, want close 4000 \"requested\"", msg.Opcode, msg.Code, msg.Reason)
	}
	if c.out, err = c.enc.AppendReply(c.out, msg); err != nil {
		t.Fatal(err)
	}
	if !c.enc.Closed() {
		t.Error("the Encoder does not report the close it sent")
	}
	if _, err := c.enc.AppendFrame(nil, codec.OpText, true, 0, nil); err != codec.ErrClosed {
		t.Errorf("a data frame after the close: %v, want ErrClosed", err)
	}
	if err := c.flush(); err != nil {
		t.Fatal(err)
	}
	if err := c.closed(); err != nil {
		t.Error(err)
	}
}
