package handshake

import (
	"errors"
	"net/http"
	"strconv"
)

// ErrIncomplete is returned by the parsers while the input does not yet hold
// a complete head. The input was not consumed; call again with more bytes.
var ErrIncomplete = errors.New("handshake: incomplete head")

// Error is a refused upgrade request: the server answers it with an HTTP
// response of the given status and then closes the connection.
// [Error.AppendResponse] builds that response. The errors this package
// returns are shared values: read them, do not modify them.
type Error struct {
	// Status is the HTTP status code of the response.
	Status int
	// Reason says what was wrong; it is the body of the response.
	Reason string
}

// Error returns the status and the reason.
func (e *Error) Error() string {
	return "handshake: " + strconv.Itoa(e.Status) + " " + e.Reason
}

// status returns e.Status, or 500 when it cannot be written in a status line.
func (e *Error) status() int {
	if e.Status < 100 || e.Status > 999 {
		return http.StatusInternalServerError
	}
	return e.Status
}

var (
	connectionClose  = []HeaderField{{"Connection", "close"}}
	methodNotAllowed = []HeaderField{{"Connection", "close"}, {"Allow", "GET"}}
	upgradeRequired  = []HeaderField{{"Connection", "Upgrade, close"}, {"Upgrade", "websocket"}, {"Sec-WebSocket-Version", "13"}}
)

// fields returns the header fields the response for e carries besides
// Content-Type and Content-Length.
func (e *Error) fields() []HeaderField {
	switch e.status() {
	case http.StatusMethodNotAllowed:
		return methodNotAllowed
	case http.StatusUpgradeRequired:
		return upgradeRequired
	}
	return connectionClose
}

// AppendResponse appends to dst the HTTP response that refuses the request:
// the status line, Connection: close, the fields the status calls for
// (Allow for 405; Upgrade and Sec-WebSocket-Version: 13 for 426), a plain
// text Content-Type and Content-Length, and the reason as the body.
// It does not allocate when dst has room.
func (e *Error) AppendResponse(dst []byte) []byte {
	status := e.status()
	dst = append(dst, "HTTP/1.1 "...)
	dst = strconv.AppendInt(dst, int64(status), 10)
	dst = append(dst, ' ')
	dst = append(dst, http.StatusText(status)...)
	dst = append(dst, "\r\n"...)
	for _, f := range e.fields() {
		dst = f.append(dst)
	}
	dst = append(dst, "Content-Type: text/plain; charset=utf-8\r\nContent-Length: "...)
	dst = strconv.AppendInt(dst, int64(len(e.Reason)+1), 10)
	dst = append(dst, "\r\n\r\n"...)
	dst = append(dst, e.Reason...)
	return append(dst, '\n')
}

// The refusals this package returns. Each is one shared value, so that
// returning it does not allocate.
var (
	errTooLarge     = &Error{http.StatusRequestHeaderFieldsTooLarge, "request header too large"}
	errRequestLine  = &Error{http.StatusBadRequest, "malformed request line"}
	errFieldName    = &Error{http.StatusBadRequest, "malformed header field name"}
	errFieldValue   = &Error{http.StatusBadRequest, "malformed header field value"}
	errFolding      = &Error{http.StatusBadRequest, "obsolete line folding"}
	errMethod       = &Error{http.StatusMethodNotAllowed, "method must be GET"}
	errHTTPMajor    = &Error{http.StatusHTTPVersionNotSupported, "HTTP/1.x required"}
	errHTTP10       = &Error{http.StatusBadRequest, "HTTP/1.1 or later required"}
	errNoHost       = &Error{http.StatusBadRequest, "missing Host"}
	errManyHosts    = &Error{http.StatusBadRequest, "repeated Host"}
	errUpgrade      = &Error{http.StatusBadRequest, "Upgrade does not list websocket"}
	errConnection   = &Error{http.StatusBadRequest, "Connection does not list Upgrade"}
	errVersion      = &Error{http.StatusUpgradeRequired, "Sec-WebSocket-Version must be 13"}
	errNoKey        = &Error{http.StatusBadRequest, "missing Sec-WebSocket-Key"}
	errManyKeys     = &Error{http.StatusBadRequest, "repeated Sec-WebSocket-Key"}
	errKey          = &Error{http.StatusBadRequest, "Sec-WebSocket-Key is not 16 bytes in base64"}
	errOrigin       = &Error{http.StatusForbidden, "origin not allowed"}
	errExtensions   = &Error{http.StatusBadRequest, "extension offer refused"}
	errSelected     = &Error{http.StatusInternalServerError, "selected subprotocol was not offered"}
	errExtResponse  = &Error{http.StatusInternalServerError, "invalid Sec-WebSocket-Extensions response"}
	errServerHeader = &Error{http.StatusInternalServerError, "invalid response header field"}
	errNoHijack     = &Error{http.StatusInternalServerError, "connection cannot be hijacked"}
)

// ResponseError is a server response that does not complete the handshake.
type ResponseError struct {
	// Status is the status code of the response, or 0 if the response could
	// not be parsed.
	Status int
	// Reason says what was wrong.
	Reason string
}

// Error returns the reason, with the status if there is one.
func (e *ResponseError) Error() string {
	if e.Status == 0 {
		return "handshake: bad response: " + e.Reason
	}
	return "handshake: bad response (status " + strconv.Itoa(e.Status) + "): " + e.Reason
}
