package interop

import (
	"bytes"
	"compress/flate"
	"fmt"
	"testing"

	"github.com/wsframe/wsframe/codec"
	"github.com/wsframe/wsframe/handshake"
)

// deflateRun is what a run of the client expects of permessage-deflate
// (RFC 7692). The zero value offers nothing and expects no extension.
type deflateRun struct {
	// offer: the client offers handshake.DeflateOffer.
	offer bool
	// found and params: the response's permessage-deflate, exactly.
	found  bool
	params handshake.DeflateParams
	// compresses reports whether the peer compresses a message of n bytes.
	compresses func(n int) bool
}

func always(int) bool { return true }
func never(int) bool  { return false }

// compressesFrom returns the rule of a peer that compresses the messages
// of least bytes or more.
func compressesFrom(least int) func(int) bool { return func(n int) bool { return n >= least } }

// deflateConfigs are the ways of driving the client once compression is
// negotiated. All but "uncompressed" send whole messages with
// AppendMessage, which compresses those of CompressMin bytes or more, and
// fragmented ones compressed by deflateFrags; "uncompressed" sends every
// message without RSV1, which a peer must accept all the same.
func deflateConfigs() []clientConfig {
	client := codec.MessageDecoder{Decoder: codec.Decoder{Client: true}}
	return []clientConfig{
		{name: "read=16/message", readSize: 16, dec: client, write: "message"},
		{name: "read=256k/split", readSize: 256 << 10, dec: client, write: "split"},
		{name: "read=4k/stream-above=1/best/min=1", readSize: 4 << 10,
			dec: codec.MessageDecoder{Decoder: codec.Decoder{Client: true, StreamAbove: 1}}, write: "message",
			compressLevel: flate.BestCompression, compressMin: 1},
		{name: "read=1k/stream/huffman", readSize: 1 << 10,
			dec: codec.MessageDecoder{Decoder: codec.Decoder{Client: true, StreamAbove: 512}, Stream: true}, write: "split",
			compressLevel: flate.HuffmanOnly},
		{name: "read=4k/uncompressed", readSize: 4 << 10, dec: client, write: "frame"},
	}
}

// deflateFrags compresses p as permessage-deflate does, with compress/flate
// directly rather than the Encoder, and cuts the result into as many
// fragments as frags has, in proportion to their lengths, so that a
// fragment may be empty and the stream is cut anywhere. The fragments of
// the compressed message are then sent with RSV1 on the first only.
func deflateFrags(p []byte, frags []int) (compressed []byte, cut []int) {
	var b bytes.Buffer
	fw, _ := flate.NewWriter(&b, flate.DefaultCompression)
	fw.Write(p)
	fw.Flush()
	compressed, ok := bytes.CutSuffix(b.Bytes(), []byte{0, 0, 0xff, 0xff})
	if !ok {
		panic("a flate sync flush does not end with 00 00 ff ff")
	}
	cut = make([]int, len(frags))
	sum, at := 0, 0
	for i, n := range frags {
		sum += n
		end := len(compressed)
		if len(p) > 0 && i < len(frags)-1 {
			end = sum * len(compressed) / len(p)
		}
		cut[i] = end - at
		at = end
	}
	return compressed, cut
}

// received is a data message as the client received it.
type received struct {
	n          int
	compressed bool
}

// wireLog follows the frames the client writes: RSV1 of each data message,
// and any frame RFC 7692 forbids to carry it.
type wireLog struct {
	rsv1     []bool
	problems []string
}

// scan reads the headers of the whole frames in b.
func (w *wireLog) scan(b []byte) {
	for len(b) > 0 {
		h, n, err := codec.DecodeHeader(b)
		if err != nil || int64(len(b)-n) < h.Length {
			w.problems = append(w.problems, fmt.Sprintf("a write holds no whole frame: %v", err))
			return
		}
		b = b[n+int(h.Length):]
		switch {
		case h.Rsv&^codec.Rsv1 != 0:
			w.problems = append(w.problems, fmt.Sprintf("%v frame with RSV2 or RSV3", h.Opcode))
		case h.Opcode.IsControl() || h.Opcode == codec.OpContinuation:
			if h.Rsv != 0 {
				w.problems = append(w.problems, fmt.Sprintf("%v frame with RSV1", h.Opcode))
			}
		default:
			w.rsv1 = append(w.rsv1, h.Rsv&codec.Rsv1 != 0)
		}
	}
}

// checkCompression checks, after a run, that every data message went out
// with RSV1 exactly when the client compressed it, and that the peer's
// messages came compressed exactly when its rule says. After a run of the
// echo cases, some messages must have been compressed each way once
// compression is negotiated (not sent, with write "frame" or "buffers").
func (c *wsClient) checkCompression(t *testing.T, echoed bool) {
	t.Helper()
	for _, p := range c.wire.problems {
		t.Error(p)
	}
	if len(c.wire.rsv1) != len(c.wantRSV1) {
		t.Errorf("%d data messages written, %d sent", len(c.wire.rsv1), len(c.wantRSV1))
	}
	sent, bad := 0, 0
	for i, want := range c.wantRSV1 {
		if i < len(c.wire.rsv1) && c.wire.rsv1[i] != want {
			if bad++; bad <= 5 {
				t.Errorf("data message %d went out with RSV1 %v, want %v", i, c.wire.rsv1[i], want)
			}
		}
		if i < len(c.wire.rsv1) && c.wire.rsv1[i] {
			sent++
		}
	}
	compresses := c.deflate.compresses
	if compresses == nil {
		compresses = never
	}
	got := 0
	for i, r := range c.received {
		if r.compressed {
			got++
		}
		if r.compressed != compresses(r.n) {
			if bad++; bad <= 5 {
				t.Errorf("message %d received (%d bytes): Compressed %v, want %v", i, r.n, r.compressed, !r.compressed)
			}
		}
	}
	if bad > 5 {
		t.Errorf("%d messages in all with RSV1 other than expected", bad)
	}
	t.Logf("data messages: sent %d, %d of them compressed; received %d, %d of them compressed",
		len(c.wantRSV1), sent, len(c.received), got)
	if !echoed || !c.enc.Compress {
		return
	}
	if got == 0 {
		t.Error("permessage-deflate was negotiated, but no message came back compressed")
	}
	if sent == 0 && (c.write == "message" || c.write == "split") {
		t.Error("permessage-deflate was negotiated, but no message went out compressed")
	}
}
