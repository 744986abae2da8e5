package codec

import (
	"encoding/binary"
	"math/bits"
)

// validUTF8 reports whether p is entirely valid UTF-8 (RFC 3629: no
// overlong forms, no surrogates U+D800..U+DFFF, nothing above U+10FFFF).
// It gives the same verdict as utf8.Valid.
//
// ASCII is skipped a word (eight bytes) at a time, eight words per step
// while a run of ASCII lasts. Everything else goes through a shift-based
// DFA: dfa[c] holds, for every state, the state that byte c leads to, and
// a state is the bit offset of its own 6-bit field, so one step is a table
// load and a shift with no branch on the byte. The DFA runs in blocks of
// 16 bytes; at the end of a block that leaves a rune boundary, an ASCII
// word ahead sends the loop back to the word path.
func validUTF8(p []byte) bool {
	const hi = 0x8080808080808080
	s := uint64(dfaAccept)
	q := p[:len(p):len(p)] // the part not yet validated
words:
	for {
		// At a rune boundary here: skip ASCII, eight words at a time
		// while they last, then one word at a time.
		for len(q) > 64 {
			w := (binary.LittleEndian.Uint64(q[0:8]) | binary.LittleEndian.Uint64(q[8:16])) |
				(binary.LittleEndian.Uint64(q[16:24]) | binary.LittleEndian.Uint64(q[24:32])) |
				(binary.LittleEndian.Uint64(q[32:40]) | binary.LittleEndian.Uint64(q[40:48])) |
				(binary.LittleEndian.Uint64(q[48:56]) | binary.LittleEndian.Uint64(q[56:64]))
			if w&hi != 0 {
				break
			}
			q = q[64:]
		}
		for len(q) > 8 {
			if w := binary.LittleEndian.Uint64(q[0:8]); w&hi != 0 {
				// Step over the ASCII bytes in front of the first
				// byte with the high bit set.
				q = q[bits.TrailingZeros64(w&hi)>>3:]
				break
			}
			q = q[8:]
		}
		if len(q) <= 8 {
			// The word ending at the end of p covers what is left
			// when p has at least 8 bytes.
			if len(p) >= 8 && binary.LittleEndian.Uint64(p[len(p)-8:])&hi == 0 {
				return true
			}
			break
		}
		for len(q) >= 16 {
			s = dfa[q[0]] >> (s & 63)
			s = dfa[q[1]] >> (s & 63)
			s = dfa[q[2]] >> (s & 63)
			s = dfa[q[3]] >> (s & 63)
			s = dfa[q[4]] >> (s & 63)
			s = dfa[q[5]] >> (s & 63)
			s = dfa[q[6]] >> (s & 63)
			s = dfa[q[7]] >> (s & 63)
			s = dfa[q[8]] >> (s & 63)
			s = dfa[q[9]] >> (s & 63)
			s = dfa[q[10]] >> (s & 63)
			s = dfa[q[11]] >> (s & 63)
			s = dfa[q[12]] >> (s & 63)
			s = dfa[q[13]] >> (s & 63)
			s = dfa[q[14]] >> (s & 63)
			s = dfa[q[15]] >> (s & 63)
			q = q[16:]
			switch s & 63 {
			case dfaError:
				return false
			case dfaAccept:
				// Back to the word path when a whole ASCII word
				// follows.
				if len(q) >= 8 && binary.LittleEndian.Uint64(q[0:8])&hi == 0 {
					q = q[8:]
					continue words
				}
			}
		}
		break
	}
	for _, c := range q {
		s = dfa[c] >> (s & 63)
	}
	return s&63 == dfaAccept
}

// The states of the DFA, each the bit offset of its 6-bit field in a dfa
// entry. The error state is 0, so that every entry, holding 0 in its
// lowest field, keeps the DFA there.
const (
	dfaError  = 0 * 6
	dfaAccept = 1 * 6 // at a rune boundary
	dfaCont1  = 2 * 6 // one more byte 80..BF
	dfaCont2  = 3 * 6 // two more bytes 80..BF
	dfaE0     = 4 * 6 // after E0: A0..BF, then one more (no overlongs)
	dfaED     = 5 * 6 // after ED: 80..9F, then one more (no surrogates)
	dfaCont3  = 6 * 6 // after F1..F3: three more bytes 80..BF
	dfaF0     = 7 * 6 // after F0: 90..BF, then two more (no overlongs)
	dfaF4     = 8 * 6 // after F4: 80..8F, then two more (up to U+10FFFF)
)

// dfa[c] maps each state (a field offset) to the state byte c leads to;
// fields not set lead to dfaError.
var dfa = func() (t [256]uint64) {
	set := func(lo, hi int, from, to uint64) {
		for c := lo; c <= hi; c++ {
			t[c] |= to << from
		}
	}
	set(0x00, 0x7f, dfaAccept, dfaAccept)
	set(0xc2, 0xdf, dfaAccept, dfaCont1)
	set(0xe0, 0xe0, dfaAccept, dfaE0)
	set(0xe1, 0xec, dfaAccept, dfaCont2)
	set(0xed, 0xed, dfaAccept, dfaED)
	set(0xee, 0xef, dfaAccept, dfaCont2)
	set(0xf0, 0xf0, dfaAccept, dfaF0)
	set(0xf1, 0xf3, dfaAccept, dfaCont3)
	set(0xf4, 0xf4, dfaAccept, dfaF4)

	set(0x80, 0xbf, dfaCont1, dfaAccept)
	set(0x80, 0xbf, dfaCont2, dfaCont1)
	set(0xa0, 0xbf, dfaE0, dfaCont1)
	set(0x80, 0x9f, dfaED, dfaCont1)
	set(0x80, 0xbf, dfaCont3, dfaCont2)
	set(0x90, 0xbf, dfaF0, dfaCont2)
	set(0x80, 0x8f, dfaF4, dfaCont2)
	return t
}()
