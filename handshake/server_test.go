package handshake

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestHandshakeRFC(t *testing.T) {
	u := &Upgrader{Protocols: []string{"chat"}}
	trailer := "\x81\x05hello"
	res, n, err := u.Handshake([]byte("keep:"), []byte(rfcRequest+trailer))
	if err != nil {
		t.Fatal(err)
	}
	if n != len(rfcRequest) {
		t.Errorf("n = %d, want %d", n, len(rfcRequest))
	}
	want := "keep:" + head(
		"HTTP/1.1 101 Switching Protocols",
		"Upgrade: websocket",
		"Connection: Upgrade",
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
		"Sec-WebSocket-Protocol: chat",
	)
	if string(res.Response) != want {
		t.Errorf("response:\n%q\nwant:\n%q", res.Response, want)
	}
	if res.Protocol != "chat" || res.Extensions != "" {
		t.Errorf("Protocol %q, Extensions %q", res.Protocol, res.Extensions)
	}
	if string(res.Request.Target()) != "/chat" || string(res.Request.Origin()) != "http://example.com" {
		t.Errorf("Request: %q %q", res.Request.Target(), res.Request.Origin())
	}

	// The response must read as a valid HTTP response to net/http too.
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(want[len("keep:"):])), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 101 || resp.Header.Get("Sec-WebSocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Errorf("net/http reads %d %q", resp.StatusCode, resp.Header)
	}
}

func TestHandshakeIncomplete(t *testing.T) {
	u := &Upgrader{}
	dst := []byte("unchanged")
	for i := 0; i < len(rfcRequest); i++ {
		res, n, err := u.Handshake(dst, []byte(rfcRequest[:i]))
		if err != ErrIncomplete || n != 0 || string(res.Response) != "unchanged" {
			t.Fatalf("%d bytes: %d, %v, %q", i, n, err, res.Response)
		}
	}
}

func TestHandshakeProtocols(t *testing.T) {
	req := func(protocols ...string) []byte {
		lines := []string{"GET / HTTP/1.1", "Host: a", "Upgrade: websocket", "Connection: Upgrade",
			"Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: " + rfcKey}
		for _, p := range protocols {
			lines = append(lines, "Sec-WebSocket-Protocol: "+p)
		}
		return []byte(head(lines...))
	}
	tests := []struct {
		name    string
		server  []string
		offered []string
		want    string
	}{
		{"server order", []string{"b", "a"}, []string{"a, b"}, "b"},
		{"server order across lines", []string{"c", "b"}, []string{"a", "b", "c"}, "c"},
		{"one common", []string{"x", "a"}, []string{"a,b"}, "a"},
		{"none common", []string{"x"}, []string{"a, b"}, ""},
		{"none offered", []string{"x"}, nil, ""},
		{"none served", nil, []string{"a"}, ""},
		{"case matters", []string{"Chat"}, []string{"chat"}, ""},
		{"no prefix match", []string{"cha"}, []string{"chat"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := &Upgrader{Protocols: tc.server}
			res, _, err := u.Handshake(nil, req(tc.offered...))
			if err != nil {
				t.Fatal(err)
			}
			if res.Protocol != tc.want {
				t.Errorf("Protocol = %q, want %q", res.Protocol, tc.want)
			}
			has := bytes.Contains(res.Response, []byte("\r\nSec-WebSocket-Protocol: "+tc.want+"\r\n"))
			if has != (tc.want != "") {
				t.Errorf("response:\n%s", res.Response)
			}
		})
	}

	t.Run("SelectProtocol", func(t *testing.T) {
		var got []string
		u := &Upgrader{
			Protocols: []string{"a"},
			SelectProtocol: func(offered [][]byte, r *Request) string {
				got = strs(offered)
				return "b"
			},
		}
		res, _, err := u.Handshake(nil, req("a, b", "c"))
		if err != nil {
			t.Fatal(err)
		}
		if res.Protocol != "b" || strings.Join(got, " ") != "a b c" {
			t.Errorf("Protocol %q, offered %q", res.Protocol, got)
		}
		u.SelectProtocol = func([][]byte, *Request) string { return "" }
		if res, _, err = u.Handshake(nil, req("a")); err != nil || res.Protocol != "" {
			t.Errorf("no selection: %q, %v", res.Protocol, err)
		}
		u.SelectProtocol = func([][]byte, *Request) string { return "d" }
		res, n, err := u.Handshake(nil, req("a"))
		if err != errSelected || n != 0 || !bytes.HasPrefix(res.Response, []byte("HTTP/1.1 500 ")) {
			t.Errorf("unoffered selection: %v, %d, %q", err, n, res.Response)
		}
	})
}

