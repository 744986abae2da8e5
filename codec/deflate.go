package codec

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"runtime"
	"sync"

	"github.com/valyala/bytebufferpool"
)

// permessage-deflate (RFC 7692). A compressed message is the DEFLATE
// stream of its payload, ended with a sync flush whose last four bytes
// (00 00 ff ff) are left off the wire. Inflating puts them back, followed by
// an empty final block so the inflater ends cleanly at the message's end.
var deflateTail = []byte{0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0xff, 0xff}

// windowSize is the LZ77 window of DEFLATE: what context takeover keeps.
const windowSize = 32 << 10

// Flate is the DEFLATE implementation behind permessage-deflate, with the
// pools that share its compressors and decompressors between connections,
// so that a connection holds no flate state between messages.
// Encoder.Flate and MessageDecoder.Flate choose one; nil means the standard
// library's compress/flate. An implementation with the same API, such as
// github.com/klauspost/compress/flate, plugs in as
//
//	var fastFlate = &codec.Flate{
//		NewWriter: func(w io.Writer, level int) (codec.FlateWriter, error) {
//			return kflate.NewWriter(w, level)
//		},
//		NewReader: kflate.NewReaderDict,
//	}
//
// Make one Flate per implementation and share it: its pools are what make
// compression cheap. A Flate must not be copied after first use.
type Flate struct {
	// NewWriter returns a compressor that writes to w at level, one of
	// compress/flate's levels from HuffmanOnly to BestCompression.
	NewWriter func(w io.Writer, level int) (FlateWriter, error)
	// NewReader returns a decompressor of r with the preset dictionary
	// dict (nil for none). If it also implements compress/flate's Resetter,
	// it is reused from message to message.
	NewReader func(r io.Reader, dict []byte) io.ReadCloser

	inflaters keep[inflater]
	deflaters [flate.BestCompression + 3]keep[deflater] // by level+2: HuffmanOnly (-2) to BestCompression (9)
}

// FlateWriter is a DEFLATE compressor, as compress/flate's Writer is.
type FlateWriter interface {
	io.Writer
	// Flush writes what was written so far, ending with a sync flush.
	Flush() error
	// Reset discards the compressor's state and makes it write to w.
	Reset(w io.Writer)
}

// stdFlate is compress/flate, the Flate of a nil Encoder.Flate or
// MessageDecoder.Flate.
var stdFlate = &Flate{
	NewWriter: func(w io.Writer, level int) (FlateWriter, error) {
		fw, err := flate.NewWriter(w, level)
		if err != nil {
			return nil, err
		}
		return fw, nil
	},
	NewReader: flate.NewReaderDict,
}

func flateOf(f *Flate) *Flate {
	if f == nil {
		return stdFlate
	}
	return f
}

var (
	inflated bufPool             // inflated messages
	deflated bytebufferpool.Pool // compressed payloads being framed
)

// keepMax is how many values a keep holds past garbage collections: one
// per P that can be compressing at once, at most 8 (a BestSpeed flate
// writer takes 1.2 MB, a reader 40 KB).
var keepMax = min(runtime.GOMAXPROCS(0), 8)

// keep is a pool of *T whose first keepMax free values survive garbage
// collection, in front of a sync.Pool for the rest. A sync.Pool alone
// drops the flate state whenever the collector runs often, and making a
// flate writer again costs more than the message it compresses.
type keep[T any] struct {
	mu   sync.Mutex
	free []*T
	more sync.Pool
}

func (k *keep[T]) get() *T {
	k.mu.Lock()
	if n := len(k.free); n > 0 {
		v := k.free[n-1]
		k.free[n-1] = nil
		k.free = k.free[:n-1]
		k.mu.Unlock()
		return v
	}
	k.mu.Unlock()
	if v, _ := k.more.Get().(*T); v != nil {
		return v
	}
	return new(T)
}

func (k *keep[T]) put(v *T) {
	k.mu.Lock()
	if len(k.free) < keepMax {
		k.free = append(k.free, v)
		k.mu.Unlock()
		return
	}
	k.mu.Unlock()
	k.more.Put(v)
}

// ErrInflate is returned for a compressed message that is not a valid
// DEFLATE stream.
var ErrInflate = protocolError(CloseInvalidPayload, "invalid compressed message")

