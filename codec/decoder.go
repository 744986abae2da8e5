package codec

import (
	"github.com/valyala/bytebufferpool"

	"github.com/wsframe/wsframe/mask"
)

// DefaultMaxPayload is the frame payload limit of a Decoder whose MaxPayload
// is zero.
const DefaultMaxPayload = 16 << 20

// minGather is the smallest buffer a gathered frame grows to.
const minGather = 512

// framePools hold the buffers that gather frames split across inputs, one
// pool for each class of declared length, so that a small frame is not
// handed the buffer a large one grew. A frame longer than the last class
// gathers into a buffer of its own. The classes are powers of two, from
// 1 KiB to 16 MiB.
var framePools [numClasses]bufPool

const (
	minClassShift = 10 // 1 KiB
	numClasses    = 15 // up to 16 MiB
)

// frameClass returns the index of the pool for n bytes, or -1 when n is
// larger than the last class.
func frameClass(n int64) int8 {
	for i := 0; i < numClasses; i++ {
		if n <= 1<<(minClassShift+i) {
			return int8(i)
		}
	}
	return -1
}

// Frame is a decoded frame, or one chunk of a streamed frame.
type Frame struct {
	Header
	// Payload is the unmasked payload: a view of the input given to Decode,
	// or of a buffer owned by the Decoder when the frame was gathered from
	// several inputs. See Decoder.Decode for how long it stays valid. Its
	// capacity ends with it, so an append to it copies instead of writing
	// over the bytes that follow it in the input.
	Payload []byte
	// Offset is where Payload starts within the frame's payload: zero except
	// for the second and later chunks of a streamed frame.
	Offset int64
	// More reports that further chunks of this frame follow. It is false for
	// a whole frame and for the last chunk of a streamed one.
	More bool
}

// Decoder decodes frames from bytes fed to it in pieces of any size. It
// never reads from a connection: the caller does, and passes what it read
// to Decode.
//
// The zero value decodes frames sent by a client (it is a server's decoder)
// with DefaultMaxPayload and no RSV bits allowed. Set the fields before the
// first call to Decode. Between frames a Decoder holds no buffer, only its
// fixed-size state.
type Decoder struct {
	// Client makes this a client's decoder: frames must be unmasked.
	// Otherwise frames must be masked, as RFC 6455 section 5.1 requires of
	// frames sent by a client.
	Client bool

	// Rsv holds the RSV bits the connection negotiated (Rsv1 for
	// permessage-deflate). A frame with any other RSV bit set fails with
	// ErrReservedBits.
	Rsv uint8

	// RejectNonMinimal fails frames whose payload length is not in its
	// shortest encoding (RFC 6455 section 5.2) with ErrNonMinimalLength.
	RejectNonMinimal bool

	// NoGather makes Decode leave a partial frame to the caller: it
	// consumes nothing and returns ErrNeedMore, and Needed tells how many
	// more bytes the frame needs, so the caller can keep the bytes, read
	// more after them and call Decode again with the frame's first byte at
	// the start. Streamed frames (StreamAbove) still come back in chunks.
	NoGather bool

	// MaxPayload limits the payload length a frame may declare; a longer one
	// fails with ErrFrameTooLarge (close 1009) as soon as its header is
	// read, before any payload is buffered. Zero means DefaultMaxPayload;
	// a negative value means no limit.
	MaxPayload int64

	// StreamAbove, when positive, makes frames with a longer payload that
	// are not wholly inside the input come back as a sequence of chunks
	// (Frame.More, Frame.Offset) instead of being gathered, so a frame of
	// any size is decoded with no buffer of its size.
	StreamAbove int64

	// Set by a MessageDecoder: data frames not wholly in the input come
	// through in chunks, and their declared length is held against the
	// room left in the message (msgRoom for a continuation, msgMax for a
	// frame that starts one; negative means no limit).
	chunked bool
	inflate bool // RSV1 is allowed: the MessageDecoder inflates
	// The pool classes of the gather and held buffers.
	gatherClass, heldClass int8
	state                  uint8
	hlen                   uint8
	hbuf                   [MaxHeaderSize]byte
	msgRoom                int64
	msgMax                 int64

	hdr    Header
	off    int64 // payload bytes of the current frame already taken
	need   int64
	gather *bytebufferpool.ByteBuffer
	held   *bytebufferpool.ByteBuffer
	err    error
}

const (
	stateIdle   = iota // between frames
	stateHeader        // hbuf holds the first hlen bytes of a header
	stateGather        // gather holds the first off payload bytes of hdr's frame
	stateStream        // off payload bytes of hdr's frame were delivered
)

