package frames

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"unicode/utf8"

	coder "github.com/coder/websocket"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	gorilla "github.com/gorilla/websocket"
	nbws "github.com/lesismal/nbio/nbhttp/websocket"
	"github.com/lxzan/gws"

	"github.com/wsframe/wsframe/bench/internal/fake"
	"github.com/wsframe/wsframe/codec"
)

// MaxPayload is the frame and message size limit every reader is given:
// wsframe's default.
const MaxPayload = codec.DefaultMaxPayload

// NbioReadSize is the read buffer of nbio's blocking read loop: its
// default. nbio copies the unparsed rest of its input to the front after
// every frame, so a larger buffer makes small frames slower, not faster.
const NbioReadSize = 4 << 10

var errInvalidUTF8 = errors.New("invalid UTF-8 in a text message")

// Source is the connection a reader reads: a fake socket serving a case's
// stream from its start.
type Source struct {
	sock   *fake.Socket
	msgLen int // wire bytes of one message
}

func (s *Source) Read(p []byte) (int, error) { return s.sock.Read(p) }

// limit ends the connection after n messages, for the libraries whose
// read path is a loop that runs until the connection ends.
func (s *Source) limit(n int) { s.sock.Limit(int64(n) * int64(s.msgLen)) }

// Reader is one library's way of reading messages from a connection.
type Reader struct {
	Name   string // the library
	Detail string // what it calls
	Alt    bool   // another way of reading with wsframe, in no ratio
	// Read sets the library up as a server over a connection that reads
	// src, calls ready, then reads n messages and gives each to got.
	Read func(src *Source, n int, got *Got, ready func()) error
}

// FrameReaders returns the readers of the frame-decode table, wsframe
// first. Every frame of its streams is a whole message, so the libraries
// that read only messages read the frames too.
func FrameReaders() []*Reader {
	return []*Reader{
		{Name: "wsframe", Detail: "`codec.Reader.Next`", Read: wsframeFrames(false)},
		{Name: "wsframe ReadFrame", Detail: "`codec.Reader.ReadFrame`: the frame returned by value", Alt: true, Read: wsframeFrames(true)},
		{Name: "wsframe streamed", Detail: "`codec.Reader.Next` with `StreamAbove` = 64 KiB: a larger frame comes in chunks, each unmasked in the read buffer", Alt: true, Read: wsframeStreamed},
		{Name: "gobwas", Detail: "`ws.ReadHeaderBuffer`, `io.ReadFull`, `ws.Cipher`", Read: gobwasFrames},
		{Name: "gorilla", Detail: "`Conn.NextReader`, `Read`", Read: gorillaMessages(false)},
		{Name: "coder", Detail: "`Conn.Reader`, `Read`", Read: coderMessages(false)},
		{Name: "gws", Detail: "`Conn.ReadLoop` → `OnMessage`", Read: gwsMessages},
		{Name: "nbio", Detail: "`Conn.HandleRead` → `OnMessage`", Read: nbioMessages},
	}
}

// MessageReaders returns the readers of the message-decode table, wsframe
// first. gorilla and coder do not check that text is UTF-8: their readers
// call utf8.Valid on each message, as their users must.
func MessageReaders() []*Reader {
	return []*Reader{
		{Name: "wsframe", Detail: "`codec.MessageDecoder.Decode`", Read: wsframeMessages},
		{Name: "wsframe frames", Detail: "`codec.Reader.Next`: no joining, no UTF-8 check", Alt: true, Read: wsframeFrames(false)},
		{Name: "gobwas", Detail: "`wsutil.Reader` with `CheckUTF8`, `Read`", Read: gobwasMessages},
		{Name: "gorilla", Detail: "`Conn.NextReader`, `Read`, `utf8.Valid` ‡", Read: gorillaMessages(true)},
		{Name: "coder", Detail: "`Conn.Reader`, `Read`, `utf8.Valid` ‡", Read: coderMessages(true)},
		{Name: "gws", Detail: "`Conn.ReadLoop` → `OnMessage`, `CheckUtf8Enabled`", Read: gwsMessages},
		{Name: "nbio", Detail: "`Conn.HandleRead` → `OnMessage`", Read: nbioMessages},
	}
}

// wsframeFrames reads frames with a codec.Reader over a 64 KiB buffer,
// with Reader.Next, or with Reader.ReadFrame, which returns each frame by
// value, if byValue; a message of several frames is given to got frame by
// frame. Each is its own loop, as a server would write it.
func wsframeFrames(byValue bool) func(*Source, int, *Got, func()) error {
	if byValue {
		return wsframeReadFrame
	}
	return wsframeNext
}