func TestHandshakeExtensions(t *testing.T) {
	offer := []byte(head("GET / HTTP/1.1", "Host: a", "Upgrade: websocket", "Connection: Upgrade",
		"Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: "+rfcKey,
		"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, permessage-deflate",
		"Sec-WebSocket-Extensions: x-other"))
	plain := []byte(rfcRequest)

	var offers []string
	calls := 0
	u := &Upgrader{Extensions: func(o [][]byte, r *Request) (string, bool) {
		calls++
		offers = strs(o)
		return "permessage-deflate; server_no_context_takeover", true
	}}
	res, _, err := u.Handshake(nil, offer)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"permessage-deflate; client_max_window_bits, permessage-deflate", "x-other"}
	if strings.Join(offers, "|") != strings.Join(want, "|") {
		t.Errorf("offers %q", offers)
	}
	if res.Extensions != "permessage-deflate; server_no_context_takeover" ||
		!bytes.Contains(res.Response, []byte("\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n")) {
		t.Errorf("Extensions %q, response:\n%s", res.Extensions, res.Response)
	}

	calls = 0
	if res, _, err = u.Handshake(nil, plain); err != nil || calls != 0 || res.Extensions != "" ||
		bytes.Contains(res.Response, []byte("Extensions")) {
		t.Errorf("without offers: %d calls, %q, %v", calls, res.Extensions, err)
	}

	u.Extensions = func([][]byte, *Request) (string, bool) { return "", false }
	if _, _, err = u.Handshake(nil, offer); err != errExtensions || errExtensions.Status != 400 {
		t.Errorf("refused offer: %v", err)
	}
	u.Extensions = func([][]byte, *Request) (string, bool) { return "a\r\nSet-Cookie: x", true }
	if _, _, err = u.Handshake(nil, offer); err != errExtResponse || errExtResponse.Status != 500 {
		t.Errorf("injected response: %v", err)
	}
	if res, _, err = (&Upgrader{}).Handshake(nil, offer); err != nil || res.Extensions != "" {
		t.Errorf("no negotiator: %q, %v", res.Extensions, err)
	}
}

func TestHandshakeOrigin(t *testing.T) {
	var seen string
	u := &Upgrader{CheckOrigin: func(origin []byte, r *Request) bool {
		seen = string(origin)
		return string(origin) == "http://example.com"
	}}
	if _, _, err := u.Handshake(nil, []byte(rfcRequest)); err != nil || seen != "http://example.com" {
		t.Errorf("allowed origin: %v, saw %q", err, seen)
	}
	other := strings.Replace(rfcRequest, "http://example.com", "http://evil.example", 1)
	res, n, err := u.Handshake(nil, []byte(other))
	if err != errOrigin || n != 0 {
		t.Fatalf("other origin: %d, %v", n, err)
	}
	if !bytes.HasPrefix(res.Response, []byte("HTTP/1.1 403 Forbidden\r\n")) {
		t.Errorf("response:\n%s", res.Response)
	}
	none := strings.Replace(rfcRequest, "Origin: http://example.com\r\n", "", 1)
	seen = "unset"
	if _, _, err := u.Handshake(nil, []byte(none)); err != errOrigin || seen != "" {
		t.Errorf("no origin: %v, saw %q", err, seen)
	}
	if _, _, err := (&Upgrader{}).Handshake(nil, []byte(other)); err != nil {
		t.Errorf("default accepts any origin: %v", err)
	}
}