// Decode decodes the next frame from b and returns it with the number of
// bytes of b it consumed. The caller passes the unconsumed rest of b (or,
// once b is used up, the next bytes it reads) to the following call.
//
// A frame wholly inside b comes back as a view of b, unmasked in place: no
// copy, no allocation. It is valid as long as the caller leaves those bytes
// of b alone; Decode writes to b only to unmask such frames.
//
// When b ends inside a frame, Decode takes the bytes it has and returns
// ErrNeedMore with n == len(b); the frame comes back from a later call,
// gathered into a pooled buffer, and its Payload is valid until the next
// call to Decode, Release or Reset. With NoGather set it consumes nothing
// instead. With StreamAbove set, a large frame comes back in chunks, each a
// view of the input it arrived in, unmasked in place.
//
// A violation by the peer returns a *ProtocolError with n == 0, and every
// later call returns the same error: the connection must be failed with the
// error's close code. Frames before the bad one have already been returned
// by earlier calls.
func (d *Decoder) Decode(b []byte) (f Frame, n int, err error) {
	if n = d.quickIdle(&f, b); n > 0 {
		return f, n, nil
	}
	if d.held != nil {
		d.Release()
	}
	if d.err != nil {
		return Frame{}, 0, d.err
	}
	switch d.state {
	case stateIdle:
		n, err = d.decodeFrame(&f, b)
	case stateHeader:
		n, err = d.continueHeader(&f, b)
	case stateGather:
		n, err = d.continueGather(&f, b)
	default:
		n, err = d.continueStream(&f, b)
	}
	return f, n, err
}

// quickIdle is quick for a Decoder between frames with nothing held and no
// error, and 0 otherwise.
func (d *Decoder) quickIdle(f *Frame, b []byte) int {
	if d.state != stateIdle || d.held != nil || d.err != nil {
		return 0
	}
	return d.quick(f, b)
}

// quick decodes the frame at the start of b into *f and returns its size
// when the frame is the common case: a 7- or 16-bit length, wholly inside
// b, and passing every check. Anything else returns 0 and takes the full
// path (decodeFrame), which gives the same result with the error or the
// partial frame handled. It keeps a small frame to one call (and the one to
// mask.XOR), which is most of the cost of decoding it.
func (d *Decoder) quick(f *Frame, b []byte) int {
	if len(b) < 2 {
		return 0
	}
	b0, b1 := b[0], b[1]
	op := Opcode(b0 & 0xf)
	rsv := (b0 >> 4) & 7
	masked := b1&0x80 != 0
	length := int(b1 & 0x7f)
	if op.IsReserved() || masked == d.Client || rsv&^d.Rsv != 0 && (!d.inflate || rsv&^(d.Rsv|Rsv1) != 0) {
		return 0
	}
	n := 2
	if length >= 126 {
		// Control frames may not have an extended length, and 64-bit
		// lengths are rare enough to leave to the full path.
		if length == 127 || op.IsControl() || len(b) < 4 {
			return 0
		}
		length = int(b[2])<<8 | int(b[3])
		if d.RejectNonMinimal && length < 126 {
			return 0
		}
		n = 4
	}
	if op.IsControl() && b0&0x80 == 0 {
		return 0
	}
	if max := d.MaxPayload; max != 0 && max >= 0 && int64(length) > max {
		return 0
	}
	if d.chunked && !op.IsControl() {
		room := d.msgMax
		if op == OpContinuation {
			room = d.msgRoom
		}
		if room >= 0 && int64(length) > room {
			return 0
		}
	}
	if !masked {
		if len(b)-n < length {
			return 0
		}
		f.Fin, f.Rsv, f.Opcode, f.Masked, f.Key, f.Length = b0&0x80 != 0, rsv, op, false, [4]byte{}, int64(length)
		f.Payload, f.Offset, f.More = b[n:n+length:n+length], 0, false
		return n + length
	}
	if len(b)-n-4 < length {
		return 0
	}
	// The key is written once as a word, and the fields of f one by one
	// rather than as a Header literal, which the compiler builds on the
	// stack and copies. Everything is stored before the call to mask.XOR,
	// so that only the size returned has to be kept across it.
	key := [4]byte(b[n : n+4])
	f.Key = key
	n += 4
	f.Fin, f.Rsv, f.Opcode, f.Masked, f.Length = b0&0x80 != 0, rsv, op, true, int64(length)
	p := b[n : n+length : n+length]
	f.Payload, f.Offset, f.More = p, 0, false
	mask.XOR(p, key, 0)
	return n + length
}

// The steps below fill in *f and return the bytes of b consumed; they
// write the result in place rather than return it, so that a frame is not
// copied from one call to the next on its way out.

