package frames

import (
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"testing"
	"unicode/utf8"

	coder "github.com/coder/websocket"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsflate"
	gorilla "github.com/gorilla/websocket"
	kflate "github.com/klauspost/compress/flate"
	"github.com/lxzan/gws"

	"github.com/wsframe/wsframe/bench/internal/fake"
	"github.com/wsframe/wsframe/codec"
)

// deflateOffer is the permessage-deflate offer of the client in the
// deflate-echo table: no context takeover on either side.
const deflateOffer = "permessage-deflate; client_no_context_takeover; server_no_context_takeover"

// deflateRequest is fake.UpgradeRequest with deflateOffer.
func deflateRequest() *http.Request {
	r := fake.UpgradeRequest()
	r.Header.Set("Sec-WebSocket-Extensions", deflateOffer)
	return r
}

// DeflateServer is one library's compressing echo server.
type DeflateServer struct {
	Name   string // the library
	Detail string // what it calls
	Alt    bool   // another way of using wsframe, in no ratio
	// Echo sets the library up as a server with permessage-deflate
	// negotiated without context takeover, over a connection that reads
	// src (the one client frame, again and again) and writes to out, calls
	// ready, then reads n messages, inflating and checking each, and writes
	// each back compressed.
	Echo func(src *fake.Socket, out io.Writer, frame []byte, n int, ready func()) error
}

// DeflateServers returns the servers of the deflate-echo table, wsframe first.
func DeflateServers() []*DeflateServer {
	return []*DeflateServer{
		{Name: "wsframe", Detail: "MessageDecoder{Inflate}, Encoder{Compress}", Echo: wsframeDeflateEcho(nil)},
		{Name: "wsframe klauspost", Detail: "the same with `Flate` set to klauspost/compress's flate", Alt: true, Echo: wsframeDeflateEcho(klauspostFlate)},
		{Name: "gobwas", Detail: "wsflate.Reader, Writer", Echo: gobwasDeflateEcho},
		{Name: "gorilla", Detail: "EnableCompression ‡", Echo: gorillaDeflateEcho},
		{Name: "coder", Detail: "CompressionNoContextTakeover ‡", Echo: coderDeflateEcho},
		{Name: "gws", Detail: "PermessageDeflate", Echo: gwsDeflateEcho},
	}
}

var errNotCompressed = errors.New("message not compressed")

// wsframeDeflateEcho copies the frame into a reused buffer, as a read
// would, decodes it with an inflating MessageDecoder (which checks UTF-8)
// and appends the compressed reply into a reused buffer, with fl as the
// DEFLATE implementation (nil: compress/flate).
func wsframeDeflateEcho(fl *codec.Flate) func(*fake.Socket, io.Writer, []byte, int, func()) error {
	return func(_ *fake.Socket, out io.Writer, frame []byte, n int, ready func()) error {
		dec := codec.MessageDecoder{Inflate: true, Flate: fl}
		enc := codec.Encoder{Compress: true, Flate: fl}
		buf := make([]byte, len(frame))
		var reply []byte
		ready()
		for range n {
			copy(buf, frame)
			msg, _, err := dec.Decode(buf)
			if err != nil {
				return err
			}
			if !msg.Compressed {
				return errNotCompressed
			}
			if reply, err = enc.AppendMessage(reply[:0], codec.OpText, 0, msg.Payload, 0); err != nil {
				return err
			}
			if _, err := out.Write(reply); err != nil {
				return err
			}
		}
		return nil
	}
}

// klauspostFlate is github.com/klauspost/compress/flate as wsframe's
// DEFLATE implementation, the one gws uses.
var klauspostFlate = &codec.Flate{
	NewWriter: func(w io.Writer, level int) (codec.FlateWriter, error) {
		return kflate.NewWriter(w, level)
	},
	NewReader: kflate.NewReaderDict,
}

