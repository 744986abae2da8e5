package codec

import "github.com/valyala/bytebufferpool"

// DefaultMaxMessage is the message size limit of a MessageDecoder whose
// MaxMessage is zero.
const DefaultMaxMessage = 16 << 20

// DefaultMaxFragments is the fragment limit of a MessageDecoder whose
// MaxFragments is zero.
const DefaultMaxFragments = 1 << 17

// messagePools hold the buffers that gather messages, by class of
// capacity as framePools are by declared length; they are not framePools,
// as messages and frames have different sizes.
//
// A buffer goes back to the pool it came from, chosen by the length its
// message's first frame declared, even when the message grew past that:
// the next message that starts the same way then finds the grown buffer.
var messagePools [numClasses]bufPool

// getMessage returns an empty buffer, and its pool's class, for a message
// whose first frame declared n bytes.
func getMessage(n int64) (*bytebufferpool.ByteBuffer, int8) {
	c := frameClass(n)
	if c < 0 {
		return new(bytebufferpool.ByteBuffer), c
	}
	return messagePools[c].Get(), c
}

func putMessage(b *bytebufferpool.ByteBuffer, class int8, limit int64) {
	if class >= 0 {
		putBuffer(&messagePools[class], b, limit)
	}
}

// Message is a message, a control frame, or (MessageDecoder.Stream) one
// piece of a message.
type Message struct {
	// Opcode is OpText, OpBinary, OpClose, OpPing or OpPong; a piece of a
	// streamed message carries the opcode of the message.
	Opcode Opcode
	// Payload is the payload: a view of the input when the message was one
	// frame inside it, else a buffer owned by the MessageDecoder. It is
	// valid until the next call to Decode, Release or Reset.
	Payload []byte
	// More reports that further pieces of a streamed message follow.
	More bool
	// Compressed reports that RSV1 was set on the message's first frame
	// (permessage-deflate).
	Compressed bool
	// Code and Reason are the decoded payload of a Close frame. Code is
	// CloseNoStatus when the frame had no payload.
	Code   CloseCode
	Reason []byte
}

// MessageDecoder turns frames into messages: it joins fragments, passes
// control frames through as they arrive (also between fragments), checks
// that text is UTF-8 as it arrives, decodes Close frames and enforces size
// limits. Like Decoder it does no I/O; the embedded Decoder's fields
// configure the frame level.
//
// A message of one frame wholly inside the input comes back as a view of
// it. A message of several frames, and a data frame split across inputs,
// is joined in the message's pooled buffer, valid until the next call to
// Decode, Release or Reset: the pieces are unmasked and copied once, as
// their bytes arrive, and text is validated piece by piece, so invalid
// UTF-8 fails the connection as soon as its first impossible byte arrives,
// even inside a frame that has not ended. The Decoder's StreamAbove has no
// further effect here.
//
// The zero value is a server's decoder with default limits.
type MessageDecoder struct {
	Decoder

	// MaxMessage limits the size of a message, the sum of its fragments;
	// a message that would exceed it fails with ErrMessageTooLarge (close
	// 1009) as soon as a frame header declares it, before the payload is
	// buffered. Zero means DefaultMaxMessage; negative means no limit.
	MaxMessage int64

	// MaxFragments limits the frames of one message: more fail with
	// ErrTooManyFragments (close 1009). Zero means DefaultMaxFragments;
	// negative means no limit.
	MaxFragments int

	// Stream delivers each fragment, and each piece of a fragment as it
	// arrives, with More set on all but the last, instead of gathering the
	// message. Compressed messages are always gathered.
	Stream bool

	// Inflate enables permessage-deflate (RFC 7692) as negotiated: RSV1 is
	// accepted on the first frame of a data message, and such a message is
	// inflated before it is delivered. MaxMessage then limits the inflated
	// size too, checked as the output is produced, so a small message that
	// inflates to a huge one fails with ErrMessageTooLarge after at most
	// MaxMessage bytes; text is checked for UTF-8 after inflating. The
	// inflater is shared through a pool: a connection holds no flate state
	// between messages.
	Inflate bool

	// InflateContext is set when the peer keeps its compression context
	// from message to message (no client_no_context_takeover, or for a
	// client no server_no_context_takeover, was negotiated). The decoder
	// then keeps the last 32 KiB of inflated output between messages: that
	// is the memory context takeover costs per connection.
	InflateContext bool

	// Flate is the DEFLATE implementation; nil means compress/flate.
	Flate *Flate

	open         bool // a data message is in progress
	op           Opcode
	compressed   bool
	frags        int
	size         int64 // payload bytes of the message so far
	text         utf8State
	badAt        int64
	peerClosed   bool
	buf          *bytebufferpool.ByteBuffer
	held         *bytebufferpool.ByteBuffer
	heldInflated bool   // held is from the inflated pool, not messagePools
	bufClass     int8   // the messagePools class of buf
	heldClass    int8   // and of held
	window       []byte // the peer's compression context, with InflateContext
	err          error
}

