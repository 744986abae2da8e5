package fuzz

import (
	"slices"
	"testing"

	"github.com/wsframe/wsframe/codec"
)

// messageConfig turns the fuzzer's config word into a MessageDecoder. Bit
// 1: the client's role. Bit 2: RSV1 negotiated. Bit 3: StreamAbove 5
// (which a MessageDecoder must ignore). Bit 4: NoGather. Bit 5: Stream. Bits 6-7: MaxMessage 64, none, the default,
// 7. Bits 8-9: MaxFragments 3, none, the default, 1. Bit 10: MaxPayload 32.
// Bit 0 chooses how the input becomes a stream (see messageStream).
func messageConfig(cfg uint16) codec.MessageDecoder {
	m := codec.MessageDecoder{
		Stream:       cfg&0x20 != 0,
		MaxMessage:   [4]int64{64, -1, 0, 7}[cfg>>6&3],
		MaxFragments: [4]int{3, -1, 0, 1}[cfg>>8&3],
	}
	m.Client = cfg&2 != 0
	m.Rsv = uint8(cfg>>2&1) * codec.Rsv1
	m.StreamAbove = int64(cfg>>3&1) * 5
	m.NoGather = cfg&0x10 != 0
	if cfg&0x400 != 0 {
		m.MaxPayload = 32
	}
	return m
}

// messageStream turns the fuzzer's bytes into the stream to decode. In raw
// mode (bit 0 of cfg clear) they are the stream. Otherwise they are
// records, so that mutations work on whole frames: four bytes of masking
// key, then for each frame the first header byte as on the wire (FIN, RSV,
// opcode), a payload length of 0 to 255 and the payload; the frames are
// encoded with AppendFrame, masked unless the decoder is a client's, each
// key a step from the last. A record cut off by the end of the input
// becomes a frame cut off there.
func messageStream(data []byte, cfg uint16, client bool) []byte {
	if cfg&1 == 0 {
		return data
	}
	var key [4]byte
	data = data[copy(key[:], data):]
	var out []byte
	for len(data) >= 2 {
		b0, n := data[0], int(data[1])
		data = data[2:]
		h := codec.Header{
			Fin:    b0&0x80 != 0,
			Rsv:    b0 >> 4 & 7,
			Opcode: codec.Opcode(b0 & 0xf),
			Masked: !client,
			Key:    key,
		}
		if n > len(data) {
			frame := codec.AppendFrame(nil, h, slices.Concat(data, make([]byte, n-len(data))))
			return append(out, frame[:len(frame)-(n-len(data))]...)
		}
		out = codec.AppendFrame(out, h, data[:n])
		data = data[n:]
		key[n&3] += 0x5b
	}
	return append(out, data...)
}

// messageModel is a MessageDecoder written from RFC 6455 sections 5.4,
// 5.5.1 and 8.1. It frames the stream itself (DecodeHeader, the rules of
// connectionViolations, a byte loop to unmask) and sees each frame whole,
// or the part of the last one that arrived.
type messageModel struct {
	cfg        *codec.MessageDecoder
	run        msgRun
	open       bool
	op         codec.Opcode
	compressed bool
	frags      int
	size       int64
	payload    []byte // the message so far
	errs       []error
	textBad    bool // errs came from the text's UTF-8, at run.badAt
}

func (md *messageModel) maxMessage() int64 {
	if md.cfg.MaxMessage == 0 {
		return codec.DefaultMaxMessage
	}
	return md.cfg.MaxMessage
}

func (md *messageModel) maxFragments() int {
	if md.cfg.MaxFragments == 0 {
		return codec.DefaultMaxFragments
	}
	return md.cfg.MaxFragments
}

// room returns how many payload bytes the data frame with header h may
// declare, or -1 for no limit: a frame that would take the message past
// MaxMessage fails at its header.
func (md *messageModel) room(h codec.Header) int64 {
	max := md.maxMessage()
	if max >= 0 && h.Opcode == codec.OpContinuation && md.open {
		return max - md.size
	}
	return max
}

// begin returns what is wrong with a data frame given the message in
// progress. When several rules are broken, any of them may be reported.
func (md *messageModel) begin(h codec.Header) []error {
	var errs []error
	if room := md.room(h); room >= 0 && h.Length > room {
		errs = append(errs, codec.ErrMessageTooLarge)
	}
	compressed := h.Rsv&codec.Rsv1 != 0
	switch {
	case h.Opcode == codec.OpContinuation && !md.open:
		errs = append(errs, codec.ErrUnexpectedContinuation)
		if compressed {
			errs = append(errs, codec.ErrCompressedContinuation)
		}
	case h.Opcode == codec.OpContinuation:
		if compressed {
			errs = append(errs, codec.ErrCompressedContinuation)
		}
		if max := md.maxFragments(); max > 0 && md.frags+1 > max {
			errs = append(errs, codec.ErrTooManyFragments)
		}
	case md.open:
		errs = append(errs, codec.ErrExpectedContinuation)
	}
	return errs
}