// decodeFrame starts a frame at b[0].
func (d *Decoder) decodeFrame(f *Frame, b []byte) (int, error) {
	hn, err := decodeHeader(&f.Header, b)
	if err != nil {
		f.Header = Header{}
		if err != ErrShortHeader {
			return d.fail(err)
		}
		d.need = int64(HeaderSize(b) - len(b))
		if d.NoGather || len(b) == 0 {
			return 0, ErrNeedMore
		}
		d.hlen = uint8(copy(d.hbuf[:], b))
		d.state = stateHeader
		return len(b), ErrNeedMore
	}
	if err := d.check(&f.Header, hn); err != nil {
		f.Header = Header{}
		return d.fail(err)
	}
	if d.NoGather && int64(len(b)-hn) < f.Length && !d.streams(&f.Header) {
		d.need = f.Length - int64(len(b)-hn)
		f.Header = Header{}
		return 0, ErrNeedMore
	}
	n, err := d.payload(f, b[hn:])
	return hn + n, err
}

// streams reports whether the frame with header h is delivered in chunks
// when it is not wholly in the input. Control frames never are.
func (d *Decoder) streams(h *Header) bool {
	if h.Opcode.IsControl() {
		return false
	}
	return d.chunked || d.StreamAbove > 0 && h.Length > d.StreamAbove
}

// continueHeader completes a header begun in hbuf with bytes from b.
func (d *Decoder) continueHeader(f *Frame, b []byte) (int, error) {
	old := int(d.hlen)
	k := copy(d.hbuf[old:], b)
	hn, err := decodeHeader(&f.Header, d.hbuf[:old+k])
	if err != nil {
		f.Header = Header{}
		if err != ErrShortHeader {
			return d.fail(err)
		}
		d.hlen += uint8(k)
		d.need = int64(HeaderSize(d.hbuf[:d.hlen]) - int(d.hlen))
		return k, ErrNeedMore
	}
	if err := d.check(&f.Header, hn); err != nil {
		f.Header = Header{}
		return d.fail(err)
	}
	d.state, d.hlen = stateIdle, 0
	used := hn - old // header bytes taken from b
	n, err := d.payload(f, b[used:])
	return used + n, err
}

// payload handles the frame whose header is in f and whose payload starts
// at p.
func (d *Decoder) payload(f *Frame, p []byte) (int, error) {
	if int64(len(p)) >= f.Length {
		p = p[:f.Length:f.Length]
		if f.Masked {
			mask.XOR(p, f.Key, 0)
		}
		f.Payload = p
		return len(p), nil
	}
	d.hdr = f.Header
	if d.streams(&f.Header) {
		d.state, d.off = stateStream, 0
		return d.continueStream(f, p)
	}
	f.Header = Header{}
	d.gatherClass = frameClass(d.hdr.Length)
	if d.gatherClass >= 0 {
		d.gather = framePools[d.gatherClass].Get()
	} else {
		d.gather = new(bytebufferpool.ByteBuffer)
	}
	d.state, d.off = stateGather, 0
	n := d.appendGather(p)
	d.need = d.hdr.Length - d.off
	return n, ErrNeedMore
}

// appendGather masks p into the gathering buffer, growing it only by what
// arrived.
func (d *Decoder) appendGather(p []byte) int {
	if rest := d.hdr.Length - d.off; int64(len(p)) > rest {
		p = p[:rest]
	}
	space := d.gatherSpace(len(p))
	if d.hdr.Masked {
		mask.XORCopy(space, p, d.hdr.Key, int(d.off&3))
	} else {
		copy(space, p)
	}
	d.gather.B = d.gather.B[:len(d.gather.B)+len(p)]
	d.off += int64(len(p))
	return len(p)
}

// gatherSpace makes room for n more bytes (no more than the frame still
// needs) after the gathered ones and returns it. The buffer doubles, as
// append would, but never past the frame's declared length: memory follows
// the bytes that arrived, at most twice.
func (d *Decoder) gatherSpace(n int) []byte {
	n = int(min(int64(n), d.hdr.Length-d.off))
	buf := d.gather.B
	l := len(buf)
	if cap(buf)-l < n {
		c := int(min(int64(max(2*cap(buf), l+n, minGather)), d.hdr.Length))
		nb := make([]byte, l, c)
		copy(nb, buf)
		d.gather.B = nb
		buf = nb
	}
	return buf[l : l+n]
}

// gatherRoom returns how many bytes, at most limit, to read next straight
// into the gathering buffer: its spare capacity, or when it has none as
// many bytes as it holds (at least minGather), so that reading into it
// grows it only as appending what arrived would.
func (d *Decoder) gatherRoom(limit int) int {
	b := d.gather.B
	n := cap(b) - len(b)
	if n == 0 {
		n = max(len(b), minGather)
	}
	return min(n, limit)
}

