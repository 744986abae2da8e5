package handshake

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// upgradeServer starts a server on 127.0.0.1 that upgrades every request
// with u and then echoes echoLen bytes, the buffered ones first. The
// outcome of each Upgrade is sent on the returned channel.
func upgradeServer(t *testing.T, u *Upgrader, echoLen int) (*httptest.Server, <-chan upgradeOutcome) {
	t.Helper()
	out := make(chan upgradeOutcome, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buffered, res, err := Upgrade(w, r, u)
		o := upgradeOutcome{res: res, err: err, buffered: len(buffered)}
		if err == nil {
			defer conn.Close()
			got := append([]byte(nil), buffered...)
			rest := make([]byte, echoLen-len(got))
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, o.err = io.ReadFull(conn, rest); o.err == nil {
				_, o.err = conn.Write(append(got, rest...))
			}
		}
		out <- o
	}))
	t.Cleanup(srv.Close)
	return srv, out
}

type upgradeOutcome struct {
	res      Result
	err      error
	buffered int
}

func dial(t *testing.T, srv *httptest.Server) net.Conn {
	t.Helper()
	addr := srv.Listener.Addr().(*net.TCPAddr)
	if !addr.IP.IsLoopback() {
		t.Fatalf("server listens on %v", addr)
	}
	conn, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestUpgrade(t *testing.T) {
	const payload = "\x82\x85\x01\x02\x03\x04first frame bytes"
	u := &Upgrader{Protocols: []string{"chat"}, Header: []HeaderField{{"Server", "wsframe"}}}
	srv, out := upgradeServer(t, u, len(payload))
	conn := dial(t, srv)

	c := &Client{Protocols: []string{"superchat", "chat"}, Origin: "http://example.com"}
	req, key, err := c.AppendRequest(nil, mustURL(t, "ws://"+srv.Listener.Addr().String()+"/chat?room=1"))
	if err != nil {
		t.Fatal(err)
	}
	// The first frame goes out with the request, so the server may have read
	// it along with the head.
	if _, err := conn.Write(append(req, payload...)); err != nil {
		t.Fatal(err)
	}

	var buf []byte
	var resp Response
	var n int
	for {
		chunk := make([]byte, 512)
		m, err := conn.Read(chunk)
		if err != nil {
			t.Fatalf("reading the response: %v (have %q)", err, buf)
		}
		buf = append(buf, chunk[:m]...)
		resp, n, err = c.ParseResponse(buf, key)
		if err == nil {
			break
		}
		if err != ErrIncomplete {
			t.Fatalf("%v in %q", err, buf)
		}
	}
	if string(resp.Protocol()) != "chat" || string(resp.Header().Get("Server")) != "wsframe" {
		t.Errorf("protocol %q, header %q", resp.Protocol(), resp.Header())
	}
	echo := buf[n:]
	for len(echo) < len(payload) {
		chunk := make([]byte, 512)
		m, err := conn.Read(chunk)
		if err != nil {
			t.Fatalf("reading the echo: %v", err)
		}
		echo = append(echo, chunk[:m]...)
	}
	if string(echo) != payload {
		t.Errorf("echo %q, want %q", echo, payload)
	}

	o := <-out
	if o.err != nil {
		t.Fatal(o.err)
	}
	r := &o.res.Request
	if o.res.Protocol != "chat" || string(r.Target()) != "/chat?room=1" ||
		string(r.Origin()) != "http://example.com" || string(r.Key()) != key.String() ||
		string(r.Host()) != srv.Listener.Addr().String() {
		t.Errorf("result: %q %q %q %q %q", o.res.Protocol, r.Target(), r.Origin(), r.Key(), r.Host())
	}
	t.Logf("%d of %d frame bytes were buffered by net/http", o.buffered, len(payload))
}

func TestUpgradeRefused(t *testing.T) {
	tests := []struct {
		name   string
		u      *Upgrader
		edit   func(string) string
		want   *Error
		header map[string]string
	}{
		{"version", nil, func(s string) string { return strings.Replace(s, "Version: 13", "Version: 8", 1) },
			errVersion, map[string]string{"Sec-WebSocket-Version": "13", "Upgrade": "websocket"}},
		{"method", nil, func(s string) string { return "POST" + s[3:] }, errMethod, map[string]string{"Allow": "GET"}},
		{"key", nil, func(s string) string { return strings.Replace(s, rfcKey, "short==", 1) }, errKey, nil},
		{"no upgrade", nil, func(s string) string { return strings.Replace(s, "Upgrade: websocket\r\n", "", 1) }, errUpgrade, nil},
		{"connection", nil, func(s string) string { return strings.Replace(s, "Connection: Upgrade", "Connection: keep-alive", 1) }, errConnection, nil},
		{"origin", &Upgrader{CheckOrigin: func([]byte, *Request) bool { return false }}, func(s string) string { return s }, errOrigin, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, out := upgradeServer(t, tc.u, 0)
			conn := dial(t, srv)
			if _, err := io.WriteString(conn, tc.edit(rfcRequest)); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.want.Status || string(body) != tc.want.Reason+"\n" || !resp.Close {
				t.Errorf("%d %q close=%v, want %d %q", resp.StatusCode, body, resp.Close, tc.want.Status, tc.want.Reason)
			}
			for k, v := range tc.header {
				if resp.Header.Get(k) != v {
					t.Errorf("%s: %q, want %q", k, resp.Header.Get(k), v)
				}
			}
			if o := <-out; o.err != tc.want {
				t.Errorf("Upgrade returned %v, want %v", o.err, tc.want)
			}
		})
	}
}

func TestUpgradeNoHijack(t *testing.T) {
	r := httptest.NewRequest("GET", "/chat", nil)
	r.Header.Set("Upgrade", "websocket")
	r.Header.Set("Connection", "Upgrade")
	r.Header.Set("Sec-WebSocket-Version", "13")
	r.Header.Set("Sec-WebSocket-Key", rfcKey)
	w := httptest.NewRecorder()
	conn, _, res, err := Upgrade(w, r, &Upgrader{})
	if conn != nil || err != errNoHijack || w.Code != 500 {
		t.Errorf("%v, %v, %d", conn, err, w.Code)
	}
	if string(res.Request.Target()) != "/chat" || string(res.Request.Host()) != "example.com" {
		t.Errorf("request %q %q", res.Request.Target(), res.Request.Host())
	}
}

func TestUpgradeInjection(t *testing.T) {
	// Header values that net/http would never produce must not change the
	// meaning of the head that Upgrade writes for the parser.
	for _, edit := range []func(*http.Request){
		func(r *http.Request) { r.Header.Set("X", "a\r\n\r\nGET / HTTP/1.1") },
		func(r *http.Request) { r.Header.Set("X", "a\nSec-WebSocket-Key: "+rfcKey) },
		func(r *http.Request) { r.Header.Set("Bad Name", "a") },
		func(r *http.Request) { r.Host = "a\r\nX: b" },
		func(r *http.Request) { r.RequestURI = "/ HTTP/1.1\r\nX: y" },
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Upgrade", "websocket")
		r.Header.Set("Connection", "Upgrade")
		r.Header.Set("Sec-WebSocket-Version", "13")
		edit(r)
		w := httptest.NewRecorder()
		_, _, _, err := Upgrade(w, r, nil)
		var e *Error
		if !errors.As(err, &e) || e.Status != 400 || w.Code != 400 {
			t.Errorf("%v, %d", err, w.Code)
		}
	}
}
