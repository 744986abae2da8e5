package handshake

import (
	"bytes"
	"errors"
	"net"
	"net/http"
	"time"
)

// Upgrade completes the handshake of a request read by net/http. It writes
// the request head back into bytes and runs the same parser, checks and
// policy as [Upgrader.Handshake]; a nil u is the zero Upgrader. The head
// size limit is the server's own (http.Server.MaxHeaderBytes), not
// u.MaxHeaderBytes.
//
// A refused request is answered through w with the status and fields of
// its [*Error], and that error is returned. Otherwise Upgrade hijacks the
// connection, clears its deadlines, writes the 101 response and returns
// the connection with the bytes the server had already read past the
// request: the first bytes of the WebSocket stream, to be consumed before
// reading from conn. The 101 response carries the fields of u.Header, not
// those set on w.Header(). The views of res.Request alias a copy of the
// head that Upgrade owns; they stay valid.
func Upgrade(w http.ResponseWriter, r *http.Request, u *Upgrader) (conn net.Conn, buffered []byte, res Result, err error) {
	if u == nil {
		u = &Upgrader{}
	}
	head, herr := appendHead(nil, r)
	if herr == nil {
		_, err = res.Request.Parse(head, len(head))
		if err == nil {
			res.Protocol, res.Extensions, err = u.negotiate(&res.Request)
		}
	} else {
		err = herr
	}
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			writeError(w, e)
		}
		return nil, nil, res, err
	}

	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		if errors.Is(err, http.ErrNotSupported) {
			writeError(w, errNoHijack)
			return nil, nil, res, errNoHijack
		}
		return nil, nil, res, err
	}
	_ = conn.SetDeadline(time.Time{})
	res.Response = AppendResponse(nil, res.Request.key, res.Protocol, res.Extensions, u.Header)
	if _, err := conn.Write(res.Response); err != nil {
		conn.Close()
		return nil, nil, res, err
	}
	if n := brw.Reader.Buffered(); n > 0 {
		b, _ := brw.Reader.Peek(n)
		buffered = bytes.Clone(b)
	}
	return conn, buffered, res, nil
}

// appendHead appends r's request line and header fields to dst in the form
// Request.Parse reads. Names and values that could not have come from a
// valid request head are refused, so that none can change the meaning of
// the head.
func appendHead(dst []byte, r *http.Request) ([]byte, *Error) {
	method, target := r.Method, r.RequestURI
	if method == "" {
		method = http.MethodGet
	}
	if target == "" && r.URL != nil {
		target = r.URL.RequestURI()
	}
	dst = append(dst, method...)
	dst = append(dst, ' ')
	dst = append(dst, target...)
	dst = append(dst, ' ')
	dst = append(dst, r.Proto...)
	dst = append(dst, "\r\n"...)
	if bytes.ContainsAny(dst[:len(dst)-2], "\r\n") {
		return nil, errRequestLine
	}
	if r.Host != "" {
		if !isFieldValue(r.Host) {
			return nil, errFieldValue
		}
		dst = HeaderField{"Host", r.Host}.append(dst)
	}
	for name, values := range r.Header {
		if r.Host != "" && equalFold([]byte(name), "Host") {
			continue
		}
		if !isToken(name) {
			return nil, errFieldName
		}
		for _, v := range values {
			if !isFieldValue(v) {
				return nil, errFieldValue
			}
			dst = HeaderField{name, v}.append(dst)
		}
	}
	return append(dst, "\r\n"...), nil
}

// writeError answers the request through w with the response e describes.
func writeError(w http.ResponseWriter, e *Error) {
	h := w.Header()
	for _, f := range e.fields() {
		h.Set(f.Name, f.Value)
	}
	http.Error(w, e.Reason, e.status())
}
