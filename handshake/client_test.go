package handshake

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestAppendRequest(t *testing.T) {
	c := &Client{
		Protocols:  []string{"v2.chat", "chat"},
		Extensions: "permessage-deflate; client_max_window_bits",
		Origin:     "https://example.com",
		Header:     []HeaderField{{"Authorization", "Bearer x"}, {"User-Agent", "wsframe-test"}},
	}
	req, key, err := c.AppendRequest([]byte("old"), mustURL(t, "wss://example.com:8443/room/a%20b?x=1&y=%2F"))
	if err != nil {
		t.Fatal(err)
	}
	if raw, err := base64.StdEncoding.DecodeString(key.String()); err != nil || len(raw) != 16 {
		t.Fatalf("key %q decodes to %d bytes, %v", key, len(raw), err)
	}
	want := "old" + head(
		"GET /room/a%20b?x=1&y=%2F HTTP/1.1",
		"Host: example.com:8443",
		"Upgrade: websocket",
		"Connection: Upgrade",
		"Sec-WebSocket-Key: "+key.String(),
		"Sec-WebSocket-Version: 13",
		"Origin: https://example.com",
		"Sec-WebSocket-Protocol: v2.chat, chat",
		"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
		"Authorization: Bearer x",
		"User-Agent: wsframe-test",
	)
	if string(req) != want {
		t.Errorf("request:\n%q\nwant:\n%q", req, want)
	}
	req = req[len("old"):]

	// Our parser and net/http both read it as a valid upgrade.
	var r Request
	if n, err := r.Parse(req, 0); err != nil || n != len(req) {
		t.Fatalf("Parse: %d, %v", n, err)
	}
	if err := r.Check(); err != nil {
		t.Fatal(err)
	}
	hr, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(req)))
	if err != nil {
		t.Fatal(err)
	}
	if hr.Host != "example.com:8443" || hr.URL.Path != "/room/a b" || hr.URL.Query().Get("y") != "/" ||
		hr.Header.Get("Sec-WebSocket-Key") != key.String() {
		t.Errorf("net/http reads %q %q %q", hr.Host, hr.URL, hr.Header)
	}

	_, key2, err := c.AppendRequest(nil, mustURL(t, "ws://a/"))
	if err != nil || key2 == key {
		t.Errorf("second key %q, %v", key2, err)
	}
}

func TestAppendRequestMinimal(t *testing.T) {
	req, key, err := (&Client{}).AppendRequest(nil, mustURL(t, "ws://a.example"))
	if err != nil {
		t.Fatal(err)
	}
	want := head(
		"GET / HTTP/1.1",
		"Host: a.example",
		"Upgrade: websocket",
		"Connection: Upgrade",
		"Sec-WebSocket-Key: "+key.String(),
		"Sec-WebSocket-Version: 13",
	)
	if string(req) != want {
		t.Errorf("request:\n%q\nwant:\n%q", req, want)
	}
}

func TestAppendRequestInvalid(t *testing.T) {
	tests := []struct {
		name string
		c    Client
		url  string
	}{
		{"http scheme", Client{}, "http://a/"},
		{"no host", Client{}, "ws:///path"},
		{"opaque", Client{}, "ws:a"},
		{"fragment", Client{}, "ws://a/#x"},
		{"protocol not a token", Client{Protocols: []string{"a b"}}, "ws://a/"},
		{"empty protocol", Client{Protocols: []string{""}}, "ws://a/"},
		{"origin CRLF", Client{Origin: "a\r\nX: y"}, "ws://a/"},
		{"extensions CRLF", Client{Extensions: "a\r\nX: y"}, "ws://a/"},
		{"header name", Client{Header: []HeaderField{{"A B", "c"}}}, "ws://a/"},
		{"header value", Client{Header: []HeaderField{{"A", "c\n"}}}, "ws://a/"},
		{"reserved header", Client{Header: []HeaderField{{"sec-websocket-key", "c"}}}, "ws://a/"},
		{"reserved host", Client{Header: []HeaderField{{"Host", "b"}}}, "ws://a/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst := []byte("keep")
			got, _, err := tc.c.AppendRequest(dst, mustURL(t, tc.url))
			if err == nil || string(got) != "keep" {
				t.Errorf("got %q, %v", got, err)
			}
		})
	}
	u := &url.URL{Scheme: "ws", Host: "a\r\nX: y", Path: "/"}
	if _, _, err := (&Client{}).AppendRequest(nil, u); err == nil {
		t.Error("host with CRLF accepted")
	}
	u = &url.URL{Scheme: "ws", Host: "a", Path: "/a b\r\n"}
	if got, _, err := (&Client{}).AppendRequest(nil, u); err != nil || !bytes.HasPrefix(got, []byte("GET /a%20b%0D%0A HTTP/1.1\r\n")) {
		t.Errorf("path escaping: %q, %v", got, err)
	}
}

