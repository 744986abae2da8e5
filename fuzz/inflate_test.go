package fuzz

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"testing"
	"unicode/utf8"

	"github.com/wsframe/wsframe/codec"
)

// FuzzInflate's config byte.
const (
	// inflateRaw takes data as the compressed payload itself, as a peer
	// may send anything; otherwise data is text that is compressed first,
	// so that the valid path is explored as well as the broken ones.
	inflateRaw = 1 << iota
	// inflateText sends text messages, whose inflated bytes must be UTF-8;
	// otherwise binary.
	inflateText
	// inflateLimit sets MaxMessage to half the inflated size of the
	// reference (at least 1), so the limit falls inside the output.
	inflateLimit
	// inflateFrags sends each compressed message in two frames, cut at
	// split, RSV1 on the first only.
	inflateFrags
	// inflateContext sends the message twice with context takeover: the
	// second is compressed (or, raw, inflated) against the first.
	inflateContext
	// inflateStream reads messages with MessageDecoder.Stream set.
	inflateStream
)

// rfcCompressedHello is "Hello" compressed as in RFC 7692 section 7.2.3.1.
var rfcCompressedHello = []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}

var inflateGuard guarded

// FuzzInflate decodes compressed messages with MessageDecoder{Inflate}
// whole, cut at one point and one byte at a time, and checks them against
// compress/flate reading the payload directly: the same bytes, or the error
// with the close code the reference predicts (1007 for a broken stream or
// text, 1009 past MaxMessage, which must stop inflating).
func FuzzInflate(f *testing.F) {
	f.Add(rfcCompressedHello, uint16(3), byte(inflateRaw|inflateText))
	f.Add([]byte("Hello Hello Hello Hello, hello again: the second message is compressed against the first"), uint16(4), byte(inflateText|inflateContext|inflateFrags))
	f.Add(bytes.Repeat([]byte{0}, 4096), uint16(100), byte(inflateLimit))
	f.Add([]byte{0x00, 0x05, 0x00, 0xfa, 0xff, 'a', 'b'}, uint16(1), byte(inflateRaw))
	f.Fuzz(checkInflate)
}

func checkInflate(t *testing.T, data []byte, split uint16, cfg byte) {
	op := codec.OpBinary
	if cfg&inflateText != 0 {
		op = codec.OpText
	}
	count := 1
	if cfg&inflateContext != 0 {
		count = 2
	}

	// The compressed messages, and what the reference makes of them.
	var wire [][]byte
	if cfg&inflateRaw != 0 {
		for range count {
			wire = append(wire, data)
		}
	} else {
		wire = compressAll(t, data, count)
	}
	// want is the reference's run; errs the errors the decoder may stop
	// at instead of its error. Text is checked as it is inflated, so where
	// the reference finds the stream broken or too long, text that went
	// wrong before that point may fail first; all of these are 1007 or
	// 1009 as the case may be.
	var want msgRun
	var errs []error
	var window []byte
	var limit int64 = -1
	if cfg&inflateLimit != 0 && cfg&inflateFrags == 0 {
		out, _ := refInflate(wire[0], nil, -1)
		limit = max(int64(len(out))/2, 1)
	}
	for _, w := range wire {
		if limit >= 0 && int64(len(w)) > limit {
			// The frame itself is over the limit: it fails at its header.
			want.err = codec.ErrMessageTooLarge
			break
		}
		out, err := refInflate(w, window, limit)
		if err != nil && op == codec.OpText {
			errs = append(errs, codec.ErrInvalidUTF8)
		}
		if err == nil && op == codec.OpText && !utf8.Valid(out) {
			err = codec.ErrInvalidUTF8
		}
		if err != nil {
			want.err = err
			break
		}
		if cfg&inflateRaw == 0 && !bytes.Equal(out, data) {
			t.Fatalf("compress/flate does not read back its own output")
		}
		want.msgs = append(want.msgs, msgRec{op: op, payload: out, compressed: true})
		window = append(window, out...)
		if len(window) > 32<<10 {
			window = window[len(window)-32<<10:]
		}
	}
	errs = append(errs, want.err)

	var stream []byte
	for _, w := range wire {
		if cfg&inflateFrags != 0 {
			cut := int(split) % (len(w) + 1)
			stream = append(stream, client(op, false, codec.Rsv1, w[:cut])...)
			stream = append(stream, client(codec.OpContinuation, true, 0, w[cut:])...)
		} else {
			stream = append(stream, client(op, true, codec.Rsv1, w)...)
		}
	}
	m := codec.MessageDecoder{Inflate: true, InflateContext: count > 1, Stream: cfg&inflateStream != 0}
	if limit >= 0 {
		m.MaxMessage = limit
	}

	whole := decodeMessages(t, &m, newFeeder(stream, &inflateGuard), wholeCuts(len(stream)))
	if whole.open != nil {
		t.Fatalf("a message left open: %v", whole.open)
	}
	if !errIn(whole.err, errs) {
		t.Fatalf("stopped at %v, want one of %v", whole.err, errs)
	}
	want.badAt, want.err = whole.badAt, whole.err
	if diff := want.diff(whole); diff != "" {
		t.Fatalf("whole input against compress/flate: %s", diff)
	}
	sameAtEveryChunking(t, &m, stream, split, &inflateGuard, whole)
}

// compressAll compresses p count times with one writer, so that every
// message after the first takes over the context of those before, and
// returns each without its trailing 00 00 ff ff.
func compressAll(t *testing.T, p []byte, count int) [][]byte {
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.DefaultCompression)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for range count {
		buf.Reset()
		fw.Write(p)
		fw.Flush()
		b := buf.Bytes()
		out = append(out, bytes.Clone(b[:len(b)-4]))
	}
	return out
}

// refInflate inflates a message's payload as RFC 7692 section 7.2.2 says,
// with the tail 00 00 ff ff put back, reading no more than limit+1 bytes
// of output (limit < 0: no limit).
func refInflate(p, dict []byte, limit int64) ([]byte, error) {
	src := io.MultiReader(bytes.NewReader(p), bytes.NewReader([]byte{0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0xff, 0xff}))
	r := flate.NewReaderDict(src, dict)
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if limit >= 0 && int64(len(out)) > limit {
			return nil, codec.ErrMessageTooLarge
		}
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, codec.ErrInflate
		}
	}
}
