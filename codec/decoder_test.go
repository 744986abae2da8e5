package codec

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"runtime"
	"testing"
	"unsafe"
)

// record is one decoded frame with its payload copied out; a streamed
// frame's chunks are joined into one record.
type record struct {
	h       Header
	payload []byte
}

type result struct {
	frames []record
	err    error
}

func (r result) equal(o result) error {
	if r.err != o.err {
		return fmt.Errorf("error %v, want %v", o.err, r.err)
	}
	if len(r.frames) != len(o.frames) {
		return fmt.Errorf("%d frames, want %d", len(o.frames), len(r.frames))
	}
	for i := range r.frames {
		a, b := r.frames[i], o.frames[i]
		if a.h != b.h || !bytes.Equal(a.payload, b.payload) {
			return fmt.Errorf("frame %d: %v (%d bytes), want %v (%d bytes)", i, b.h, len(b.payload), a.h, len(a.payload))
		}
	}
	return nil
}

func (r *result) add(t *testing.T, f Frame) {
	if f.Offset > 0 {
		last := &r.frames[len(r.frames)-1]
		if int64(len(last.payload)) != f.Offset || last.h != f.Header {
			t.Fatalf("chunk at offset %d after %d bytes of %v", f.Offset, len(last.payload), last.h)
		}
		last.payload = append(last.payload, f.Payload...)
		return
	}
	if int64(len(f.Payload)) != f.Header.Length && !f.More {
		t.Fatalf("whole frame %v with %d payload bytes", f.Header, len(f.Payload))
	}
	r.frames = append(r.frames, record{f.Header, append([]byte{}, f.Payload...)})
}

// feed passes a copy of stream (decoding unmasks in place) to decode in
// the pieces that cuts mark, as an I/O loop would. decode consumes from the
// front of what it is given and says how many bytes it took, and whether to
// wait for the next piece or to stop. With keep, the bytes decode left are
// kept and the next piece is appended to them (NoGather); otherwise they
// are dropped, which decode must then rule out itself.
func feed(stream []byte, cuts []int, keep bool, decode func(b []byte) (n int, wait, stop bool)) {
	stream = append([]byte{}, stream...)
	var pending []byte
	prev := 0
	for ci := 0; ci <= len(cuts); ci++ {
		end := len(stream)
		if ci < len(cuts) {
			end = cuts[ci]
		}
		chunk := stream[prev:end]
		prev = end
		if keep {
			pending = append(pending, chunk...)
			chunk = pending
		}
		for len(chunk) > 0 {
			n, wait, stop := decode(chunk)
			chunk = chunk[n:]
			if stop {
				return
			}
			if wait {
				break
			}
		}
		if keep {
			pending = chunk // the unconsumed tail; the next piece is appended to it
		}
	}
}

// decodeChunks feeds stream to a fresh Decoder made by newDec, in the given
// chunks, and checks the Decoder's promises on the way.
func decodeChunks(t *testing.T, newDec func() *Decoder, stream []byte, cuts []int) result {
	t.Helper()
	d := newDec()
	var res result
	feed(stream, cuts, d.NoGather, func(chunk []byte) (int, bool, bool) {
		f, n, err := d.Decode(chunk)
		if n < 0 || n > len(chunk) {
			t.Fatalf("Decode consumed %d of %d bytes", n, len(chunk))
		}
		switch {
		case err == ErrNeedMore:
			if !d.NoGather && n != len(chunk) {
				t.Fatalf("ErrNeedMore with %d bytes left unconsumed", len(chunk)-n)
			}
			if d.Needed() <= 0 {
				t.Fatalf("ErrNeedMore with Needed() = %d", d.Needed())
			}
			return n, true, false
		case err != nil:
			if n != 0 {
				t.Fatalf("error %v consumed %d bytes", err, n)
			}
			res.err = err
			if _, _, again := d.Decode(chunk); again != err {
				t.Fatalf("error not sticky: %v then %v", err, again)
			}
			return n, false, true
		}
		res.add(t, f)
		return n, false, false
	})
	if res.err == nil && d.state != stateIdle {
		res.err = ErrTruncated
	}
	d.Reset()
	return res
}

type frameSpec struct {
	h       Header
	payload []byte
}

func buildStream(frames []frameSpec) []byte {
	var b []byte
	for _, f := range frames {
		b = AppendFrame(b, f.h, f.payload)
	}
	return b
}

