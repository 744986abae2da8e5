package fuzz

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/wsframe/wsframe/codec"
)

// Chunkings: every input is decoded whole, cut at one point and one byte at
// a time, and the results must agree.

func wholeCuts(int) []int { return nil }

func splitCuts(n int, at uint16) []int { return []int{int(at) % (n + 1)} }

func byteCuts(n int) []int {
	cuts := make([]int, 0, max(n-1, 0))
	for i := 1; i < n; i++ {
		cuts = append(cuts, i)
	}
	return cuts
}

// chunkEnds calls fn with the end of each chunk of a stream of n bytes cut
// at cuts, the last being n, until fn returns false.
func chunkEnds(n int, cuts []int, fn func(end int) bool) {
	for _, c := range cuts {
		if !fn(c) {
			return
		}
	}
	fn(n)
}

// feeder hands a Decoder its input the way an I/O loop would: the bytes
// from the first unconsumed one to the end of what has arrived. With a
// guard it copies them to the end of a guarded region first, so that the
// byte after the input is unmapped; without, it passes a view of the
// stream limited to those bytes.
type feeder struct {
	orig  []byte // the stream as it was, never modified
	work  []byte // a copy, unmasked in place when not guarded
	guard *guarded
}

func newFeeder(stream []byte, g *guarded) *feeder {
	return &feeder{orig: stream, work: slices.Clone(stream), guard: g}
}

func (fd *feeder) input(tb testing.TB, start, end int) []byte {
	if fd.guard == nil {
		return fd.work[start:end:end]
	}
	in := fd.guard.tail(tb, end-start)
	copy(in, fd.orig[start:end])
	return in
}

// frameRec is a decoded frame with its payload copied out; the chunks of a
// streamed frame are joined into one record.
type frameRec struct {
	h       codec.Header
	payload []byte
	partial bool // the input ended inside this streamed frame
}

// frameRun is what decoding one stream gave.
type frameRun struct {
	frames []frameRec
	err    error // the protocol error the Decoder stopped at, if any
	needed int64 // Needed after the unconsumed rest was offered once more
}

func (r *frameRun) add(t *testing.T, d *codec.Decoder, f codec.Frame) {
	t.Helper()
	if f.More || f.Offset > 0 {
		if d.StreamAbove <= 0 || f.Length <= d.StreamAbove || f.Opcode.IsControl() {
			t.Fatalf("%v delivered in chunks with StreamAbove %d", f.Header, d.StreamAbove)
		}
		if f.More != (f.Offset+int64(len(f.Payload)) < f.Length) || (len(f.Payload) == 0 && f.More) {
			t.Fatalf("chunk of %v at %d with %d bytes, More %v", f.Header, f.Offset, len(f.Payload), f.More)
		}
	}
	if f.Offset > 0 {
		if len(r.frames) == 0 {
			t.Fatalf("chunk at offset %d of %v starts the stream", f.Offset, f.Header)
		}
		last := &r.frames[len(r.frames)-1]
		if !last.partial || last.h != f.Header || int64(len(last.payload)) != f.Offset {
			t.Fatalf("chunk at offset %d of %v after %d bytes of %v", f.Offset, f.Header, len(last.payload), last.h)
		}
		last.payload = append(last.payload, f.Payload...)
		last.partial = f.More
		return
	}
	if !f.More && int64(len(f.Payload)) != f.Length {
		t.Fatalf("whole frame %v with %d payload bytes", f.Header, len(f.Payload))
	}
	r.frames = append(r.frames, frameRec{f.Header, slices.Clone(f.Payload), f.More})
}

func (r frameRun) diff(o frameRun) string {
	n := min(len(r.frames), len(o.frames))
	for i := 0; i < n; i++ {
		a, b := r.frames[i], o.frames[i]
		if a.h != b.h || !bytes.Equal(a.payload, b.payload) || a.partial != b.partial {
			return fmt.Sprintf("frame %d: %v (%d bytes, partial %v) vs %v (%d bytes, partial %v)",
				i, a.h, len(a.payload), a.partial, b.h, len(b.payload), b.partial)
		}
	}
	switch {
	case len(r.frames) != len(o.frames):
		return fmt.Sprintf("%d frames vs %d", len(r.frames), len(o.frames))
	case r.err != o.err:
		return fmt.Sprintf("error %v vs %v", r.err, o.err)
	case r.err == nil && r.needed != o.needed:
		return fmt.Sprintf("Needed %d vs %d", r.needed, o.needed)
	}
	return ""
}

// checkPeerError fails unless err is one of the errors for a peer's
// violation, with the close code that goes with it.
func checkPeerError(t *testing.T, err error) {
	t.Helper()
	var pe *codec.ProtocolError
	if !errIn(err, peerErrors) || !errors.As(err, &pe) {
		t.Fatalf("unexpected error %v", err)
	}
	if c := codec.CloseCodeOf(err); c != codec.CloseProtocolError && c != codec.CloseMessageTooBig && c != codec.CloseInvalidPayload {
		t.Fatalf("%v has close code %v", err, c)
	}
}