// gobwasInflater is flate's reader with the Reset that wsflate.Reader
// looks for, so that one inflater serves every message.
type gobwasInflater struct{ io.ReadCloser }

func (f gobwasInflater) Reset(r io.Reader) { f.ReadCloser.(flate.Resetter).Reset(r, nil) }

// gobwasDeflateEcho copies the frame into a reused buffer, reads its
// header with ws.ReadHeader, unmasks it with ws.Cipher, inflates it with a
// reused wsflate.Reader into a reused buffer, checks UTF-8, compresses the
// reply with a reused wsflate.Writer and writes header and payload into a
// reused buffer.
func gobwasDeflateEcho(_ *fake.Socket, out io.Writer, frame []byte, n int, ready func()) error {
	buf := make([]byte, len(frame))
	var br, pr bytes.Reader
	var in, comp, reply bytes.Buffer
	fr := wsflate.NewReader(nil, func(r io.Reader) wsflate.Decompressor {
		return gobwasInflater{flate.NewReader(r)}
	})
	fw := wsflate.NewWriter(nil, func(w io.Writer) wsflate.Compressor {
		f, _ := flate.NewWriter(w, flate.BestSpeed)
		return f
	})
	ready()
	for range n {
		copy(buf, frame)
		br.Reset(buf)
		h, err := ws.ReadHeader(&br)
		if err != nil {
			return err
		}
		h, compressed, err := wsflate.UnsetBit(h)
		if err != nil {
			return err
		}
		if !compressed {
			return errNotCompressed
		}
		payload := buf[len(buf)-br.Len():]
		if int64(len(payload)) != h.Length {
			return fmt.Errorf("gobwas: frame of %d bytes declared %d", len(payload), h.Length)
		}
		if h.Masked {
			ws.Cipher(payload, h.Mask, 0)
		}
		pr.Reset(payload)
		fr.Reset(&pr)
		in.Reset()
		if _, err := in.ReadFrom(fr); err != nil {
			return err
		}
		if !utf8.Valid(in.Bytes()) {
			return errInvalidUTF8
		}
		comp.Reset()
		fw.Reset(&comp)
		if _, err := fw.Write(in.Bytes()); err != nil {
			return err
		}
		if err := fw.Flush(); err != nil {
			return err
		}
		rh, err := wsflate.SetBit(ws.Header{Fin: true, OpCode: ws.OpText, Length: int64(comp.Len())})
		if err != nil {
			return err
		}
		reply.Reset()
		if err := ws.WriteHeader(&reply, rh); err != nil {
			return err
		}
		reply.Write(comp.Bytes())
		if _, err := out.Write(reply.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// gorillaDeflateEcho reads with NextReader into a reused buffer, checks
// UTF-8 and replies with WriteMessage, on a Conn made by Upgrader.Upgrade
// with EnableCompression and a 64 KiB read buffer.
func gorillaDeflateEcho(src *fake.Socket, out io.Writer, _ []byte, n int, ready func()) error {
	up := gorilla.Upgrader{ReadBufferSize: fake.ReadSize, EnableCompression: true}
	c, err := up.Upgrade(&fake.ResponseWriter{Conn: fake.NewConn(src, out)}, deflateRequest(), nil)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetReadLimit(MaxPayload)
	var buf []byte
	ready()
	for range n {
		_, r, err := c.NextReader()
		if err != nil {
			return err
		}
		if buf, err = readMessage(r, buf, true); err != nil {
			return err
		}
		if err := c.WriteMessage(gorilla.TextMessage, buf); err != nil {
			return err
		}
	}
	return nil
}

// coderDeflateEcho reads with Reader into a reused buffer, checks UTF-8
// and replies with Write, on a Conn made by Accept with
// CompressionNoContextTakeover over a hijacked 64 KiB bufio.Reader.
func coderDeflateEcho(src *fake.Socket, out io.Writer, _ []byte, n int, ready func()) error {
	w := &fake.ResponseWriter{Conn: fake.NewConn(src, out), ReadBuffer: fake.ReadSize}
	c, err := coder.Accept(w, deflateRequest(), &coder.AcceptOptions{
		InsecureSkipVerify: true,
		CompressionMode:    coder.CompressionNoContextTakeover,
	})
	if err != nil {
		return err
	}
	defer c.CloseNow()
	c.SetReadLimit(MaxPayload)
	ctx := context.Background()
	var buf []byte
	ready()
	for range n {
		_, r, err := c.Reader(ctx)
		if err != nil {
			return err
		}
		if buf, err = readMessage(r, buf, true); err != nil {
			return err
		}
		if err := c.Write(ctx, coder.MessageText, buf); err != nil {
			return err
		}
	}
	return nil
}

// gwsEchoHandler replies to each message gws reads with WriteMessage.
type gwsEchoHandler struct {
	gws.BuiltinEventHandler
	n   int
	err error
}

func (h *gwsEchoHandler) OnMessage(c *gws.Conn, m *gws.Message) {
	if err := c.WriteMessage(m.Opcode, m.Bytes()); err != nil && h.err == nil {
		h.err = err
	}
	m.Close()
	h.n++
}

func (h *gwsEchoHandler) OnClose(_ *gws.Conn, err error) {
	if h.err == nil {
		h.err = err
	}
}

// gwsDeflateEcho runs gws's read loop, with PermessageDeflate and neither
// side's context takeover, on a Conn made by UpgradeFromConn with a 64 KiB
// bufio.Reader, until the connection ends after n messages.
func gwsDeflateEcho(src *fake.Socket, out io.Writer, frame []byte, n int, ready func()) error {
	h := &gwsEchoHandler{}
	up := gws.NewUpgrader(h, &gws.ServerOption{
		CheckUtf8Enabled:   true,
		ReadMaxPayloadSize: MaxPayload,
		ReadBufferSize:     fake.ReadSize,
		PermessageDeflate: gws.PermessageDeflate{
			Enabled:               true,
			Level:                 flate.BestSpeed,
			ServerContextTakeover: false,
			ClientContextTakeover: false,
		},
	})
	conn := fake.NewConn(src, out)
	c, err := up.UpgradeFromConn(conn, bufio.NewReaderSize(conn, fake.ReadSize), deflateRequest())
	if err != nil {
		return err
	}
	src.Limit(int64(n) * int64(len(frame)))
	ready()
	c.ReadLoop()
	if h.n < n {
		return fmt.Errorf("the read loop ended after %d of %d messages: %v", h.n, n, h.err)
	}
	if h.err != nil && !errors.Is(h.err, io.EOF) {
		return h.err
	}
	return nil
}

// DeflateCase is one message size of the deflate-echo table.
type DeflateCase struct {
	Name    string // sub-benchmark name: "size=1024"
	Label   string // row label
	Size    int
	payload []byte
	frame   []byte // the client's compressed, masked text frame
}

// DeflateCases returns the cases of the deflate-echo table.
func DeflateCases() []*DeflateCase {
	var cs []*DeflateCase
	for _, n := range []int{1 << 10, 64 << 10} {
		p := jsonText(n, uint64(n))
		enc := codec.Encoder{Client: true, Compress: true}
		frame, err := enc.AppendMessage(nil, codec.OpText, 0, p, 0)
		if err != nil {
			panic(err)
		}
		cs = append(cs, &DeflateCase{
			Name:    fmt.Sprintf("size=%d", n),
			Label:   fmt.Sprintf("%s (%d B on the wire)", SizeLabel(n), len(frame)),
			Size:    n,
			payload: p,
			frame:   frame,
		})
	}
	return cs
}

// jsonText returns n bytes of JSON-like records built from a small
// vocabulary, compressible as a server's messages are.
func jsonText(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 7))
	users := []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"}
	events := []string{"update", "create", "delete", "login", "logout", "subscribe", "message"}
	tags := []string{"news", "sports", "tech", "music", "travel", "food", "games", "science"}
	var b bytes.Buffer
	for id := 1; b.Len() < n; id++ {
		fmt.Fprintf(&b, `{"id":%d,"user":"%s","event":"%s","tags":["%s","%s"],"score":%d.%02d,"ok":%t}`+"\n",
			id, users[rng.IntN(len(users))], events[rng.IntN(len(events))],
			tags[rng.IntN(len(tags))], tags[rng.IntN(len(tags))],
			rng.IntN(1000), rng.IntN(100), rng.IntN(2) == 0)
	}
	return b.Bytes()[:n]
}

// Bench returns the benchmark of s echoing the case's message: one op is
// one message read, inflated, checked and answered compressed. It reports
// the bytes written per reply as reply-B/op (gws's Close frame at the end
// of its read loop included).
func (c *DeflateCase) Bench(s *DeflateServer) func(*testing.B) {
	return func(b *testing.B) {
		b.SetBytes(int64(c.Size))
		b.ReportAllocs()
		var sink fake.Sink
		var before int64
		ready := func() {
			before = sink.Bytes // the upgrade response is no reply
			b.ResetTimer()
		}
		if err := s.Echo(fake.NewSocket(c.frame), &sink, c.frame, b.N, ready); err != nil {
			b.Fatalf("%s: %v", s.Name, err)
		}
		b.StopTimer()
		b.ReportMetric(float64(sink.Bytes-before)/float64(b.N), "reply-B/op")
	}
}

// VerifyDeflate has every server echo three messages of every case and
// checks that each reply is one compressed text frame, unmasked, that
// inflates to the payload sent.
func VerifyDeflate() error {
	var errs []error
	for _, c := range DeflateCases() {
		for _, s := range DeflateServers() {
			if err := c.verify(s); err != nil {
				errs = append(errs, fmt.Errorf("%s, %s: %v", s.Name, c.Label, err))
			}
		}
	}
	return errors.Join(errs...)
}

func (c *DeflateCase) verify(s *DeflateServer) error {
	const n = 3
	sink := fake.Sink{Keep: true}
	if err := s.Echo(fake.NewSocket(c.frame), &sink, c.frame, n, func() {}); err != nil {
		return err
	}
	wire := sink.Got
	if bytes.HasPrefix(wire, []byte("HTTP/")) {
		i := bytes.Index(wire, []byte("\r\n\r\n"))
		if i < 0 {
			return fmt.Errorf("unterminated upgrade response")
		}
		resp := wire[:i]
		if !bytes.Contains(bytes.ToLower(resp), []byte("permessage-deflate")) {
			return fmt.Errorf("permessage-deflate not negotiated: %q", resp)
		}
		wire = wire[i+4:]
	}
	dec := codec.MessageDecoder{Decoder: codec.Decoder{Client: true}, Inflate: true}
	for i := range n {
		msg, used, err := dec.Decode(wire)
		if err != nil {
			return fmt.Errorf("reply %d: %v", i, err)
		}
		if msg.Opcode != codec.OpText || !msg.Compressed {
			return fmt.Errorf("reply %d: opcode %v, compressed %t; want a compressed text message", i, msg.Opcode, msg.Compressed)
		}
		if !bytes.Equal(msg.Payload, c.payload) {
			return fmt.Errorf("reply %d: %d bytes differ from the %d sent", i, len(msg.Payload), len(c.payload))
		}
		wire = wire[used:]
	}
	if len(wire) != 0 {
		// gws closes the connection when its read loop meets the end.
		msg, used, err := dec.Decode(wire)
		if err != nil || msg.Opcode != codec.OpClose || used != len(wire) {
			return fmt.Errorf("%d bytes after the %d replies that are not one Close frame", len(wire), n)
		}
	}
	return nil
}
