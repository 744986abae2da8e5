package interop

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/wsframe/wsframe/codec"
	"github.com/wsframe/wsframe/handshake"
)

// capturePeer is a client whose bytes are kept in testdata: its upgrade
// request in NAME-client.http and what it sent after it, every frame
// masked, in NAME-client.bin. TestRecord makes them.
type capturePeer struct {
	name string
	f    features
	// finalEmpty: the peer ends a fragmented message with an empty final
	// continuation frame after the fragments it was given.
	finalEmpty bool
}

var capturePeers = []capturePeer{
	{name: "node", f: allFeatures},
	{name: "python", f: features{fragments: true, ping: true}, finalEmpty: true},
}

// captureCases are the messages sent for testdata: every kind of frame and
// length encoding, fragments with a ping between them, then a close.
func captureCases(f features) []caseSpec {
	cs := []caseSpec{
		{Name: "text", Op: "text", Payload: text("Hello", 1)},
		{Name: "text-utf8", Op: "text", Payload: text(mixed, 1)},
		{Name: "binary-300", Op: "binary", Payload: random(300, 11)},
		{Name: "binary-66000", Op: "binary", Payload: random(66000, 12)},
		{Name: "frag-text-ping", Op: "text", Payload: text(mixed, 2), Frags: runeSplit(mixed, 2, 3), Ping: text("between", 1)},
		{Name: "frag-binary", Op: "binary", Payload: random(5000, 13), Frags: []int{1, 0, 2999, 2000}},
	}
	if f.midRune {
		u := mixed + "🙂🙂"
		cs = append(cs, caseSpec{Name: "frag-text-midrune", Op: "text", Payload: text(u, 1),
			Frags: []int{len(u) - 7, 2, 3, 2}})
	}
	return append(cs,
		caseSpec{Name: "ping", Op: "ping", Payload: text("ping ✓", 1)},
		caseSpec{Name: "close", Op: "close", Code: 1000, Reason: "bye"},
	)
}

// wireFrame is a frame as the header gives it.
type wireFrame struct {
	op     codec.Opcode
	fin    bool
	length int64
}

func (w wireFrame) String() string { return fmt.Sprintf("%v fin=%v len=%d", w.op, w.fin, w.length) }

// frames returns the frames p sends for cases.
func (p capturePeer) frames(cases []caseSpec) []wireFrame {
	var fs []wireFrame
	for _, c := range cases {
		switch c.Op {
		case "text", "binary":
			op := opcodes[c.Op]
			n := int64(len(c.Payload.bytes()))
			if c.Frags == nil {
				fs = append(fs, wireFrame{op, true, n})
				continue
			}
			for i, n := range c.Frags {
				last := i == len(c.Frags)-1 && !p.finalEmpty
				fs = append(fs, wireFrame{op, last, int64(n)})
				op = codec.OpContinuation
				if i == 0 && c.Ping != nil {
					fs = append(fs, wireFrame{codec.OpPing, true, int64(len(c.Ping.bytes()))})
				}
			}
			if p.finalEmpty {
				fs = append(fs, wireFrame{codec.OpContinuation, true, 0})
			}
		case "ping":
			fs = append(fs, wireFrame{codec.OpPing, true, int64(len(c.Payload.bytes()))})
		case "close":
			fs = append(fs, wireFrame{codec.OpClose, true, int64(2 + len(c.Reason))})
		}
	}
	return fs
}

// message is a decoded message as the tests compare it.
type message struct {
	op      codec.Opcode
	payload string
	code    codec.CloseCode
}

func (m message) String() string {
	return fmt.Sprintf("%v len=%d sha256=%.12s code=%d", m.op, len(m.payload), sha([]byte(m.payload)), m.code)
}

// messages returns the messages a MessageDecoder makes of cases: a ping
// sent between fragments comes before the message it interrupts.
func messages(cases []caseSpec) []message {
	var ms []message
	for _, c := range cases {
		switch c.Op {
		case "text", "binary":
			if c.Ping != nil {
				ms = append(ms, message{op: codec.OpPing, payload: string(c.Ping.bytes())})
			}
			ms = append(ms, message{op: opcodes[c.Op], payload: string(c.Payload.bytes())})
		case "ping":
			ms = append(ms, message{op: codec.OpPing, payload: string(c.Payload.bytes())})
		case "close":
			ms = append(ms, message{op: codec.OpClose, payload: "\x03\xe8" + c.Reason, code: codec.CloseCode(c.Code)})
		}
	}
	return ms
}

func readCapture(t *testing.T, name string) (head, stream []byte) {
	t.Helper()
	head, err := os.ReadFile(filepath.Join("testdata", name+"-client.http"))
	if err != nil {
		t.Fatal(err)
	}
	stream, err = os.ReadFile(filepath.Join("testdata", name+"-client.bin"))
	if err != nil {
		t.Fatal(err)
	}
	return head, stream
}