// roundTrip sends c's request for rawURL to u and returns the key and the
// server's response.
func roundTrip(t *testing.T, c *Client, u *Upgrader) (Key, []byte) {
	t.Helper()
	req, key, err := c.AppendRequest(nil, mustURL(t, "ws://server.example/chat"))
	if err != nil {
		t.Fatal(err)
	}
	res, n, err := u.Handshake(nil, req)
	if err != nil || n != len(req) {
		t.Fatalf("Handshake: %d, %v", n, err)
	}
	return key, res.Response
}

func TestRoundTrip(t *testing.T) {
	c := &Client{Protocols: []string{"chat", "superchat"}, Extensions: "permessage-deflate; client_max_window_bits, x-foo"}
	u := &Upgrader{
		Protocols: []string{"superchat"},
		Extensions: func(offers [][]byte, r *Request) (string, bool) {
			return "permessage-deflate; server_max_window_bits=10", true
		},
	}
	key, resp := roundTrip(t, c, u)
	frame := "\x81\x02hi"
	in := append(resp, frame...)
	r, n, err := c.ParseResponse(in, key)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(resp) || string(in[n:]) != frame {
		t.Errorf("n = %d, want %d", n, len(resp))
	}
	if r.Status() != 101 || string(r.Reason()) != "Switching Protocols" || string(r.Protocol()) != "superchat" {
		t.Errorf("status %d %q, protocol %q", r.Status(), r.Reason(), r.Protocol())
	}
	if got := strs(r.Extensions(nil)); strings.Join(got, "|") != "permessage-deflate; server_max_window_bits=10" {
		t.Errorf("extensions %q", got)
	}
	for i := 0; i < len(resp); i++ {
		if _, n, err := c.ParseResponse(in[:i], key); err != ErrIncomplete || n != 0 {
			t.Fatalf("%d bytes: %d, %v", i, n, err)
		}
	}
	for i := len(resp); i <= len(in); i++ {
		if _, n, err := c.ParseResponse(in[:i], key); err != nil || n != len(resp) {
			t.Fatalf("%d bytes: %d, %v", i, n, err)
		}
	}

	// Without subprotocols and extensions.
	c = &Client{}
	key, resp = roundTrip(t, c, &Upgrader{})
	if r, n, err = c.ParseResponse(resp, key); err != nil || n != len(resp) || r.Protocol() != nil {
		t.Errorf("plain: %d, %v, %q", n, err, r.Protocol())
	}
}