func TestHandshakeHeader(t *testing.T) {
	u := &Upgrader{Header: []HeaderField{{"Server", "wsframe"}, {"X-Trace", "1 2"}}}
	res, _, err := u.Handshake(nil, []byte(rfcRequest))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(res.Response, []byte("\r\nServer: wsframe\r\nX-Trace: 1 2\r\n\r\n")) {
		t.Errorf("response:\n%s", res.Response)
	}
	for _, bad := range [][]HeaderField{
		{{"Bad Name", "x"}},
		{{"", "x"}},
		{{"X", "a\r\nInjected: b"}},
		{{"X", "a\x00"}},
		{{"sec-websocket-accept", "x"}},
		{{"Connection", "close"}},
		{{"Sec-WebSocket-Protocol", "x"}},
	} {
		u := &Upgrader{Header: bad}
		res, _, err := u.Handshake(nil, []byte(rfcRequest))
		if err != errServerHeader || !bytes.HasPrefix(res.Response, []byte("HTTP/1.1 500 ")) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestHandshakeAllocs(t *testing.T) {
	skipIfRace(t)
	u := &Upgrader{Protocols: []string{"superchat", "chat"}, Header: []HeaderField{{"Server", "wsframe"}}}
	in := []byte(rfcRequest)
	dst := make([]byte, 0, 512)
	n := testing.AllocsPerRun(100, func() {
		res, _, err := u.Handshake(dst[:0], in)
		if err != nil || res.Protocol != "superchat" {
			t.Fatal(err)
		}
	})
	if n != 0 {
		t.Errorf("%v allocations", n)
	}
}

func TestErrorResponse(t *testing.T) {
	tests := []struct {
		err    *Error
		want   string
		header map[string]string
	}{
		{errKey, head(
			"HTTP/1.1 400 Bad Request",
			"Connection: close",
			"Content-Type: text/plain; charset=utf-8",
			"Content-Length: 44",
		) + "Sec-WebSocket-Key is not 16 bytes in base64\n", nil},
		{errVersion, head(
			"HTTP/1.1 426 Upgrade Required",
			"Connection: Upgrade, close",
			"Upgrade: websocket",
			"Sec-WebSocket-Version: 13",
			"Content-Type: text/plain; charset=utf-8",
			"Content-Length: 33",
		) + "Sec-WebSocket-Version must be 13\n", map[string]string{"Sec-Websocket-Version": "13", "Upgrade": "websocket"}},
		{errMethod, head(
			"HTTP/1.1 405 Method Not Allowed",
			"Connection: close",
			"Allow: GET",
			"Content-Type: text/plain; charset=utf-8",
			"Content-Length: 19",
		) + "method must be GET\n", map[string]string{"Allow": "GET"}},
		{errTooLarge, "", nil},
		{errOrigin, "", nil},
		{errHTTPMajor, "", nil},
		{&Error{Status: 1000, Reason: "x"}, head(
			"HTTP/1.1 500 Internal Server Error",
			"Connection: close",
			"Content-Type: text/plain; charset=utf-8",
			"Content-Length: 2",
		) + "x\n", nil},
	}
	for _, tc := range tests {
		got := tc.err.AppendResponse([]byte("-"))
		if tc.want != "" && string(got) != "-"+tc.want {
			t.Errorf("%v:\n%q\nwant:\n%q", tc.err, got, tc.want)
		}
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(got[1:])), nil)
		if err != nil {
			t.Fatalf("%v: net/http cannot read the response: %v", tc.err, err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != tc.err.status() || string(body) != tc.err.Reason+"\n" || !resp.Close {
			t.Errorf("%v: net/http reads %d %q close=%v", tc.err, resp.StatusCode, body, resp.Close)
		}
		for k, v := range tc.header {
			if resp.Header.Get(k) != v {
				t.Errorf("%v: %s = %q, want %q", tc.err, k, resp.Header.Get(k), v)
			}
		}
	}
	if got := errVersion.Error(); got != "handshake: 426 Sec-WebSocket-Version must be 13" {
		t.Errorf("Error() = %q", got)
	}
	var e *Error
	if !errors.As(error(errOrigin), &e) || e.Status != 403 {
		t.Error("errors.As")
	}
}
