package codec

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestRoundTrip encodes random frames in both roles and decodes them back.
func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	for _, client := range []bool{false, true} {
		enc := Encoder{Client: client}
		dec := Decoder{Client: !client, Rsv: 7}
		var stream []byte
		var want []record
		for i := 0; i < 300; i++ {
			op := []Opcode{OpText, OpBinary, OpContinuation, OpPing, OpPong}[r.Intn(5)]
			n := r.Intn(70000)
			if op.IsControl() || r.Intn(2) == 0 {
				n = r.Intn(126)
			}
			payload := payloadOf(n, int64(i))
			orig := append([]byte{}, payload...)
			fin := op.IsControl() || r.Intn(2) == 0
			rsv := uint8(r.Intn(8))
			var err error
			stream, err = enc.AppendFrame(stream, op, fin, rsv, payload)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(payload, orig) {
				t.Fatal("AppendFrame modified the payload")
			}
			want = append(want, record{Header{Fin: fin, Rsv: rsv, Opcode: op, Length: int64(n), Masked: client}, orig})
		}
		got := decodeChunks(t, func() *Decoder { d := dec; return &d }, stream, randomCuts(r, len(stream), 5000))
		if got.err != nil || len(got.frames) != len(want) {
			t.Fatalf("client=%v: %d frames, %v", client, len(got.frames), got.err)
		}
		keys := map[[4]byte]bool{}
		for i, g := range got.frames {
			w := want[i]
			w.h.Key = g.h.Key
			if g.h != w.h || !bytes.Equal(g.payload, w.payload) {
				t.Fatalf("client=%v frame %d: %v, want %v", client, i, g.h, w.h)
			}
			keys[g.h.Key] = true
		}
		if client && len(keys) < len(want)-2 {
			t.Fatalf("only %d distinct keys in %d frames", len(keys), len(want))
		}
	}
}

func TestAppendFrameRFCExamples(t *testing.T) {
	// RFC 6455 section 5.7.
	got := AppendFrame(nil, Header{Fin: true, Opcode: OpText}, []byte("Hello"))
	if !bytes.Equal(got, []byte{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}) {
		t.Errorf("unmasked Hello: %x", got)
	}
	got = AppendFrame(nil, Header{Fin: true, Opcode: OpText, Masked: true, Key: [4]byte{0x37, 0xfa, 0x21, 0x3d}}, []byte("Hello"))
	if !bytes.Equal(got, []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}) {
		t.Errorf("masked Hello: %x", got)
	}
	var d Decoder
	f, _, err := d.Decode(got)
	if err != nil || string(f.Payload) != "Hello" {
		t.Errorf("decode: %q %v", f.Payload, err)
	}
}

func TestAppendMessageFragments(t *testing.T) {
	var enc Encoder
	payload := payloadOf(1000, 3)
	out, err := enc.AppendMessage(nil, OpBinary, Rsv1, payload, 300)
	if err != nil {
		t.Fatal(err)
	}
	got := decodeChunks(t, func() *Decoder { return &Decoder{Client: true, Rsv: Rsv1} }, out, nil)
	if got.err != nil || len(got.frames) != 4 {
		t.Fatalf("%d frames, %v", len(got.frames), got.err)
	}
	var joined []byte
	for i, f := range got.frames {
		wantOp, wantRsv := OpContinuation, uint8(0)
		if i == 0 {
			wantOp, wantRsv = OpBinary, Rsv1
		}
		if f.h.Opcode != wantOp || f.h.Rsv != wantRsv || f.h.Fin != (i == 3) {
			t.Errorf("frame %d: %v", i, f.h)
		}
		joined = append(joined, f.payload...)
	}
	if !bytes.Equal(joined, payload) {
		t.Error("fragments do not join to the payload")
	}
	one, _ := enc.AppendMessage(nil, OpText, 0, []byte("hi"), 0)
	if !bytes.Equal(one, []byte{0x81, 2, 'h', 'i'}) {
		t.Errorf("single frame: %x", one)
	}
}