func TestParseResponseReject(t *testing.T) {
	c := &Client{Protocols: []string{"chat"}, Extensions: "permessage-deflate"}
	var key Key
	copy(key[:], rfcKey)
	const (
		status  = "HTTP/1.1 101 Switching Protocols"
		upgrade = "Upgrade: websocket"
		conn    = "Connection: Upgrade"
		accept  = "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
	)
	valid := []string{
		head(status, upgrade, conn, accept),
		head("HTTP/1.1 101", upgrade, conn, accept),
		head("HTTP/1.1 101 ", "upgrade: WebSocket", "connection: keep-alive, upgrade", accept),
		head(status, upgrade, conn, accept, "Sec-WebSocket-Protocol: chat"),
		head(status, upgrade, conn, accept, "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover"),
		head(status, upgrade, conn, accept, "Sec-WebSocket-Extensions: Permessage-Deflate,"),
	}
	for _, in := range valid {
		if _, n, err := c.ParseResponse([]byte(in), key); err != nil || n != len(in) {
			t.Errorf("%q: %d, %v", in, n, err)
		}
	}
	tests := []struct {
		name   string
		in     string
		status int
	}{
		{"status 200", head("HTTP/1.1 200 OK", upgrade, conn, accept), 200},
		{"status 403", head("HTTP/1.1 403 Forbidden", "Content-Length: 0"), 403},
		{"status 426", head("HTTP/1.1 426 Upgrade Required", "Sec-WebSocket-Version: 13"), 426},
		{"wrong accept", head(status, upgrade, conn, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOp="), 101},
		{"accept of another key", head(status, upgrade, conn, "Sec-WebSocket-Accept: "+string(AppendAcceptKey(nil, []byte("AQIDBAUGBwgJCgsMDQ4PEA==")))), 101},
		{"no accept", head(status, upgrade, conn), 101},
		{"two accepts", head(status, upgrade, conn, accept, accept), 101},
		{"missing upgrade", head(status, conn, accept), 101},
		{"upgrade h2c", head(status, "Upgrade: h2c", conn, accept), 101},
		{"missing connection", head(status, upgrade, accept), 101},
		{"connection close", head(status, upgrade, "Connection: close", accept), 101},
		{"unoffered protocol", head(status, upgrade, conn, accept, "Sec-WebSocket-Protocol: superchat"), 101},
		{"protocol case", head(status, upgrade, conn, accept, "Sec-WebSocket-Protocol: Chat"), 101},
		{"protocol list", head(status, upgrade, conn, accept, "Sec-WebSocket-Protocol: chat, chat"), 101},
		{"two protocols", head(status, upgrade, conn, accept, "Sec-WebSocket-Protocol: chat", "Sec-WebSocket-Protocol: chat"), 101},
		{"unoffered extension", head(status, upgrade, conn, accept, "Sec-WebSocket-Extensions: x-webkit-deflate-frame"), 101},
		{"one unoffered extension", head(status, upgrade, conn, accept, "Sec-WebSocket-Extensions: permessage-deflate, x-foo"), 101},
		{"malformed status", head("HTTP/1.1 10 Switching", upgrade, conn, accept), 0},
		{"status letters", head("HTTP/1.1 1O1 Switching", upgrade, conn, accept), 0},
		{"HTTP/2", head("HTTP/2.0 101 Switching", upgrade, conn, accept), 0},
		{"no space", head("HTTP/1.1 101Switching", upgrade, conn, accept), 0},
		{"control in reason", head("HTTP/1.1 101 Swi\x01", upgrade, conn, accept), 0},
		{"malformed field", head(status, "Upgrade websocket", conn, accept), 101},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, n, err := c.ParseResponse([]byte(tc.in), key)
			var e *ResponseError
			if !errors.As(err, &e) || n != 0 {
				t.Fatalf("%d, %v; want a *ResponseError", n, err)
			}
			if e.Status != tc.status {
				t.Errorf("status %d, want %d: %v", e.Status, tc.status, err)
			}
			if !strings.HasPrefix(err.Error(), "handshake: bad response") {
				t.Errorf("Error() = %q", err)
			}
		})
	}

	// Extensions in the response when none were offered.
	plain := &Client{}
	in := head(status, upgrade, conn, accept, "Sec-WebSocket-Extensions: permessage-deflate")
	if _, _, err := plain.ParseResponse([]byte(in), key); err == nil {
		t.Error("extension accepted without an offer")
	}
	in = head(status, upgrade, conn, accept, "Sec-WebSocket-Protocol: chat")
	if _, _, err := plain.ParseResponse([]byte(in), key); err == nil {
		t.Error("subprotocol accepted without an offer")
	}

	// A refusal is parsed, so that its status and fields can be read.
	in = head("HTTP/1.1 302 Found", "Location: ws://other/")
	r, _, err := c.ParseResponse([]byte(in), key)
	if err == nil || r.Status() != 302 || string(r.Header().Get("location")) != "ws://other/" {
		t.Errorf("redirect: %v, %d", err, r.Status())
	}
}

func TestParseResponseLimit(t *testing.T) {
	c := &Client{MaxHeaderBytes: 64}
	var key Key
	in := head("HTTP/1.1 101 Switching Protocols", "X: "+strings.Repeat("a", 64))
	_, _, err := c.ParseResponse([]byte(in), key)
	var e *ResponseError
	if !errors.As(err, &e) || !strings.Contains(e.Reason, "too large") {
		t.Errorf("got %v", err)
	}
	if _, _, err := c.ParseResponse([]byte(in[:63]), key); err != ErrIncomplete {
		t.Errorf("63 bytes: %v", err)
	}
}