func wsframeNext(src *Source, n int, got *Got, ready func()) error {
	r := codec.NewReader(src, fake.ReadSize)
	defer r.Reset()
	ready()
	for i := 0; i < n; {
		f, err := r.Next()
		if err != nil {
			return err
		}
		got.Piece(f.Payload, f.Fin)
		if f.Fin {
			i++
		}
	}
	return nil
}

func wsframeReadFrame(src *Source, n int, got *Got, ready func()) error {
	r := codec.NewReader(src, fake.ReadSize)
	defer r.Reset()
	ready()
	for i := 0; i < n; {
		f, err := r.ReadFrame()
		if err != nil {
			return err
		}
		got.Piece(f.Payload, f.Fin)
		if f.Fin {
			i++
		}
	}
	return nil
}

// wsframeStreamed reads with Reader.Next, frames of more than 64 KiB in
// chunks: each chunk, unmasked where it was read, goes to got as a piece of
// its frame, and the last one ends it.
func wsframeStreamed(src *Source, n int, got *Got, ready func()) error {
	r := codec.NewReader(src, fake.ReadSize)
	r.StreamAbove = fake.ReadSize
	defer r.Reset()
	ready()
	for i := 0; i < n; {
		f, err := r.Next()
		if err != nil {
			return err
		}
		last := f.Fin && !f.More
		got.Piece(f.Payload, last)
		if last {
			i++
		}
	}
	return nil
}

// wsframeMessages feeds what it reads into a 64 KiB buffer to a
// codec.MessageDecoder, as the echo example does.
func wsframeMessages(src *Source, n int, got *Got, ready func()) error {
	var d codec.MessageDecoder
	defer d.Reset()
	buf := make([]byte, fake.ReadSize)
	head, tail := 0, 0
	ready()
	for i := 0; i < n; {
		if head == tail {
			k, err := src.Read(buf)
			if err != nil {
				return err
			}
			head, tail = 0, k
		}
		m, k, err := d.Decode(buf[head:tail])
		head += k
		if err == codec.ErrNeedMore {
			continue
		}
		if err != nil {
			return err
		}
		got.Message(m.Payload)
		i++
	}
	return nil
}

// gobwasFrames is gobwas's low-level server read: the header, the checks
// a server makes, the payload into a reused buffer, unmasked in place.
func gobwasFrames(src *Source, n int, got *Got, ready func()) error {
	br := bufio.NewReaderSize(src, fake.ReadSize)
	hbuf := make([]byte, ws.MaxHeaderSize-2)
	var buf []byte
	ready()
	for i := 0; i < n; {
		h, err := ws.ReadHeaderBuffer(br, hbuf)
		if err != nil {
			return err
		}
		if err := ws.CheckHeader(h, ws.StateServerSide); err != nil {
			return err
		}
		if h.Length > MaxPayload {
			return wsutil.ErrFrameTooLarge
		}
		if int64(cap(buf)) < h.Length {
			buf = make([]byte, h.Length)
		}
		p := buf[:h.Length]
		if _, err := io.ReadFull(br, p); err != nil {
			return err
		}
		ws.Cipher(p, h.Mask, 0)
		got.Piece(p, h.Fin)
		if h.Fin {
			i++
		}
	}
	return nil
}

// gobwasMessages reads messages with a wsutil.Reader that checks text is
// UTF-8, into a reused buffer.
func gobwasMessages(src *Source, n int, got *Got, ready func()) error {
	rd := &wsutil.Reader{
		Source:         bufio.NewReaderSize(src, fake.ReadSize),
		State:          ws.StateServerSide,
		CheckUTF8:      true,
		MaxFrameSize:   MaxPayload,
		MaxMessageSize: MaxPayload,
	}
	var buf []byte
	ready()
	for range n {
		h, err := rd.NextFrame()
		if err != nil {
			return err
		}
		if h.OpCode.IsControl() {
			return fmt.Errorf("unexpected %v frame", h.OpCode)
		}
		if buf, err = readAll(rd, buf[:0]); err != nil {
			return err
		}
		got.Message(buf)
	}
	return nil
}

