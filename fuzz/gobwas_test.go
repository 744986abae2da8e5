package fuzz

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/gobwas/ws"

	"github.com/wsframe/wsframe/codec"
)

// FuzzDiffGobwas decodes the same bytes with codec.Decoder and with
// github.com/gobwas/ws (ReadHeader, CheckHeader, the payload read from the
// same reader and unmasked with Cipher) and compares them frame by frame:
// the same headers and payloads, then the same end. gobwas splits the work
// differently, so the comparison allows for these differences and no
// others:
//
//	difference                                   RFC 6455     how it is compared
//	-------------------------------------------  -----------  ------------------------------------------
//	ReadHeader alone accepts reserved opcodes,   5.1, 5.2,    CheckHeader is applied to every header:
//	fragmented or long control frames, RSV bits  5.4, 5.5     both must reject, each for a reason the
//	and frames masked wrongly for the role                    header really has
//	CheckHeader also enforces the order of       5.4          errors about continuation frames are
//	data frames; codec leaves that to                         ignored: the codec enforces that in its
//	MessageDecoder                                            MessageDecoder (FuzzMessage)
//	codec fails on the first header bytes that   5.2, 5.5,    when gobwas hits the end inside a header,
//	break a rule; gobwas reads the whole header  7.1.7        codec may have failed instead, if the
//	first and so reports the end of the input                 bytes present break that rule
//	several broken rules in one header are       7.1.7        both reject; which reason either gives is
//	reported in a different order                             not compared
//	a control frame whose length of 125 or less  5.2, 5.5     codec may refuse it (ErrControlTooLong);
//	is in the 16- or 64-bit form: codec reads                 gobwas accepts it; either is allowed
//	the form as "more than 125", gobwas the
//	value
//	a 64-bit length with the top bit set is      5.2          both reject; gobwas in ReadHeader, before
//	ErrHeaderLengthMSB from ReadHeader                        any other check
//	gobwas has no payload limit                  10.4         the target applies the Decoder's limit to
//	                                                          gobwas's headers
//	RSV bits are allowed per bit in codec        5.2, 9       only "none" and "all three" are used, the
//	(Decoder.Rsv), all or none in gobwas                      two settings both can express
//	(StateExtended)
//	non-minimal length encodings                 5.2          both accept them (the rule binds senders);
//	                                                          Decoder.RejectNonMinimal stays off here
//	Close payloads (code, UTF-8 reason)          5.5.1, 7.4   checked by neither frame reader: codec in
//	                                                          MessageDecoder, gobwas in
//	                                                          CheckCloseFrameData; not compared here
func FuzzDiffGobwas(f *testing.F) {
	f.Add([]byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}, uint8(0))
	f.Add([]byte{0x81, 0x05, 'H', 'e', 'l', 'l', 'o'}, uint8(4))
	f.Add([]byte{0xc2, 0x80, 1, 2, 3, 4, 0x89, 0x80, 1, 2, 3, 4}, uint8(1))
	f.Fuzz(checkDiffGobwas)
}

// gobwasFrame is what gobwas gave for one frame.
type gobwasFrame struct {
	h       ws.Header
	payload []byte
}

// gobwasEnd tells how gobwas's reading ended.
type gobwasEnd int

const (
	gobwasClean     gobwasEnd = iota // at a frame boundary
	gobwasTruncated                  // inside a header or a payload
	gobwasRejected                   // at a header it refused
)

// gobwasRun is what gobwas read from one input.
type gobwasRun struct {
	frames []gobwasFrame
	end    gobwasEnd
	at     int   // offset of the frame it stopped at
	reason error // why it stopped, unless at the end
	missed int64 // payload bytes missing when it ended inside a payload
}

// readGobwas reads frames from data with gobwas until the data ends or a
// header is refused.
func readGobwas(t *testing.T, data []byte, state ws.State, limit int64) (run gobwasRun) {
	r := bytes.NewReader(data)
	for {
		run.at = len(data) - r.Len()
		if r.Len() == 0 {
			run.end = gobwasClean
			return run
		}
		h, err := ws.ReadHeader(r)
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			run.end, run.reason = gobwasTruncated, err
			return run
		case err != nil:
			if err != ws.ErrHeaderLengthMSB {
				t.Fatalf("ReadHeader: unexpected %v", err)
			}
			run.end, run.reason = gobwasRejected, err
			return run
		}
		err = ws.CheckHeader(h, state)
		if err == ws.ErrProtocolContinuationExpected || err == ws.ErrProtocolContinuationUnexpected {
			err = nil
		}
		if err == nil && limit >= 0 && h.Length > limit {
			err = errors.New("payload over the limit")
		}
		if err != nil {
			run.end, run.reason = gobwasRejected, err
			return run
		}
		if h.Length > int64(r.Len()) {
			run.end, run.reason, run.missed = gobwasTruncated, io.ErrUnexpectedEOF, h.Length-int64(r.Len())
			return run
		}
		p := make([]byte, h.Length)
		if _, err := io.ReadFull(r, p); err != nil {
			t.Fatal(err)
		}
		if h.Masked {
			ws.Cipher(p, h.Mask, 0)
		}
		run.frames = append(run.frames, gobwasFrame{h, p})
	}
}