// TestCapturedFrames decodes the bytes the Node ws and Python websockets
// clients sent, kept in testdata: it needs no peer.
func TestCapturedFrames(t *testing.T) {
	for _, p := range capturePeers {
		t.Run(p.name, func(t *testing.T) {
			head, stream := readCapture(t, p.name)
			cases := captureCases(p.f)
			t.Run("request", func(t *testing.T) { checkCapturedRequest(t, head) })
			t.Run("frames", func(t *testing.T) { checkCapturedFrames(t, stream, p.frames(cases)) })
			want := messages(cases)
			for _, cfg := range decoderConfigs() {
				for _, chunk := range []int{len(stream), 1, 7, 1000} {
					t.Run(fmt.Sprintf("%s/chunk=%d", cfg.name, chunk), func(t *testing.T) {
						checkCapturedMessages(t, cfg.dec, stream, chunk, want)
					})
				}
			}
		})
	}
}

// checkCapturedRequest checks that the server handshake accepts the
// client's request with the accept value RFC 6455 gives for its key, and
// selects none of the extensions it offers; with handshake.Deflate it
// accepts the client's permessage-deflate offer.
func checkCapturedRequest(t *testing.T, head []byte) {
	var up handshake.Upgrader
	res, n, err := up.Handshake(nil, head)
	if err != nil || n != len(head) {
		t.Fatalf("Handshake: n=%d of %d, %v", n, len(head), err)
	}
	sum := sha1.Sum(append(append([]byte(nil), res.Request.Key()...), wsGUID...))
	accept := base64.StdEncoding.EncodeToString(sum[:])
	want := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
		accept + "\r\n\r\n"
	if string(res.Response) != want {
		t.Errorf("response:\n%q\nwant\n%q", res.Response, want)
	}

	// The examples' negotiation accepts the client's permessage-deflate
	// offer as examplesDeflate.
	up.Extensions = (&handshake.Deflate{}).Negotiate
	if res, _, err = up.Handshake(nil, head); err != nil {
		t.Fatalf("Handshake with handshake.Deflate: %v", err)
	}
	if res.Extensions != examplesDeflate {
		t.Errorf("handshake.Deflate selected %q, want %q", res.Extensions, examplesDeflate)
	}
	ext := "Sec-WebSocket-Extensions: " + examplesDeflate + "\r\n"
	if !bytes.Contains(res.Response, []byte(ext)) {
		t.Errorf("response:\n%q\nwant it to hold %q", res.Response, ext)
	}
}

// checkCapturedFrames decodes stream frame by frame and compares the
// headers with want; every frame must be masked.
func checkCapturedFrames(t *testing.T, stream []byte, want []wireFrame) {
	b := bytes.Clone(stream)
	var d codec.Decoder
	var got []wireFrame
	for len(b) > 0 {
		f, n, err := d.Decode(b)
		if err != nil {
			t.Fatalf("frame %d: %v", len(got), err)
		}
		b = b[n:]
		if !f.Masked {
			t.Errorf("frame %d is not masked", len(got))
		}
		got = append(got, wireFrame{f.Opcode, f.Fin, f.Length})
	}
	diff(t, "frame", got, want)
}

type decoderConfig struct {
	name string
	dec  codec.MessageDecoder
}

func decoderConfigs() []decoderConfig {
	return []decoderConfig{
		{"gather", codec.MessageDecoder{}},
		{"stream-above=1", codec.MessageDecoder{Decoder: codec.Decoder{StreamAbove: 1}}},
		{"stream", codec.MessageDecoder{Decoder: codec.Decoder{StreamAbove: 64}, Stream: true}},
	}
}

// checkCapturedMessages feeds stream to dec chunk bytes at a time, as
// reads would deliver it, and compares the messages with want.
func checkCapturedMessages(t *testing.T, dec codec.MessageDecoder, stream []byte, chunk int, want []message) {
	var got []message
	var pieces []byte
	for rest := stream; len(rest) > 0; {
		// A fresh copy of each read, unmasked in place by the decoder.
		data := bytes.Clone(rest[:min(chunk, len(rest))])
		rest = rest[len(data):]
		for len(data) > 0 {
			msg, n, err := dec.Decode(data)
			data = data[n:]
			if err == codec.ErrNeedMore {
				break
			}
			if err != nil {
				t.Fatalf("after %d messages: %v", len(got), err)
			}
			if dec.Stream && !msg.Opcode.IsControl() {
				pieces = append(pieces, msg.Payload...)
				if msg.More {
					continue
				}
				msg.Payload = pieces
			}
			got = append(got, message{msg.Opcode, string(msg.Payload), msg.Code})
			if dec.Stream && !msg.Opcode.IsControl() {
				pieces = pieces[:0]
			}
			if msg.Opcode == codec.OpClose {
				if len(data) > 0 || len(rest) > 0 {
					t.Errorf("%d bytes after the close frame", len(data)+len(rest))
				}
				if _, _, err := dec.Decode(data); err != codec.ErrPeerClosed {
					t.Errorf("Decode after the close frame: %v, want ErrPeerClosed", err)
				}
			}
		}
	}
	diff(t, "message", got, want)
}

// diff reports where got and want differ.
func diff[T interface {
	comparable
	fmt.Stringer
}](t *testing.T, what string, got, want []T) {
	t.Helper()
	for i := 0; i < max(len(got), len(want)); i++ {
		switch {
		case i >= len(want):
			t.Errorf("%s %d: %v, want none", what, i, got[i])
		case i >= len(got):
			t.Errorf("%s %d: none, want %v", what, i, want[i])
		case got[i] != want[i]:
			t.Errorf("%s %d: %v, want %v", what, i, got[i], want[i])
		}
	}
}
