package handshake

import (
	"bytes"
	"encoding/base64"
)

// Request is a parsed HTTP/1.x request head. The zero Request is empty;
// [Request.Parse] fills it. Every slice it returns is a view of the bytes
// given to Parse, valid as long as they are.
type Request struct {
	method, target []byte
	major, minor   int
	header         Header

	// The fields the checks look at, found while parsing, with how many
	// times each occurred.
	host, origin, key, version     []byte
	hosts, origins, keys, versions int
}

// Parse parses the request head at the start of b into r and returns its
// length in bytes, the empty line included. Bytes after it are not part of
// the request. maxHeaderBytes limits the size of the head; 0 or less means
// [DefaultMaxHeaderBytes].
//
// While b holds no complete head and is shorter than the limit, Parse
// returns [ErrIncomplete]. A head over the limit is an [*Error] with status
// 431 and malformed syntax is an [*Error] with status 400; the fields of r
// are then unspecified. Parse checks HTTP syntax only; [Request.Check]
// checks that the request asks for a WebSocket upgrade.
func (r *Request) Parse(b []byte, maxHeaderBytes int) (int, error) {
	*r = Request{}
	n, err := scanHead(b, maxHeaderBytes)
	if err != nil {
		if err == errHeadTooLarge {
			return 0, errTooLarge
		}
		return 0, err
	}
	start, block := splitHead(b[:n])
	if !r.parseRequestLine(start) {
		return 0, errRequestLine
	}
	for rest := block; len(rest) > 0; {
		var line []byte
		line, rest = nextLine(rest)
		if err := checkField(line); err != nil {
			return 0, err
		}
		r.note(splitField(line))
	}
	r.header = Header{block}
	return n, nil
}

// parseRequestLine parses "method SP request-target SP HTTP-version".
func (r *Request) parseRequestLine(line []byte) bool {
	i := bytes.IndexByte(line, ' ')
	if i < 0 {
		return false
	}
	method, rest := line[:i], line[i+1:]
	i = bytes.IndexByte(rest, ' ')
	if i < 0 {
		return false
	}
	target, version := rest[:i], rest[i+1:]
	major, minor, ok := parseVersion(version)
	if !ok || !isToken(method) || !isTarget(target) {
		return false
	}
	r.method, r.target, r.major, r.minor = method, target, major, minor
	return true
}

// note records the fields that the checks look at.
func (r *Request) note(name, value []byte) {
	switch len(name) {
	case len("Host"):
		if equalFold(name, "Host") {
			r.host = value
			r.hosts++
		}
	case len("Origin"):
		if equalFold(name, "Origin") {
			if r.origins == 0 {
				r.origin = value
			}
			r.origins++
		}
	case len("Sec-WebSocket-Key"):
		if equalFold(name, "Sec-WebSocket-Key") {
			r.key = value
			r.keys++
		}
	case len("Sec-WebSocket-Version"):
		if equalFold(name, "Sec-WebSocket-Version") {
			r.version = value
			r.versions++
		}
	}
}

// parseVersion parses "HTTP/" DIGIT "." DIGIT.
func parseVersion(v []byte) (major, minor int, ok bool) {
	if len(v) != len("HTTP/1.1") || string(v[:5]) != "HTTP/" || v[6] != '.' ||
		!isDigit(v[5]) || !isDigit(v[7]) {
		return 0, 0, false
	}
	return int(v[5] - '0'), int(v[7] - '0'), true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isTarget reports whether t is a request-target in origin form ("/path?query")
// or absolute form ("scheme://..."): visible ASCII without '#', every '%'
// followed by two hex digits.
func isTarget(t []byte) bool {
	if len(t) == 0 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c <= ' ' || c >= 0x7f || c == '#' {
			return false
		}
		if c == '%' {
			if i+2 >= len(t) || !isHex(t[i+1]) || !isHex(t[i+2]) {
				return false
			}
		}
	}
	if t[0] == '/' {
		return true
	}
	return hasScheme(t)
}

// hasScheme reports whether t starts with a URI scheme and "://".
func hasScheme(t []byte) bool {
	i := bytes.Index(t, []byte("://"))
	if i <= 0 {
		return false
	}
	if c := t[0] | 0x20; c < 'a' || c > 'z' {
		return false
	}
	for _, c := range t[1:i] {
		lc := c | 0x20
		if !('a' <= lc && lc <= 'z') && !isDigit(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	lc := c | 0x20
	return isDigit(c) || ('a' <= lc && lc <= 'f')
}

// Method returns the request method.
func (r *Request) Method() []byte { return r.method }

// Target returns the request-target of the request line as sent: the path
// and query, or an absolute URI.
func (r *Request) Target() []byte { return r.target }

// ProtoAtLeast reports whether the request's HTTP version is at least
// major.minor.
func (r *Request) ProtoAtLeast(major, minor int) bool {
	return r.major > major || (r.major == major && r.minor >= minor)
}

// Host returns the value of the Host field, or nil if there is none.
func (r *Request) Host() []byte { return r.host }

// Origin returns the value of the first Origin field, or nil if there is
// none. Browsers send it; other clients often do not.
func (r *Request) Origin() []byte { return r.origin }

// Key returns the value of the Sec-WebSocket-Key field, or nil if there is
// none.
func (r *Request) Key() []byte { return r.key }

// Header returns the header fields of the request.
func (r *Request) Header() Header { return r.header }

// Protocols appends to dst the subprotocols the client offers, in its order
// of preference: the elements of every Sec-WebSocket-Protocol field.
func (r *Request) Protocols(dst [][]byte) [][]byte {
	return r.header.Tokens(dst, "Sec-WebSocket-Protocol")
}

// Extensions appends to dst the value of every Sec-WebSocket-Extensions
// field, unparsed, one element per field line.
func (r *Request) Extensions(dst [][]byte) [][]byte {
	return r.header.Values(dst, "Sec-WebSocket-Extensions")
}

// Check reports whether r is a WebSocket opening handshake as RFC 6455
// section 4.2.1 describes it. The error, if any, is an [*Error]: 405 if the
// method is not GET, 505 for an HTTP version other than 1.x, 426 if
// Sec-WebSocket-Version is missing or not 13, 400 for anything else.
func (r *Request) Check() error {
	switch {
	case string(r.method) != "GET":
		return errMethod
	case r.major != 1:
		return errHTTPMajor
	case r.minor < 1:
		return errHTTP10
	case r.hosts == 0 || len(r.host) == 0:
		return errNoHost
	case r.hosts > 1:
		return errManyHosts
	case !r.header.HasToken("Upgrade", "websocket"):
		return errUpgrade
	case !r.header.HasToken("Connection", "Upgrade"):
		return errConnection
	case r.versions != 1 || string(r.version) != "13":
		return errVersion
	case r.keys == 0:
		return errNoKey
	case r.keys > 1:
		return errManyKeys
	case !isKey(r.key):
		return errKey
	}
	return nil
}

var strictBase64 = base64.StdEncoding.Strict()

// isKey reports whether k is the base64 encoding of exactly 16 bytes.
func isKey(k []byte) bool {
	if len(k) != 24 {
		return false
	}
	var raw [18]byte
	n, err := strictBase64.Decode(raw[:], k)
	return err == nil && n == 16
}
