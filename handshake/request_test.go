package handshake

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// head joins lines with CR LF and ends the head with an empty line.
func head(lines ...string) string {
	return strings.Join(lines, "\r\n") + "\r\n\r\n"
}

// rfcRequest is the handshake of RFC 6455 sections 1.2 and 1.3.
var rfcRequest = head(
	"GET /chat HTTP/1.1",
	"Host: server.example.com",
	"Upgrade: websocket",
	"Connection: Upgrade",
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
	"Origin: http://example.com",
	"Sec-WebSocket-Protocol: chat, superchat",
	"Sec-WebSocket-Version: 13",
)

const rfcKey = "dGhlIHNhbXBsZSBub25jZQ=="

type validRequest struct {
	name       string
	in         string
	target     string
	host       string
	origin     string // "-" for none
	protocols  []string
	extensions []string
}

var validRequests = []validRequest{
	{name: "rfc", in: rfcRequest, target: "/chat", host: "server.example.com",
		origin: "http://example.com", protocols: []string{"chat", "superchat"}},
	{name: "minimal", in: head(
		"GET / HTTP/1.1",
		"Host: a",
		"Upgrade: websocket",
		"Connection: Upgrade",
		"Sec-WebSocket-Version: 13",
		"Sec-WebSocket-Key: "+rfcKey,
	), target: "/", host: "a", origin: "-"},
	{name: "header case", in: head(
		"GET /x?y=1&z=%2F HTTP/1.1",
		"hOsT: example.com:8080",
		"UPGRADE: WebSocket",
		"connection: UPGRADE",
		"SEC-WEBSOCKET-VERSION: 13",
		"sec-websocket-key: "+rfcKey,
		"ORIGIN: https://example.com",
	), target: "/x?y=1&z=%2F", host: "example.com:8080", origin: "https://example.com"},
	{name: "connection list", in: head(
		"GET /chat HTTP/1.1",
		"Host: a",
		"Upgrade: h2c, websocket",
		"Connection: keep-alive, Upgrade",
		"Sec-WebSocket-Version: 13",
		"Sec-WebSocket-Key: "+rfcKey,
	), target: "/chat", host: "a", origin: "-"},
	{name: "repeated connection lines", in: head(
		"GET /chat HTTP/1.1",
		"Host: a",
		"Connection: keep-alive",
		"Upgrade: websocket",
		"Connection:Upgrade",
		"Sec-WebSocket-Version: 13",
		"Sec-WebSocket-Key: "+rfcKey,
	), target: "/chat", host: "a", origin: "-"},
	{name: "white space", in: head(
		"GET / HTTP/1.1",
		"Host: \t a \t",
		"Upgrade:websocket ",
		"Connection: ,  ,Upgrade ,",
		"Sec-WebSocket-Version:\t13",
		"Sec-WebSocket-Key:    "+rfcKey+"   ",
		"Sec-WebSocket-Protocol:",
	), target: "/", host: "a", origin: "-"},
	{name: "extra headers and lists", in: head(
		"GET /room/1 HTTP/1.1",
		"User-Agent: test/1.0",
		"Host: chat.example",
		"Accept-Encoding: gzip, deflate",
		"Sec-WebSocket-Protocol: v2.chat, v1.chat",
		"Upgrade: websocket",
		"X-Empty:",
		"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
		"Connection: Upgrade",
		"Sec-WebSocket-Protocol: ,json",
		"Sec-WebSocket-Extensions: x-webkit-deflate-frame",
		"Sec-WebSocket-Version: 13",
		"Cookie: a=b; c=d",
		"Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==",
	), target: "/room/1", host: "chat.example", origin: "-",
		protocols:  []string{"v2.chat", "v1.chat", "json"},
		extensions: []string{"permessage-deflate; client_max_window_bits", "x-webkit-deflate-frame"}},
	{name: "http 1.9 and absolute form", in: head(
		"GET ws://a.example/p HTTP/1.9",
		"Host: a.example",
		"Upgrade: websocket",
		"Connection: Upgrade",
		"Sec-WebSocket-Version: 13",
		"Sec-WebSocket-Key: "+rfcKey,
	), target: "ws://a.example/p", host: "a.example", origin: "-"},
	{name: "bare LF", in: "GET /lf HTTP/1.1\nHost: a\nUpgrade: websocket\r\nConnection: Upgrade\n" +
		"Sec-WebSocket-Version: 13\nSec-WebSocket-Key: " + rfcKey + "\n\n",
		target: "/lf", host: "a", origin: "-"},
	{name: "obs-text value", in: head(
		"GET / HTTP/1.1",
		"Host: a",
		"X-Name: caf\xc3\xa9",
		"Upgrade: websocket",
		"Connection: Upgrade",
		"Sec-WebSocket-Version: 13",
		"Sec-WebSocket-Key: "+rfcKey,
	), target: "/", host: "a", origin: "-"},
}

