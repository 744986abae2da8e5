package codec

import (
	"bytes"
	"fmt"
	"math/rand"
	"runtime"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

type msgRecord struct {
	op         Opcode
	payload    string
	code       CloseCode
	reason     string
	compressed bool
}

type msgResult struct {
	msgs []msgRecord
	err  error
}

func (r msgResult) String() string { return fmt.Sprintf("%+v err=%v", r.msgs, r.err) }

// decodeMessages feeds stream to a MessageDecoder in the given chunks; a
// streamed message's pieces are joined.
func decodeMessages(t *testing.T, newDec func() *MessageDecoder, stream []byte, cuts []int) (msgResult, *MessageDecoder) {
	t.Helper()
	m := newDec()
	var res msgResult
	var open *msgRecord // a streamed message whose last piece has not come
	feed(stream, cuts, m.NoGather, func(chunk []byte) (int, bool, bool) {
		msg, n, err := m.Decode(chunk)
		switch {
		case err == ErrNeedMore:
			return n, true, false
		case err == ErrPeerClosed:
			return n, false, true
		case err != nil:
			res.err = err
			return n, false, true
		}
		rec := msgRecord{msg.Opcode, string(msg.Payload), msg.Code, string(msg.Reason), msg.Compressed}
		if !msg.Opcode.IsControl() && open != nil {
			open.payload += rec.payload
			rec, open = *open, nil
		}
		if msg.More {
			open = &rec
			return n, false, false
		}
		// A streamed message is recorded when its last piece arrives, so the
		// order matches that of gathered messages.
		res.msgs = append(res.msgs, rec)
		return n, false, false
	})
	return res, m
}

// fr builds one masked client frame.
func fr(op Opcode, fin bool, payload string) []byte {
	return AppendFrame(nil, Header{Fin: fin, Opcode: op, Masked: true, Key: [4]byte{0xde, 0xad, 0xbe, 0xef}}, []byte(payload))
}

func frRsv(op Opcode, fin bool, rsv uint8, payload string) []byte {
	return AppendFrame(nil, Header{Fin: fin, Rsv: rsv, Opcode: op, Masked: true, Key: [4]byte{1, 2, 3, 4}}, []byte(payload))
}

func cat(frames ...[]byte) []byte { return bytes.Join(frames, nil) }

func closeFrame(code uint16, reason string) []byte {
	return fr(OpClose, true, string([]byte{byte(code >> 8), byte(code)})+reason)
}

var messageModes = map[string]func() *MessageDecoder{
	"gather":   func() *MessageDecoder { return &MessageDecoder{} },
	"stream":   func() *MessageDecoder { return &MessageDecoder{Stream: true} },
	"chunked":  func() *MessageDecoder { return &MessageDecoder{Decoder: Decoder{StreamAbove: 3}} },
	"nogather": func() *MessageDecoder { return &MessageDecoder{Decoder: Decoder{NoGather: true}} },
	"stream+chunk": func() *MessageDecoder {
		return &MessageDecoder{Stream: true, Decoder: Decoder{StreamAbove: 3, NoGather: true}}
	},
}

type msgCase struct {
	name   string
	dec    MessageDecoder
	stream []byte
	want   []msgRecord
	err    error
}

func messageCases() []msgCase {
	big := strings.Repeat("x", 300)
	return []msgCase{
		{"text", MessageDecoder{}, fr(OpText, true, "Hello"), []msgRecord{{op: OpText, payload: "Hello"}}, nil},
		{"empty binary", MessageDecoder{}, fr(OpBinary, true, ""), []msgRecord{{op: OpBinary}}, nil},
		{"fragments", MessageDecoder{}, cat(fr(OpText, false, "Hel"), fr(OpContinuation, false, "l"), fr(OpContinuation, true, "o")),
			[]msgRecord{{op: OpText, payload: "Hello"}}, nil},
		{"empty fragments", MessageDecoder{}, cat(fr(OpBinary, false, ""), fr(OpContinuation, false, ""), fr(OpContinuation, true, "")),
			[]msgRecord{{op: OpBinary}}, nil},
		{"ping between fragments", MessageDecoder{}, cat(fr(OpText, false, "frag"), fr(OpPing, true, "p"), fr(OpPong, true, ""), fr(OpContinuation, true, "ment"), fr(OpBinary, true, big)),
			[]msgRecord{{op: OpPing, payload: "p"}, {op: OpPong}, {op: OpText, payload: "fragment"}, {op: OpBinary, payload: big}}, nil},
		{"close between fragments", MessageDecoder{}, cat(fr(OpText, false, "a"), closeFrame(1000, "bye"), fr(OpContinuation, true, "b")),
			[]msgRecord{{op: OpClose, payload: "\x03\xe8bye", code: 1000, reason: "bye"}}, nil},
		{"close without status", MessageDecoder{}, cat(fr(OpClose, true, ""), fr(OpText, true, "ignored")),
			[]msgRecord{{op: OpClose, code: CloseNoStatus}}, nil},
		{"continuation first", MessageDecoder{}, cat(fr(OpText, true, "ok"), fr(OpContinuation, true, "x")),
			[]msgRecord{{op: OpText, payload: "ok"}}, ErrUnexpectedContinuation},
		{"continuation after final", MessageDecoder{}, cat(fr(OpText, false, "a"), fr(OpContinuation, true, "b"), fr(OpContinuation, true, "c")),
			[]msgRecord{{op: OpText, payload: "ab"}}, ErrUnexpectedContinuation},
		{"text inside fragments", MessageDecoder{}, cat(fr(OpBinary, false, "a"), fr(OpText, true, "b")), nil, ErrExpectedContinuation},
		{"close 1 byte", MessageDecoder{}, fr(OpClose, true, "x"), nil, ErrCloseLength},
		{"close 1005", MessageDecoder{}, closeFrame(1005, ""), nil, ErrInvalidCloseCode},
		{"close 999", MessageDecoder{}, closeFrame(999, ""), nil, ErrInvalidCloseCode},
		{"close 1016", MessageDecoder{}, closeFrame(1016, ""), nil, ErrInvalidCloseCode},
		{"close 5000", MessageDecoder{}, closeFrame(5000, ""), nil, ErrInvalidCloseCode},
		{"close 4999", MessageDecoder{}, closeFrame(4999, "ok"), []msgRecord{{op: OpClose, payload: "\x13\x87ok", code: 4999, reason: "ok"}}, nil},
		{"close bad reason", MessageDecoder{}, closeFrame(1000, "\xce\xba\xe1\xbd"), nil, ErrInvalidUTF8},
		{"message too large", MessageDecoder{MaxMessage: 5}, cat(fr(OpText, true, "12345"), fr(OpText, false, "123"), fr(OpContinuation, true, "456")),
			[]msgRecord{{op: OpText, payload: "12345"}}, ErrMessageTooLarge},
		{"single frame too large", MessageDecoder{MaxMessage: 5}, fr(OpBinary, true, "123456"), nil, ErrMessageTooLarge},
		{"too many fragments", MessageDecoder{MaxFragments: 3}, cat(fr(OpBinary, false, ""), fr(OpContinuation, false, ""), fr(OpContinuation, false, ""), fr(OpContinuation, true, "")),
			nil, ErrTooManyFragments},
		{"exactly max fragments", MessageDecoder{MaxFragments: 3}, cat(fr(OpBinary, false, "a"), fr(OpContinuation, false, "b"), fr(OpContinuation, true, "c")),
			[]msgRecord{{op: OpBinary, payload: "abc"}}, nil},
		{"rsv1 on ping", MessageDecoder{Decoder: Decoder{Rsv: Rsv1}}, frRsv(OpPing, true, Rsv1, ""), nil, ErrCompressedControl},
		{"rsv1 on continuation", MessageDecoder{Decoder: Decoder{Rsv: Rsv1}}, cat(frRsv(OpBinary, false, Rsv1, "a"), frRsv(OpContinuation, true, Rsv1, "b")), nil, ErrCompressedContinuation},
		{"rsv1 on first frame", MessageDecoder{Decoder: Decoder{Rsv: Rsv1}}, cat(frRsv(OpBinary, false, Rsv1, "a"), frRsv(OpContinuation, true, 0, "b")),
			[]msgRecord{{op: OpBinary, payload: "ab", compressed: true}}, nil},
		{"bad text", MessageDecoder{}, cat(fr(OpText, true, "ok"), fr(OpText, true, "a\xffb")), []msgRecord{{op: OpText, payload: "ok"}}, ErrInvalidUTF8},
		{"text ends in a rune", MessageDecoder{}, cat(fr(OpText, false, "a\xe2\x82"), fr(OpContinuation, true, "")), nil, ErrInvalidUTF8},
		{"rune across fragments", MessageDecoder{}, cat(fr(OpText, false, "\xe2"), fr(OpPing, true, ""), fr(OpContinuation, false, "\x82"), fr(OpContinuation, true, "\xac")),
			[]msgRecord{{op: OpPing}, {op: OpText, payload: "€"}}, nil},
		{"binary is not checked", MessageDecoder{}, fr(OpBinary, true, "\xff\xfe"), []msgRecord{{op: OpBinary, payload: "\xff\xfe"}}, nil},
		{"frame error after messages", MessageDecoder{}, cat(fr(OpText, true, "a"), []byte{0x83, 0x80, 0, 0, 0, 0}), []msgRecord{{op: OpText, payload: "a"}}, ErrReservedOpcode},
	}
}

func TestMessageCases(t *testing.T) {
	for _, tc := range messageCases() {
		want := msgResult{tc.want, tc.err}
		for mode, newDec := range messageModes {
			mk := func() *MessageDecoder {
				m := newDec()
				m.MaxMessage, m.MaxFragments = tc.dec.MaxMessage, tc.dec.MaxFragments
				m.Rsv = tc.dec.Rsv
				return m
			}
			var cutsList [][]int
			for cut := 0; cut <= len(tc.stream); cut++ {
				cutsList = append(cutsList, []int{cut})
			}
			var each []int
			for i := 1; i < len(tc.stream); i++ {
				each = append(each, i)
			}
			cutsList = append(cutsList, each)
			for _, cuts := range cutsList {
				got, _ := decodeMessages(t, mk, tc.stream, cuts)
				if got.String() != want.String() {
					t.Fatalf("%s (%s, cuts %v):\n got %v\nwant %v", tc.name, mode, cuts, got, want)
				}
			}
		}
		if tc.err != nil && CloseCodeOf(tc.err) < 1002 {
			t.Errorf("%s: close code %v", tc.name, CloseCodeOf(tc.err))
		}
	}
}

func TestMessageRandomChunks(t *testing.T) {
	r := rand.New(rand.NewSource(9))
	var stream []byte
	var want msgResult
	for i := 0; i < 200; i++ {
		text := strings.Repeat("héllo wörld € 𝄞 ", r.Intn(300))
		parts := 1 + r.Intn(4)
		b := []byte(text)
		for p := 0; p < parts; p++ {
			op := OpContinuation
			if p == 0 {
				op = OpText
			}
			n := len(b)
			if p < parts-1 {
				n = r.Intn(len(b) + 1)
			}
			stream = append(stream, fr(op, p == parts-1, string(b[:n]))...)
			b = b[n:]
			if p < parts-1 && r.Intn(3) == 0 {
				stream = append(stream, fr(OpPing, true, "x")...)
				want.msgs = append(want.msgs, msgRecord{op: OpPing, payload: "x"})
			}
		}
		want.msgs = append(want.msgs, msgRecord{op: OpText, payload: text})
	}
	for mode, newDec := range messageModes {
		for iter := 0; iter < 6; iter++ {
			got, _ := decodeMessages(t, newDec, stream, randomCuts(r, len(stream), []int{7, 100, 5000}[iter%3]))
			if got.String() != want.String() {
				for i := range got.msgs {
					if i < len(want.msgs) && got.msgs[i] != want.msgs[i] {
						t.Logf("message %d: got %v %d bytes, want %v %d bytes; prefix equal %v", i, got.msgs[i].op, len(got.msgs[i].payload), want.msgs[i].op, len(want.msgs[i].payload), strings.HasPrefix(want.msgs[i].payload, got.msgs[i].payload))
						break
					}
				}
				t.Fatalf("%s, iteration %d: results differ (%d vs %d messages, err %v)", mode, iter, len(got.msgs), len(want.msgs), got.err)
			}
		}
	}
}

// validPrefixes holds every proper prefix (1 to 3 bytes) of the UTF-8
// encoding of a valid rune: the reference for what may still become valid.
var validPrefixes = sync.OnceValue(func() map[string]bool {
	set := map[string]bool{}
	var buf [4]byte
	for r := rune(0x80); r <= utf8.MaxRune; r++ {
		if r >= 0xd800 && r <= 0xdfff {
			continue
		}
		n := utf8.EncodeRune(buf[:], r)
		for k := 1; k < n; k++ {
			set[string(buf[:k])] = true
		}
	}
	return set
})

// refFirstInvalid returns the index of the first byte of p after which no
// continuation can make p valid UTF-8, or -1, and whether p ends on a rune
// boundary.
func refFirstInvalid(p []byte) (int, bool) {
	start := 0 // start of the rune in progress
	for i := 0; i < len(p); i++ {
		part := p[start : i+1]
		if utf8.FullRune(part) {
			if r, n := utf8.DecodeRune(part); r == utf8.RuneError && n <= 1 || n != len(part) {
				return i, false
			}
			start = i + 1
			continue
		}
		if !validPrefixes()[string(part)] {
			return i, false
		}
	}
	return -1, start == len(p)
}

func TestUTF8Classic(t *testing.T) {
	for _, tc := range []struct {
		name string
		text string
		bad  int // index of the first impossible byte, -1 if none; len for truncated
	}{
		{"ascii", "hello", -1},
		{"kosme", "κόσμε", -1},
		{"max", "\xf4\x8f\xbf\xbf", -1},
		{"fe", "ab\xfe", 2},
		{"ff", "\xff", 0},
		{"lone continuation", "a\x80b", 1},
		{"continuation after rune", "é\xbf", 2},
		{"overlong 2-byte", "\xc0\xaf", 0},
		{"overlong c1", "\xc1\xbf", 0},
		{"overlong 3-byte", "\xe0\x80\xaf", 1},
		{"overlong 3-byte max", "\xe0\x9f\xbf", 1},
		{"overlong 4-byte", "\xf0\x80\x80\xaf", 1},
		{"overlong 4-byte max", "\xf0\x8f\xbf\xbf", 1},
		{"surrogate d800", "\xed\xa0\x80", 1},
		{"surrogate dfff", "x\xed\xbf\xbf", 2},
		{"above 10ffff", "\xf4\x90\x80\x80", 1},
		{"f5", "\xf5\x80\x80\x80", 0},
		{"f8 5-byte", "\xf8\x88\x80\x80\x80", 0},
		{"missing continuation", "\xe2\x82x", 2},
		{"kosme then bad", "κόσμε\xed\xa0\x80edited", 11},
		{"truncated at end", "κόσμε\xe2\x82", 12},
	} {
		b := []byte(tc.text)
		ref, complete := refFirstInvalid(b)
		if ref == -1 && !complete {
			ref = len(b)
		}
		if ref != tc.bad {
			t.Fatalf("%s: reference says %d, table %d", tc.name, ref, tc.bad)
		}
		// As one frame, and in fragments cut at every position with a ping
		// between them: the error is reported at the same offset, from the
		// fragment that holds the first impossible byte.
		for cut := 0; cut <= len(b); cut++ {
			stream := cat(fr(OpText, false, string(b[:cut])), fr(OpPing, true, ""), fr(OpContinuation, true, string(b[cut:])))
			m := &MessageDecoder{}
			var err error
			at := 0 // frames fed
			for _, f := range [][]byte{stream[:len(fr(OpText, false, string(b[:cut])))], stream[len(fr(OpText, false, string(b[:cut]))):]} {
				for len(f) > 0 && err == nil {
					var n int
					_, n, err = m.Decode(f)
					f = f[n:]
					if err == ErrNeedMore {
						err = nil
						break
					}
				}
				if err != nil {
					break
				}
				at++
			}
			switch {
			case tc.bad < 0:
				if err != nil {
					t.Fatalf("%s cut %d: %v", tc.name, cut, err)
				}
			default:
				if err != ErrInvalidUTF8 || m.InvalidOffset() != int64(tc.bad) {
					t.Fatalf("%s cut %d: err %v at %d, want 1007 at %d", tc.name, cut, err, m.InvalidOffset(), tc.bad)
				}
				wantAt := 0
				if tc.bad >= cut && !(tc.bad == len(b) && cut == len(b)) {
					wantAt = 1 // the bad byte is in the second fragment
				}
				if tc.bad == len(b) {
					wantAt = 1 // truncation is known only at the final fragment
				}
				if at != wantAt {
					t.Fatalf("%s cut %d: failed after %d fragments, want %d", tc.name, cut, at, wantAt)
				}
			}
		}
	}
}

// TestUTF8Random compares the incremental validator, fed in random pieces,
// with the reference and with utf8.Valid.
func TestUTF8Random(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	alphabet := []byte{'a', 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff}
	for iter := 0; iter < 20000; iter++ {
		p := make([]byte, r.Intn(40))
		for i := range p {
			if r.Intn(2) == 0 {
				p[i] = alphabet[r.Intn(len(alphabet))]
			} else {
				p[i] = byte(r.Intn(256))
			}
		}
		if r.Intn(4) == 0 {
			p = append([]byte("€𝄞é"+strings.Repeat("z", r.Intn(20))), p...)
		}
		ref, complete := refFirstInvalid(p)
		var s utf8State
		got := -1
		for off := 0; off < len(p); {
			n := 1 + r.Intn(len(p)-off)
			if i := s.feed(p[off : off+n]); i >= 0 {
				got = off + i
				break
			}
			off += n
		}
		if got != ref {
			t.Fatalf("%x: first invalid at %d, reference %d", p, got, ref)
		}
		if valid := got < 0 && s.complete(); valid != utf8.Valid(p) || (ref < 0 && complete != s.complete()) {
			t.Fatalf("%x: valid %v, utf8.Valid %v", p, valid, utf8.Valid(p))
		}
	}
}

func TestMessageNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	text := fr(OpText, true, strings.Repeat("héllo ", 100))
	ping := fr(OpPing, true, "ping")
	cls := closeFrame(1000, "bye")
	var m MessageDecoder
	for name, in := range map[string][]byte{"text": text, "ping": ping} {
		if a := testing.AllocsPerRun(200, func() {
			if _, _, err := m.Decode(in); err != nil {
				t.Fatal(err)
			}
			remask(in)
		}); a != 0 {
			t.Errorf("%s: %v allocs", name, a)
		}
	}
	if a := testing.AllocsPerRun(200, func() {
		m.Reset()
		if _, _, err := m.Decode(cls); err != nil {
			t.Fatal(err)
		}
		remask(cls)
	}); a != 0 {
		t.Errorf("close: %v allocs", a)
	}
}