// controlFrame takes a whole control frame; it reports false once the model
// stopped, at an error or at a Close frame.
func (md *messageModel) controlFrame(h codec.Header, p []byte) bool {
	var errs []error
	if h.Rsv != 0 {
		errs = append(errs, codec.ErrCompressedControl)
	}
	rec := msgRec{op: h.Opcode, payload: p}
	if h.Opcode == codec.OpClose {
		cerrs, _ := closeViolations(p)
		errs = append(errs, cerrs...)
		rec.code = codec.CloseNoStatus
		if len(p) >= 2 {
			rec.code = codec.CloseCode(p[0])<<8 | codec.CloseCode(p[1])
			rec.reason = p[2:]
		}
	}
	if len(errs) > 0 {
		md.errs = errs
		return false
	}
	md.run.msgs = append(md.run.msgs, rec)
	md.run.closed = h.Opcode == codec.OpClose
	return !md.run.closed
}

// dataFrame takes a data frame, or with cut set the part p of one that arrived;
// it reports false once the model stopped at an error.
func (md *messageModel) dataFrame(h codec.Header, p []byte, cut bool) bool {
	if errs := md.begin(h); len(errs) > 0 {
		md.errs = errs
		return false
	}
	if h.Opcode == codec.OpContinuation {
		md.frags++
	} else {
		md.open, md.op, md.compressed = true, h.Opcode, h.Rsv&codec.Rsv1 != 0
		md.frags, md.size, md.payload = 1, 0, nil
	}
	md.size += int64(len(p))
	md.payload = append(md.payload, p...)
	last := h.Fin && !cut
	if md.op == codec.OpText && !md.compressed {
		if off, bad := invalidOffset(md.payload); bad && (last || off < int64(len(md.payload))) {
			md.errs, md.textBad, md.run.badAt = []error{codec.ErrInvalidUTF8}, true, off
			return false
		}
	}
	if md.cfg.Stream {
		if md.run.open == nil {
			md.run.open = &msgRec{op: md.op, compressed: md.compressed}
		}
		md.run.open.payload = append(md.run.open.payload, p...)
	}
	if last {
		md.run.msgs = append(md.run.msgs, msgRec{op: md.op, payload: md.payload, compressed: md.compressed})
		md.open, md.payload, md.run.open = false, nil, nil
	}
	return true
}

// referenceMessages runs the model over stream.
func referenceMessages(m *codec.MessageDecoder, stream []byte) *messageModel {
	md := &messageModel{cfg: m}
	for off := 0; off < len(stream); {
		rest := stream[off:]
		h, hn, err := codec.DecodeHeader(rest)
		if err == codec.ErrShortHeader {
			break
		}
		if err != nil {
			md.errs = []error{err}
			break
		}
		control := h.Opcode.IsControl()
		errs := connectionViolations(&m.Decoder, h, hn)
		if room := md.room(h); !control && room >= 0 && h.Length > room {
			errs = append(errs, codec.ErrMessageTooLarge)
		}
		if len(errs) > 0 {
			md.errs = errs
			break
		}
		// A control frame comes whole; a data frame as far as it arrived,
		// but not before its first payload byte.
		avail := min(int64(len(rest)-hn), h.Length)
		cut := avail < h.Length
		if cut && (control || avail == 0) {
			break
		}
		p := make([]byte, avail)
		unmaskRef(p, rest[hn:hn+int(avail)], maskKey(h), 0)
		if control && !md.controlFrame(h, p) || !control && !md.dataFrame(h, p, cut) || cut {
			break
		}
		off += hn + int(h.Length)
	}
	return md
}

var messageGuard guarded

func FuzzMessage(f *testing.F) {
	frame := func(op codec.Opcode, fin bool, p string) []byte { return client(op, fin, 0, []byte(p)) }
	f.Add(slices.Concat(frame(codec.OpText, false, "Hel"), frame(codec.OpPing, true, "?"), frame(codec.OpContinuation, true, "lo")),
		uint16(9), uint16(msgDefault|msgStream))
	f.Add(slices.Concat(frame(codec.OpText, false, "\xe2\x82"), frame(codec.OpContinuation, true, "\xac!\xff")),
		uint16(3), uint16(msgMax7|msgFragsDefault|msgStream))
	f.Add([]byte("\x00\x00\x00\x00\x01\x03Hel\x80\x02lo\x88\x02\x03\xe8"), uint16(5), uint16(msgDefault|msgRecords|msgNoGather))
	f.Fuzz(checkMessages)
}

// checkMessages decodes the stream that data and cfg give whole, cut at
// split and one byte at a time, and compares each with the model.
func checkMessages(t *testing.T, data []byte, split uint16, cfg uint16) {
	m := messageConfig(cfg)
	stream := messageStream(data, cfg, m.Client)
	ref := referenceMessages(&m, stream)

	whole := decodeMessages(t, &m, newFeeder(stream, &messageGuard), wholeCuts(len(stream)))
	want := ref.run
	if len(ref.errs) > 0 {
		if !errIn(whole.err, ref.errs) {
			t.Fatalf("stopped at %v, want one of %v", whole.err, ref.errs)
		}
		want.err = whole.err
		if !ref.textBad {
			want.badAt = whole.badAt // a Close frame's reason; see FuzzClosePayload
		}
	}
	if diff := want.diff(whole); diff != "" {
		t.Fatalf("whole input against the model: %s", diff)
	}
	sameAtEveryChunking(t, &m, stream, split, &messageGuard, whole)
}
