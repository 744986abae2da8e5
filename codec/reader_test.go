package codec

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

func TestReader(t *testing.T) {
	specs := largeStream()
	stream := buildStream(specs)
	want := wantResult(specs, nil)
	for name, src := range map[string]func() io.Reader{
		"whole":    func() io.Reader { return bytes.NewReader(append([]byte{}, stream...)) },
		"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(append([]byte{}, stream...))) },
		"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader(append([]byte{}, stream...))) },
		"data+EOF": func() io.Reader { return iotest.DataErrReader(bytes.NewReader(append([]byte{}, stream...))) },
	} {
		for _, size := range []int{0, 64, 100000} {
			// ReadFrame, Next, and the two taking turns.
			for mode := 0; mode < 3; mode++ {
				r := NewReader(src(), size)
				var got result
				for i := 0; ; i++ {
					var f Frame
					var err error
					if mode == 0 || mode == 2 && i%2 == 0 {
						f, err = r.ReadFrame()
					} else {
						var p *Frame
						p, err = r.Next()
						f = *p
					}
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatalf("%s/%d/mode %d: %v", name, size, mode, err)
					}
					got.add(t, f)
				}
				if err := want.equal(got); err != nil {
					t.Fatalf("%s/%d/mode %d: %v", name, size, mode, err)
				}
			}
		}
	}
}

func TestReaderTruncated(t *testing.T) {
	stream := buildStream(smallStream())
	r := NewReader(bytes.NewReader(stream[:len(stream)-1]), 16)
	var err error
	for err == nil {
		_, err = r.ReadFrame()
	}
	if err != ErrTruncated || CloseCodeOf(err) != CloseAbnormal {
		t.Fatalf("%v", err)
	}
}

func TestReaderProtocolError(t *testing.T) {
	stream := append(buildStream(smallStream()[:2]), 0x83, 0x80, 0, 0, 0, 0)
	r := NewReader(bytes.NewReader(stream), 0)
	for i := 0; i < 2; i++ {
		if _, err := r.ReadFrame(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.ReadFrame(); err != ErrReservedOpcode {
		t.Fatalf("%v", err)
	}
}

// TestReaderNextChunks reads a stream with streamed frames (StreamAbove)
// through Next and through ReadFrame, in small reads, and compares every
// field of every frame and chunk: a chunk's Offset and More must not leak
// into the whole frame Next returns after it.
func TestReaderNextChunks(t *testing.T) {
	stream := buildStream(largeStream())
	type rec struct {
		h       Header
		payload string
		off     int64
		more    bool
	}
	read := func(next bool) []rec {
		r := NewReader(iotest.HalfReader(bytes.NewReader(bytes.Clone(stream))), 4096)
		r.StreamAbove = 100
		var out []rec
		for {
			var f Frame
			var err error
			if next {
				var p *Frame
				p, err = r.Next()
				f = *p
			} else {
				f, err = r.ReadFrame()
			}
			if err == io.EOF {
				return out
			}
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, rec{f.Header, string(f.Payload), f.Offset, f.More})
		}
	}
	a, b := read(false), read(true)
	if len(a) != len(b) {
		t.Fatalf("ReadFrame gave %d frames and chunks, Next %d", len(a), len(b))
	}
	chunks := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("frame or chunk %d: ReadFrame %v, Offset %d, More %v; Next %v, Offset %d, More %v",
				i, a[i].h, a[i].off, a[i].more, b[i].h, b[i].off, b[i].more)
		}
		if a[i].more {
			chunks++
		}
	}
	if chunks == 0 {
		t.Fatal("no frame came in chunks")
	}
}

// A Reader whose Decoder has NoGather set keeps a partial frame in its
// buffer and reads after it, so every split gives the same frames; a frame
// too large for the buffer fails with ErrBufferFull.
func TestReaderNoGather(t *testing.T) {
	specs := smallStream()
	stream := buildStream(specs)
	want := wantResult(specs, nil)
	for name, src := range map[string]func() io.Reader{
		"whole":    func() io.Reader { return bytes.NewReader(stream) },
		"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(stream)) },
		"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader(stream)) },
	} {
		for _, size := range []int{200, 1000} {
			r := NewReader(src(), size)
			r.NoGather = true
			var got result
			for {
				f, err := r.ReadFrame()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("%s/%d: %v", name, size, err)
				}
				got.add(t, f)
			}
			if err := want.equal(got); err != nil {
				t.Fatalf("%s/%d: %v", name, size, err)
			}
		}
	}
	big := buildStream([]frameSpec{masked(OpBinary, true, 300, 1)})
	r := NewReader(iotest.HalfReader(bytes.NewReader(big)), 100)
	r.NoGather = true
	for range 2 {
		if _, err := r.ReadFrame(); err != ErrBufferFull || CloseCodeOf(err) != CloseMessageTooBig {
			t.Fatalf("a 300-byte frame through a 100-byte buffer: %v, want ErrBufferFull (1009)", err)
		}
	}
}

// byteReads serves its parts one per Read, then reports that nothing more
// has arrived.
type byteReads struct{ parts [][]byte }

var errNoData = errors.New("no data yet")

func (b *byteReads) Read(p []byte) (int, error) {
	if len(b.parts) == 0 {
		return 0, errNoData
	}
	n := copy(p, b.parts[0])
	b.parts = b.parts[1:]
	return n, nil
}

// A frame gathered by reading straight into its buffer grows that buffer by
// what arrived, not by the read buffer's size or the declared length.
func TestReaderGatherGrowth(t *testing.T) {
	hdr := AppendHeader(nil, Header{Fin: true, Opcode: OpBinary, Masked: true, Key: [4]byte{1, 2, 3, 4}, Length: 1 << 20})
	src := &byteReads{parts: [][]byte{append(hdr, 'a'), {'b'}, {'c'}}}
	r := NewReader(src, 64<<10)
	if _, err := r.ReadFrame(); err != errNoData {
		t.Fatalf("ReadFrame: %v, want the source's error", err)
	}
	if r.off != 3 || cap(r.gather.B) > minGather {
		t.Fatalf("3 bytes of a 1 MiB frame arrived: %d gathered in a buffer of %d bytes, want 3 in at most %d", r.off, cap(r.gather.B), minGather)
	}
	r.Reset()
}
