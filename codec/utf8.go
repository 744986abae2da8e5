package codec

// utf8State validates UTF-8 text that arrives in pieces (RFC 3629, as RFC
// 6455 section 8.1 requires), failing at the first byte that no
// continuation could make valid. The zero value is at a rune boundary.
type utf8State struct {
	need   uint8 // continuation bytes still expected
	lo, hi byte  // the range the next continuation byte must be in
}

// feed validates the next piece p of the text and returns the index in p
// of the first impossible byte, or -1.
//
// The bulk of p goes to validUTF8; only a rune split at either end of p,
// and p that turns out invalid (to find the exact byte), are walked byte
// by byte.
func (s *utf8State) feed(p []byte) int {
	i := 0
	for ; s.need > 0 && i < len(p); i++ {
		if c := p[i]; c < s.lo || c > s.hi {
			return i
		}
		s.need--
		s.lo, s.hi = 0x80, 0xbf
	}
	rest := p[i:]
	// Leave a rune cut off by the end of p to the byte walk.
	cut := len(rest)
	for k := 1; k <= 3 && k <= len(rest); k++ {
		c := rest[len(rest)-k]
		if c >= 0xc0 {
			cut = len(rest) - k
			break
		}
		if c < 0x80 {
			break
		}
	}
	if validUTF8(rest[:cut]) {
		if j := s.walk(rest[cut:]); j >= 0 {
			return i + cut + j
		}
		return -1
	}
	return i + s.walk(rest)
}

// walk validates p byte by byte, keeping the state of a rune split at its
// end, and returns the index of the first impossible byte or -1.
func (s *utf8State) walk(p []byte) int {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if s.need > 0 {
			if c < s.lo || c > s.hi {
				return i
			}
			s.need--
			s.lo, s.hi = 0x80, 0xbf
			continue
		}
		switch {
		case c < 0x80:
			continue
		case c >= 0xc2 && c <= 0xdf:
			s.need, s.lo, s.hi = 1, 0x80, 0xbf
		case c == 0xe0: // no overlong 3-byte forms
			s.need, s.lo, s.hi = 2, 0xa0, 0xbf
		case c == 0xed: // no surrogates U+D800..U+DFFF
			s.need, s.lo, s.hi = 2, 0x80, 0x9f
		case c >= 0xe1 && c <= 0xef:
			s.need, s.lo, s.hi = 2, 0x80, 0xbf
		case c == 0xf0: // no overlong 4-byte forms
			s.need, s.lo, s.hi = 3, 0x90, 0xbf
		case c >= 0xf1 && c <= 0xf3:
			s.need, s.lo, s.hi = 3, 0x80, 0xbf
		case c == 0xf4: // nothing above U+10FFFF
			s.need, s.lo, s.hi = 3, 0x80, 0x8f
		default: // continuation without a lead, C0, C1, F5..FF
			return i
		}
	}
	return -1
}

// complete reports whether the text seen so far ends on a rune boundary.
func (s *utf8State) complete() bool { return s.need == 0 }
