package codec

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"runtime"
	"strings"
	"testing"
)

// serverFrames decodes unmasked (server) frames with a client's
// MessageDecoder that inflates.
func inflateAll(t *testing.T, m *MessageDecoder, in []byte) ([]Message, error) {
	t.Helper()
	var out []Message
	for len(in) > 0 {
		msg, n, err := m.Decode(in)
		in = in[n:]
		if err == ErrNeedMore {
			break
		}
		if err != nil {
			return out, err
		}
		msg.Payload = append([]byte{}, msg.Payload...)
		out = append(out, msg)
	}
	return out, nil
}

// TestRFC7692Examples decodes the examples of RFC 7692 section 7.2.3.
func TestRFC7692Examples(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      []byte
		context bool
		want    []string
	}{
		{"7.2.3.1 one frame", []byte{0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}, false, []string{"Hello"}},
		{"7.2.3.1 fragmented", []byte{0x41, 0x03, 0xf2, 0x48, 0xcd, 0x80, 0x04, 0xc9, 0xc9, 0x07, 0x00}, false, []string{"Hello"}},
		{"7.2.3.2 context takeover", []byte{0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00}, true, []string{"Hello", "Hello"}},
		{"7.2.3.3 stored block", []byte{0xc1, 0x0b, 0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}, false, []string{"Hello"}},
		{"7.2.3.4 BFINAL", []byte{0xc1, 0x08, 0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}, false, []string{"Hello"}},
		{"7.2.3.5 two blocks", []byte{0xc1, 0x0d, 0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00}, false, []string{"Hello"}},
	} {
		for cut := 0; cut <= len(tc.in); cut++ {
			m := &MessageDecoder{Decoder: Decoder{Client: true}, Inflate: true, InflateContext: tc.context}
			in := append([]byte{}, tc.in...)
			a, err := inflateAll(t, m, in[:cut])
			if err != nil {
				t.Fatalf("%s cut %d: %v", tc.name, cut, err)
			}
			b, err := inflateAll(t, m, in[cut:])
			if err != nil {
				t.Fatalf("%s cut %d: %v", tc.name, cut, err)
			}
			got := append(a, b...)
			if len(got) != len(tc.want) {
				t.Fatalf("%s cut %d: %d messages", tc.name, cut, len(got))
			}
			for i, msg := range got {
				if string(msg.Payload) != tc.want[i] || msg.Opcode != OpText || !msg.Compressed {
					t.Fatalf("%s cut %d: message %d = %v %q", tc.name, cut, i, msg.Opcode, msg.Payload)
				}
			}
		}
	}
	// The second message of 7.2.3.2 refers back into the first: without the
	// context it cannot be inflated.
	m := &MessageDecoder{Decoder: Decoder{Client: true}, Inflate: true}
	if _, err := inflateAll(t, m, []byte{0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00}); err != ErrInflate || CloseCodeOf(err) != 1007 {
		t.Fatalf("back reference with no context: %v", err)
	}
}

