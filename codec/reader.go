package codec

import (
	"errors"
	"io"
)

// DefaultReadBufferSize is the read buffer size of a Reader made with size
// zero.
const DefaultReadBufferSize = 4096

// Reader reads frames from an io.Reader, for servers that run a goroutine
// per connection. It is a loop over the embedded Decoder: it reads into one
// reused buffer and decodes the frames inside it, so frames that fit are
// views of that buffer and only frames split across reads are gathered.
// With the Decoder's NoGather set, a split frame is moved to the front of
// the buffer and completed there instead, so every frame is a view of the
// buffer; one that does not fit gives ErrBufferFull.
type Reader struct {
	Decoder
	r     io.Reader
	buf   []byte
	head  int // buf[head:tail] is read but not yet decoded
	tail  int
	frame Frame // the result of Next
}

// NewReader returns a Reader that reads r through a buffer of size bytes
// (DefaultReadBufferSize if size <= 0).
func NewReader(r io.Reader, size int) *Reader {
	if size <= 0 {
		size = DefaultReadBufferSize
	}
	return &Reader{r: r, buf: make([]byte, size)}
}

// ReadFrame returns the next frame (or chunk, see Decoder.StreamAbove). Its
// Payload is valid until the next call to ReadFrame. A connection that ends
// inside a frame gives ErrTruncated; one that ends between frames gives the
// reader's error (io.EOF for a clean end).
func (r *Reader) ReadFrame() (f Frame, err error) {
	// Most frames are wholly inside the buffer: decode them straight into
	// the result.
	if n := r.quickIdle(&f, r.buf[r.head:r.tail]); n > 0 {
		r.head += n
		return f, nil
	}
	return r.readFrame()
}

// Next is ReadFrame returning the frame in place: a pointer to a Frame the
// Reader owns, valid (with its Payload) until the next call to Next or
// ReadFrame. It saves copying the Frame out, which is a good part of the
// cost of a small frame.
func (r *Reader) Next() (*Frame, error) {
	f := &r.frame
	if n := r.quickIdle(f, r.buf[r.head:r.tail]); n > 0 {
		r.head += n
		return f, nil
	}
	return r.nextSlow()
}

// nextSlow is Next past its fast path, in a function of its own so that
// the fast path does not pay for the frame of readFrame's result.
//
//go:noinline
func (r *Reader) nextSlow() (*Frame, error) {
	var err error
	r.frame, err = r.readFrame()
	return &r.frame, err
}

func (r *Reader) readFrame() (Frame, error) {
	for {
		if r.head < r.tail {
			f, n, err := r.Decode(r.buf[r.head:r.tail])
			r.head += n
			if err != ErrNeedMore {
				return f, err
			}
		}
		// The Decoder takes all it is given, except with NoGather, where it
		// leaves a partial frame where it is: keep that at the front and
		// read after it.
		if r.head == 0 && r.tail == len(r.buf) {
			return Frame{}, ErrBufferFull
		}
		r.tail = copy(r.buf, r.buf[r.head:r.tail])
		r.head = 0
		var n int
		var err error
		if r.state == stateGather {
			// The read buffer is empty and a frame is being gathered: read
			// its next bytes straight into the gathering buffer and unmask
			// them there, instead of copying them over from r.buf.
			var f Frame
			n, err = r.r.Read(r.gatherSpace(r.gatherRoom(len(r.buf))))
			if n > 0 && r.gathered(&f, n) {
				return f, nil
			}
		} else {
			n, err = r.r.Read(r.buf[r.tail:])
			r.tail += n
		}
		if n > 0 || err == nil {
			continue
		}
		if errors.Is(err, io.EOF) && (r.state != stateIdle || r.tail > 0) {
			r.Reset()
			return Frame{}, ErrTruncated
		}
		return Frame{}, err
	}
}

// Buffered returns the bytes read from the connection but not yet decoded.
func (r *Reader) Buffered() []byte { return r.buf[r.head:r.tail] }