// decodeFrames feeds stream to d in chunks ending at cuts. It checks what
// holds at every call: n within the input, ErrNeedMore only with the input
// used up (or, with NoGather, left to the caller) and a positive Needed,
// no frame completed before Needed more bytes arrived, errors with n == 0
// and sticky, and (with checkRest) no byte past n modified.
func decodeFrames(t *testing.T, d *codec.Decoder, fd *feeder, cuts []int, checkRest bool) frameRun {
	t.Helper()
	var run frameRun
	start := 0         // first byte not consumed
	arrived := 0       // bytes handed over so far
	needed := int64(0) // Needed after the last ErrNeedMore
	since := 0         // bytes arrived since then
	stopped := false
	chunkEnds(len(fd.orig), cuts, func(end int) bool {
		since += end - arrived
		arrived = end
		base := start
		in := fd.input(t, start, end)
		for start < end {
			f, n, err := d.Decode(in[start-base:])
			if n < 0 || n > end-start {
				t.Fatalf("Decode consumed %d of %d bytes", n, end-start)
			}
			if checkRest && !bytes.Equal(in[start-base+n:], fd.orig[start+n:end]) {
				t.Fatalf("Decode modified the %d bytes after the %d it consumed", end-start-n, n)
			}
			start += n
			if err == codec.ErrNeedMore {
				if !d.NoGather && start != end {
					t.Fatalf("ErrNeedMore with %d bytes left", end-start)
				}
				if needed = d.Needed(); needed <= 0 {
					t.Fatalf("ErrNeedMore with Needed() = %d", needed)
				}
				since = 0
				return true
			}
			if err != nil {
				if n != 0 {
					t.Fatalf("%v after consuming %d bytes", err, n)
				}
				checkPeerError(t, err)
				if _, n, again := d.Decode(in[start-base:]); again != err || n != 0 {
					t.Fatalf("error not sticky: %v, then %v with n=%d", err, again, n)
				}
				run.err, stopped = err, true
				return false
			}
			run.add(t, d, f)
			if !f.More {
				if int64(since) < needed {
					t.Fatalf("frame %v done %d bytes after Needed() said %d", f.Header, since, needed)
				}
				needed = 0
			}
		}
		return true
	})
	if stopped {
		return run
	}
	// Offer what is left (nothing unless NoGather) once more: the Decoder
	// must want more and say how much.
	in := fd.input(t, start, len(fd.orig))
	f, n, err := d.Decode(in)
	if err != codec.ErrNeedMore || n != 0 {
		t.Fatalf("the %d bytes left gave %v with n=%d, err %v", len(in), f.Header, n, err)
	}
	run.needed = d.Needed()
	return run
}

// msgRec is a delivered message with its bytes copied out; the pieces of a
// streamed message are joined.
type msgRec struct {
	op         codec.Opcode
	payload    []byte
	code       codec.CloseCode
	reason     []byte
	compressed bool
}

func (a msgRec) equal(b msgRec) bool {
	return a.op == b.op && bytes.Equal(a.payload, b.payload) && a.code == b.code &&
		bytes.Equal(a.reason, b.reason) && a.compressed == b.compressed
}

func (a msgRec) String() string {
	return fmt.Sprintf("%v %q code=%d compressed=%v", a.op, a.payload, a.code, a.compressed)
}

// msgRun is what decoding one stream into messages gave.
type msgRun struct {
	msgs   []msgRec
	open   *msgRec // a streamed message whose last piece has not come
	err    error
	badAt  int64 // InvalidOffset after ErrInvalidUTF8
	closed bool
}

func (r msgRun) diff(o msgRun) string {
	n := min(len(r.msgs), len(o.msgs))
	for i := 0; i < n; i++ {
		if !r.msgs[i].equal(o.msgs[i]) {
			return fmt.Sprintf("message %d: %v vs %v", i, r.msgs[i], o.msgs[i])
		}
	}
	switch {
	case len(r.msgs) != len(o.msgs):
		return fmt.Sprintf("%d messages vs %d", len(r.msgs), len(o.msgs))
	case r.err != o.err:
		return fmt.Sprintf("error %v vs %v", r.err, o.err)
	// Pieces of a streamed message come as they arrive, so how much of a
	// message that then failed was delivered depends on the chunking.
	case r.err == nil && ((r.open == nil) != (o.open == nil) || r.open != nil && !r.open.equal(*o.open)):
		return fmt.Sprintf("open message %v vs %v", r.open, o.open)
	case r.err != o.err:
		return fmt.Sprintf("error %v vs %v", r.err, o.err)
	case r.err == codec.ErrInvalidUTF8 && r.badAt != o.badAt:
		return fmt.Sprintf("InvalidOffset %d vs %d", r.badAt, o.badAt)
	case r.closed != o.closed:
		return fmt.Sprintf("peer closed %v vs %v", r.closed, o.closed)
	}
	return ""
}

