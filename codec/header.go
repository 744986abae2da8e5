// Package codec encodes and decodes WebSocket frames (RFC 6455 section 5)
// without doing any I/O.
//
// The layers, each usable on its own:
//
//   - DecodeHeader and AppendHeader: a stateless header codec.
//   - Decoder: an incremental frame decoder fed whatever bytes the caller's
//     I/O loop has. A frame wholly inside the input comes back as a view of
//     it, unmasked in place; a frame split across inputs is gathered into a
//     pooled buffer or delivered as a stream of chunks.
//   - Encoder and AppendFrame: frames to bytes, with masking for clients.
//   - MessageDecoder: fragments into messages, control frames between
//     fragments, UTF-8 validation of text, close frames and size limits.
//
// Every violation by the peer is a *ProtocolError carrying the close code to
// send.
package codec

import (
	"encoding/binary"
	"slices"
	"strconv"
)

// Opcode is a frame's opcode (RFC 6455 section 5.2).
type Opcode uint8

// The opcodes of RFC 6455; 0x3–0x7 and 0xB–0xF are reserved.
const (
	OpContinuation Opcode = 0x0
	OpText         Opcode = 0x1
	OpBinary       Opcode = 0x2
	OpClose        Opcode = 0x8
	OpPing         Opcode = 0x9
	OpPong         Opcode = 0xA
)

var opcodeNames = [16]string{
	OpContinuation: "continuation",
	OpText:         "text",
	OpBinary:       "binary",
	OpClose:        "close",
	OpPing:         "ping",
	OpPong:         "pong",
}

func (op Opcode) String() string {
	if op < 16 && opcodeNames[op] != "" {
		return opcodeNames[op]
	}
	return "opcode(" + strconv.Itoa(int(op)) + ")"
}

// IsControl reports whether op is a control opcode (close, ping, pong or a
// reserved control opcode).
func (op Opcode) IsControl() bool { return op&0x8 != 0 }

// IsReserved reports whether op is one of the reserved opcodes.
func (op Opcode) IsReserved() bool { return op > OpPong || (op > OpBinary && op < OpClose) }

// RSV bits as they appear in Header.Rsv.
const (
	Rsv1 uint8 = 4 // permessage-deflate (RFC 7692)
	Rsv2 uint8 = 2
	Rsv3 uint8 = 1
)

// MaxHeaderSize is the size of the longest frame header: 2 bytes, an 8-byte
// extended length and a 4-byte masking key.
const MaxHeaderSize = 14

// MaxControlPayload is the longest payload a control frame may carry.
const MaxControlPayload = 125

// Header is a decoded frame header.
type Header struct {
	Fin    bool
	Rsv    uint8 // RSV1..RSV3 as bits 2..0 (RSV1 = 4)
	Opcode Opcode
	Masked bool
	Key    [4]byte // masking key, when Masked
	Length int64   // payload length, 0..2^63-1
}

// String describes h for debugging, e.g. "text fin len=5 mask=37fa213d".
func (h Header) String() string {
	b := make([]byte, 0, 48)
	b = append(b, h.Opcode.String()...)
	if h.Fin {
		b = append(b, " fin"...)
	}
	if h.Rsv != 0 {
		b = append(b, " rsv="...)
		b = strconv.AppendUint(b, uint64(h.Rsv), 2)
	}
	b = append(b, " len="...)
	b = strconv.AppendInt(b, h.Length, 10)
	if h.Masked {
		const hex = "0123456789abcdef"
		b = append(b, " mask="...)
		for _, k := range h.Key {
			b = append(b, hex[k>>4], hex[k&15])
		}
	}
	return string(b)
}

// Size returns the number of bytes AppendHeader writes for h.
func (h Header) Size() int { return headerLen(h.Length, h.Masked) }

// HeaderSize returns the size of the header that starts b, as far as its
// first two bytes tell (2 to 14), or 2 when b is shorter than that.
func HeaderSize(b []byte) int {
	if len(b) < 2 {
		return 2
	}
	return headerSize(b[1])
}

func headerSize(b1 byte) int {
	n := 2
	switch b1 & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if b1&0x80 != 0 {
		n += 4
	}
	return n
}

