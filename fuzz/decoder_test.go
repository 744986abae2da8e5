package fuzz

import (
	"runtime/metrics"
	"slices"
	"testing"

	"github.com/wsframe/wsframe/codec"
)

// decoderConfig turns the fuzzer's config byte into a Decoder. Bit 0: the
// client's role. Bits 1-2: MaxPayload 1000, none, the default, 10. Bits
// 3-4: Rsv none, RSV1, RSV2|RSV3, all. Bit 5: StreamAbove 16. Bit 6:
// NoGather. Bit 7: RejectNonMinimal.
func decoderConfig(cfg uint8) codec.Decoder {
	return codec.Decoder{
		Client:           cfg&1 != 0,
		MaxPayload:       [4]int64{1000, -1, 0, 10}[cfg>>1&3],
		Rsv:              [4]uint8{0, codec.Rsv1, codec.Rsv2 | codec.Rsv3, 7}[cfg>>3&3],
		StreamAbove:      int64(cfg>>5&1) * 16,
		NoGather:         cfg&0x40 != 0,
		RejectNonMinimal: cfg&0x80 != 0,
	}
}

// referenceFrames decodes stream in one pass with DecodeHeader for the
// headers, connectionViolations for the rules and a byte loop for the
// payloads. errs is empty when the stream breaks no rule, else the errors
// the Decoder may stop at.
func referenceFrames(d *codec.Decoder, stream []byte) (run frameRun, errs []error) {
	for off := 0; ; {
		rest := stream[off:]
		if len(rest) == 0 {
			run.needed = 2
			return run, nil
		}
		h, hn, err := codec.DecodeHeader(rest)
		if err == codec.ErrShortHeader {
			run.needed = int64(codec.HeaderSize(rest) - len(rest))
			return run, nil
		}
		if err != nil {
			return run, []error{err}
		}
		if errs := connectionViolations(d, h, hn); len(errs) > 0 {
			return run, errs
		}
		avail := int64(len(rest) - hn)
		if avail < h.Length {
			if d.StreamAbove > 0 && h.Length > d.StreamAbove && !h.Opcode.IsControl() && avail > 0 {
				p := make([]byte, avail)
				unmaskRef(p, rest[hn:], maskKey(h), 0)
				run.frames = append(run.frames, frameRec{h, p, true})
			}
			run.needed = h.Length - avail
			return run, nil
		}
		p := make([]byte, h.Length)
		unmaskRef(p, rest[hn:hn+int(h.Length)], maskKey(h), 0)
		run.frames = append(run.frames, frameRec{h: h, payload: p})
		off += hn + int(h.Length)
	}
}

// maskKey is the key to unmask h's payload with: none when not masked.
func maskKey(h codec.Header) [4]byte {
	if !h.Masked {
		return [4]byte{}
	}
	return h.Key
}

// allocSlack is what a decoding run may allocate beyond a fixed multiple
// of its input: the copies the harness keeps, pool refills, and the small
// allocations the runtime accounts for late. A buffer sized by a declared
// length rather than by the bytes that arrived exceeds it.
const allocSlack = 1 << 20

// heapAllocs returns the bytes allocated on the heap so far. It reads
// runtime/metrics, which unlike runtime.ReadMemStats does not stop the
// world; allocations larger than 32 KiB, the ones that matter here, are
// counted at once.
func heapAllocs() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// decodeMeasured is decodeFrames that also fails if the run allocated more
// than its input can explain.
func decodeMeasured(t *testing.T, d *codec.Decoder, fd *feeder, cuts []int, checkRest bool) frameRun {
	t.Helper()
	before := heapAllocs()
	run := decodeFrames(t, d, fd, cuts, checkRest)
	if grew := heapAllocs() - before; grew > allocSlack+uint64(128*len(fd.orig)) {
		t.Fatalf("decoding %d bytes allocated %d bytes", len(fd.orig), grew)
	}
	return run
}

var decoderGuard guarded

func FuzzDecoder(f *testing.F) {
	f.Add(rfcMaskedHello, uint16(3), uint8(0))
	f.Add(rfcHello, uint16(1), uint8(decClient))
	f.Add(client(codec.OpBinary, false, 0, make([]byte, 300)), uint16(150), uint8(decUnlimited|decStream))
	f.Add(append(slices.Clone(maxLengthHeader), 1, 2, 3, 4, 5), uint16(7), uint8(decUnlimited))
	f.Fuzz(checkDecoder)
}

// checkDecoder decodes data whole, cut at split and one byte at a time
// with the Decoder that cfg configures, and compares each with the
// reference.
func checkDecoder(t *testing.T, data []byte, split uint16, cfg uint8) {
	d := decoderConfig(cfg)
	want, errs := referenceFrames(&d, data)

	whole := decodeMeasured(t, &d, newFeeder(data, &decoderGuard), wholeCuts(len(data)), true)
	if len(errs) > 0 {
		if !errIn(whole.err, errs) {
			t.Fatalf("stopped at %v, want one of %v", whole.err, errs)
		}
		want.err = whole.err
	}
	if diff := want.diff(whole); diff != "" {
		t.Fatalf("whole input against the reference: %s", diff)
	}

	d.Reset()
	if d.Err() != nil {
		t.Fatal("Reset kept the error")
	}
	cut := decodeMeasured(t, &d, newFeeder(data, &decoderGuard), splitCuts(len(data), split), true)
	if diff := whole.diff(cut); diff != "" {
		t.Fatalf("whole input against a cut at %d: %s", splitCuts(len(data), split)[0], diff)
	}

	d.Reset()
	bytewise := decodeMeasured(t, &d, newFeeder(data, nil), byteCuts(len(data)), false)
	if diff := whole.diff(bytewise); diff != "" {
		t.Fatalf("whole input against one byte at a time: %s", diff)
	}
	d.Reset()
}
