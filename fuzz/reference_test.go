package fuzz

import (
	"math/rand"
	"testing"
	"unicode/utf8"

	"github.com/wsframe/wsframe/codec"
)

// The references here are written from RFC 6455 and RFC 3629 with the
// standard library only; the targets hold the code under test against them.

// boundaryConts are the ends of every range that a UTF-8 continuation byte
// may be limited to (RFC 3629 section 4): if any byte completes a prefix,
// one of these does.
var boundaryConts = [...]byte{0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf}

// runePrefix reports whether s (1 to 4 bytes) is the start of the encoding
// of a single valid rune, or that whole encoding.
func runePrefix(s []byte) bool {
	var t [4]byte
	n := copy(t[:], s)
	var try func(k int) bool
	try = func(k int) bool {
		if utf8.Valid(t[:k]) && utf8.RuneCount(t[:k]) == 1 {
			return true
		}
		if k == len(t) {
			return false
		}
		for _, c := range boundaryConts {
			t[k] = c
			if try(k + 1) {
				return true
			}
		}
		return false
	}
	return try(n)
}

// firstInvalidUTF8 returns the index of the first byte of p at which p stops
// being a prefix of valid UTF-8, or -1 if it never does; complete reports
// whether p is valid UTF-8 as it stands.
func firstInvalidUTF8(p []byte) (bad int, complete bool) {
	if utf8.Valid(p) {
		return -1, true
	}
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRune(p[i:])
		if r != utf8.RuneError || n > 1 {
			i += n
			continue
		}
		// p[i] starts a sequence that is wrong or cut off by the end of p:
		// the first prefix of it that no rune starts with ends at the byte
		// to blame.
		end := min(i+utf8.UTFMax, len(p))
		for k := i + 1; k <= end; k++ {
			if !runePrefix(p[i:k]) {
				return k - 1, false
			}
		}
		return -1, false
	}
	return -1, true
}

// invalidOffset is what MessageDecoder.InvalidOffset must report for text
// that fails: the first impossible byte, or the length for text that ends
// inside a rune. ok is false when the text is valid.
func invalidOffset(text []byte) (off int64, ok bool) {
	bad, complete := firstInvalidUTF8(text)
	switch {
	case bad >= 0:
		return int64(bad), true
	case !complete:
		return int64(len(text)), true
	}
	return 0, false
}

// sendableCode reports whether a Close frame may carry code: RFC 6455
// section 7.4.1 defines 1000-1003 and 1007-1011 (1004-1006 and 1015 are
// never sent), the IANA registry of section 11.7 adds 1012-1014, and
// section 7.4.2 gives 3000-4999 to libraries and applications.
func sendableCode(code uint16) bool {
	return code >= 1000 && code <= 1003 ||
		code >= 1007 && code <= 1014 ||
		code >= 3000 && code <= 4999
}

// closeViolations returns what is wrong with a received Close payload
// (RFC 6455 sections 5.5.1 and 7.4); badAt is InvalidOffset's answer when
// the reason is not UTF-8 (section 8.1).
func closeViolations(p []byte) (errs []error, badAt int64) {
	switch len(p) {
	case 0:
		return nil, 0
	case 1:
		return []error{codec.ErrCloseLength}, 0
	}
	if !sendableCode(uint16(p[0])<<8 | uint16(p[1])) {
		errs = append(errs, codec.ErrInvalidCloseCode)
	}
	if off, bad := invalidOffset(p[2:]); bad {
		errs = append(errs, codec.ErrInvalidUTF8)
		badAt = 2 + off
	}
	return errs, badAt
}

// Header fields read straight from the wire bytes (RFC 6455 section 5.2).
func wireFin(b0 byte) bool         { return b0&0x80 != 0 }
func wireOpcode(b0 byte) uint8     { return b0 & 0xf }
func wireLen7(b1 byte) uint8       { return b1 & 0x7f }
func reservedOpcode(op uint8) bool { return op >= 3 && op <= 7 || op >= 0xb }
func controlOpcode(op uint8) bool  { return op >= 8 }