// remask masks a frame's payload again after Decode unmasked it in place.
func remask(frame []byte) {
	h, n, _ := DecodeHeader(frame)
	p := frame[n:]
	for i := range p {
		p[i] ^= h.Key[i&3]
	}
}

func TestAppendReply(t *testing.T) {
	var e Encoder
	out, _ := e.AppendReply(nil, Message{Opcode: OpPing, Payload: []byte("abc")})
	if !bytes.Equal(out, []byte{0x8a, 3, 'a', 'b', 'c'}) {
		t.Errorf("pong: %x", out)
	}
	out, _ = e.AppendReply(nil, Message{Opcode: OpClose, Code: CloseNoStatus})
	if !bytes.Equal(out, []byte{0x88, 2, 0x03, 0xe8}) {
		t.Errorf("close reply to no status: %x", out)
	}
	out, _ = e.AppendReply(nil, Message{Opcode: OpClose, Code: 4000})
	if len(out) != 0 {
		t.Errorf("second close reply: %x", out)
	}
	e = Encoder{}
	out, _ = e.AppendReply(nil, Message{Opcode: OpClose, Code: 4000})
	if !bytes.Equal(out, []byte{0x88, 2, 0x0f, 0xa0}) {
		t.Errorf("close echo: %x", out)
	}
}