func payloadOf(n int, seed int64) []byte {
	p := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(p)
	return p
}

func masked(op Opcode, fin bool, n int, seed int64) frameSpec {
	return frameSpec{Header{Fin: fin, Opcode: op, Masked: true, Key: [4]byte{byte(seed), 0xa1, 0x5c, byte(seed >> 3)}}, payloadOf(n, seed)}
}

// smallStream is short enough to be cut at every byte position.
func smallStream() []frameSpec {
	return []frameSpec{
		masked(OpText, true, 5, 1),
		masked(OpBinary, true, 0, 2),
		masked(OpPing, true, 3, 3),
		masked(OpBinary, false, 130, 4),
		masked(OpPong, true, 125, 5),
		masked(OpContinuation, true, 1, 6),
		masked(OpClose, true, 2, 7),
		masked(OpBinary, true, 126, 8),
		masked(OpText, true, 0, 9),
	}
}

func largeStream() []frameSpec {
	return append(smallStream(),
		masked(OpBinary, true, 65535, 10),
		masked(OpBinary, true, 65536, 11),
		masked(OpText, true, 200000, 12),
		masked(OpBinary, true, 1, 13),
	)
}

var decoderModes = map[string]func() *Decoder{
	"gather":   func() *Decoder { return &Decoder{} },
	"nogather": func() *Decoder { return &Decoder{NoGather: true} },
	"stream":   func() *Decoder { return &Decoder{StreamAbove: 100} },
	"both":     func() *Decoder { return &Decoder{StreamAbove: 100, NoGather: true} },
}

func wantResult(specs []frameSpec, err error) result {
	r := result{err: err}
	for _, s := range specs {
		h := s.h
		h.Length = int64(len(s.payload))
		r.frames = append(r.frames, record{h, s.payload})
	}
	return r
}

