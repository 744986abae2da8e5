package handshake

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
)

const fuzzLimit = 2048

// headEnds reports whether b holds the empty line (nothing, or a CR alone,
// before its LF) that ends a request or response head.
func headEnds(b []byte) bool {
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return false
		}
		if i == 0 || i == 1 && b[0] == '\r' {
			return true
		}
		b = b[i+1:]
	}
}

func FuzzParseRequest(f *testing.F) {
	for _, tc := range validRequests {
		f.Add([]byte(tc.in))
	}
	f.Add([]byte(rfcRequest + "\x81\x00"))
	f.Add([]byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
	f.Add([]byte("GET / HTTP/1.1\r\nHost: a\r\n"))
	f.Add([]byte("\r\n\r\n"))
	f.Add([]byte("GET / HTTP/1.1\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var r Request
		n, err := r.Parse(b, fuzzLimit)
		if err == ErrIncomplete {
			if n != 0 || len(b) >= fuzzLimit {
				t.Fatalf("ErrIncomplete with n=%d for %d bytes", n, len(b))
			}
			return
		}
		var e *Error
		if err != nil {
			if !errors.As(err, &e) || (e.Status != 400 && e.Status != 431) || n != 0 {
				t.Fatalf("Parse: %d, %v", n, err)
			}
			// 431 exactly when the first fuzzLimit bytes hold no end of
			// the head; a head that ends within them is judged as it is.
			if tooLarge := len(b) >= fuzzLimit && !headEnds(b[:fuzzLimit]); (e.Status == 431) != tooLarge {
				t.Fatalf("status %d for %d bytes", e.Status, len(b))
			}
			return
		}
		if n <= 0 || n > len(b) || n > fuzzLimit {
			t.Fatalf("n = %d for %d bytes", n, len(b))
		}
		var again Request
		if m, err := again.Parse(b[:n], fuzzLimit); m != n || err != nil {
			t.Fatalf("head alone: %d, %v; want %d", m, err, n)
		}
		if _, err := again.Parse(b[:n-1], fuzzLimit); err != ErrIncomplete {
			t.Fatalf("head without its last byte: %v", err)
		}

		err = r.Check()
		u := &Upgrader{MaxHeaderBytes: fuzzLimit}
		res, hn, herr := u.Handshake(nil, b)
		if herr != err {
			t.Fatalf("Handshake error %v, Check error %v", herr, err)
		}
		if err != nil {
			if !errors.As(err, &e) {
				t.Fatalf("Check: %v", err)
			}
			switch e.Status {
			case 400, 405, 426, 505:
			default:
				t.Fatalf("Check: %v", err)
			}
			if _, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(res.Response)), nil); err != nil {
				t.Fatalf("error response unreadable: %v\n%q", err, res.Response)
			}
			return
		}
		if hn != n {
			t.Fatalf("Handshake n = %d, Parse n = %d", hn, n)
		}
		recheck(t, b[:n])

		var key Key
		copy(key[:], r.Key())
		if _, m, err := (&Client{}).ParseResponse(res.Response, key); err != nil || m != len(res.Response) {
			t.Fatalf("client refuses the response: %v\n%q", err, res.Response)
		}

		// Where net/http reads the same bytes, the adapter's route through
		// appendHead must come to the same request.
		hr, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(b[:n])))
		if err != nil {
			return
		}
		h, herr2 := appendHead(nil, hr)
		if herr2 != nil {
			t.Fatalf("appendHead: %v", herr2)
		}
		var via Request
		if _, err := via.Parse(h, len(h)); err != nil {
			t.Fatalf("parsing appendHead's head: %v\n%q", err, h)
		}
		if err := via.Check(); err != nil {
			t.Fatalf("net/http route refuses: %v\n%q", err, h)
		}
		if string(via.Target()) != string(r.Target()) || string(via.Key()) != string(r.Key()) ||
			string(via.Origin()) != string(r.Origin()) ||
			strings.Join(strs(via.Protocols(nil)), ",") != strings.Join(strs(r.Protocols(nil)), ",") {
			t.Fatalf("net/http route reads another request:\n%q\n%q", b[:n], h)
		}
		if r.Target()[0] == '/' && string(via.Host()) != string(r.Host()) {
			t.Fatalf("Host %q via net/http, %q directly", via.Host(), r.Host())
		}
	})
}