func strs(bs [][]byte) []string {
	var s []string
	for _, b := range bs {
		s = append(s, string(b))
	}
	return s
}

func checkValid(t *testing.T, tc validRequest, r *Request) {
	t.Helper()
	if err := r.Check(); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if got := string(r.Method()); got != "GET" {
		t.Errorf("Method = %q", got)
	}
	if got := string(r.Target()); got != tc.target {
		t.Errorf("Target = %q, want %q", got, tc.target)
	}
	if got := string(r.Host()); got != tc.host {
		t.Errorf("Host = %q, want %q", got, tc.host)
	}
	if tc.origin == "-" {
		if r.Origin() != nil {
			t.Errorf("Origin = %q, want none", r.Origin())
		}
	} else if got := string(r.Origin()); got != tc.origin {
		t.Errorf("Origin = %q, want %q", got, tc.origin)
	}
	if got := strs(r.Protocols(nil)); fmt.Sprint(got) != fmt.Sprint(tc.protocols) {
		t.Errorf("Protocols = %q, want %q", got, tc.protocols)
	}
	if got := strs(r.Extensions(nil)); fmt.Sprint(got) != fmt.Sprint(tc.extensions) {
		t.Errorf("Extensions = %q, want %q", got, tc.extensions)
	}
	if !isKey(r.Key()) {
		t.Errorf("Key = %q", r.Key())
	}
}

func TestParseValid(t *testing.T) {
	for _, tc := range validRequests {
		t.Run(tc.name, func(t *testing.T) {
			var r Request
			n, err := r.Parse([]byte(tc.in), 0)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if n != len(tc.in) {
				t.Fatalf("n = %d, want %d", n, len(tc.in))
			}
			checkValid(t, tc, &r)
		})
	}
}