// Decode decodes from b until it has a message (or control frame, or with
// Stream a piece) and returns it with the number of bytes of b consumed.
// It returns ErrNeedMore when b ran out first: everything in b was taken
// (or, with NoGather, as much as the Decoder could), and the message comes
// from a later call.
//
// A violation by the peer returns a *ProtocolError, and so does every later
// call: fail the connection with its close code. After the peer's Close
// frame has been delivered, Decode returns ErrPeerClosed.
func (m *MessageDecoder) Decode(b []byte) (msg Message, n int, err error) {
	d := &m.Decoder
	if m.held == nil && m.err == nil && !m.peerClosed && !m.open {
		// The common case, a message that is one frame wholly inside b,
		// goes straight through; any other frame decoded here takes the
		// general path.
		m.limitNext()
		var f Frame
		if n = d.quickIdle(&f, b); n > 0 {
			if f.Fin && f.Rsv == 0 && (f.Opcode == OpBinary || f.Opcode == OpText && validUTF8(f.Payload)) {
				m.op, m.compressed, m.frags, m.size = f.Opcode, false, 1, int64(len(f.Payload))
				msg.Opcode, msg.Payload = f.Opcode, f.Payload
				return msg, n, nil
			}
			if msg, ok, err := m.take(f); ok || err != nil {
				return msg, n, err
			}
		}
	}
	return m.decode(b, n)
}

// decode is Decode after the first consumed bytes of b.
func (m *MessageDecoder) decode(b []byte, consumed int) (Message, int, error) {
	if m.held != nil {
		m.Release()
	}
	if m.err != nil {
		return Message{}, consumed, m.err
	}
	if m.peerClosed {
		return Message{}, consumed, ErrPeerClosed
	}
	for {
		m.limitNext()
		f, n, err := m.Decoder.Decode(b[consumed:])
		consumed += n
		if err != nil {
			if err != ErrNeedMore {
				m.fail(err)
			}
			return Message{}, consumed, err
		}
		if msg, ok, err := m.take(f); ok || err != nil {
			return msg, consumed, err
		}
	}
}

// take is frame for a frame Decode has just decoded: an error also fails
// the decoder, and comes with no message.
func (m *MessageDecoder) take(f Frame) (Message, bool, error) {
	msg, ok, err := m.frame(f)
	if err != nil {
		m.fail(err)
		return Message{}, false, err
	}
	return msg, ok, nil
}