func TestDeflateRoundTrip(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	texts := []string{"", "x", strings.Repeat("héllo wörld ", 1000), string(payloadOf(5000, 2))}
	for _, client := range []bool{false, true} {
		for _, level := range []int{0, flate.BestCompression, flate.HuffmanOnly} {
			e := Encoder{Client: client, Compress: true, CompressLevel: level, CompressMin: 1}
			var stream []byte
			var want []string
			for i := 0; i < 40; i++ {
				p := texts[r.Intn(len(texts))]
				op := OpBinary
				if p != "" && p[0] == 'h' {
					op = OpText
				}
				var err error
				stream, err = e.AppendMessage(stream, op, 0, []byte(p), []int{0, 100, 7}[i%3])
				if err != nil {
					t.Fatal(err)
				}
				want = append(want, p)
			}
			for _, cuts := range [][]int{nil, randomCuts(r, len(stream), 50), randomCuts(r, len(stream), 3000)} {
				got, _ := decodeMessages(t, func() *MessageDecoder {
					return &MessageDecoder{Decoder: Decoder{Client: !client}, Inflate: true}
				}, stream, cuts)
				if got.err != nil || len(got.msgs) != len(want) {
					t.Fatalf("client=%v level=%d: %d messages, %v", client, level, len(got.msgs), got.err)
				}
				for i, msg := range got.msgs {
					if msg.payload != want[i] || (len(want[i]) > 0 && !msg.compressed) {
						t.Fatalf("client=%v level=%d: message %d differs", client, level, i)
					}
				}
			}
		}
	}
	// Below CompressMin messages go out plain.
	e := Encoder{Compress: true}
	out, _ := e.AppendMessage(nil, OpText, 0, []byte("short"), 0)
	if out[0] != 0x81 {
		t.Fatalf("short message compressed: %x", out)
	}
	if _, err := (&Encoder{Compress: true, CompressLevel: 42, CompressMin: 1}).AppendMessage(nil, OpText, 0, []byte("x"), 0); err == nil {
		t.Fatal("invalid level accepted")
	}
}

// TestDeflateContextTakeover inflates messages from a peer that keeps one
// compressor for the whole connection.
func TestDeflateContextTakeover(t *testing.T) {
	var wire bytes.Buffer
	fw, _ := flate.NewWriter(&wire, flate.BestCompression)
	var stream []byte
	var want []string
	for i := 0; i < 30; i++ {
		msg := strings.Repeat("context ", 50) + strings.Repeat("z", i*3000)
		wire.Reset()
		fw.Write([]byte(msg))
		fw.Flush()
		p := wire.Bytes()
		p = p[:len(p)-4]
		stream = AppendFrame(stream, Header{Fin: true, Rsv: Rsv1, Opcode: OpText}, p)
		want = append(want, msg)
	}
	m := &MessageDecoder{Decoder: Decoder{Client: true}, Inflate: true, InflateContext: true}
	got, err := inflateAll(t, m, stream)
	if err != nil || len(got) != len(want) {
		t.Fatalf("%d messages, %v", len(got), err)
	}
	for i := range got {
		if string(got[i].Payload) != want[i] {
			t.Fatalf("message %d differs", i)
		}
	}
	if len(m.window) != windowSize {
		t.Fatalf("window of %d bytes", len(m.window))
	}
}

// bomb returns a compressed payload (as sent, no trailing 00 00 ff ff) that
// inflates to copies MiB of zeros.
func bomb(copies int) []byte {
	var b bytes.Buffer
	fw, _ := flate.NewWriter(&b, flate.BestCompression)
	fw.Write(make([]byte, 1<<20))
	fw.Flush()
	one := b.Bytes() // a non-final block run ending in a sync flush
	return bytes.Repeat(one, copies)[:copies*len(one)-4]
}