// DecodeHeader decodes the frame header at the start of b and returns it
// with its size in bytes (2 to 14). It reads no byte past the header and
// does not allocate.
//
// If b holds only part of a header, DecodeHeader returns ErrShortHeader;
// HeaderSize(b) tells the whole header's size once b has two bytes. The
// rules that need no context are checked as soon as the bytes that decide
// them are present, so a short b can still fail: a reserved opcode
// (ErrReservedOpcode), a control frame without FIN (ErrFragmentedControl) or
// with a payload over 125 bytes (ErrControlTooLong), and a 64-bit length
// with its top bit set (ErrLengthOverflow). Rules that depend on the
// connection, such as masking, RSV bits and size limits, are the Decoder's.
func DecodeHeader(b []byte) (Header, int, error) {
	var h Header
	n, err := decodeHeader(&h, b)
	if err != nil {
		return Header{}, 0, err
	}
	return h, n, nil
}

// decodeHeader is DecodeHeader writing into *h, which holds garbage when it
// fails. The Decoder calls it to decode straight into the Frame it returns.
func decodeHeader(h *Header, b []byte) (int, error) {
	if len(b) < 2 {
		if len(b) == 1 {
			switch op := Opcode(b[0] & 0xf); {
			case op.IsReserved():
				return 0, ErrReservedOpcode
			case op.IsControl() && b[0]&0x80 == 0:
				return 0, ErrFragmentedControl
			}
		}
		return 0, ErrShortHeader
	}
	b0, b1 := b[0], b[1]
	op := Opcode(b0 & 0xf)
	fin := b0&0x80 != 0
	length := int64(b1 & 0x7f)
	if op.IsReserved() {
		return 0, ErrReservedOpcode
	}
	if op.IsControl() {
		if !fin {
			return 0, ErrFragmentedControl
		}
		if length > MaxControlPayload {
			return 0, ErrControlTooLong
		}
	}
	n := 2
	switch length {
	case 126:
		if len(b) < 4 {
			return 0, ErrShortHeader
		}
		length = int64(binary.BigEndian.Uint16(b[2:4]))
		n = 4
	case 127:
		if len(b) < 10 {
			if len(b) > 2 && b[2]&0x80 != 0 {
				return 0, ErrLengthOverflow
			}
			return 0, ErrShortHeader
		}
		l := binary.BigEndian.Uint64(b[2:10])
		if l>>63 != 0 {
			return 0, ErrLengthOverflow
		}
		length = int64(l)
		n = 10
	}
	h.Fin, h.Rsv, h.Opcode, h.Length = fin, (b0>>4)&7, op, length
	h.Masked = b1&0x80 != 0
	h.Key = [4]byte{}
	if h.Masked {
		if len(b) < n+4 {
			return 0, ErrShortHeader
		}
		h.Key = [4]byte(b[n : n+4])
		n += 4
	}
	return n, nil
}

// AppendHeader appends the encoding of h to dst and returns the extended
// slice, always with the minimal length encoding. It allocates only when dst
// lacks room for the header (at most MaxHeaderSize bytes). h.Length must not
// be negative.
func AppendHeader(dst []byte, h Header) []byte {
	if h.Length < 0 {
		panic("codec: negative payload length")
	}
	hn := headerLen(h.Length, h.Masked)
	l := len(dst)
	dst = slices.Grow(dst, hn)[:l+hn]
	putHeader(dst[l:], firstByte(h.Opcode, h.Fin, h.Rsv), h.Length, h.Masked, h.Key)
	return dst
}

// firstByte is a header's first byte: FIN, RSV1..3 and the opcode.
func firstByte(op Opcode, fin bool, rsv uint8) byte {
	b0 := byte(op&0xf) | (rsv&7)<<4
	if fin {
		b0 |= 0x80
	}
	return b0
}

// headerLen is the size of the minimal header for a payload of n bytes.
func headerLen(n int64, masked bool) int {
	hn := 2
	if n > 125 {
		hn = 4
		if n > 0xffff {
			hn = 10
		}
	}
	if masked {
		hn += 4
	}
	return hn
}

// putHeader writes the header of headerLen(n, masked) bytes that starts
// with b0 to b, which has exactly that length.
func putHeader(b []byte, b0 byte, n int64, masked bool, key [4]byte) {
	var m byte
	if masked {
		m = 0x80
		copy(b[len(b)-4:], key[:])
	}
	b[0] = b0
	switch {
	case n <= 125:
		b[1] = m | byte(n)
	case n <= 0xffff:
		b[1] = m | 126
		binary.BigEndian.PutUint16(b[2:4], uint16(n))
	default:
		b[1] = m | 127
		binary.BigEndian.PutUint64(b[2:10], uint64(n))
	}
}