// gorillaMessages reads messages from a server Conn made by
// Upgrader.Upgrade, with a 64 KiB read buffer, into a reused buffer.
func gorillaMessages(text bool) func(*Source, int, *Got, func()) error {
	return func(src *Source, n int, got *Got, ready func()) error {
		up := gorilla.Upgrader{ReadBufferSize: fake.ReadSize}
		c, err := up.Upgrade(&fake.ResponseWriter{Conn: fake.NewConn(src, io.Discard)}, fake.UpgradeRequest(), nil)
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
			if buf, err = readMessage(r, buf, text); err != nil {
				return err
			}
			got.Message(buf)
		}
		return nil
	}
}

// coderMessages reads messages from a Conn made by Accept, over a
// hijacked 64 KiB bufio.Reader, into a reused buffer.
func coderMessages(text bool) func(*Source, int, *Got, func()) error {
	return func(src *Source, n int, got *Got, ready func()) error {
		w := &fake.ResponseWriter{Conn: fake.NewConn(src, io.Discard), ReadBuffer: fake.ReadSize}
		c, err := coder.Accept(w, fake.UpgradeRequest(), &coder.AcceptOptions{InsecureSkipVerify: true})
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
			if buf, err = readMessage(r, buf, text); err != nil {
				return err
			}
			got.Message(buf)
		}
		return nil
	}
}

// gwsHandler gives each message gws reads to got and returns its buffer.
type gwsHandler struct {
	gws.BuiltinEventHandler
	got *Got
	err error
}

func (h *gwsHandler) OnMessage(_ *gws.Conn, m *gws.Message) {
	h.got.Message(m.Bytes())
	m.Close()
}

func (h *gwsHandler) OnClose(_ *gws.Conn, err error) { h.err = err }

// gwsMessages runs gws's read loop on a Conn made by UpgradeFromConn with
// a 64 KiB bufio.Reader until the connection ends after n messages.
func gwsMessages(src *Source, n int, got *Got, ready func()) error {
	h := &gwsHandler{got: got}
	up := gws.NewUpgrader(h, &gws.ServerOption{
		CheckUtf8Enabled:   true,
		ReadMaxPayloadSize: MaxPayload,
		ReadBufferSize:     fake.ReadSize,
	})
	conn := fake.NewConn(src, io.Discard)
	c, err := up.UpgradeFromConn(conn, bufio.NewReaderSize(conn, fake.ReadSize), fake.UpgradeRequest())
	if err != nil {
		return err
	}
	src.limit(n)
	ready()
	c.ReadLoop()
	if got.n < n {
		return fmt.Errorf("the read loop ended after %d of %d messages: %v", got.n, n, h.err)
	}
	return nil
}

// nbioMessages runs nbio's blocking read loop on a Conn made by its
// Upgrader for a net/http server, until the connection ends after n
// messages. The keepalive deadline, which nbio otherwise sets again after
// every message, is off.
func nbioMessages(src *Source, n int, got *Got, ready func()) error {
	u := nbws.NewUpgrader()
	u.BlockingModAsyncWrite = false
	u.BlockingModHandleRead = false
	u.KeepaliveTime = 0
	u.MessageLengthLimit = MaxPayload
	u.OnMessage(func(_ *nbws.Conn, _ nbws.MessageType, p []byte) { got.Message(p) })
	var closeErr error
	u.OnClose(func(_ *nbws.Conn, err error) { closeErr = err })
	w := &fake.ResponseWriter{Conn: fake.NewConn(src, io.Discard)}
	c, err := u.UpgradeWithoutHandlingReadForConnFromSTDServer(w, fake.UpgradeRequest(), nil)
	if err != nil {
		return err
	}
	src.limit(n)
	ready()
	c.HandleRead(NbioReadSize)
	if got.n < n {
		return fmt.Errorf("the read loop ended after %d of %d messages: %v", got.n, n, closeErr)
	}
	return nil
}

// readFloor reads the bytes of n messages into a 64 KiB buffer and
// decodes nothing: the least any reader of the socket does. It calls ready
// first.
func readFloor(src *Source, n int, ready func()) error {
	ready()
	buf := make([]byte, fake.ReadSize)
	for left := int64(n) * int64(src.msgLen); left > 0; {
		k, err := src.Read(buf[:min(int64(len(buf)), left)])
		if err != nil {
			return err
		}
		left -= int64(k)
	}
	return nil
}

// readMessage reads the message r gives into buf, reused from its start,
// and with text checks that it is UTF-8, as the users of libraries that do
// not check it must.
func readMessage(r io.Reader, buf []byte, text bool) ([]byte, error) {
	buf, err := readAll(r, buf[:0])
	if err == nil && text && !utf8.Valid(buf) {
		err = errInvalidUTF8
	}
	return buf, err
}

