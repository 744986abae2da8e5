package fuzz

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/wsframe/wsframe/codec"
)

var update = flag.Bool("update", false, "rewrite the named seed files in testdata/fuzz")

// seed is one named file of a target's seed corpus.
type seed struct {
	target string
	name   string
	args   []any
}

// encodeSeed writes args in the "go test fuzz v1" format.
func encodeSeed(args []any) []byte {
	var b bytes.Buffer
	b.WriteString("go test fuzz v1\n")
	for _, a := range args {
		switch v := a.(type) {
		case []byte:
			fmt.Fprintf(&b, "[]byte(%q)\n", v)
		case byte:
			fmt.Fprintf(&b, "byte(%q)\n", v)
		case uint16, uint32, uint64:
			fmt.Fprintf(&b, "%T(%v)\n", v, v)
		default:
			panic(fmt.Sprintf("seed argument of type %T", a))
		}
	}
	return b.Bytes()
}

// TestSeedCorpus checks that the named seed files match seeds(); run with
// -update to write them.
func TestSeedCorpus(t *testing.T) {
	for _, s := range seeds() {
		path := filepath.Join("testdata", "fuzz", s.target, s.name)
		want := encodeSeed(s.args)
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is missing or out of date: go test -run TestSeedCorpus -update", path)
		}
	}
}

// The examples of RFC 6455 section 5.7.
var (
	rfcKey          = [4]byte{0x37, 0xfa, 0x21, 0x3d}
	rfcHello        = []byte{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}
	rfcMaskedHello  = []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}
	rfcHel          = []byte{0x01, 0x03, 0x48, 0x65, 0x6c}
	rfcLo           = []byte{0x80, 0x02, 0x6c, 0x6f}
	rfcPing         = []byte{0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}
	rfcMaskedPong   = []byte{0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}
	rfc256Header    = []byte{0x82, 0x7e, 0x01, 0x00}
	rfc64KiBHeader  = []byte{0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00}
	maxLengthHeader = []byte{0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	topBitHeader    = []byte{0x82, 0xff, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05}
)

// text returns n bytes of printable payload, so seed files stay readable.
func text(n int) []byte { return bytes.Repeat([]byte("wsframe "), n/8+1)[:n] }

// client and server build frames as each side sends them.
func client(op codec.Opcode, fin bool, rsv uint8, p []byte) []byte {
	return codec.AppendFrame(nil, codec.Header{Fin: fin, Rsv: rsv, Opcode: op, Masked: true, Key: rfcKey}, p)
}

func server(op codec.Opcode, fin bool, p []byte) []byte {
	return codec.AppendFrame(nil, codec.Header{Fin: fin, Opcode: op}, p)
}

func clientText(p string) []byte { return client(codec.OpText, true, 0, []byte(p)) }

func closePayload(code uint16, reason string) []byte {
	return append([]byte{byte(code >> 8), byte(code)}, reason...)
}

// withKey appends rfcKey to a header whose mask bit is set.
func withKey(h []byte) []byte {
	return append(slices.Clone(h), rfcKey[:]...)
}

func masked(h []byte) []byte {
	m := slices.Clone(h)
	m[1] |= 0x80
	return withKey(m)
}

const (
	// FuzzDecoder's config byte (see decoderConfig).
	decClient    = 0x01
	decUnlimited = 0x02
	decDefault   = 0x04
	decTiny      = 0x06
	decRsv1      = 0x08
	decRsvAll    = 0x18
	decStream    = 0x20
	decNoGather  = 0x40
	decMinimal   = 0x80

	// FuzzMessage's config word (see messageConfig).
	msgRecords      = 0x001
	msgClient       = 0x002
	msgRsv1         = 0x004
	msgStreamAbove  = 0x008
	msgNoGather     = 0x010
	msgStream       = 0x020
	msgMax64        = 0x000
	msgMaxNone      = 0x040
	msgMaxDefault   = 0x080
	msgMax7         = 0x0c0
	msgFrags3       = 0x000
	msgFragsNone    = 0x100
	msgFragsDefault = 0x200
	msgFrags1       = 0x300
	msgSmallFrames  = 0x400
	msgDefault      = msgMaxDefault | msgFragsDefault
)

