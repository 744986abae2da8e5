package conformance

import (
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wsframe/wsframe/handshake"
)

// The opening handshake: a request in pieces, a request followed at once
// by frames, and refused requests, which get an HTTP error response and
// the end of the connection.
func handshakeCases() []rawCase {
	upgraded := func(m mode, withFrames bool) func(t *testing.T, addr string) {
		return func(t *testing.T, addr string) {
			c := connect(t, addr)
			req, key := upgradeRequest(t, addr)
			if withFrames {
				req = append(req, c.text(hello)...)
				req = append(req, c.ping("early")...)
			}
			c.send(m, req)
			c.readResponse(key)
			if !withFrames {
				c.send(atOnce, c.text(hello), c.ping("early"))
			}
			c.expectText(hello)
			c.expectPong("early")
			c.closeNormally()
		}
	}
	const valid = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
	return []rawCase{
		{"handshake request byte by byte", upgraded(byteWise, false)},
		{"handshake request and the first frames in one write", upgraded(atOnce, true)},
		{"handshake request and the first frames in chops of 7 bytes", upgraded(chops(7), true)},
		{"handshake version 8 gets 426", refused(strings.Replace(valid, "Version: 13", "Version: 8", 1)+"\r\n", 426)},
		{"handshake POST gets 405", refused(strings.Replace(valid, "GET", "POST", 1)+"\r\n", 405)},
		{"handshake without a key gets 400", refused(strings.Replace(valid, "Sec-WebSocket-Key", "X-Key", 1)+"\r\n", 400)},
		{"handshake head over 8 KiB gets 431", refused(valid+"X-Padding: "+strings.Repeat("p", 9000)+"\r\n\r\n", 431)},
		{"handshake garbage gets 400", refused("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400)},
	}
}

// refused is a case that sends req and expects a response of the given
// status, whose body is as long as it says, and then the end of the
// connection.
func refused(req string, status int) func(t *testing.T, addr string) {
	return func(t *testing.T, addr string) {
		nc := dialTCP(t, addr)
		nc.SetDeadline(time.Now().Add(timeout))
		if _, err := io.WriteString(nc, req); err != nil {
			t.Fatal(err)
		}
		resp, err := io.ReadAll(nc)
		if err != nil {
			t.Fatalf("reading the response: %v (after %q)", err, resp)
		}
		var r handshake.Response
		n, err := r.Parse(resp, 0)
		if err != nil {
			t.Fatalf("response %q: %v", resp, err)
		}
		if r.Status() != status {
			t.Fatalf("got status %d, want %d:\n%s", r.Status(), status, resp)
		}
		if l := string(r.Header().Get("Content-Length")); l != strconv.Itoa(len(resp)-n) {
			t.Fatalf("Content-Length %s, body of %d bytes:\n%s", l, len(resp)-n, resp)
		}
	}
}