// readAll appends everything r gives until io.EOF to buf, as io.ReadAll
// does but into a buffer the caller reuses.
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	if cap(buf) == 0 {
		buf = make([]byte, 0, 512)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		k, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+k]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// DecodeCase is a stream of masked client messages of one size.
type DecodeCase struct {
	Name  string // sub-benchmark name: size=1024 or size=1024/frags=4
	Label string // table row
	Size  int
	Frags int  // frames per message
	Text  bool // text messages; else binary

	s *stream
}

// FrameSizes are the payload sizes of the frame-decode cases: a small
// message, the longest with a 2-byte header, and 1 KiB, 16 KiB, 1 MiB.
var FrameSizes = []int{16, 125, 1 << 10, 16 << 10, 1 << 20}

// MessageSizes are the sizes of the message-decode cases.
var MessageSizes = []int{16, 1 << 10, 64 << 10}

// FrameCases returns one stream of binary frames per size in FrameSizes.
func FrameCases() []*DecodeCase {
	var cs []*DecodeCase
	for _, n := range FrameSizes {
		cs = append(cs, &DecodeCase{Name: fmt.Sprintf("size=%d", n), Label: SizeLabel(n), Size: n, Frags: 1})
	}
	return cs
}

// MessageCases returns streams of text messages of each size in
// MessageSizes, in one frame and in 4.
func MessageCases() []*DecodeCase {
	var cs []*DecodeCase
	for _, n := range MessageSizes {
		for _, f := range []int{1, 4} {
			c := &DecodeCase{Name: fmt.Sprintf("size=%d/frags=%d", n, f), Label: SizeLabel(n), Size: n, Frags: f, Text: true}
			if f > 1 {
				c.Label += fmt.Sprintf(" in %d frames", f)
			}
			cs = append(cs, c)
		}
	}
	return cs
}

// SizeLabel writes n bytes as "16 B", "1 KiB", "1 MiB".
func SizeLabel(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// build makes the case's stream the first time it is needed.
func (c *DecodeCase) build() *stream {
	if c.s == nil {
		if c.Text {
			c.s = buildStream(codec.OpText, c.Frags, func(i int) []byte { return textPayload(c.Size, i) })
		} else {
			c.s = buildStream(codec.OpBinary, c.Frags, func(i int) []byte { return randomPayload(c.Size, uint64(i)) })
		}
	}
	return c.s
}

func (c *DecodeCase) source() *Source {
	s := c.build()
	return &Source{sock: newSocket(s), msgLen: s.msgLen}
}

// Bench returns the benchmark of r reading the case's stream: one op is
// one message, its payload unmasked and in the caller's hands.
func (c *DecodeCase) Bench(r *Reader) func(*testing.B) {
	c.build()
	return func(b *testing.B) {
		b.SetBytes(int64(c.Size))
		b.ReportAllocs()
		got := &Got{size: c.Size}
		if err := r.Read(c.source(), b.N, got, b.ResetTimer); err != nil {
			b.Fatalf("%s: %v", r.Name, err)
		}
		b.StopTimer()
		if err := got.Err(b.N); err != nil {
			b.Fatalf("%s: %v", r.Name, err)
		}
	}
}

// Floor returns the benchmark of reading the same bytes from the same
// socket without decoding them.
func (c *DecodeCase) Floor() func(*testing.B) { return c.floor(readFloor) }

// WholeFloor returns the benchmark of reading the same bytes from the same
// socket into a reused buffer the size of one message, without decoding
// them: the least a reader that hands out each message in one piece must
// do, since its bytes must end up in such a buffer.
func (c *DecodeCase) WholeFloor() func(*testing.B) { return c.floor(readWhole) }

// floor returns the benchmark of read on the case's socket, which calls
// ready when the timed part starts.
func (c *DecodeCase) floor(read func(src *Source, n int, ready func()) error) func(*testing.B) {
	c.build()
	return func(b *testing.B) {
		b.SetBytes(int64(c.Size))
		b.ReportAllocs()
		if err := read(c.source(), b.N, b.ResetTimer); err != nil {
			b.Fatal(err)
		}
	}
}

// readWhole reads the bytes of n messages, each into the same buffer of
// one message's size, and decodes nothing. It calls ready once the buffer
// is made.
func readWhole(src *Source, n int, ready func()) error {
	buf := make([]byte, src.msgLen)
	ready()
	for range n {
		if _, err := io.ReadFull(src, buf); err != nil {
			return err
		}
	}
	return nil
}

func newSocket(s *stream) *fake.Socket { return fake.NewSocket(s.wire) }
