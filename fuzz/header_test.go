package fuzz

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/wsframe/wsframe/codec"
)

func FuzzDecodeHeader(f *testing.F) {
	f.Add([]byte{0x81, 0x05})
	f.Add([]byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d})
	f.Add([]byte{0x82, 0x7e, 0x01, 0x00})
	f.Add([]byte{0x82, 0xff, 0, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3, 4})
	f.Add([]byte{0x82, 0xff, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, n, err := codec.DecodeHeader(b)
		wh, wn, complete := wireHeader(b)
		rules := headerRuleViolations(b[:min(len(b), codec.MaxHeaderSize)])
		switch {
		case err == nil:
			checkDecodedHeader(t, b, h, n)
			if !complete || h != wh || n != wn {
				t.Fatalf("%x: %v in %d bytes, wire reading gives %v in %d (complete %v)", b, h, n, wh, wn, complete)
			}
			if len(rules) > 0 {
				t.Fatalf("%x: accepted although it breaks %v", b, rules)
			}
		case err == codec.ErrShortHeader:
			if len(b) >= 2 && len(b) >= codec.HeaderSize(b) || complete {
				t.Fatalf("%x: ErrShortHeader for %d bytes of a %d-byte header", b, len(b), codec.HeaderSize(b))
			}
			// With two bytes every rule that needs no context is decided,
			// except the top bit of a 64-bit length, which needs a third;
			// shorter inputs are covered by TestDecodeHeaderEarlyRules.
			if len(b) >= 2 && len(rules) > 0 {
				t.Fatalf("%x: ErrShortHeader although it breaks %v", b, rules)
			}
		default:
			if !errIn(err, rules) {
				t.Fatalf("%x: %v, but the bytes break %v", b, err, rules)
			}
			if n != 0 || h != (codec.Header{}) {
				t.Fatalf("%x: %v came with n=%d, %v", b, err, n, h)
			}
			// The rules are decided by the first bytes: more bytes change
			// nothing, and so does cutting b to its header.
			longer := append(bytes.Clone(b), make([]byte, codec.MaxHeaderSize)...)
			if _, _, again := codec.DecodeHeader(longer); again != err {
				t.Fatalf("%x: %v, but %v once more bytes follow", b, err, again)
			}
		}
		// Every prefix gives ErrShortHeader until the bytes decide the
		// outcome; from then on every longer prefix gives the same.
		settled, outcome := false, error(nil)
		for k := 0; k <= min(len(b), codec.MaxHeaderSize); k++ {
			_, pn, perr := codec.DecodeHeader(b[:k])
			switch {
			case settled && perr != outcome:
				t.Fatalf("%x: %d bytes give %v after a shorter prefix gave %v", b, k, perr, outcome)
			case perr == nil && (err != nil || pn != n):
				t.Fatalf("%x: %d bytes decode as a %d-byte header; the input gives %d, %v", b, k, pn, n, err)
			case perr != codec.ErrShortHeader:
				settled, outcome = true, perr
			}
		}
	})
}

// checkDecodedHeader checks what holds for every header DecodeHeader
// accepts: its size, that it reads no byte past it, and that AppendHeader
// gives it back (byte for byte when b used the minimal length encoding).
func checkDecodedHeader(t *testing.T, b []byte, h codec.Header, n int) {
	t.Helper()
	if n < 2 || n > codec.MaxHeaderSize || n > len(b) || n != codec.HeaderSize(b) || h.Length < 0 {
		t.Fatalf("%x: %v in %d bytes, HeaderSize %d", b, h, n, codec.HeaderSize(b))
	}
	if h2, n2, err := codec.DecodeHeader(b[:n]); h2 != h || n2 != n || err != nil {
		t.Fatalf("%x: the header alone gives %v, %d, %v", b, h2, n2, err)
	}
	if !h.Masked && h.Key != ([4]byte{}) {
		t.Fatalf("%x: unmasked header with key %x", b, h.Key)
	}
	var buf [codec.MaxHeaderSize]byte
	out := codec.AppendHeader(buf[:0], h)
	if len(out) != h.Size() || &out[0] != &buf[0] {
		t.Fatalf("%v: AppendHeader wrote %d bytes (Size %d) or left the room it had", h, len(out), h.Size())
	}
	if h.Size() == n {
		if !bytes.Equal(out, b[:n]) {
			t.Fatalf("%v: AppendHeader gives %x, the input was %x", h, out, b[:n])
		}
		return
	}
	if h.Size() > n {
		t.Fatalf("%x: %d-byte header, but Size says the minimal encoding takes %d", b, n, h.Size())
	}
	h2, n2, err := codec.DecodeHeader(out)
	if err != nil || h2 != h || n2 != len(out) {
		t.Fatalf("%v: re-encoded as %x, which decodes to %v, %d, %v", h, out, h2, n2, err)
	}
}

// TestDecodeHeaderEarlyRules checks every input of one and two bytes, and
// of three where the third byte can matter: a rule that the bytes present
// decide must fail at once, as DecodeHeader documents, and an input that
// breaks none must ask for more.
func TestDecodeHeaderEarlyRules(t *testing.T) {
	var wrong []string
	check := func(b []byte) {
		_, _, err := codec.DecodeHeader(b)
		rules := headerRuleViolations(b)
		want := rules
		if len(want) == 0 && len(b) < codec.HeaderSize(b) {
			want = []error{codec.ErrShortHeader}
		}
		if len(want) > 0 && !errIn(err, want) {
			wrong = append(wrong, fmt.Sprintf("%x: %v, want one of %v", b, err, want))
		}
	}
	check(nil)
	for b0 := 0; b0 < 256; b0++ {
		check([]byte{byte(b0)})
		for b1 := 0; b1 < 256; b1++ {
			check([]byte{byte(b0), byte(b1)})
			if b1&0x7f == 127 {
				check([]byte{byte(b0), byte(b1), 0x7f})
				check([]byte{byte(b0), byte(b1), 0x80})
			}
		}
	}
	if len(wrong) > 0 {
		t.Errorf("%d short inputs decoded wrongly, among them:\n%s", len(wrong), strings.Join(wrong[:min(len(wrong), 8)], "\n"))
	}
}