// lengthBytes returns how many extended length bytes follow a 7-bit length
// of len7.
func lengthBytes(len7 uint8) int {
	switch len7 {
	case 126:
		return 2
	case 127:
		return 8
	}
	return 0
}

// minimalLengthBytes returns how many extended length bytes the shortest
// encoding of n takes.
func minimalLengthBytes(n int64) int {
	switch {
	case n > 0xffff:
		return 8
	case n > 125:
		return 2
	}
	return 0
}

func errIn(err error, set []error) bool {
	for _, e := range set {
		if err == e {
			return true
		}
	}
	return false
}

// headerRuleViolations returns the violations of the rules of section 5
// that need no context, as far as the bytes of b decide them: a reserved
// opcode (5.2), a control frame without FIN (5.4, 5.5) or with more than
// 125 bytes (5.5), and a 64-bit length with its top bit set (5.2).
func headerRuleViolations(b []byte) []error {
	var errs []error
	if len(b) == 0 {
		return nil
	}
	op := wireOpcode(b[0])
	if reservedOpcode(op) {
		errs = append(errs, codec.ErrReservedOpcode)
	}
	if controlOpcode(op) && !wireFin(b[0]) {
		errs = append(errs, codec.ErrFragmentedControl)
	}
	if len(b) < 2 {
		return errs
	}
	// The 16- and 64-bit forms stand for more than 125 bytes, since a
	// length must be sent in its shortest form (5.2).
	if controlOpcode(op) && wireLen7(b[1]) > 125 {
		errs = append(errs, codec.ErrControlTooLong)
	}
	if len(b) > 2 && wireLen7(b[1]) == 127 && b[2]&0x80 != 0 {
		errs = append(errs, codec.ErrLengthOverflow)
	}
	return errs
}

// wireHeader reads the header at the start of b field by field as section
// 5.2 draws it, without checking any rule; ok is false when b is shorter
// than the header.
func wireHeader(b []byte) (h codec.Header, n int, ok bool) {
	if len(b) < 2 {
		return h, 0, false
	}
	n = 2 + lengthBytes(wireLen7(b[1]))
	masked := b[1]&0x80 != 0
	if masked {
		n += 4
	}
	if len(b) < n {
		return h, 0, false
	}
	var length uint64
	switch wireLen7(b[1]) {
	case 126, 127:
		for _, c := range b[2 : 2+lengthBytes(wireLen7(b[1]))] {
			length = length<<8 | uint64(c)
		}
	default:
		length = uint64(wireLen7(b[1]))
	}
	h = codec.Header{
		Fin:    wireFin(b[0]),
		Rsv:    b[0] >> 4 & 7,
		Opcode: codec.Opcode(wireOpcode(b[0])),
		Masked: masked,
		Length: int64(length),
	}
	if masked {
		copy(h.Key[:], b[n-4:n])
	}
	return h, n, true
}

// effectiveMax is the payload limit a Decoder configured with max applies;
// negative means none.
func effectiveMax(max int64) int64 {
	if max == 0 {
		return codec.DefaultMaxPayload
	}
	return max
}

// connectionViolations returns the violations of the rules that depend on
// the connection by the frame with header h of hn bytes, for a Decoder
// configured as d: masking (5.1), RSV bits (5.2), the payload limit
// (10.4) and, when asked for, the minimal length encoding (5.2).
func connectionViolations(d *codec.Decoder, h codec.Header, hn int) []error {
	var errs []error
	switch {
	case d.Client && h.Masked:
		errs = append(errs, codec.ErrMaskedFrame)
	case !d.Client && !h.Masked:
		errs = append(errs, codec.ErrUnmaskedFrame)
	}
	if h.Rsv&^d.Rsv != 0 {
		errs = append(errs, codec.ErrReservedBits)
	}
	if max := effectiveMax(d.MaxPayload); max >= 0 && h.Length > max {
		errs = append(errs, codec.ErrFrameTooLarge)
	}
	keyBytes := 0
	if h.Masked {
		keyBytes = 4
	}
	if d.RejectNonMinimal && hn-2-keyBytes != minimalLengthBytes(h.Length) {
		errs = append(errs, codec.ErrNonMinimalLength)
	}
	return errs
}

