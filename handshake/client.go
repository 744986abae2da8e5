package handshake

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
)

// Key is a Sec-WebSocket-Key value: 16 random bytes in base64.
type Key [24]byte

// String returns the key as it appears in the request.
func (k Key) String() string { return string(k[:]) }

// newKey returns a fresh key from crypto/rand.
func newKey() (Key, error) {
	var raw [16]byte
	var k Key
	if _, err := rand.Read(raw[:]); err != nil {
		return k, err
	}
	base64.StdEncoding.Encode(k[:], raw[:])
	return k, nil
}

// Client is the client's side of the handshake: what it asks for and how it
// verifies the answer. The zero Client asks for no subprotocol and no
// extension. A Client may be used by many goroutines at once as long as it
// is not modified.
type Client struct {
	// Protocols are the subprotocols offered, in order of preference.
	// Each must be a token.
	Protocols []string

	// Extensions is the Sec-WebSocket-Extensions value offered, or "".
	Extensions string

	// Origin is the value of the Origin field, or "" to send none.
	Origin string

	// Header holds further fields of the request. It may not hold Host,
	// Upgrade, Connection or Sec-WebSocket-* fields.
	Header []HeaderField

	// MaxHeaderBytes limits the size of the response head;
	// 0 means DefaultMaxHeaderBytes.
	MaxHeaderBytes int
}

// clientReserved are the fields AppendRequest writes itself.
var clientReserved = []string{"Host", "Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
	"Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions", "Origin"}