func TestControlLimits(t *testing.T) {
	var enc Encoder
	if _, err := enc.AppendPing(nil, make([]byte, 126)); err != ErrControlPayload {
		t.Errorf("ping 126: %v", err)
	}
	if _, err := enc.AppendPong(nil, make([]byte, 125)); err != nil {
		t.Errorf("pong 125: %v", err)
	}
	if _, err := enc.AppendFrame(nil, OpPing, false, 0, nil); err != ErrControlPayload {
		t.Errorf("fragmented ping: %v", err)
	}
	if _, err := enc.AppendClose(nil, 1005, ""); err != ErrCloseCode {
		t.Errorf("close 1005: %v", err)
	}
	out, err := enc.AppendClose(nil, CloseNormal, "bye")
	if err != nil || !bytes.Equal(out, []byte{0x88, 5, 0x03, 0xe8, 'b', 'y', 'e'}) {
		t.Errorf("close: %x %v", out, err)
	}
	if !enc.Closed() {
		t.Error("Closed() false after a close frame")
	}
	if _, err := enc.AppendFrame(nil, OpText, true, 0, nil); err != ErrClosed {
		t.Errorf("data after close: %v", err)
	}
	if _, err := enc.AppendPong(nil, nil); err != nil {
		t.Errorf("pong after close: %v", err)
	}
}

func TestClosePayload(t *testing.T) {
	long := strings.Repeat("é", 100) // 200 bytes of 2-byte runes
	p, err := AppendClosePayload(nil, CloseGoingAway, long)
	if err != nil || len(p) > MaxControlPayload || !utf8.Valid(p[2:]) || len(p) != 2+122 {
		t.Fatalf("len %d valid %v err %v", len(p), utf8.Valid(p[2:]), err)
	}
	if p, _ := AppendClosePayload(nil, 0, "ignored"); len(p) != 0 {
		t.Errorf("code 0: %x", p)
	}
	for _, tc := range []struct {
		in     []byte
		code   CloseCode
		reason string
		err    error
	}{
		{nil, CloseNoStatus, "", nil},
		{[]byte{0x03}, 0, "", ErrCloseLength},
		{[]byte{0x03, 0xe8}, 1000, "", nil},
		{[]byte{0x03, 0xe8, 'o', 'k'}, 1000, "ok", nil},
		{[]byte{0x0f, 0xa0}, 4000, "", nil},
		{[]byte{0x03, 0xed}, 0, "", ErrInvalidCloseCode}, // 1005
		{[]byte{0x03, 0xe7}, 0, "", ErrInvalidCloseCode}, // 999
		{[]byte{0x13, 0x88}, 0, "", ErrInvalidCloseCode}, // 5000
		{[]byte{0x03, 0xe8, 0xce, 0xba, 0xe1, 0xbd}, 0, "", ErrInvalidUTF8},
	} {
		code, reason, err := ParseClosePayload(tc.in)
		if code != tc.code || string(reason) != tc.reason || err != tc.err {
			t.Errorf("ParseClosePayload(%x) = %v %q %v, want %v %q %v", tc.in, code, reason, err, tc.code, tc.reason, tc.err)
		}
	}
}