// TestParseSplit feeds every prefix of every valid request, then the whole
// request followed by the first bytes of a WebSocket stream.
func TestParseSplit(t *testing.T) {
	trailer := "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"
	for _, tc := range validRequests {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.in + trailer)
			var r Request
			for i := 0; i < len(tc.in); i++ {
				n, err := r.Parse(in[:i], 0)
				if err != ErrIncomplete || n != 0 {
					t.Fatalf("Parse(%d of %d bytes) = %d, %v; want ErrIncomplete", i, len(tc.in), n, err)
				}
			}
			for i := len(tc.in); i <= len(in); i++ {
				n, err := r.Parse(in[:i], 0)
				if err != nil || n != len(tc.in) {
					t.Fatalf("Parse(%d bytes) = %d, %v; want %d", i, n, err, len(tc.in))
				}
				checkValid(t, tc, &r)
			}
			if string(in[len(tc.in):]) != trailer {
				t.Fatal("input modified")
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	const (
		get     = "GET / HTTP/1.1"
		host    = "Host: a"
		upgrade = "Upgrade: websocket"
		conn    = "Connection: Upgrade"
		version = "Sec-WebSocket-Version: 13"
		key     = "Sec-WebSocket-Key: " + rfcKey
	)
	tests := []struct {
		name   string
		in     string
		status int
		err    *Error // nil: check status only
	}{
		{"POST", head("POST / HTTP/1.1", host, upgrade, conn, version, key), 405, errMethod},
		{"lower-case get", head("get / HTTP/1.1", host, upgrade, conn, version, key), 405, errMethod},
		{"HTTP/1.0", head("GET / HTTP/1.0", host, upgrade, conn, version, key), 400, errHTTP10},
		{"HTTP/2.0", head("GET / HTTP/2.0", host, upgrade, conn, version, key), 505, errHTTPMajor},
		{"HTTP/0.9", head("GET / HTTP/0.9", host, upgrade, conn, version, key), 505, errHTTPMajor},
		{"no host", head(get, upgrade, conn, version, key), 400, errNoHost},
		{"empty host", head(get, "Host: ", upgrade, conn, version, key), 400, errNoHost},
		{"two hosts", head(get, host, "Host: b", upgrade, conn, version, key), 400, errManyHosts},
		{"no upgrade", head(get, host, conn, version, key), 400, errUpgrade},
		{"upgrade h2c", head(get, host, "Upgrade: h2c", conn, version, key), 400, errUpgrade},
		{"upgrade websocket/13", head(get, host, "Upgrade: websocket/13", conn, version, key), 400, errUpgrade},
		{"no connection", head(get, host, upgrade, version, key), 400, errConnection},
		{"connection keep-alive", head(get, host, upgrade, "Connection: keep-alive", version, key), 400, errConnection},
		{"connection upgraded", head(get, host, upgrade, "Connection: upgraded", version, key), 400, errConnection},
		{"no version", head(get, host, upgrade, conn, key), 426, errVersion},
		{"version 8", head(get, host, upgrade, conn, "Sec-WebSocket-Version: 8", key), 426, errVersion},
		{"version list", head(get, host, upgrade, conn, "Sec-WebSocket-Version: 13, 8", key), 426, errVersion},
		{"two versions", head(get, host, upgrade, conn, version, version, key), 426, errVersion},
		{"no key", head(get, host, upgrade, conn, version), 400, errNoKey},
		{"two keys", head(get, host, upgrade, conn, version, key, key), 400, errManyKeys},
		{"key 15 bytes", head(get, host, upgrade, conn, version, "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4P"), 400, errKey},
		{"key 17 bytes", head(get, host, upgrade, conn, version, "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEBE="), 400, errKey},
		{"key not base64", head(get, host, upgrade, conn, version, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ!="), 400, errKey},
		{"key no padding", head(get, host, upgrade, conn, version, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ"), 400, errKey},
		{"key stray bits", head(get, host, upgrade, conn, version, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZR=="), 400, errKey},
		{"empty", "\r\n", 400, errRequestLine},
		{"no target", head("GET HTTP/1.1", host), 400, errRequestLine},
		{"two spaces", head("GET  / HTTP/1.1", host), 400, errRequestLine},
		{"trailing space", head("GET / HTTP/1.1 ", host), 400, errRequestLine},
		{"bad version", head("GET / HTTP/1.x", host), 400, errRequestLine},
		{"lower-case http", head("GET / http/1.1", host), 400, errRequestLine},
		{"long version", head("GET / HTTP/1.11", host), 400, errRequestLine},
		{"target fragment", head("GET /a#b HTTP/1.1", host), 400, errRequestLine},
		{"target escape", head("GET /a%2 HTTP/1.1", host), 400, errRequestLine},
		{"target not a path", head("GET a/b HTTP/1.1", host), 400, errRequestLine},
		{"target control", head("GET /a\x01 HTTP/1.1", host), 400, errRequestLine},
		{"target utf-8", head("GET /caf\xc3\xa9 HTTP/1.1", host), 400, errRequestLine},
		{"method not a token", head("G(T / HTTP/1.1", host), 400, errRequestLine},
		{"folding", head(get, host, upgrade, " , websocket", conn, version, key), 400, errFolding},
		{"space before colon", head(get, "Host : a", upgrade, conn, version, key), 400, errFieldName},
		{"no colon", head(get, "Host a", upgrade, conn, version, key), 400, errFieldName},
		{"empty name", head(get, ": a", upgrade, conn, version, key), 400, errFieldName},
		{"NUL in value", head(get, "Host: a\x00b", upgrade, conn, version, key), 400, errFieldValue},
		{"bare CR in value", head(get, "Host: a\rb", upgrade, conn, version, key), 400, errFieldValue},
		{"CR CR LF", head(get, "Host: a\r", upgrade, conn, version, key), 400, errFieldValue},
		{"DEL in value", head(get, "Host: a\x7f", upgrade, conn, version, key), 400, errFieldValue},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r Request
			n, err := r.Parse([]byte(tc.in), 0)
			if err == nil {
				if n != len(tc.in) {
					t.Fatalf("n = %d, want %d", n, len(tc.in))
				}
				err = r.Check()
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error = %v, want an *Error", err)
			}
			if e.Status != tc.status {
				t.Errorf("status = %d, want %d (%v)", e.Status, tc.status, err)
			}
			if tc.err != nil && err != tc.err {
				t.Errorf("error = %v, want %v", err, tc.err)
			}
			res, n, herr := (&Upgrader{}).Handshake(nil, []byte(tc.in))
			if herr != err || n != 0 {
				t.Errorf("Handshake = %d, %v; want 0, %v", n, herr, err)
			}
			if !bytes.Equal(res.Response, e.AppendResponse(nil)) {
				t.Errorf("Handshake response:\n%s\nwant:\n%s", res.Response, e.AppendResponse(nil))
			}
		})
	}
}

func TestParseLimit(t *testing.T) {
	pad := func(n int) string {
		// The padding field makes the head exactly n bytes long.
		base := len(head("GET / HTTP/1.1", "X: "))
		return head("GET / HTTP/1.1", "X: "+strings.Repeat("a", n-base))
	}
	for _, limit := range []int{0, 100, 4096, 100000} {
		max := limit
		if max <= 0 {
			max = DefaultMaxHeaderBytes
		}
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			var r Request
			in := pad(max)
			if n, err := r.Parse([]byte(in+"more"), limit); err != nil || n != max {
				t.Errorf("head of %d bytes: %d, %v", max, n, err)
			}
			in = pad(max + 1)
			if _, err := r.Parse([]byte(in), limit); err != errTooLarge {
				t.Errorf("head of %d bytes: %v, want %v", max+1, err, errTooLarge)
			}
			if _, err := r.Parse([]byte(in[:max-1]), limit); err != ErrIncomplete {
				t.Errorf("%d bytes of a longer head: %v, want ErrIncomplete", max-1, err)
			}
			if _, err := r.Parse([]byte(in[:max]), limit); err != errTooLarge {
				t.Errorf("%d bytes of a longer head: %v, want %v", max, err, errTooLarge)
			}
			if errTooLarge.Status != 431 {
				t.Errorf("status %d", errTooLarge.Status)
			}
		})
	}
}

func TestParseViews(t *testing.T) {
	in := []byte(rfcRequest)
	var r Request
	if _, err := r.Parse(in, 0); err != nil {
		t.Fatal(err)
	}
	within := func(name string, v []byte) {
		t.Helper()
		if len(v) == 0 {
			t.Fatalf("%s empty", name)
		}
		start := bytes.Index(in, v)
		if start < 0 || &in[start] != &v[0] {
			t.Errorf("%s is not a view of the input", name)
		}
	}
	within("Target", r.Target())
	within("Host", r.Host())
	within("Origin", r.Origin())
	within("Key", r.Key())
	within("Protocols[1]", r.Protocols(nil)[1])
	within("Get", r.Header().Get("Sec-WebSocket-Version"))

	copy(in[bytes.Index(in, []byte("/chat")):], "/ch@t")
	if got := string(r.Target()); got != "/ch@t" {
		t.Errorf("Target after changing the input = %q", got)
	}
}

func TestHeader(t *testing.T) {
	in := head(
		"GET / HTTP/1.1",
		"Host: a",
		"X-List: one, Two",
		"x-list: ,three,,",
		"X-Empty:",
		"Accept: */*",
	)
	var r Request
	if _, err := r.Parse([]byte(in), 0); err != nil {
		t.Fatal(err)
	}
	h := r.Header()
	if got := h.Get("x-LIST"); string(got) != "one, Two" {
		t.Errorf("Get = %q", got)
	}
	if got := h.Get("X-Empty"); got == nil || len(got) != 0 {
		t.Errorf("Get(X-Empty) = %#v, want empty", got)
	}
	if got := h.Get("X-Missing"); got != nil {
		t.Errorf("Get(X-Missing) = %q", got)
	}
	if got := strs(h.Values(nil, "X-List")); fmt.Sprint(got) != "[one, Two ,three,,]" {
		t.Errorf("Values = %q", got)
	}
	if got := strs(h.Tokens(nil, "X-List")); fmt.Sprint(got) != "[one Two three]" {
		t.Errorf("Tokens = %q", got)
	}
	if got := h.Count("X-LIST"); got != 2 {
		t.Errorf("Count = %d", got)
	}
	if !h.HasToken("X-List", "two") || !h.HasToken("x-list", "THREE") || h.HasToken("X-List", "four") || h.HasToken("X-List", "on") {
		t.Error("HasToken")
	}
	if h.HasToken("X-List", "t") || h.HasToken("Accept", "*") {
		t.Error("HasToken matched a part of an element")
	}
	if !r.ProtoAtLeast(1, 1) || r.ProtoAtLeast(1, 2) || r.ProtoAtLeast(2, 0) || !r.ProtoAtLeast(0, 9) {
		t.Error("ProtoAtLeast")
	}
	want := "Host: a\r\nX-List: one, Two\r\nx-list: ,three,,\r\nX-Empty:\r\nAccept: */*\r\n"
	if h.String() != want {
		t.Errorf("String = %q", h.String())
	}
	var zero Header
	if zero.Get("Host") != nil || zero.Count("Host") != 0 || zero.HasToken("A", "b") || zero.String() != "" {
		t.Error("zero Header is not empty")
	}
}

func TestEqualFold(t *testing.T) {
	tests := []struct {
		b, s string
		want bool
	}{
		{"Upgrade", "upgrade", true},
		{"UPGRADE", "upgrade", true},
		{"upgrade", "upgrade", true},
		{"upgrad", "upgrade", false},
		{"Sec-WebSocket-Key", "sec-websocket-key", true},
		{"Sec\rWebSocket-Key", "sec-websocket-key", false},
		{"@", "`", false}, // 0x40 and 0x60 differ only in bit 0x20
		{"[", "{", false},
		{"1", "1", true},
		{"", "", true},
	}
	for _, tc := range tests {
		if got := equalFold([]byte(tc.b), tc.s); got != tc.want {
			t.Errorf("equalFold(%q, %q) = %v", tc.b, tc.s, got)
		}
	}
}