// peerErrors are every error a Decoder or MessageDecoder may stop at.
var peerErrors = []error{
	codec.ErrReservedOpcode, codec.ErrFragmentedControl, codec.ErrControlTooLong,
	codec.ErrLengthOverflow, codec.ErrNonMinimalLength, codec.ErrUnmaskedFrame,
	codec.ErrMaskedFrame, codec.ErrReservedBits, codec.ErrFrameTooLarge,
	codec.ErrUnexpectedContinuation, codec.ErrExpectedContinuation, codec.ErrInvalidUTF8,
	codec.ErrMessageTooLarge, codec.ErrTooManyFragments, codec.ErrCloseLength,
	codec.ErrInvalidCloseCode, codec.ErrCompressedControl, codec.ErrCompressedContinuation,
	codec.ErrInflate,
}

// unmaskRef is the byte loop of RFC 6455 section 5.3.
func unmaskRef(dst, src []byte, key [4]byte, pos int) {
	for i := range src {
		dst[i] = src[i] ^ key[(pos+i)&3]
	}
}

// TestFirstInvalidUTF8 checks the UTF-8 reference on known cases and on
// random bytes: it agrees with utf8.Valid, and the prefix it blames is the
// shortest one that fails.
func TestFirstInvalidUTF8(t *testing.T) {
	for _, tc := range []struct {
		text     string
		bad      int
		complete bool
	}{
		{"", -1, true},
		{"κόσμε", -1, true},
		{"\xf4\x8f\xbf\xbf", -1, true},
		{"\xef\xbf\xbd", -1, true}, // U+FFFD itself
		{"a\xe2\x82", -1, false},
		{"\xf0\x9f", -1, false},
		{"\xff", 0, false},
		{"a\x80", 1, false},
		{"\xc0\xaf", 0, false},
		{"\xc2", -1, false},
		{"\xe0\x9f\xbf", 1, false},
		{"\xed\xa0\x80", 1, false},
		{"\xf0\x8f\xbf\xbf", 1, false},
		{"\xf4\x90\x80\x80", 1, false},
		{"\xf5\x80", 0, false},
		{"\xe2\x82x", 2, false},
		{"\xe2\x82\xac\xe2", -1, false},
	} {
		if bad, complete := firstInvalidUTF8([]byte(tc.text)); bad != tc.bad || complete != tc.complete {
			t.Errorf("%q: %d, %v; want %d, %v", tc.text, bad, complete, tc.bad, tc.complete)
		}
	}
	r := rand.New(rand.NewSource(1))
	alphabet := []byte{'a', 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff}
	for i := 0; i < 20000; i++ {
		p := make([]byte, r.Intn(12))
		for j := range p {
			p[j] = alphabet[r.Intn(len(alphabet))]
		}
		bad, complete := firstInvalidUTF8(p)
		if (bad < 0 && complete) != utf8.Valid(p) {
			t.Fatalf("%x: %d, %v, but utf8.Valid says %v", p, bad, complete, utf8.Valid(p))
		}
		if bad < 0 {
			continue
		}
		if b, _ := firstInvalidUTF8(p[:bad]); b >= 0 {
			t.Fatalf("%x: blames byte %d, but %x already fails at %d", p, bad, p[:bad], b)
		}
		if b, _ := firstInvalidUTF8(p[:bad+1]); b != bad {
			t.Fatalf("%x: blames byte %d, but %x fails at %d", p, bad, p[:bad+1], b)
		}
	}
}