// TestMessageLimitAtHeader checks that a frame which would make the message
// too large fails at its header, before any of its payload arrives.
func TestMessageLimitAtHeader(t *testing.T) {
	big := fr(OpBinary, true, strings.Repeat("x", 2000))
	hn := HeaderSize(big)
	m := &MessageDecoder{MaxMessage: 1000}
	if _, n, err := m.Decode(big[:hn]); err != ErrMessageTooLarge || CloseCodeOf(err) != 1009 {
		t.Fatalf("header of a 2000-byte frame: n=%d err=%v", n, err)
	}
	first := fr(OpText, false, strings.Repeat("a", 600))
	cont := fr(OpContinuation, true, strings.Repeat("b", 600))
	m = &MessageDecoder{MaxMessage: 1000}
	in := append(first, cont[:HeaderSize(cont)]...)
	if _, _, err := m.Decode(in); err != ErrMessageTooLarge {
		t.Fatalf("header of a continuation past the limit: %v", err)
	}
	var before, after runtime.MemStats
	m = &MessageDecoder{MaxMessage: -1, Decoder: Decoder{MaxPayload: -1}}
	hdr := []byte{0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4}
	runtime.ReadMemStats(&before)
	if _, _, err := m.Decode(hdr); err != ErrNeedMore {
		t.Fatalf("2^63-1 bytes declared, no limit: %v", err)
	}
	chunk := make([]byte, 4096)
	for i := 0; i < 4; i++ {
		if _, n, err := m.Decode(chunk); err != ErrNeedMore || n != len(chunk) {
			t.Fatalf("n=%d err=%v", n, err)
		}
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<10 {
		t.Fatalf("allocated %d bytes for 16 KiB of payload", grew)
	}
	m.Reset()
}

// TestUTF8FailFastInsideFrame checks that invalid text inside one frame that
// arrives over several reads fails with the read that holds the bad byte.
func TestUTF8FailFastInsideFrame(t *testing.T) {
	frame := fr(OpText, true, "κόσμε"+"\xed\xa0\x80"+strings.Repeat("z", 1000))
	for _, m := range []*MessageDecoder{{}, {Stream: true}, {Decoder: Decoder{NoGather: true}}} {
		_, _, err := m.Decode(append([]byte{}, frame[:30]...))
		if err != ErrInvalidUTF8 || m.InvalidOffset() != 11 {
			t.Fatalf("first read: err %v at %d", err, m.InvalidOffset())
		}
	}
}

// TestCloseReasonOffset checks InvalidOffset for a Close frame whose reason
// is not UTF-8: the offset within the payload of the first bad byte.
func TestCloseReasonOffset(t *testing.T) {
	for _, tc := range []struct {
		reason string
		at     int64
	}{
		{"by\xff", 4},
		{"κ\xe1\xbd", 6}, // ends inside a rune: the payload length
		{"\xed\xa0\x80", 3},
	} {
		m := &MessageDecoder{}
		_, _, err := m.Decode(closeFrame(1000, tc.reason))
		if err != ErrInvalidUTF8 || m.InvalidOffset() != tc.at {
			t.Errorf("reason %q: %v at %d, want 1007 at %d", tc.reason, err, m.InvalidOffset(), tc.at)
		}
	}
}