// TestDeflateBomb sends a 1 GiB bomb in about 1 MiB of frame: it ends with
// 1009 once the output passes the limit, not after inflating all of it.
func TestDeflateBomb(t *testing.T) {
	payload := bomb(1024)
	if len(payload) > 2<<20 {
		t.Fatalf("bomb is %d bytes", len(payload))
	}
	frame := AppendFrame(nil, Header{Fin: true, Rsv: Rsv1, Opcode: OpBinary, Masked: true, Key: [4]byte{9, 8, 7, 6}}, payload)
	m := &MessageDecoder{Inflate: true, MaxMessage: 4 << 20}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, err := m.Decode(frame)
	runtime.ReadMemStats(&after)
	if err != ErrMessageTooLarge || CloseCodeOf(err) != CloseMessageTooBig {
		t.Fatalf("bomb: %v", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 32<<20 {
		t.Fatalf("allocated %d bytes inflating a bomb with a 4 MiB limit", grew)
	}
	// A small bomb under the limit inflates.
	small := AppendFrame(nil, Header{Fin: true, Rsv: Rsv1, Opcode: OpBinary, Masked: true}, bomb(2))
	m = &MessageDecoder{Inflate: true, MaxMessage: 4 << 20}
	msg, _, err := m.Decode(small)
	if err != nil || len(msg.Payload) != 2<<20 {
		t.Fatalf("2 MiB of zeros: %d bytes, %v", len(msg.Payload), err)
	}
}

func TestDeflateErrors(t *testing.T) {
	key := [4]byte{1, 2, 3, 4}
	compressed := func(op Opcode, p string) []byte {
		c := mustDeflate(t, []byte(p))
		return AppendFrame(nil, Header{Fin: true, Rsv: Rsv1, Opcode: op, Masked: true, Key: key}, c)
	}
	for _, tc := range []struct {
		name string
		m    MessageDecoder
		in   []byte
		err  error
	}{
		{"rsv1 not negotiated", MessageDecoder{}, compressed(OpText, "hi"), ErrReservedBits},
		{"bad deflate data", MessageDecoder{Inflate: true}, AppendFrame(nil, Header{Fin: true, Rsv: Rsv1, Opcode: OpBinary, Masked: true}, []byte{0xff, 0xff, 0xff}), ErrInflate},
		{"invalid UTF-8 inside", MessageDecoder{Inflate: true}, compressed(OpText, "ok\xffno"), ErrInvalidUTF8},
		{"rsv1 on ping", MessageDecoder{Inflate: true}, AppendFrame(nil, Header{Fin: true, Rsv: Rsv1, Opcode: OpPing, Masked: true}, nil), ErrCompressedControl},
		{"rsv1 on continuation", MessageDecoder{Inflate: true}, append(fr(OpText, false, "a"), frRsv(OpContinuation, true, Rsv1, "b")...), ErrCompressedContinuation},
		{"inflated size over the limit", MessageDecoder{Inflate: true, MaxMessage: 100}, compressed(OpBinary, strings.Repeat("a", 101)), ErrMessageTooLarge},
	} {
		m := tc.m
		if _, _, err := m.Decode(tc.in); err != tc.err {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.err)
		}
	}
	m := MessageDecoder{Inflate: true, MaxMessage: 100}
	if msg, _, err := m.Decode(compressed(OpText, strings.Repeat("a", 100))); err != nil || len(msg.Payload) != 100 {
		t.Errorf("exactly the limit: %v", err)
	}
}

func TestDeflateIdleState(t *testing.T) {
	m := &MessageDecoder{Inflate: true}
	c := mustDeflate(t, []byte(strings.Repeat("idle ", 100)))
	in := AppendFrame(nil, Header{Fin: true, Rsv: Rsv1, Opcode: OpText, Masked: true}, c)
	if _, _, err := m.Decode(in); err != nil {
		t.Fatal(err)
	}
	m.Release()
	if m.held != nil || m.buf != nil || m.window != nil {
		t.Fatal("decoder holds inflate state between messages")
	}
}

func mustDeflate(t *testing.T, p []byte) []byte {
	t.Helper()
	c, err := stdFlate.appendDeflate(nil, p, flate.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// plainReader hides the Resetter of a flate reader.
type plainReader struct{ io.ReadCloser }

// countingFlate is compress/flate behind a Flate that counts what it makes.
func countingFlate(writers, readers *int, resettable bool) *Flate {
	return &Flate{
		NewWriter: func(w io.Writer, level int) (FlateWriter, error) {
			*writers++
			return flate.NewWriter(w, level)
		},
		NewReader: func(r io.Reader, dict []byte) io.ReadCloser {
			*readers++
			if !resettable {
				return plainReader{flate.NewReaderDict(r, dict)}
			}
			return flate.NewReaderDict(r, dict)
		},
	}
}

func TestFlateImplementation(t *testing.T) {
	for _, resettable := range []bool{true, false} {
		var writers, readers int
		fl := countingFlate(&writers, &readers, resettable)
		enc := Encoder{Client: true, Compress: true, Flate: fl}
		dec := MessageDecoder{Inflate: true, Flate: fl}
		text := []byte(strings.Repeat("a message of text, ", 20))
		const n = 5
		for i := 0; i < n; i++ {
			wire, err := enc.AppendMessage(nil, OpText, 0, text, 0)
			if err != nil {
				t.Fatal(err)
			}
			msg, k, err := dec.Decode(wire)
			if err != nil || k != len(wire) || !msg.Compressed || !bytes.Equal(msg.Payload, text) {
				t.Fatalf("resettable=%v, message %d: %v, compressed=%v, %q", resettable, i, err, msg.Compressed, msg.Payload)
			}
		}
		// One writer, reused; readers reused only when they can be reset.
		wantReaders := 1
		if !resettable {
			wantReaders = n
		}
		if writers != 1 || readers != wantReaders {
			t.Errorf("resettable=%v: %d writers and %d readers made for %d messages, want 1 and %d", resettable, writers, readers, n, wantReaders)
		}
	}
}

// badFlush is a FlateWriter whose sync flush is not one.
type badFlush struct{ w io.Writer }

func (b *badFlush) Write(p []byte) (int, error) { return b.w.Write(p) }
func (b *badFlush) Flush() error                { _, err := b.w.Write([]byte{1, 2}); return err }
func (b *badFlush) Reset(w io.Writer)           { b.w = w }

func TestFlateWriterErrors(t *testing.T) {
	errNew := errors.New("no writer")
	for _, tc := range []struct {
		name string
		fl   *Flate
		err  error
	}{
		{"no writer", &Flate{NewWriter: func(io.Writer, int) (FlateWriter, error) { return nil, errNew }}, errNew},
		{"no sync flush", &Flate{NewWriter: func(w io.Writer, _ int) (FlateWriter, error) { return &badFlush{w}, nil }}, errFlush},
	} {
		enc := Encoder{Compress: true, Flate: tc.fl}
		dst := []byte("kept")
		out, err := enc.AppendMessage(dst, OpBinary, 0, make([]byte, 1000), 0)
		if err != tc.err || string(out) != "kept" {
			t.Errorf("%s: %q, %v; want the input back and %v", tc.name, out, err, tc.err)
		}
	}
}

// TestFlateShared compresses and inflates from several goroutines at once
// through the shared pools (run with -race).
func TestFlateShared(t *testing.T) {
	const workers, rounds = 8, 50
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		go func(w int) {
			enc := Encoder{Client: true, Compress: true, CompressLevel: 1 + w%3}
			dec := MessageDecoder{Inflate: true}
			for i := 0; i < rounds; i++ {
				text := []byte(strings.Repeat(fmt.Sprintf("worker %d round %d ", w, i), 20+i))
				wire, err := enc.AppendMessage(nil, OpText, 0, text, 0)
				if err != nil {
					errs <- err
					return
				}
				msg, _, err := dec.Decode(wire)
				if err != nil || !bytes.Equal(msg.Payload, text) {
					errs <- fmt.Errorf("worker %d round %d: %v", w, i, err)
					return
				}
			}
			errs <- nil
		}(w)
	}
	for w := 0; w < workers; w++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// Reset keeps the Flate a MessageDecoder was given.
func TestMessageDecoderResetKeepsFlate(t *testing.T) {
	var writers, readers int
	fl := countingFlate(&writers, &readers, true)
	enc := Encoder{Client: true, Compress: true, Flate: fl}
	dec := MessageDecoder{Inflate: true, Flate: fl}
	dec.Reset()
	msg := bytes.Repeat([]byte("reset keeps the flate "), 20)
	frame, err := enc.AppendMessage(nil, OpText, 0, msg, 0)
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := dec.Decode(frame)
	if err != nil || !bytes.Equal(m.Payload, msg) {
		t.Fatalf("decode after Reset: %v", err)
	}
	if dec.Flate != fl || readers == 0 {
		t.Fatalf("after Reset the decoder inflated with another Flate (%d readers made by its own)", readers)
	}
}