// frame takes the next frame or chunk; ok reports a message to deliver.
func (m *MessageDecoder) frame(f Frame) (msg Message, ok bool, err error) {
	h := f.Header
	if h.Opcode.IsControl() {
		if h.Rsv != 0 {
			return Message{}, false, ErrCompressedControl
		}
		msg = Message{Opcode: h.Opcode, Payload: f.Payload}
		if h.Opcode == OpClose {
			if msg.Code, msg.Reason, err = ParseClosePayload(f.Payload); err != nil {
				if err == ErrInvalidUTF8 {
					var v utf8State
					m.badAt = int64(len(f.Payload))
					if i := v.feed(f.Payload[2:]); i >= 0 {
						m.badAt = int64(2 + i)
					}
				}
				return Message{}, false, err
			}
			m.peerClosed = true
		}
		return msg, true, nil
	}
	if f.Offset == 0 {
		if err := m.begin(h); err != nil {
			return Message{}, false, err
		}
	}
	start := m.size
	m.size += int64(len(f.Payload))
	last := h.Fin && !f.More
	if m.op == OpText && !m.compressed {
		if i := m.text.feed(f.Payload); i >= 0 {
			m.badAt = start + int64(i)
			return Message{}, false, ErrInvalidUTF8
		}
		if last && !m.text.complete() {
			m.badAt = m.size
			return Message{}, false, ErrInvalidUTF8
		}
	}
	if last {
		m.open = false
	}
	msg = Message{Opcode: m.op, Compressed: m.compressed}
	if m.compressed && m.Inflate {
		return m.compressedPiece(msg, h.Length, f.Payload, last)
	}
	switch {
	case m.Stream:
		msg.Payload, msg.More = f.Payload, !last
		return msg, true, nil
	case last && m.buf == nil: // the whole message in one piece
		msg.Payload = f.Payload
		return msg, true, nil
	}
	if m.buf == nil {
		m.buf, m.bufClass = getMessage(h.Length)
	}
	m.buf.B = append(m.buf.B, f.Payload...)
	if !last {
		return Message{}, false, nil
	}
	m.held, m.heldClass, m.heldInflated, m.buf = m.buf, m.bufClass, false, nil
	msg.Payload = m.held.B[:len(m.held.B):len(m.held.B)]
	return msg, true, nil
}

// compressedPiece gathers a piece of a compressed message and, at its
// last piece, inflates the message.
func (m *MessageDecoder) compressedPiece(msg Message, declared int64, p []byte, last bool) (Message, bool, error) {
	if !last || m.buf != nil {
		if m.buf == nil {
			m.buf, m.bufClass = getMessage(declared)
		}
		m.buf.B = append(m.buf.B, p...)
		if !last {
			return Message{}, false, nil
		}
		p = m.buf.B
	}
	out := inflated.Get()
	var dict []byte
	if m.InflateContext {
		dict = m.window
	}
	err := flateOf(m.Flate).inflate(out, p, dict, m.maxMessage())
	m.dropBuf()
	if err != nil {
		putBuffer(&inflated, out, m.maxMessage())
		return Message{}, false, err
	}
	if m.InflateContext {
		m.keepWindow(out.B)
	}
	if m.op == OpText {
		var v utf8State
		if i := v.feed(out.B); i >= 0 || !v.complete() {
			m.badAt = int64(len(out.B))
			if i >= 0 {
				m.badAt = int64(i)
			}
			putBuffer(&inflated, out, m.maxMessage())
			return Message{}, false, ErrInvalidUTF8
		}
	}
	m.held, m.heldInflated = out, true
	msg.Payload = out.B[:len(out.B):len(out.B)]
	return msg, true, nil
}

// keepWindow keeps the last 32 KiB of everything inflated so far.
func (m *MessageDecoder) keepWindow(out []byte) {
	if len(out) >= windowSize {
		m.window = append(m.window[:0], out[len(out)-windowSize:]...)
		return
	}
	if keep := windowSize - len(out); len(m.window) > keep {
		m.window = append(m.window[:0], m.window[len(m.window)-keep:]...)
	}
	m.window = append(m.window, out...)
}

// limitNext tells the Decoder to pass data frames through in chunks and
// how long the next one may be, so that a frame that would make the
// message too large fails at its header and text is checked as it arrives.
func (m *MessageDecoder) limitNext() {
	d := &m.Decoder
	d.chunked, d.inflate = true, m.Inflate
	d.msgMax = m.maxMessage()
	d.msgRoom = d.msgMax
	if d.msgMax >= 0 && m.open {
		d.msgRoom = d.msgMax - m.size
	}
}