func TestBuffers(t *testing.T) {
	payload := payloadOf(5000, 4)
	var srv Encoder
	bufs, err := srv.Buffers(nil, OpBinary, true, 0, payload)
	if err != nil || len(bufs) != 2 || &bufs[1][0] != &payload[0] {
		t.Fatalf("server buffers: %d %v", len(bufs), err)
	}
	if !bytes.Equal(bytes.Join(bufs, nil), AppendFrame(nil, Header{Fin: true, Opcode: OpBinary}, payload)) {
		t.Fatal("server buffers differ from AppendFrame")
	}
	cli := Encoder{Client: true}
	orig := bytes.Clone(payload)
	scratch := make([]byte, 0, len(payload))
	for range 2 {
		bufs, err = cli.Buffers(scratch, OpBinary, true, 0, payload)
		if err != nil || len(bufs) != 2 || len(bufs[1]) != len(payload) || &bufs[1][0] != &scratch[:1][0] {
			t.Fatalf("client buffers: %d %v: the masked payload must start scratch", len(bufs), err)
		}
		var d Decoder
		f, n, err := d.Decode(bytes.Join(bufs, nil))
		if err != nil || n != len(bufs[0])+len(payload) || !bytes.Equal(f.Payload, payload) {
			t.Fatal("client buffers do not decode to the payload")
		}
		if !bytes.Equal(payload, orig) {
			t.Fatal("client Buffers modified the payload")
		}
		scratch = bufs[1]
	}
	// A short scratch is grown; nil works.
	bufs, err = cli.Buffers(make([]byte, 3), OpText, true, 0, payload)
	if err != nil || len(bufs) != 2 || !bytes.Equal(bufs[0][:1], []byte{0x81}) {
		t.Fatalf("client buffers into a short scratch: %v", err)
	}
	var d Decoder
	if f, _, err := d.Decode(bytes.Join(bufs, nil)); err != nil || !bytes.Equal(f.Payload, payload) {
		t.Fatal("client buffers from a short scratch do not decode to the payload")
	}
}

func TestEncodeNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	payload := payloadOf(1024, 1)
	dst := make([]byte, 0, 2048)
	srv, cli := &Encoder{}, &Encoder{Client: true}
	for name, f := range map[string]func(){
		"server AppendFrame": func() { srv.AppendFrame(dst, OpBinary, true, 0, payload) },
		"client AppendFrame": func() { cli.AppendFrame(dst, OpBinary, true, 0, payload) },
		"server Buffers":     func() { srv.Buffers(nil, OpBinary, true, 0, payload) },
		"client Buffers":     func() { cli.Buffers(dst, OpBinary, true, 0, payload) },
		"AppendClose":        func() { (&Encoder{}).AppendClose(dst, CloseNormal, "bye") },
	} {
		if a := testing.AllocsPerRun(200, f); a != 0 {
			t.Errorf("%s: %v allocs", name, a)
		}
	}
}

// A payload that lies where the frame is written still goes out as it was,
// and is left as it was: AppendFrame and Buffers build the frame elsewhere.
func TestEncodeOverlappingPayload(t *testing.T) {
	for _, client := range []bool{false, true} {
		for _, off := range []int{0, 1, 2, 8, 14, 100} {
			buf := make([]byte, 0, 4096)
			payload := buf[off : off+1000]
			copy(payload, payloadOf(1000, int64(off)))
			orig := bytes.Clone(payload)
			enc := Encoder{Client: client}
			frame, err := enc.AppendFrame(buf, OpBinary, true, 0, payload)
			if err != nil {
				t.Fatal(err)
			}
			d := Decoder{Client: !client}
			f, _, err := d.Decode(frame)
			if err != nil || !bytes.Equal(f.Payload, orig) {
				t.Fatalf("client=%v off=%d: AppendFrame over its payload: %v", client, off, err)
			}
			if !bytes.Equal(payload, orig) {
				t.Fatalf("client=%v off=%d: AppendFrame modified the payload", client, off)
			}
			if !client {
				continue
			}
			scratch := buf[off/2 : off/2]
			bufs, err := enc.Buffers(scratch, OpBinary, true, 0, payload)
			if err != nil {
				t.Fatal(err)
			}
			f, _, err = d.Decode(bytes.Join(bufs, nil))
			if err != nil || !bytes.Equal(f.Payload, orig) || !bytes.Equal(payload, orig) {
				t.Fatalf("off=%d: Buffers with a scratch overlapping the payload: %v", off, err)
			}
		}
	}
}