// AppendRequest appends to dst an upgrade request for u, whose scheme must
// be ws or wss, with a fresh key from crypto/rand. It returns the extended
// slice and the key, which [Client.ParseResponse] needs to verify the
// response. The request-target is the path and query of u; user
// information in u is not sent. On error dst is returned unchanged.
func (c *Client) AppendRequest(dst []byte, u *url.URL) ([]byte, Key, error) {
	var key Key
	switch {
	case u.Scheme != "ws" && u.Scheme != "wss":
		return dst, key, errors.New("handshake: URL scheme must be ws or wss")
	case u.Opaque != "" || u.Host == "":
		return dst, key, errors.New("handshake: URL has no host")
	case u.Fragment != "":
		return dst, key, errors.New("handshake: URL has a fragment")
	case !isHostValue(u.Host):
		return dst, key, errors.New("handshake: invalid host in URL")
	case !isFieldValue(c.Origin) || !isFieldValue(c.Extensions):
		return dst, key, errors.New("handshake: invalid Origin or Extensions")
	case !validFields(c.Header, clientReserved):
		return dst, key, errors.New("handshake: invalid request header field")
	}
	for _, p := range c.Protocols {
		if !isToken(p) {
			return dst, key, errors.New("handshake: subprotocol is not a token")
		}
	}
	target := u.RequestURI()
	if !isTarget([]byte(target)) {
		return dst, key, errors.New("handshake: invalid path or query in URL")
	}
	key, err := newKey()
	if err != nil {
		return dst, key, err
	}

	dst = append(dst, "GET "...)
	dst = append(dst, target...)
	dst = append(dst, " HTTP/1.1\r\nHost: "...)
	dst = append(dst, u.Host...)
	dst = append(dst, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "...)
	dst = append(dst, key[:]...)
	dst = append(dst, "\r\nSec-WebSocket-Version: 13\r\n"...)
	if c.Origin != "" {
		dst = HeaderField{"Origin", c.Origin}.append(dst)
	}
	if len(c.Protocols) > 0 {
		dst = append(dst, "Sec-WebSocket-Protocol: "...)
		for i, p := range c.Protocols {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = append(dst, p...)
		}
		dst = append(dst, "\r\n"...)
	}
	if c.Extensions != "" {
		dst = HeaderField{"Sec-WebSocket-Extensions", c.Extensions}.append(dst)
	}
	for _, f := range c.Header {
		dst = f.append(dst)
	}
	return append(dst, "\r\n"...), key, nil
}

// isHostValue reports whether h can be sent as a Host value: visible ASCII
// or obs-text, no white space.
func isHostValue(h string) bool {
	for i := 0; i < len(h); i++ {
		if h[i] <= ' ' || h[i] == 0x7f {
			return false
		}
	}
	return true
}

// Response is a parsed HTTP/1.x response head. The zero Response is empty;
// [Response.Parse] fills it. Every slice it returns is a view of the bytes
// given to Parse, valid as long as they are.
type Response struct {
	status int
	reason []byte
	header Header
}

// Parse parses the response head at the start of b into r and returns its
// length in bytes, the empty line included; the bytes after it are the
// first bytes of the WebSocket stream, or the body of a refusal.
// maxHeaderBytes limits the size of the head; 0 or less means
// [DefaultMaxHeaderBytes].
//
// While b holds no complete head and is shorter than the limit, Parse
// returns [ErrIncomplete]. Any other error is a [*ResponseError].
func (r *Response) Parse(b []byte, maxHeaderBytes int) (int, error) {
	*r = Response{}
	n, err := scanHead(b, maxHeaderBytes)
	if err != nil {
		if err == errHeadTooLarge {
			return 0, &ResponseError{Reason: "response head too large"}
		}
		return 0, err
	}
	start, block := splitHead(b[:n])
	if !r.parseStatusLine(start) {
		return 0, &ResponseError{Reason: "malformed status line"}
	}
	for rest := block; len(rest) > 0; {
		var line []byte
		line, rest = nextLine(rest)
		if err := checkField(line); err != nil {
			return 0, &ResponseError{Status: r.status, Reason: err.Reason}
		}
	}
	r.header = Header{block}
	return n, nil
}

// parseStatusLine parses "HTTP-version SP 3DIGIT SP reason-phrase". The
// space before an empty reason phrase may be missing.
func (r *Response) parseStatusLine(line []byte) bool {
	if len(line) < len("HTTP/1.1 101") || line[8] != ' ' {
		return false
	}
	if major, _, ok := parseVersion(line[:8]); !ok || major != 1 {
		return false
	}
	code := line[9:12]
	if !isDigit(code[0]) || !isDigit(code[1]) || !isDigit(code[2]) {
		return false
	}
	reason := line[12:]
	if len(reason) > 0 {
		if reason[0] != ' ' || !isFieldValue(reason) {
			return false
		}
		reason = reason[1:]
	}
	r.status = int(code[0]-'0')*100 + int(code[1]-'0')*10 + int(code[2]-'0')
	r.reason = reason
	return true
}

// Status returns the status code.
func (r *Response) Status() int { return r.status }

// Reason returns the reason phrase of the status line.
func (r *Response) Reason() []byte { return r.reason }

// Header returns the header fields of the response.
func (r *Response) Header() Header { return r.header }

// Protocol returns the value of the Sec-WebSocket-Protocol field: the
// subprotocol the server selected, or nil for none.
func (r *Response) Protocol() []byte { return r.header.Get("Sec-WebSocket-Protocol") }

// Extensions appends to dst the value of every Sec-WebSocket-Extensions
// field, unparsed, one element per field line: the extensions in use, for
// the caller to validate against its offer.
func (r *Response) Extensions(dst [][]byte) [][]byte {
	return r.header.Values(dst, "Sec-WebSocket-Extensions")
}

// Check verifies that r completes the handshake of a request sent with key,
// as RFC 6455 section 4.1 asks: status 101, Upgrade listing websocket,
// Connection listing Upgrade, Sec-WebSocket-Accept matching key, a
// subprotocol that c offered if any, and extensions only of the names c
// offered. The error, if any, is a [*ResponseError].
func (c *Client) Check(r *Response, key Key) error {
	fail := func(reason string) error { return &ResponseError{Status: r.status, Reason: reason} }
	if r.status != http.StatusSwitchingProtocols {
		return fail("status " + strconv.Itoa(r.status) + " is not 101")
	}
	h := r.header
	if !h.HasToken("Upgrade", "websocket") {
		return fail("Upgrade does not list websocket")
	}
	if !h.HasToken("Connection", "Upgrade") {
		return fail("Connection does not list Upgrade")
	}
	var want [AcceptKeyLen]byte
	AppendAcceptKey(want[:0], key[:])
	if h.Count("Sec-WebSocket-Accept") != 1 || !bytes.Equal(h.Get("Sec-WebSocket-Accept"), want[:]) {
		return fail("Sec-WebSocket-Accept does not match the key")
	}
	switch h.Count("Sec-WebSocket-Protocol") {
	case 0:
	case 1:
		if p := r.Protocol(); !containsString(c.Protocols, p) {
			return fail("server selected a subprotocol that was not offered")
		}
	default:
		return fail("repeated Sec-WebSocket-Protocol")
	}
	for rest := h.block; len(rest) > 0; {
		var n, v []byte
		n, v, rest = nextField(rest)
		if !equalFold(n, "Sec-WebSocket-Extensions") {
			continue
		}
		for len(v) > 0 {
			var e []byte
			e, v = nextElement(v)
			if len(e) > 0 && !offersExtension(c.Extensions, extensionName(e)) {
				return fail("server selected an extension that was not offered")
			}
		}
	}
	return nil
}

// ParseResponse parses the response at the start of b with [Response.Parse]
// and verifies it with [Client.Check]. On success n is the length of the
// response head; the bytes of b after it belong to the WebSocket
// connection. While b holds no complete head the error is [ErrIncomplete].
// After any other error the connection should be closed; the Response is
// returned when its head could be parsed, for callers that handle other
// statuses such as redirects.
func (c *Client) ParseResponse(b []byte, key Key) (resp Response, n int, err error) {
	n, err = resp.Parse(b, c.MaxHeaderBytes)
	if err != nil {
		return resp, 0, err
	}
	if err = c.Check(&resp, key); err != nil {
		return resp, 0, err
	}
	return resp, n, nil
}

func containsString(list []string, b []byte) bool {
	for _, s := range list {
		if s == string(b) {
			return true
		}
	}
	return false
}

// extensionName returns the name of one element of an extension list: the
// token before its parameters.
func extensionName(e []byte) []byte {
	if i := bytes.IndexByte(e, ';'); i >= 0 {
		e = e[:i]
	}
	return trimSpace(e)
}

// offersExtension reports whether the offer lists an extension called name.
func offersExtension(offer string, name []byte) bool {
	rest := []byte(offer)
	for len(rest) > 0 {
		var e []byte
		e, rest = nextElement(rest)
		if len(name) > 0 && bytes.EqualFold(extensionName(e), name) {
			return true
		}
	}
	return false
}