// begin checks a data frame's header against the message in progress.
func (m *MessageDecoder) begin(h Header) error {
	if h.Opcode == OpContinuation {
		if !m.open {
			return ErrUnexpectedContinuation
		}
		if h.Rsv&Rsv1 != 0 {
			return ErrCompressedContinuation
		}
		m.frags++
		if max := m.maxFragments(); max > 0 && m.frags > max {
			return ErrTooManyFragments
		}
	} else {
		if m.open {
			return ErrExpectedContinuation
		}
		m.open, m.op, m.compressed = true, h.Opcode, h.Rsv&Rsv1 != 0
		m.frags, m.size, m.text = 1, 0, utf8State{}
	}
	if max := m.maxMessage(); max >= 0 && h.Length > max-m.size {
		return ErrMessageTooLarge
	}
	return nil
}

func (m *MessageDecoder) maxMessage() int64 {
	if m.MaxMessage == 0 {
		return DefaultMaxMessage
	}
	return m.MaxMessage
}

func (m *MessageDecoder) maxFragments() int {
	if m.MaxFragments == 0 {
		return DefaultMaxFragments
	}
	return m.MaxFragments
}

func (m *MessageDecoder) fail(err error) {
	m.err = err
	m.dropBuf()
	m.Decoder.Reset()
	m.Decoder.err = err
}

// InvalidOffset returns, after ErrInvalidUTF8, the offset within the
// message (or Close frame payload) of the first byte that cannot be part of
// valid UTF-8; for text that ended inside a rune, the message length.
func (m *MessageDecoder) InvalidOffset() int64 { return m.badAt }

// PeerClosed reports whether the peer's Close frame has been delivered.
func (m *MessageDecoder) PeerClosed() bool { return m.peerClosed }

// Release returns the buffer of the last gathered message, and of the last
// gathered frame, to their pools. The Payload of the last Message must not
// be used afterwards.
func (m *MessageDecoder) Release() {
	if m.held != nil {
		if m.heldInflated {
			putBuffer(&inflated, m.held, m.maxMessage())
		} else {
			putMessage(m.held, m.heldClass, m.maxMessage())
		}
		m.held = nil
	}
	m.Decoder.Release()
}

// Reset drops any message in progress and any error, returns every buffer
// to its pool and keeps the configuration.
func (m *MessageDecoder) Reset() {
	m.Release()
	m.dropBuf()
	m.Decoder.Reset()
	cfg := m.Decoder
	*m = MessageDecoder{Decoder: cfg, MaxMessage: m.MaxMessage, MaxFragments: m.MaxFragments, Stream: m.Stream,
		Inflate: m.Inflate, InflateContext: m.InflateContext, Flate: m.Flate}
}

func (m *MessageDecoder) dropBuf() {
	if m.buf != nil {
		putMessage(m.buf, m.bufClass, m.maxMessage())
		m.buf = nil
	}
}

// CloseReply returns the code of the Close frame to send in answer to a
// received one (RFC 6455 section 5.5.1): the received code echoed, or
// CloseNormal when the peer's frame had no status.
func (msg Message) CloseReply() CloseCode {
	if msg.Code == CloseNoStatus || msg.Code == 0 {
		return CloseNormal
	}
	return msg.Code
}

// AppendReply appends the frame a peer's control message calls for: a Pong
// with the same payload for a Ping, and for a Close the Close reply (unless
// e already sent one). Other messages append nothing.
func (e *Encoder) AppendReply(dst []byte, msg Message) ([]byte, error) {
	switch msg.Opcode {
	case OpPing:
		return e.AppendPong(dst, msg.Payload)
	case OpClose:
		if e.closed {
			return dst, nil
		}
		return e.AppendClose(dst, msg.CloseReply(), "")
	}
	return dst, nil
}