// decodeMessages feeds stream to m in chunks ending at cuts, checking each
// message as it comes: text is UTF-8 (as far as it has come, for a
// streamed message), a Close frame's code and reason match its payload,
// pieces carry their message's opcode.
func decodeMessages(t *testing.T, m *codec.MessageDecoder, fd *feeder, cuts []int) msgRun {
	t.Helper()
	var run msgRun
	start := 0
	chunkEnds(len(fd.orig), cuts, func(end int) bool {
		base := start
		in := fd.input(t, start, end)
		for start < end {
			msg, n, err := m.Decode(in[start-base:])
			if n < 0 || n > end-start {
				t.Fatalf("Decode consumed %d of %d bytes", n, end-start)
			}
			start += n
			switch {
			case err == codec.ErrNeedMore:
				if !m.NoGather && start != end {
					t.Fatalf("ErrNeedMore with %d bytes left", end-start)
				}
				return true
			case err == codec.ErrPeerClosed:
				if !run.closed || n != 0 {
					t.Fatalf("ErrPeerClosed with n=%d before a Close frame", n)
				}
				return false
			case err != nil:
				checkPeerError(t, err)
				if _, n, again := m.Decode(in[start-base:]); again != err || n != 0 {
					t.Fatalf("error not sticky: %v, then %v with n=%d", err, again, n)
				}
				run.err, run.badAt = err, m.InvalidOffset()
				return false
			}
			if run.closed {
				t.Fatalf("%v delivered after the Close frame", msg.Opcode)
			}
			run.add(t, m, msg)
			run.closed = m.PeerClosed()
		}
		return true
	})
	return run
}

func (r *msgRun) add(t *testing.T, m *codec.MessageDecoder, msg codec.Message) {
	t.Helper()
	rec := msgRec{op: msg.Opcode, payload: slices.Clone(msg.Payload), compressed: msg.Compressed}
	switch {
	case msg.Opcode == codec.OpClose:
		rec.code, rec.reason = msg.Code, slices.Clone(msg.Reason)
		want := codec.CloseNoStatus
		if len(msg.Payload) >= 2 {
			want = codec.CloseCode(msg.Payload[0])<<8 | codec.CloseCode(msg.Payload[1])
		}
		if msg.Code != want || len(msg.Payload) >= 2 && !bytes.Equal(msg.Reason, msg.Payload[2:]) ||
			!m.PeerClosed() || msg.More {
			t.Fatalf("Close frame %q gave code %v, reason %q", msg.Payload, msg.Code, msg.Reason)
		}
		fallthrough
	case msg.Opcode.IsControl():
		if r.open != nil && !m.Stream {
			t.Fatal("a message is open outside Stream mode")
		}
		if msg.More || msg.Compressed {
			t.Fatalf("control message with More %v, Compressed %v", msg.More, msg.Compressed)
		}
		r.msgs = append(r.msgs, rec)
		return
	case msg.Opcode != codec.OpText && msg.Opcode != codec.OpBinary:
		t.Fatalf("message with opcode %v", msg.Opcode)
	}
	if msg.More && !m.Stream {
		t.Fatal("a piece of a message outside Stream mode")
	}
	if r.open != nil {
		if r.open.op != rec.op || r.open.compressed != rec.compressed {
			t.Fatalf("piece %v (compressed %v) of a %v message (compressed %v)", rec.op, rec.compressed, r.open.op, r.open.compressed)
		}
		r.open.payload = append(r.open.payload, rec.payload...)
		rec, r.open = *r.open, nil
	}
	if rec.op == codec.OpText && !rec.compressed {
		if bad, complete := firstInvalidUTF8(rec.payload); bad >= 0 || !msg.More && !complete {
			t.Fatalf("text %q delivered, More %v", rec.payload, msg.More)
		}
	}
	if msg.More {
		r.open = &rec
		return
	}
	r.msgs = append(r.msgs, rec)
}

// sameAtEveryChunking decodes stream again with m (reset first), cut at
// split and then one byte at a time, and fails unless both give what the
// whole stream gave.
func sameAtEveryChunking(t *testing.T, m *codec.MessageDecoder, stream []byte, split uint16, g *guarded, whole msgRun) {
	t.Helper()
	m.Reset()
	cut := decodeMessages(t, m, newFeeder(stream, g), splitCuts(len(stream), split))
	if diff := whole.diff(cut); diff != "" {
		t.Fatalf("whole input against a cut at %d: %s", splitCuts(len(stream), split)[0], diff)
	}
	m.Reset()
	bytewise := decodeMessages(t, m, newFeeder(stream, nil), byteCuts(len(stream)))
	if diff := whole.diff(bytewise); diff != "" {
		t.Fatalf("whole input against one byte at a time: %s", diff)
	}
	m.Reset()
}