func seeds() []seed {
	var all []seed
	add := func(target, name string, args ...any) {
		all = append(all, seed{target, name, args})
	}

	// FuzzDecodeHeader: every length form, masked and not, and every rule.
	for name, h := range map[string][]byte{
		"rfc-hello":                 rfcHello[:2],
		"rfc-hello-masked":          rfcMaskedHello[:6],
		"rfc-256-16bit":             rfc256Header,
		"rfc-256-16bit-masked":      masked(rfc256Header),
		"rfc-64KiB-64bit":           rfc64KiBHeader,
		"rfc-64KiB-64bit-masked":    masked(rfc64KiBHeader),
		"7bit-125":                  {0x82, 0x7d},
		"16bit-65535-masked":        withKey([]byte{0x82, 0xfe, 0xff, 0xff}),
		"non-minimal-16bit":         {0x82, 0x7e, 0x00, 0x05},
		"non-minimal-64bit-masked":  withKey([]byte{0x82, 0xff, 0, 0, 0, 0, 0, 0, 0xff, 0xff}),
		"length-2^63-1":             maxLengthHeader,
		"length-top-bit":            topBitHeader,
		"length-top-bit-3-bytes":    topBitHeader[:3],
		"reserved-opcode-3":         {0x83, 0x00},
		"reserved-opcode-f-masked":  withKey([]byte{0x8f, 0x80}),
		"fragmented-ping":           {0x09, 0x00},
		"control-126-bytes":         {0x89, 0x7e, 0x00, 0x7e},
		"close-125-bytes":           {0x88, 0x7d},
		"rsv-all-masked":            withKey([]byte{0xf1, 0x80}),
		"short-16bit":               {0x82, 0x7e, 0x01},
		"short-key":                 rfcMaskedHello[:4],
		"one-byte":                  {0x81},
		"empty":                     {},
		"header-then-payload-bytes": rfcMaskedHello,
	} {
		add("FuzzDecodeHeader", name, h)
	}

	// FuzzDecoder: the RFC's frames, every length form, every error class.
	rfc64KiB := append(slices.Clone(rfc64KiBHeader), text(65536)...)
	bin := func(n int) []byte { return client(codec.OpBinary, true, 0, text(n)) }
	for _, s := range []struct {
		name  string
		data  []byte
		split uint16
		cfg   uint8
	}{
		{"rfc-single-unmasked", rfcHello, 3, decClient | decDefault},
		{"rfc-single-masked", rfcMaskedHello, 6, decDefault},
		{"rfc-fragmented-unmasked", slices.Concat(rfcHel, rfcLo), 5, decClient | decDefault},
		{"rfc-ping-unmasked", rfcPing, 1, decClient | decDefault},
		{"rfc-pong-masked", rfcMaskedPong, 2, decDefault},
		{"rfc-256-unmasked", append(slices.Clone(rfc256Header), text(256)...), 100, decClient | decDefault},
		{"rfc-64KiB-unmasked-streamed", rfc64KiB, 30000, decClient | decDefault | decStream},
		{"rfc-64KiB-truncated-nogather", rfc64KiB[:1200], 11, decClient | decDefault | decNoGather},
		{"masked-7bit-stream", slices.Concat(bin(0), bin(1), bin(125), clientText("Hello")), 130, decDefault},
		{"masked-16bit-streamed", bin(300), 150, decDefault | decStream},
		{"masked-16bit-nogather", slices.Concat(bin(126), bin(65535)[:3000]), 129, decDefault | decNoGather},
		{"masked-64bit-non-minimal", append(withKey([]byte{0x82, 0xff, 0, 0, 0, 0, 0, 0, 0, 0x0a}), text(10)...), 12, decDefault},
		{"masked-64bit-non-minimal-rejected", append(withKey([]byte{0x82, 0xff, 0, 0, 0, 0, 0, 0, 0, 0x0a}), text(10)...), 12, decDefault | decMinimal},
		{"unmasked-64bit-truncated", append([]byte{0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 1}, text(500)...), 7, decClient | decUnlimited},
		{"unmasked-from-client", slices.Concat(rfcMaskedHello, rfcHello), 9, decDefault},
		{"masked-from-server", slices.Concat(rfcHello, rfcMaskedHello), 9, decClient | decDefault},
		{"reserved-opcode", slices.Concat(rfcMaskedHello, withKey([]byte{0x83, 0x80})), 12, decDefault},
		{"reserved-control-opcode", withKey([]byte{0x8b, 0x80}), 1, decDefault},
		{"fragmented-control", slices.Concat(client(codec.OpText, false, 0, text(3)), withKey([]byte{0x09, 0x80})), 10, decDefault},
		{"long-control", append(withKey([]byte{0x89, 0xfe, 0x00, 0x7e}), text(126)...), 2, decDefault},
		{"length-top-bit", append(withKey(topBitHeader), text(5)...), 3, decUnlimited},
		{"rsv1-not-negotiated", client(codec.OpText, true, codec.Rsv1, text(5)), 1, decDefault},
		{"rsv1-negotiated", client(codec.OpText, true, codec.Rsv1, text(5)), 1, decDefault | decRsv1},
		{"rsv2-with-rsv1-negotiated", client(codec.OpText, true, codec.Rsv2, text(5)), 1, decDefault | decRsv1},
		{"rsv-all-allowed", client(codec.OpBinary, true, 7, text(5)), 1, decDefault | decRsvAll},
		{"too-large", append(withKey([]byte{0x82, 0xfe, 0x03, 0xe9}), text(20)...), 4, 0},
		{"at-the-limit", bin(1000), 500, 0},
		{"tiny-limit", slices.Concat(bin(10), bin(11)), 16, decTiny},
		{"declared-2^63-1", append(withKey(maxLengthHeader), text(300)...), 14, decUnlimited},
		{"declared-2^63-1-streamed", append(withKey(maxLengthHeader), text(300)...), 20, decUnlimited | decStream},
		{"default-limit", append(withKey([]byte{0x82, 0xff, 0, 0, 0, 0, 1, 0, 0, 1}), text(40)...), 5, decDefault},
		{"fragmented-message", slices.Concat(client(codec.OpText, false, 0, []byte("Hel")), client(codec.OpPing, true, 0, nil), client(codec.OpContinuation, true, 0, []byte("lo"))), 11, decDefault},
		{"close-frames", slices.Concat(client(codec.OpClose, true, 0, closePayload(1000, "bye")), clientText("after")), 8, decDefault},
		{"truncated-header", rfcMaskedHello[:4], 2, decDefault},
		{"truncated-payload-streamed", bin(200)[:100], 40, decDefault | decStream | decNoGather},
	} {
		add("FuzzDecoder", s.name, s.data, s.split, s.cfg)
	}

	// FuzzMessage: fragmentation, control frames between fragments, UTF-8,
	// Close frames and the limits, raw and as records.
	frag := func(op codec.Opcode, fin bool, p string) []byte { return client(op, fin, 0, []byte(p)) }
	for _, s := range []struct {
		name  string
		data  []byte
		split uint16
		cfg   uint16
	}{
		{"rfc-fragmented-unmasked", slices.Concat(rfcHel, rfcLo), 6, msgDefault | msgClient},
		{"rfc-single-masked", rfcMaskedHello, 7, msgDefault},
		{"rfc-ping-pong", slices.Concat(rfcMaskedPong, client(codec.OpPing, true, 0, []byte("Hello"))), 12, msgDefault},
		{"ping-between-fragments", slices.Concat(frag(codec.OpText, false, "Hel"), frag(codec.OpPing, true, "?"), frag(codec.OpContinuation, true, "lo")), 10, msgDefault},
		{"ping-between-fragments-streamed", slices.Concat(frag(codec.OpText, false, "Hello, "), frag(codec.OpPing, true, "?"), frag(codec.OpContinuation, true, "wörld")), 10, msgDefault | msgStream | msgStreamAbove},
		{"empty-fragments", slices.Concat(frag(codec.OpBinary, false, ""), frag(codec.OpContinuation, false, ""), frag(codec.OpContinuation, true, "")), 7, msgDefault},
		{"bad-utf8", clientText("a\xffb"), 8, msgDefault},
		{"bad-utf8-across-fragments", slices.Concat(frag(codec.OpText, false, "\xe2\x82"), frag(codec.OpContinuation, true, "x")), 9, msgDefault},
		{"rune-across-fragments", slices.Concat(frag(codec.OpText, false, "\xe2"), frag(codec.OpPing, true, ""), frag(codec.OpContinuation, false, "\x82"), frag(codec.OpContinuation, true, "\xac")), 8, msgDefault | msgNoGather},
		{"text-ends-in-rune", slices.Concat(frag(codec.OpText, false, "a\xe2\x82"), frag(codec.OpContinuation, true, "")), 9, msgDefault},
		{"surrogate", clientText("\xed\xa0\x80"), 7, msgDefault},
		{"overlong", clientText("x\xc0\xaf"), 7, msgDefault},
		{"above-10ffff", clientText("\xf4\x90\x80\x80"), 7, msgDefault},
		{"bad-utf8-streamed", client(codec.OpText, true, 0, append(text(20), 0xf0, 0x9f, 0x98, 0x80, 0xf0, 0x28)), 20, msgDefault | msgStream | msgStreamAbove | msgNoGather},
		{"binary-not-checked", client(codec.OpBinary, true, 0, []byte{0xff, 0xfe}), 3, msgDefault},
		{"close-normal", slices.Concat(client(codec.OpClose, true, 0, closePayload(1000, "bye")), clientText("ignored")), 9, msgDefault},
		{"close-empty", client(codec.OpClose, true, 0, nil), 3, msgDefault},
		{"close-one-byte", client(codec.OpClose, true, 0, []byte{0x03}), 3, msgDefault},
		{"close-1005", client(codec.OpClose, true, 0, closePayload(1005, "")), 3, msgDefault},
		{"close-bad-reason", client(codec.OpClose, true, 0, closePayload(1000, "by\xff")), 3, msgDefault},
		{"close-between-fragments", slices.Concat(frag(codec.OpText, false, "a"), client(codec.OpClose, true, 0, closePayload(4000, "x")), frag(codec.OpContinuation, true, "b")), 8, msgDefault},
		{"continuation-first", slices.Concat(clientText("ok"), frag(codec.OpContinuation, true, "x")), 8, msgDefault},
		{"text-inside-fragments", slices.Concat(frag(codec.OpBinary, false, "a"), frag(codec.OpText, true, "b")), 7, msgDefault},
		{"too-many-fragments", slices.Concat(frag(codec.OpBinary, false, "a"), frag(codec.OpContinuation, false, "b"), frag(codec.OpContinuation, false, "c"), frag(codec.OpContinuation, true, "d")), 14, msgMaxDefault | msgFrags3},
		{"one-fragment-allowed", slices.Concat(clientText("one"), frag(codec.OpText, false, "a"), frag(codec.OpContinuation, true, "b")), 14, msgMaxDefault | msgFrags1},
		{"message-too-large", slices.Concat(frag(codec.OpText, false, string(text(30))), frag(codec.OpContinuation, false, string(text(30))), frag(codec.OpContinuation, true, string(text(30)))), 40, msgMax64 | msgFragsDefault},
		{"message-too-large-streamed", slices.Concat(frag(codec.OpBinary, false, string(text(6))), frag(codec.OpContinuation, true, "xx")), 5, msgMax7 | msgFragsDefault | msgStream | msgStreamAbove},
		{"frame-too-large", client(codec.OpBinary, true, 0, text(33)), 5, msgDefault | msgSmallFrames},
		{"compressed-not-checked", slices.Concat(client(codec.OpText, false, codec.Rsv1, []byte{0xff}), frag(codec.OpContinuation, true, "\xfe")), 6, msgDefault | msgRsv1},
		{"rsv1-on-continuation", slices.Concat(client(codec.OpText, false, codec.Rsv1, []byte("a")), client(codec.OpContinuation, true, codec.Rsv1, []byte("b"))), 6, msgDefault | msgRsv1},
		{"rsv1-on-ping", client(codec.OpPing, true, codec.Rsv1, nil), 1, msgDefault | msgRsv1},
		{"no-limits", slices.Concat(frag(codec.OpText, false, string(text(200))), frag(codec.OpContinuation, true, "é")), 100, msgMaxNone | msgFragsNone | msgStreamAbove},
		{"records-rfc-fragmented", slices.Concat(rfcKey[:], []byte("\x01\x03Hel\x89\x01?\x80\x02lo\x88\x02\x03\xe8")), 13, msgDefault | msgRecords},
		{"records-bad-utf8-streamed", slices.Concat(rfcKey[:], []byte("\x01\x08abc\xe2\x82\xac\xe2\x82\x80\x03\xac!!")), 17, msgDefault | msgRecords | msgStream | msgStreamAbove},
		{"records-client-truncated", slices.Concat(rfcKey[:], []byte("\x82\x10only part")), 9, msgDefault | msgRecords | msgClient},
	} {
		add("FuzzMessage", s.name, s.data, s.split, s.cfg)
	}

	// FuzzClosePayload: every outcome of section 7.4's rules.
	for name, p := range map[string][]byte{
		"empty":             {},
		"one-byte":          {0x03},
		"code-1000":         closePayload(1000, ""),
		"code-1000-reason":  closePayload(1000, "bye"),
		"code-1004":         closePayload(1004, ""),
		"code-1005":         closePayload(1005, ""),
		"code-1006":         closePayload(1006, ""),
		"code-1014":         closePayload(1014, ""),
		"code-1015":         closePayload(1015, ""),
		"code-999":          closePayload(999, ""),
		"code-2999":         closePayload(2999, ""),
		"code-3000":         closePayload(3000, ""),
		"code-4999-reason":  closePayload(4999, "κόσμε"),
		"code-5000":         closePayload(5000, ""),
		"reason-123-bytes":  closePayload(1001, string(text(123))),
		"reason-124-bytes":  closePayload(1001, string(text(124))),
		"bad-code-and-utf8": closePayload(1005, "\xff"),
		// The offset of the impossible byte within the payload, not the
		// start of the reason.
		"bad-utf8-at-4":       closePayload(1000, "by\xff"),
		"reason-ends-in-rune": closePayload(4000, "κ\xe1\xbd"),
	} {
		add("FuzzClosePayload", name, p)
	}

	// FuzzMask: lengths around every threshold, key positions, offsets.
	for _, s := range []struct {
		name     string
		data     []byte
		n        uint16
		key      uint32
		pos      uint8
		offs     uint16
		chunking uint64
	}{
		{"rfc-hello", []byte("Hello"), 5, 0x3d21fa37, 0, 0, 0},
		{"empty", nil, 0, 0xffffffff, 3, 0, 0},
		{"31-bytes-pos-1", text(31), 31, 0x04030201, 1, 0x041, 1},
		{"32-bytes-pos-2", text(32), 32, 0x04030201, 2, 0x082, 2},
		{"33-bytes-pos-3", text(33), 33, 0x04030201, 3, 0x0c3, 3},
		{"127-bytes", text(127), 127, 0xdeadbeef, 1, 0x7ff, 4},
		{"128-bytes", text(128), 128, 0xdeadbeef, 2, 0x3f, 5},
		{"511-bytes", text(64), 511, 0x01020304, 3, 0x5a5, 6},
		{"512-bytes", text(64), 512, 0x01020304, 0, 0x1ff, 7},
		{"513-bytes-misaligned", text(64), 513, 0x01020304, 1, 0x9f1, 8},
		{"page", []byte{0x00, 0xff, 0x5a}, 4096, 0xa5a5a5a5, 2, 0xfc1, 9},
		{"page-and-more", text(100), 4200, 0x12345678, 3, 0x55, 10},
	} {
		add("FuzzMask", s.name, s.data, s.n, s.key, s.pos, s.offs, s.chunking)
	}

	// FuzzDiffGobwas: the RFC's frames and every header rule, in both roles.
	for _, s := range []struct {
		name string
		data []byte
		cfg  uint8
	}{
		{"rfc-masked", slices.Concat(rfcMaskedHello, rfcMaskedPong), 0},
		{"rfc-unmasked-client", slices.Concat(rfcHello, rfcHel, rfcLo, rfcPing), 4},
		{"rfc-256-client", append(slices.Clone(rfc256Header), text(256)...), 4},
		{"16bit-masked", bin(300), 0},
		{"64bit-masked-non-minimal", append(withKey([]byte{0x82, 0xff, 0, 0, 0, 0, 0, 0, 0, 0x03}), text(3)...), 0},
		{"64bit-unmasked-client", append(slices.Clone(rfc64KiBHeader), text(70)...), 4},
		{"reserved-opcode", withKey([]byte{0x83, 0x80}), 0},
		{"fragmented-control", withKey([]byte{0x0a, 0x80}), 0},
		{"long-control", append(withKey([]byte{0x88, 0xfe, 0x00, 0x7e}), text(126)...), 0},
		{"length-top-bit", withKey(topBitHeader), 0},
		{"length-top-bit-short", topBitHeader[:4], 0},
		{"unmasked-from-client", rfcHello, 0},
		{"masked-from-server", rfcMaskedHello, 4},
		{"rsv-bits", client(codec.OpBinary, true, codec.Rsv2, text(4)), 0},
		{"rsv-bits-extended", client(codec.OpBinary, true, codec.Rsv2, text(4)), 1},
		{"too-large", append(withKey([]byte{0x82, 0xfe, 0x03, 0xe9}), text(10)...), 2},
		{"continuation-first", client(codec.OpContinuation, true, 0, text(3)), 0},
		{"truncated", bin(200)[:150], 0},
	} {
		add("FuzzDiffGobwas", s.name, s.data, s.cfg)
	}
	return all
}