// recheck validates an accepted request head the plain way, with package
// strings, and fails t if it is not a WebSocket handshake.
func recheck(t *testing.T, head []byte) {
	t.Helper()
	text := strings.ReplaceAll(string(head), "\r\n", "\n")
	if strings.Contains(text, "\r") {
		t.Fatalf("bare CR accepted: %q", head)
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n\n"), "\n")
	parts := strings.Split(lines[0], " ")
	if len(parts) != 3 || parts[0] != "GET" || !strings.HasPrefix(parts[2], "HTTP/1.") || len(parts[2]) != 8 || parts[2][7] < '1' || parts[2][7] > '9' {
		t.Fatalf("request line %q accepted", lines[0])
	}
	fields := map[string][]string{}
	for _, l := range lines[1:] {
		name, value, ok := strings.Cut(l, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			t.Fatalf("field line %q accepted", l)
		}
		name = strings.ToLower(name)
		fields[name] = append(fields[name], strings.Trim(value, " \t"))
	}
	hasToken := func(name, token string) bool {
		for _, v := range fields[name] {
			for _, e := range strings.Split(v, ",") {
				if strings.EqualFold(strings.Trim(e, " \t"), token) {
					return true
				}
			}
		}
		return false
	}
	if len(fields["host"]) != 1 || fields["host"][0] == "" {
		t.Fatalf("Host %q accepted", fields["host"])
	}
	if !hasToken("upgrade", "websocket") || !hasToken("connection", "upgrade") {
		t.Fatalf("Upgrade %q, Connection %q accepted", fields["upgrade"], fields["connection"])
	}
	if v := fields["sec-websocket-version"]; len(v) != 1 || v[0] != "13" {
		t.Fatalf("Sec-WebSocket-Version %q accepted", v)
	}
	k := fields["sec-websocket-key"]
	if len(k) != 1 {
		t.Fatalf("Sec-WebSocket-Key %q accepted", k)
	}
	raw, err := base64.StdEncoding.DecodeString(k[0])
	if err != nil || len(raw) != 16 || base64.StdEncoding.EncodeToString(raw) != k[0] {
		t.Fatalf("Sec-WebSocket-Key %q accepted", k[0])
	}
}

func FuzzParseResponse(f *testing.F) {
	var key Key
	copy(key[:], rfcKey)
	accept := "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
	f.Add([]byte(head("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", accept)))
	f.Add([]byte(head("HTTP/1.1 101", "Upgrade: websocket", "Connection: Upgrade", accept,
		"Sec-WebSocket-Protocol: chat", "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover") + "\x81\x00"))
	f.Add([]byte(head("HTTP/1.1 403 Forbidden", "Content-Length: 0")))
	f.Add([]byte("HTTP/1.0 101 \n\n"))
	c := &Client{Protocols: []string{"chat"}, Extensions: "permessage-deflate", MaxHeaderBytes: fuzzLimit}
	f.Fuzz(func(t *testing.T, b []byte) {
		resp, n, err := c.ParseResponse(b, key)
		if err == ErrIncomplete {
			if n != 0 || len(b) >= fuzzLimit {
				t.Fatalf("ErrIncomplete with n=%d for %d bytes", n, len(b))
			}
			return
		}
		if err != nil {
			var e *ResponseError
			if !errors.As(err, &e) || n != 0 {
				t.Fatalf("%d, %v", n, err)
			}
			return
		}
		if n <= 0 || n > len(b) || n > fuzzLimit {
			t.Fatalf("n = %d for %d bytes", n, len(b))
		}
		text := strings.ReplaceAll(string(b[:n]), "\r\n", "\n")
		if strings.Contains(text, "\r") || !strings.HasPrefix(text, "HTTP/1.") || text[8:12] != " 101" {
			t.Fatalf("accepted %q", b[:n])
		}
		var accepts []string
		for _, l := range strings.Split(strings.TrimSuffix(text, "\n\n"), "\n")[1:] {
			name, value, _ := strings.Cut(l, ":")
			if strings.EqualFold(name, "Sec-WebSocket-Accept") {
				accepts = append(accepts, strings.Trim(value, " \t"))
			}
		}
		if len(accepts) != 1 || accepts[0] != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
			t.Fatalf("Sec-WebSocket-Accept %q accepted", accepts)
		}
		if p := resp.Protocol(); p != nil && string(p) != "chat" {
			t.Fatalf("protocol %q accepted", p)
		}
	})
}
