package handshake

import (
	"bytes"
	"errors"
)

// DefaultMaxHeaderBytes is the size limit of a head (start line, header
// fields and the empty line) used when a limit of 0 or less is given.
const DefaultMaxHeaderBytes = 8 << 10

// Header is a view of the header fields of a parsed request or response.
// The zero Header has no fields. Its methods compare names without regard
// to ASCII case and return values with surrounding white space removed.
type Header struct {
	// block holds the validated field lines, each ending in LF or CR LF.
	block []byte
}

// Get returns the value of the first field called name, or nil if there is
// none. A field that is present with an empty value returns a non-nil empty
// slice.
func (h Header) Get(name string) []byte {
	for rest := h.block; len(rest) > 0; {
		var n, v []byte
		n, v, rest = nextField(rest)
		if equalFold(n, name) {
			return v
		}
	}
	return nil
}

// Values appends to dst the value of every field called name, in order, and
// returns the extended slice.
func (h Header) Values(dst [][]byte, name string) [][]byte {
	for rest := h.block; len(rest) > 0; {
		var n, v []byte
		n, v, rest = nextField(rest)
		if equalFold(n, name) {
			dst = append(dst, v)
		}
	}
	return dst
}

// Count returns how many fields are called name.
func (h Header) Count(name string) int {
	c := 0
	for rest := h.block; len(rest) > 0; {
		var n []byte
		n, _, rest = nextField(rest)
		if equalFold(n, name) {
			c++
		}
	}
	return c
}

// Tokens reads every field called name as one comma-separated list and
// appends its non-empty elements to dst.
func (h Header) Tokens(dst [][]byte, name string) [][]byte {
	for rest := h.block; len(rest) > 0; {
		var n, v []byte
		n, v, rest = nextField(rest)
		if !equalFold(n, name) {
			continue
		}
		for len(v) > 0 {
			var t []byte
			t, v = nextElement(v)
			if len(t) > 0 {
				dst = append(dst, t)
			}
		}
	}
	return dst
}

// HasToken reports whether the comma-separated list made of every field
// called name has an element equal to token, ignoring ASCII case.
func (h Header) HasToken(name, token string) bool {
	return h.hasElement(name, token, true)
}

// hasElement is HasToken with a choice of exact or case-insensitive
// comparison of the element.
func (h Header) hasElement(name, elem string, fold bool) bool {
	for rest := h.block; len(rest) > 0; {
		var n, v []byte
		n, v, rest = nextField(rest)
		if !equalFold(n, name) {
			continue
		}
		for len(v) > 0 {
			var e []byte
			e, v = nextElement(v)
			if (fold && equalFold(e, elem)) || string(e) == elem {
				return true
			}
		}
	}
	return false
}

// String returns the field lines as received.
func (h Header) String() string { return string(h.block) }

// HeaderField is one header field to add to a request or a response.
// The name must be a token and the value must not hold control characters
// other than horizontal tab.
type HeaderField struct {
	Name, Value string
}

func (f HeaderField) append(dst []byte) []byte {
	dst = append(dst, f.Name...)
	dst = append(dst, ": "...)
	dst = append(dst, f.Value...)
	return append(dst, "\r\n"...)
}

// validFields reports whether every field is well formed and none is called
// by one of the reserved names.
func validFields(fields []HeaderField, reserved []string) bool {
	for _, f := range fields {
		if !isToken(f.Name) || !isFieldValue(f.Value) {
			return false
		}
		for _, r := range reserved {
			if equalFold([]byte(f.Name), r) {
				return false
			}
		}
	}
	return true
}

// errHeadTooLarge is what scanHead returns when no head ends within the limit.
var errHeadTooLarge = errors.New("handshake: head too large")

// scanHead returns the length of the head at the start of b: the start line,
// the field lines and the empty line that ends them. It looks at no more than
// limit bytes.
func scanHead(b []byte, limit int) (int, error) {
	if limit <= 0 {
		limit = DefaultMaxHeaderBytes
	}
	window := b
	if len(window) > limit {
		window = window[:limit]
	}
	for i := 0; ; {
		j := bytes.IndexByte(window[i:], '\n')
		if j < 0 {
			if len(b) >= limit {
				return 0, errHeadTooLarge
			}
			return 0, ErrIncomplete
		}
		empty := j == 0 || (j == 1 && window[i] == '\r')
		i += j + 1
		if empty {
			return i, nil
		}
	}
}

// splitHead splits a head found by scanHead into its start line, without the
// line end, and its field block, without the empty line.
func splitHead(head []byte) (start, block []byte) {
	start, block = nextLine(head)
	if len(block) > 0 {
		if block[len(block)-1] == '\n' {
			block = block[:len(block)-1]
		}
		if len(block) > 0 && block[len(block)-1] == '\r' {
			block = block[:len(block)-1]
		}
	}
	return start, block
}

// checkField validates one field line.
func checkField(line []byte) *Error {
	if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
		return errFolding
	}
	colon := bytes.IndexByte(line, ':')
	if colon < 0 || !isToken(line[:colon]) {
		return errFieldName
	}
	if !isFieldValue(line[colon+1:]) {
		return errFieldValue
	}
	return nil
}

// nextLine splits off the first line of b and removes its line end.
func nextLine(b []byte) (line, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		line = b
	} else {
		line, rest = b[:i], b[i+1:]
	}
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return line, rest
}

// nextField splits off the first line of a field block and splits it into
// name and value.
func nextField(block []byte) (name, value, rest []byte) {
	line, rest := nextLine(block)
	name, value = splitField(line)
	return name, value, rest
}

// splitField splits a field line at its first colon and trims the value.
func splitField(line []byte) (name, value []byte) {
	i := bytes.IndexByte(line, ':')
	if i < 0 {
		return line, nil
	}
	return line[:i], trimSpace(line[i+1:])
}

// nextElement splits off the first element of a comma-separated list and
// trims it.
func nextElement(list []byte) (elem, rest []byte) {
	i := bytes.IndexByte(list, ',')
	if i < 0 {
		return trimSpace(list), nil
	}
	return trimSpace(list[:i]), list[i+1:]
}

// trimSpace removes spaces and horizontal tabs from both ends of b.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// equalFold reports whether b equals s, ignoring ASCII case. s must hold no
// byte above 0x7f for the result to be exact.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x, y := b[i], s[i]
		if x == y {
			continue
		}
		if x|0x20 != y|0x20 || x|0x20 < 'a' || x|0x20 > 'z' {
			return false
		}
	}
	return true
}

// tokenChars marks the bytes allowed in an HTTP token (RFC 9110 section 5.6.2).
var tokenChars = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

func isToken[T []byte | string](s T) bool {
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenChars[s[i]] {
			return false
		}
	}
	return true
}

// isFieldValue reports whether s holds only bytes allowed in a field value:
// visible characters, space, horizontal tab and obs-text.
func isFieldValue[T []byte | string](s T) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