// gathered takes n bytes the caller placed, still masked, in the space
// gatherSpace returned, and completes the frame into *f when they were its
// last.
func (d *Decoder) gathered(f *Frame, n int) bool {
	buf := d.gather.B
	l := len(buf)
	buf = buf[:l+n]
	if d.hdr.Masked {
		mask.XOR(buf[l:], d.hdr.Key, int(d.off&3))
	}
	d.gather.B = buf
	d.off += int64(n)
	if d.off < d.hdr.Length {
		d.need = d.hdr.Length - d.off
		return false
	}
	d.complete(f)
	return true
}

// complete hands the gathered frame to the caller.
func (d *Decoder) complete(f *Frame) {
	d.held, d.heldClass, d.gather = d.gather, d.gatherClass, nil
	d.state, d.need = stateIdle, 0
	f.Header, f.Payload = d.hdr, d.held.B[:len(d.held.B):len(d.held.B)]
}

func (d *Decoder) continueGather(f *Frame, b []byte) (int, error) {
	n := d.appendGather(b)
	if d.off < d.hdr.Length {
		d.need = d.hdr.Length - d.off
		return n, ErrNeedMore
	}
	d.complete(f)
	return n, nil
}

// continueStream delivers the next chunk of a streamed frame from b.
func (d *Decoder) continueStream(f *Frame, b []byte) (int, error) {
	rest := d.hdr.Length - d.off
	if int64(len(b)) > rest {
		b = b[:rest]
	}
	if len(b) == 0 {
		f.Header = Header{}
		d.need = rest
		return 0, ErrNeedMore
	}
	if d.hdr.Masked {
		mask.XOR(b, d.hdr.Key, int(d.off&3))
	}
	f.Header, f.Payload, f.Offset = d.hdr, b[:len(b):len(b)], d.off
	d.off += int64(len(b))
	if f.More = d.off < d.hdr.Length; !f.More {
		d.state = stateIdle
	}
	d.need = 0
	return len(b), nil
}

// check applies the rules that depend on the connection.
func (d *Decoder) check(h *Header, hn int) error {
	if h.Masked == d.Client {
		if d.Client {
			return ErrMaskedFrame
		}
		return ErrUnmaskedFrame
	}
	allowed := d.Rsv
	if d.inflate {
		allowed |= Rsv1
	}
	if h.Rsv&^allowed != 0 {
		return ErrReservedBits
	}
	if max := d.maxPayload(); max >= 0 && h.Length > max {
		return ErrFrameTooLarge
	}
	if d.chunked && !h.Opcode.IsControl() {
		room := d.msgMax
		if h.Opcode == OpContinuation {
			room = d.msgRoom
		}
		if room >= 0 && h.Length > room {
			return ErrMessageTooLarge
		}
	}
	if d.RejectNonMinimal && hn != h.Size() {
		return ErrNonMinimalLength
	}
	return nil
}

func (d *Decoder) maxPayload() int64 {
	if d.MaxPayload == 0 {
		return DefaultMaxPayload
	}
	return d.MaxPayload
}

func (d *Decoder) fail(err error) (int, error) {
	d.err = err
	d.dropGather()
	d.state = stateIdle
	return 0, err
}

// Needed returns how many more bytes the frame (or header) in progress
// needs after the last call to Decode returned ErrNeedMore. For a header it
// counts only the bytes known to be missing, at least one.
func (d *Decoder) Needed() int64 { return d.need }

// Release returns the buffer of the last gathered frame to its pool. Its
// Payload must not be used afterwards. Decode calls Release itself; call it
// earlier to give the memory back while waiting for the next input.
func (d *Decoder) Release() {
	if d.held != nil {
		putFrame(d.held, d.heldClass, d.maxPayload())
		d.held = nil
	}
}

// Reset drops any frame in progress and any error, returns buffers to their
// pools, and keeps the configuration. Call it when the connection ends so a
// half-gathered frame's buffer is not lost to the pool.
func (d *Decoder) Reset() {
	d.Release()
	d.dropGather()
	d.state, d.hlen, d.off, d.need, d.err = stateIdle, 0, 0, 0, nil
}

// Err returns the protocol error that stopped the Decoder, if any.
func (d *Decoder) Err() error { return d.err }

func (d *Decoder) dropGather() {
	if d.gather != nil {
		putFrame(d.gather, d.gatherClass, d.maxPayload())
		d.gather = nil
	}
}

func putFrame(b *bytebufferpool.ByteBuffer, class int8, limit int64) {
	if class >= 0 {
		putBuffer(&framePools[class], b, limit)
	}
}

// putBuffer returns b to pool unless it grew past limit (a negative limit
// means none), so that no buffer larger than the configured limit is kept.
func putBuffer(pool *bufPool, b *bytebufferpool.ByteBuffer, limit int64) {
	if limit >= 0 && int64(cap(b.B)) > limit {
		return
	}
	pool.Put(b)
}
