package codec

import (
	"compress/flate"
	"crypto/rand"
	"net"
	"slices"
	"unicode/utf8"
	"unsafe"

	"github.com/wsframe/wsframe/mask"
)

// AppendFrame appends a frame with header h and the given payload to dst
// and returns the extended slice. h.Length is taken from len(payload). If
// h.Masked, the payload is masked with h.Key as it is copied, so payload
// itself is never modified. It allocates only when dst lacks room, or when
// payload lies in the spare capacity of dst that the frame would be written
// over.
func AppendFrame(dst []byte, h Header, payload []byte) []byte {
	return appendFrame(dst, firstByte(h.Opcode, h.Fin, h.Rsv), payload, h.Masked, h.Key)
}

// appendFrame appends the frame whose header starts with b0, growing dst
// once for header and payload together.
func appendFrame(dst []byte, b0 byte, payload []byte, masked bool, key [4]byte) []byte {
	n := len(payload)
	hn := headerLen(int64(n), masked)
	l := len(dst)
	dst = slices.Grow(dst, hn+n)[:l+hn+n]
	if overlaps(dst[l:], payload) {
		dst = append(make([]byte, 0, l+hn+n), dst[:l]...)[:l+hn+n]
	}
	putHeader(dst[l:l+hn], b0, int64(n), masked, key)
	if masked {
		mask.XORCopy(dst[l+hn:], payload, key, 0)
	} else {
		copy(dst[l+hn:], payload)
	}
	return dst
}

// overlaps reports whether a and b share any byte of memory.
func overlaps(a, b []byte) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	pa, pb := uintptr(unsafe.Pointer(unsafe.SliceData(a))), uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return pa < pb+uintptr(len(b)) && pb < pa+uintptr(len(a))
}

// keyBatch is how many masking keys an Encoder draws from crypto/rand at a
// time.
const keyBatch = 64

// Encoder writes frames. The zero value writes server frames: unmasked.
// With Client set, every frame is masked with a fresh key from crypto/rand
// (RFC 6455 section 5.3), drawn in batches so that not every frame costs a
// system call, and the caller's payload is never modified.
//
// An Encoder is not safe for concurrent use; it remembers whether a Close
// frame was sent, after which it refuses data frames.
type Encoder struct {
	// Client makes this a client's encoder: frames are masked.
	Client bool

	// Compress enables permessage-deflate (RFC 7692) for the messages of
	// AppendMessage of at least CompressMin bytes (DefaultCompressMin if
	// zero); shorter ones go out uncompressed, which the peer accepts
	// whatever was negotiated. Each message is compressed on its own, with
	// no context taken over from earlier ones, which is valid under every
	// negotiation and keeps no flate state per connection: compressors are
	// shared through a pool.
	Compress bool
	// CompressLevel is the compress/flate level; 0 means flate.BestSpeed.
	CompressLevel int
	// CompressMin is the smallest payload that is compressed.
	CompressMin int
	// Flate is the DEFLATE implementation; nil means compress/flate.
	Flate *Flate

	closed bool
	nkeys  int
	keys   *[keyBatch * 4]byte // allocated by the first masked frame
	hdr    [MaxHeaderSize]byte
	bufs   [2][]byte
}

func (e *Encoder) nextKey() [4]byte {
	if e.nkeys == 0 {
		e.drawKeys()
	}
	e.nkeys--
	i := e.nkeys * 4
	return [4]byte(e.keys[i : i+4])
}

func (e *Encoder) drawKeys() {
	if e.keys == nil {
		e.keys = new([keyBatch * 4]byte)
	}
	if _, err := rand.Read(e.keys[:]); err != nil {
		panic("codec: crypto/rand failed: " + err.Error())
	}
	e.nkeys = keyBatch
}