// inflater is a pooled flate reader with the source it reads.
type inflater struct {
	fr  io.ReadCloser // a flate.Resetter
	src inflateSource
}

// deflater is a pooled flate writer with the buffer it writes to.
type deflater struct {
	fw FlateWriter
	w  appendWriter
}

// inflateSource reads a compressed payload and then deflateTail.
type inflateSource struct {
	p    []byte
	tail int
}

func (s *inflateSource) Read(b []byte) (int, error) {
	if len(s.p) > 0 {
		n := copy(b, s.p)
		s.p = s.p[n:]
		return n, nil
	}
	if s.tail == len(deflateTail) {
		return 0, io.EOF
	}
	n := copy(b, deflateTail[s.tail:])
	s.tail += n
	return n, nil
}

// ReadByte lets flate read the source directly instead of wrapping it in a
// bufio.Reader of its own.
func (s *inflateSource) ReadByte() (byte, error) {
	var b [1]byte
	if _, err := s.Read(b[:]); err != nil {
		return 0, err
	}
	return b[0], nil
}

// inflate appends the inflated payload p to out. It stops with
// ErrMessageTooLarge as soon as the output would pass limit (negative: no
// limit), so a small message that inflates to a huge one costs at most the
// limit. dict, if not nil, is the window of earlier messages (context
// takeover).
func (fl *Flate) inflate(out *bytebufferpool.ByteBuffer, p []byte, dict []byte, limit int64) error {
	in := fl.inflaters.get()
	in.src = inflateSource{p: p}
	if r, ok := in.fr.(flate.Resetter); ok {
		if err := r.Reset(&in.src, dict); err != nil {
			in.fr = nil
			fl.inflaters.put(in)
			return ErrInflate
		}
	} else {
		in.fr = fl.NewReader(&in.src, dict)
	}
	defer func() {
		in.src = inflateSource{}
		fl.inflaters.put(in)
	}()
	fr := in.fr
	buf := out.B
	for {
		if len(buf) == cap(buf) {
			grow := max(cap(buf), 4096)
			if limit >= 0 {
				grow = int(min(int64(grow), limit+1-int64(len(buf))))
			}
			buf = append(buf, make([]byte, grow)...)[:len(buf)]
		}
		n, err := fr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if limit >= 0 && int64(len(buf)) > limit {
			out.B = buf
			return ErrMessageTooLarge
		}
		if err == io.EOF {
			out.B = buf
			return nil
		}
		if err != nil {
			out.B = buf
			return ErrInflate
		}
	}
}

// appendDeflate appends the compressed form of p, as sent on the wire
// (without the trailing 00 00 ff ff), to dst.
func (fl *Flate) appendDeflate(dst, p []byte, level int) ([]byte, error) {
	pool := &fl.deflaters[level+2]
	d := pool.get()
	d.w.b = dst
	if d.fw == nil {
		var err error
		if d.fw, err = fl.NewWriter(&d.w, level); err != nil {
			pool.put(d)
			return dst, err
		}
	} else {
		d.fw.Reset(&d.w)
	}
	_, err := d.fw.Write(p)
	if err == nil {
		err = d.fw.Flush()
	}
	out := d.w.b
	d.w.b = nil
	if err != nil {
		d.fw = nil // in an unknown state: not reused
		pool.put(d)
		return dst, err
	}
	pool.put(d)
	// A sync flush always ends with an empty stored block: 00 00 ff ff.
	if len(out) < len(dst)+4 || !bytes.Equal(out[len(out)-4:], deflateTail[:4]) {
		return dst, errFlush
	}
	return out[:len(out)-4], nil
}

// errFlush is returned when a Flate's writer does not end a sync flush with
// 00 00 ff ff, as RFC 7692 section 7.2.1 needs.
var errFlush = errors.New("codec: the flate writer's sync flush does not end in 00 00 ff ff")

type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// errLevel is returned for a compression level flate does not know.
var errLevel = errors.New("codec: invalid compression level")

func checkLevel(level int) error {
	if level < flate.HuffmanOnly || level > flate.BestCompression {
		return errLevel
	}
	return nil
}