func TestDecodeWhole(t *testing.T) {
	specs := largeStream()
	stream := buildStream(specs)
	want := wantResult(specs, nil)
	for name, mode := range decoderModes {
		if err := want.equal(decodeChunks(t, mode, stream, nil)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestDecodeEverySplit cuts the stream at every position, and also feeds it
// one byte at a time, in every mode.
func TestDecodeEverySplit(t *testing.T) {
	specs := smallStream()
	stream := buildStream(specs)
	want := wantResult(specs, nil)
	for name, mode := range decoderModes {
		for cut := 0; cut <= len(stream); cut++ {
			if err := want.equal(decodeChunks(t, mode, stream, []int{cut})); err != nil {
				t.Fatalf("%s, cut at %d: %v", name, cut, err)
			}
		}
		var cuts []int
		for i := 1; i < len(stream); i++ {
			cuts = append(cuts, i)
		}
		if err := want.equal(decodeChunks(t, mode, stream, cuts)); err != nil {
			t.Fatalf("%s, byte at a time: %v", name, err)
		}
	}
}

func randomCuts(r *rand.Rand, n, maxChunk int) []int {
	var cuts []int
	for at := 0; ; {
		at += 1 + r.Intn(maxChunk)
		if at >= n {
			return cuts
		}
		cuts = append(cuts, at)
	}
}

func TestDecodeRandomChunks(t *testing.T) {
	specs := largeStream()
	stream := buildStream(specs)
	want := wantResult(specs, nil)
	r := rand.New(rand.NewSource(42))
	for name, mode := range decoderModes {
		for iter := 0; iter < 16; iter++ {
			cuts := randomCuts(r, len(stream), []int{3, 20, 700, 70000}[iter%4])
			if err := want.equal(decodeChunks(t, mode, stream, cuts)); err != nil {
				t.Fatalf("%s, iteration %d: %v", name, iter, err)
			}
		}
	}
}

// TestDecodeErrors checks each connection-level violation: the frames
// before it are delivered, then the error with its close code, at every
// split of the input.
func TestDecodeErrors(t *testing.T) {
	good := smallStream()[:3]
	unmasked := frameSpec{Header{Fin: true, Opcode: OpBinary}, []byte("hi")}
	for _, tc := range []struct {
		name string
		dec  Decoder
		bad  []byte
		err  error
		code CloseCode
	}{
		{"unmasked from client", Decoder{}, AppendFrame(nil, unmasked.h, unmasked.payload), ErrUnmaskedFrame, 1002},
		{"masked from server", Decoder{Client: true}, buildStream(good[:1]), ErrMaskedFrame, 1002},
		{"rsv1 not negotiated", Decoder{}, []byte{0xc1, 0x80, 1, 2, 3, 4}, ErrReservedBits, 1002},
		{"rsv2 with rsv1 negotiated", Decoder{Rsv: Rsv1}, []byte{0xa1, 0x80, 1, 2, 3, 4}, ErrReservedBits, 1002},
		{"rsv3", Decoder{Rsv: Rsv1}, []byte{0x91, 0x80, 1, 2, 3, 4}, ErrReservedBits, 1002},
		{"reserved opcode", Decoder{}, []byte{0x85, 0x80, 1, 2, 3, 4}, ErrReservedOpcode, 1002},
		{"fragmented control", Decoder{}, []byte{0x09, 0x80, 1, 2, 3, 4}, ErrFragmentedControl, 1002},
		{"long ping", Decoder{}, []byte{0x89, 0xfe, 0, 126, 1, 2, 3, 4}, ErrControlTooLong, 1002},
		{"too large", Decoder{MaxPayload: 1000}, []byte{0x82, 0xfe, 0x03, 0xe9, 1, 2, 3, 4}, ErrFrameTooLarge, 1009},
		{"default limit", Decoder{}, []byte{0x82, 0xff, 0, 0, 0, 0, 1, 0, 0, 1, 1, 2, 3, 4}, ErrFrameTooLarge, 1009},
		{"2^63-1 declared", Decoder{}, []byte{0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4}, ErrFrameTooLarge, 1009},
		{"length top bit", Decoder{MaxPayload: -1}, []byte{0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, ErrLengthOverflow, 1002},
		{"non-minimal 16-bit", Decoder{RejectNonMinimal: true}, []byte{0x82, 0xfe, 0, 5, 1, 2, 3, 4, 0, 0, 0, 0, 0}, ErrNonMinimalLength, 1002},
		{"non-minimal 64-bit", Decoder{RejectNonMinimal: true}, []byte{0x82, 0xff, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4}, ErrNonMinimalLength, 1002},
	} {
		if tc.dec.Client {
			good = []frameSpec{unmasked}
		} else {
			good = smallStream()[:3]
		}
		stream := append(buildStream(good), tc.bad...)
		want := wantResult(good, tc.err)
		for cut := 0; cut <= len(stream); cut++ {
			dec := tc.dec
			got := decodeChunks(t, func() *Decoder { d := dec; return &d }, stream, []int{cut})
			if err := want.equal(got); err != nil {
				t.Fatalf("%s, cut %d: %v", tc.name, cut, err)
			}
		}
		if CloseCodeOf(tc.err) != tc.code {
			t.Errorf("%s: code %v, want %d", tc.name, CloseCodeOf(tc.err), tc.code)
		}
	}
	// Non-minimal encodings pass by default.
	d := Decoder{}
	f, _, err := d.Decode([]byte{0x82, 0xfe, 0, 1, 0, 0, 0, 0, 'x'})
	if err != nil || string(f.Payload) != "x" {
		t.Fatalf("non-minimal frame: %v %v", f, err)
	}
}

// TestZeroCopy checks that a frame inside the input is a view of it,
// unmasked in place.
func TestZeroCopy(t *testing.T) {
	spec := masked(OpBinary, true, 300, 99)
	in := buildStream([]frameSpec{spec, spec})
	var d Decoder
	f, n, err := d.Decode(in)
	if err != nil || n != len(in)/2 {
		t.Fatal(n, err)
	}
	if unsafe.SliceData(f.Payload) != &in[n-300] {
		t.Fatal("payload is not a view of the input")
	}
	if !bytes.Equal(f.Payload, spec.payload) || !bytes.Equal(in[n-300:n], spec.payload) {
		t.Fatal("payload not unmasked in place")
	}
}

// TestDeclaredLengthAllocatesNothing declares 2^63-1 bytes with no limit:
// the Decoder holds only what arrives.
func TestDeclaredLengthAllocatesNothing(t *testing.T) {
	hdr := []byte{0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4}
	d := Decoder{MaxPayload: -1}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, n, err := d.Decode(hdr)
	if err != ErrNeedMore || n != len(hdr) || d.Needed() != math.MaxInt64 {
		t.Fatalf("n=%d err=%v needed=%d", n, err, d.Needed())
	}
	chunk := make([]byte, 1000)
	for i := 0; i < 10; i++ {
		if _, n, err = d.Decode(chunk); err != ErrNeedMore || n != len(chunk) {
			t.Fatal(n, err)
		}
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<10 {
		t.Fatalf("allocated %d bytes for 10000 bytes of payload", grew)
	}
	if d.Needed() != math.MaxInt64-10000 {
		t.Fatalf("Needed() = %d", d.Needed())
	}
	if c := cap(d.gather.B); c > 32<<10 {
		t.Fatalf("gather buffer has cap %d", c)
	}
	d.Reset()
	if d.gather != nil || d.held != nil {
		t.Fatal("Reset kept a buffer")
	}
}

// TestIdleHoldsNoBuffer checks that between frames a Decoder holds nothing.
func TestIdleHoldsNoBuffer(t *testing.T) {
	spec := masked(OpBinary, true, 1000, 5)
	in := buildStream([]frameSpec{spec})
	var d Decoder
	d.Decode(in[:500])
	f, _, err := d.Decode(in[500:])
	if err != nil || !bytes.Equal(f.Payload, spec.payload) {
		t.Fatal(err)
	}
	if d.held == nil {
		t.Fatal("gathered frame not held")
	}
	d.Release()
	if d.held != nil || d.gather != nil {
		t.Fatal("buffer kept after Release")
	}
	if s := unsafe.Sizeof(d); s > 128 {
		t.Errorf("Decoder is %d bytes", s)
	}
}

func TestDecodeNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	in := buildStream([]frameSpec{masked(OpBinary, true, 1024, 1)})
	var d Decoder
	if a := testing.AllocsPerRun(200, func() {
		if _, _, err := d.Decode(in); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("in-buffer Decode: %v allocs", a)
	}
	// Split frames reuse pooled buffers.
	half := len(in) / 2
	if a := testing.AllocsPerRun(200, func() {
		d.Decode(in[:half])
		if _, _, err := d.Decode(in[half:]); err != nil {
			t.Fatal(err)
		}
	}); a > 0.05 {
		t.Errorf("gathered Decode: %v allocs", a)
	}
	// A Reader over a stream that ends every read inside a frame.
	stream := buildStream([]frameSpec{masked(OpBinary, true, 1000, 1), masked(OpText, true, 100, 2), masked(OpBinary, true, 3000, 3)})
	r := NewReader(&loopReader{data: stream, chunk: 1500}, 2048)
	for _, next := range []bool{false, true} {
		if a := testing.AllocsPerRun(300, func() {
			var err error
			if next {
				_, err = r.Next()
			} else {
				_, err = r.ReadFrame()
			}
			if err != nil {
				t.Fatal(err)
			}
		}); a > 0.05 {
			t.Errorf("Reader (Next %v): %v allocs", next, a)
		}
	}
}

func TestProtocolErrorAs(t *testing.T) {
	var d Decoder
	_, _, err := d.Decode([]byte{0x82, 0x00})
	var pe *ProtocolError
	if !errors.As(err, &pe) || pe.Code != CloseProtocolError || !errors.Is(err, ErrUnmaskedFrame) {
		t.Fatalf("%v", err)
	}
	d.Reset()
	if d.Err() != nil {
		t.Fatal("Reset kept the error")
	}
}

// TestPayloadCapacity checks that every payload handed out ends its
// capacity with it: an append to one frame's payload must not write over
// the next frame in the caller's buffer, whichever path decoded it.
func TestPayloadCapacity(t *testing.T) {
	var stream []byte
	for _, n := range []int{5, 200, 70000} {
		stream = AppendFrame(stream, Header{Fin: true, Opcode: OpBinary, Masked: true, Key: [4]byte{1, 2, 3, 4}}, bytes.Repeat([]byte{'a'}, n))
	}
	for _, streamAbove := range []int64{0, 100} {
		in := append([]byte(nil), stream...)
		d := Decoder{StreamAbove: streamAbove}
		for len(in) > 0 {
			// Feed at most 1000 bytes at a time, so that the large frame is
			// gathered (or streamed) and the small ones are views.
			chunk := in[:min(len(in), 1000)]
			f, n, err := d.Decode(chunk)
			if err != nil && err != ErrNeedMore {
				t.Fatal(err)
			}
			if err == nil && cap(f.Payload) != len(f.Payload) {
				t.Fatalf("StreamAbove %d: payload of %d bytes has capacity %d", streamAbove, len(f.Payload), cap(f.Payload))
			}
			in = in[n:]
		}
	}
}