// explains reports whether the frame header at the start of b (with gobwas's
// reading of it, when it has one) breaks the rule that err stands for.
func explains(err error, b []byte, h *ws.Header, d *codec.Decoder) bool {
	switch err {
	case codec.ErrReservedOpcode, codec.ErrFragmentedControl, codec.ErrControlTooLong, codec.ErrLengthOverflow:
		return errIn(err, headerRuleViolations(b[:min(len(b), codec.MaxHeaderSize)]))
	}
	if h == nil {
		return false
	}
	switch err {
	case codec.ErrUnmaskedFrame:
		return !d.Client && !h.Masked
	case codec.ErrMaskedFrame:
		return d.Client && h.Masked
	case codec.ErrReservedBits:
		return h.Rsv&^d.Rsv != 0
	case codec.ErrFrameTooLarge:
		return d.MaxPayload >= 0 && h.Length > d.MaxPayload
	}
	return false
}

// framesSize returns how many bytes of data the frames took.
func framesSize(data []byte, frames []frameRec) int {
	off := 0
	for _, f := range frames {
		off += codec.HeaderSize(data[off:]) + int(f.h.Length)
	}
	return off
}

// extendedShortControl reports whether b starts with a control frame header
// that declares at most 125 bytes in a 16- or 64-bit length.
func extendedShortControl(b []byte) bool {
	h, _, ok := wireHeader(b)
	return ok && controlOpcode(wireOpcode(b[0])) && wireLen7(b[1]) > 125 && h.Length >= 0 && h.Length <= 125
}

// checkDiffGobwas decodes data with both libraries. Bit 0 of cfg allows
// all RSV bits, bit 1 limits payloads to 1000 bytes (else no limit), bit 2
// takes the client's role.
func checkDiffGobwas(t *testing.T, data []byte, cfg uint8) {
	d := codec.Decoder{MaxPayload: -1, Client: cfg&4 != 0}
	state := ws.StateServerSide
	if d.Client {
		state = ws.StateClientSide
	}
	if cfg&1 != 0 {
		d.Rsv, state = 7, state|ws.StateExtended
	}
	if cfg&2 != 0 {
		d.MaxPayload = 1000
	}
	ours := decodeFrames(t, &d, newFeeder(data, nil), nil, false)
	theirs := readGobwas(t, data, state, d.MaxPayload)

	n := min(len(ours.frames), len(theirs.frames))
	for i := 0; i < n; i++ {
		a, b := ours.frames[i], theirs.frames[i]
		bh := codec.Header{Fin: b.h.Fin, Rsv: b.h.Rsv, Opcode: codec.Opcode(b.h.OpCode), Masked: b.h.Masked, Key: b.h.Mask, Length: b.h.Length}
		if a.h != bh || !bytes.Equal(a.payload, b.payload) {
			t.Fatalf("frame %d: codec %v (%d bytes), gobwas %v (%d bytes)", i, a.h, len(a.payload), bh, len(b.payload))
		}
	}
	if ours.err == codec.ErrControlTooLong && extendedShortControl(data[framesSize(data, ours.frames):]) {
		return
	}
	if len(ours.frames) != len(theirs.frames) {
		t.Fatalf("codec gave %d frames (then %v), gobwas %d (then %v)", len(ours.frames), ours.err, len(theirs.frames), theirs.reason)
	}

	rest := data[theirs.at:]
	var h *ws.Header
	if gh, err := ws.ReadHeader(bytes.NewReader(rest)); err == nil {
		h = &gh
	}
	switch {
	case theirs.end == gobwasClean:
		if ours.err != nil || ours.needed != 2 {
			t.Fatalf("gobwas read to the end, codec stopped with %v (Needed %d)", ours.err, ours.needed)
		}
	case theirs.end == gobwasTruncated && ours.err == nil:
		if theirs.missed > 0 && ours.needed != theirs.missed {
			t.Fatalf("%d payload bytes missing, codec's Needed says %d", theirs.missed, ours.needed)
		}
	case theirs.end == gobwasTruncated:
		// codec decided on the bytes present; gobwas waited for the header.
		if h != nil || !explains(ours.err, rest, nil, &d) {
			t.Fatalf("codec failed with %v where gobwas ran out of input (%v) at %x", ours.err, theirs.reason, rest)
		}
	case ours.err == nil:
		t.Fatalf("gobwas refused the header at %d (%v) that codec accepted", theirs.at, theirs.reason)
	case !explains(ours.err, rest, h, &d):
		t.Fatalf("codec refused the header at %d with %v, which it does not break; gobwas says %v", theirs.at, ours.err, theirs.reason)
	}
}