// AppendFrame appends one frame with the given opcode, FIN bit, RSV bits and
// payload to dst. Control frames must have fin set and at most 125 bytes of
// payload (else ErrControlPayload); data frames fail with ErrClosed once a
// Close frame was sent.
func (e *Encoder) AppendFrame(dst []byte, op Opcode, fin bool, rsv uint8, payload []byte) ([]byte, error) {
	if op.IsControl() || e.closed {
		if err := e.allowed(op, fin, len(payload)); err != nil {
			return dst, err
		}
	}
	return e.appendFrame(dst, firstByte(op, fin, rsv), payload), nil
}

// appendFrame appends one frame in e's role.
func (e *Encoder) appendFrame(dst []byte, b0 byte, payload []byte) []byte {
	if !e.Client {
		return appendFrame(dst, b0, payload, false, [4]byte{})
	}
	return appendFrame(dst, b0, payload, true, e.nextKey())
}

func (e *Encoder) allowed(op Opcode, fin bool, n int) error {
	if op.IsControl() {
		if !fin || n > MaxControlPayload {
			return ErrControlPayload
		}
		if op == OpClose {
			e.closed = true
		}
		return nil
	}
	if e.closed {
		return ErrClosed
	}
	return nil
}

// AppendMessage appends a whole message of opcode op (OpText or OpBinary)
// as frames of at most maxFrame payload bytes each (one frame if maxFrame <=
// 0 or the payload fits). rsv is set on the first frame only, as
// permessage-deflate requires. With Compress set, a payload of at least
// CompressMin bytes is compressed and sent with RSV1.
func (e *Encoder) AppendMessage(dst []byte, op Opcode, rsv uint8, payload []byte, maxFrame int) ([]byte, error) {
	if op.IsControl() {
		return e.AppendFrame(dst, op, true, rsv, payload)
	}
	if e.closed {
		return dst, ErrClosed
	}
	if e.Compress && len(payload) >= e.compressMin() {
		level := e.CompressLevel
		if level == 0 {
			level = flate.BestSpeed
		}
		if err := checkLevel(level); err != nil {
			return dst, err
		}
		buf := deflated.Get()
		var err error
		if buf.B, err = flateOf(e.Flate).appendDeflate(buf.B[:0], payload, level); err != nil {
			deflated.Put(buf)
			return dst, err
		}
		dst, _ = e.appendFrames(dst, op, rsv|Rsv1, buf.B, maxFrame)
		deflated.Put(buf)
		return dst, nil
	}
	return e.appendFrames(dst, op, rsv, payload, maxFrame)
}

// DefaultCompressMin is the CompressMin of an Encoder that leaves it zero.
const DefaultCompressMin = 128

func (e *Encoder) compressMin() int {
	if e.CompressMin == 0 {
		return DefaultCompressMin
	}
	return e.CompressMin
}

func (e *Encoder) appendFrames(dst []byte, op Opcode, rsv uint8, payload []byte, maxFrame int) ([]byte, error) {
	if maxFrame <= 0 || len(payload) <= maxFrame {
		return e.appendFrame(dst, firstByte(op, true, rsv), payload), nil
	}
	for first := true; ; first = false {
		n := min(maxFrame, len(payload))
		b0 := firstByte(OpContinuation, n == len(payload), 0)
		if first {
			b0 = firstByte(op, n == len(payload), rsv)
		}
		dst = e.appendFrame(dst, b0, payload[:n])
		payload = payload[n:]
		if len(payload) == 0 {
			return dst, nil
		}
	}
}

