package fuzz

import (
	"bytes"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/wsframe/wsframe/codec"
)

func FuzzClosePayload(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x03, 0xe8})
	f.Add([]byte("\x03\xe8bye"))
	f.Fuzz(func(t *testing.T, p []byte) {
		errs, badAt := closeViolations(p)

		code, reason, err := codec.ParseClosePayload(p)
		switch {
		case len(errs) > 0:
			if !errIn(err, errs) {
				t.Fatalf("%q: ParseClosePayload gave %v, want one of %v", p, err, errs)
			}
		case err != nil:
			t.Fatalf("%q: ParseClosePayload: %v", p, err)
		case len(p) == 0 && (code != codec.CloseNoStatus || reason != nil):
			t.Fatalf("empty payload gave %v, %q", code, reason)
		case len(p) >= 2 && (code != codec.CloseCode(p[0])<<8|codec.CloseCode(p[1]) || !bytes.Equal(reason, p[2:])):
			t.Fatalf("%q: code %v, reason %q", p, code, reason)
		case len(p) > 2 && &reason[0] != &p[2]:
			t.Fatalf("%q: the reason is not a view of the payload", p)
		}

		// The same payload in a Close frame from a client: the same answer,
		// and after invalid UTF-8 the offset of the first impossible byte.
		frame := codec.AppendFrame(nil, codec.Header{Fin: true, Opcode: codec.OpClose, Masked: true, Key: [4]byte{9, 8, 7, 6}}, p)
		var m codec.MessageDecoder
		msg, n, merr := m.Decode(frame)
		switch {
		case len(p) > codec.MaxControlPayload:
			if merr != codec.ErrControlTooLong {
				t.Fatalf("Close frame of %d bytes: %v", len(p), merr)
			}
			return
		case merr != err:
			t.Fatalf("%q: MessageDecoder gave %v, ParseClosePayload %v", p, merr, err)
		case merr == codec.ErrInvalidUTF8 && m.InvalidOffset() != badAt:
			t.Fatalf("%q: InvalidOffset %d, want %d", p, m.InvalidOffset(), badAt)
		case merr == nil && (msg.Opcode != codec.OpClose || msg.Code != code || !bytes.Equal(msg.Reason, reason) || n != len(frame) || !m.PeerClosed()):
			t.Fatalf("%q: Close message %v %v %q, n=%d", p, msg.Opcode, msg.Code, msg.Reason, n)
		}
		if merr != nil {
			return
		}

		// A valid code and reason survive the way back through the Encoder,
		// the reason cut on a rune boundary to what fits.
		if code == codec.CloseNoStatus {
			return
		}
		long := slices.Repeat(reason, 1+130/(len(reason)+1))
		for _, r := range [][]byte{reason, long} {
			want := r
			for len(want) > codec.MaxControlPayload-2 {
				_, size := utf8.DecodeLastRune(want)
				want = want[:len(want)-size]
			}
			enc := codec.Encoder{Client: true}
			out, err := enc.AppendClose(nil, code, string(r))
			if err != nil {
				t.Fatalf("AppendClose(%v, %q): %v", code, r, err)
			}
			var back codec.MessageDecoder
			msg, _, err := back.Decode(out)
			if err != nil || msg.Code != code || !bytes.Equal(msg.Reason, want) {
				t.Fatalf("AppendClose(%v, %d bytes) came back as %v %q, %v; want %q", code, len(r), msg.Code, msg.Reason, err, want)
			}
		}
	})
}