// Buffers returns a frame as net.Buffers ready for writev: the header, held
// by the Encoder, and the payload. A server's payload is the caller's slice
// itself, uncopied. A client's must be masked into a copy: Buffers masks it
// into the start of scratch, growing scratch when it is too short (it may be
// nil), or into a new buffer when scratch's memory overlaps the payload. To
// reuse scratch, keep the result's last buffer before writing the result
// (net.Buffers.WriteTo consumes the slice) and pass it back. The payload
// goes to the start of scratch, not after a header, so that a scratch buffer
// allocated like the payload (large slices from Go's allocator start a page)
// lies at the same offset within its 4 KiB page: masking one into the other
// is then as fast as copy() between aligned buffers, while a destination a
// few bytes after the source's offset can be slower (15-40 % at 16 KiB on
// AMD Zen 3).
// The result is valid until the next call on e, and its last buffer until
// scratch is reused.
func (e *Encoder) Buffers(scratch []byte, op Opcode, fin bool, rsv uint8, payload []byte) (net.Buffers, error) {
	if err := e.allowed(op, fin, len(payload)); err != nil {
		return nil, err
	}
	n := len(payload)
	b0 := firstByte(op, fin, rsv)
	if !e.Client {
		hn := headerLen(int64(n), false)
		putHeader(e.hdr[:hn], b0, int64(n), false, [4]byte{})
		e.bufs[0], e.bufs[1] = e.hdr[:hn], payload
		return e.bufs[:2], nil
	}
	key := e.nextKey()
	hn := headerLen(int64(n), true)
	putHeader(e.hdr[:hn], b0, int64(n), true, key)
	masked := slices.Grow(scratch[:0], n)[:n]
	if overlaps(masked, payload) {
		masked = make([]byte, n)
	}
	mask.XORCopy(masked, payload, key, 0)
	e.bufs[0], e.bufs[1] = e.hdr[:hn], masked
	return e.bufs[:2], nil
}

// AppendPing appends a Ping frame (at most 125 bytes of payload).
func (e *Encoder) AppendPing(dst, payload []byte) ([]byte, error) {
	return e.AppendFrame(dst, OpPing, true, 0, payload)
}

// AppendPong appends a Pong frame (at most 125 bytes of payload).
func (e *Encoder) AppendPong(dst, payload []byte) ([]byte, error) {
	return e.AppendFrame(dst, OpPong, true, 0, payload)
}

// AppendClose appends a Close frame with the given code and reason (see
// AppendClosePayload); code 0 sends a Close frame with no payload. After it
// the Encoder refuses data frames.
func (e *Encoder) AppendClose(dst []byte, code CloseCode, reason string) ([]byte, error) {
	var p [MaxControlPayload]byte
	payload, err := AppendClosePayload(p[:0], code, reason)
	if err != nil {
		return dst, err
	}
	return e.AppendFrame(dst, OpClose, true, 0, payload)
}

// Closed reports whether a Close frame was sent through e.
func (e *Encoder) Closed() bool { return e.closed }

// maxCloseReason is the longest reason that fits a Close frame with a code.
const maxCloseReason = MaxControlPayload - 2

// AppendClosePayload appends the payload of a Close frame: the big-endian
// code and the reason, cut on a rune boundary to the 123 bytes that fit.
// Code 0 appends nothing (a Close frame without status); a code that must
// not be sent (see CloseCode.Valid) returns ErrCloseCode.
func AppendClosePayload(dst []byte, code CloseCode, reason string) ([]byte, error) {
	if code == 0 {
		return dst, nil
	}
	if !code.Valid() {
		return dst, ErrCloseCode
	}
	if len(reason) > maxCloseReason {
		cut := maxCloseReason
		for cut > 0 && !utf8.RuneStart(reason[cut]) {
			cut--
		}
		reason = reason[:cut]
	}
	dst = append(dst, byte(code>>8), byte(code))
	return append(dst, reason...), nil
}

// ParseClosePayload decodes the payload of a received Close frame. An empty
// payload gives CloseNoStatus. A 1-byte payload fails with ErrCloseLength, a
// code that may not be sent with ErrInvalidCloseCode and a reason that is
// not UTF-8 with ErrInvalidUTF8. reason is a view of p.
func ParseClosePayload(p []byte) (code CloseCode, reason []byte, err error) {
	switch {
	case len(p) == 0:
		return CloseNoStatus, nil, nil
	case len(p) == 1:
		return 0, nil, ErrCloseLength
	}
	code = CloseCode(p[0])<<8 | CloseCode(p[1])
	if !code.Valid() {
		return 0, nil, ErrInvalidCloseCode
	}
	if !utf8.Valid(p[2:]) {
		return 0, nil, ErrInvalidUTF8
	}
	return code, p[2:], nil
}
