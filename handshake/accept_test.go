package handshake

import (
	"crypto/sha1"
	"encoding/base64"
	"strings"
	"testing"
)

// acceptNaive computes Sec-WebSocket-Accept the obvious way.
func acceptNaive(key string) string {
	sum := sha1.Sum([]byte(key + keyGUID))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func TestAppendAcceptKey(t *testing.T) {
	if got := string(AppendAcceptKey(nil, []byte(rfcKey))); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Errorf("RFC 6455 example: %q", got)
	}
	keys := []string{"", "x", rfcKey, "AQIDBAUGBwgJCgsMDQ4PEA==", strings.Repeat("k", 92), strings.Repeat("k", 93), strings.Repeat("k", 1000)}
	for _, k := range keys {
		got := AppendAcceptKey([]byte("prefix"), []byte(k))
		if want := "prefix" + acceptNaive(k); string(got) != want {
			t.Errorf("key of %d bytes: %q, want %q", len(k), got, want)
		}
	}
}

func TestAppendAcceptKeyCanary(t *testing.T) {
	buf := []byte(strings.Repeat("#", 3+AcceptKeyLen+8))
	got := AppendAcceptKey(buf[:3], []byte(rfcKey))
	if string(got) != "###s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Errorf("got %q", got)
	}
	if &got[0] != &buf[0] {
		t.Error("reallocated although dst had room")
	}
	if tail := string(buf[3+AcceptKeyLen:]); tail != "########" {
		t.Errorf("wrote past the accept key: %q", tail)
	}
}

func TestAppendAcceptKeyAllocs(t *testing.T) {
	skipIfRace(t)
	dst := make([]byte, 0, 64)
	key := []byte(rfcKey)
	if n := testing.AllocsPerRun(100, func() { dst = AppendAcceptKey(dst[:0], key) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

func TestAppendResponse(t *testing.T) {
	got := string(AppendResponse([]byte("x"), []byte(rfcKey), "chat", "permessage-deflate", []HeaderField{{"Server", "wsframe"}, {"Set-Cookie", "a=b"}}))
	want := "x" + head(
		"HTTP/1.1 101 Switching Protocols",
		"Upgrade: websocket",
		"Connection: Upgrade",
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
		"Sec-WebSocket-Protocol: chat",
		"Sec-WebSocket-Extensions: permessage-deflate",
		"Server: wsframe",
		"Set-Cookie: a=b",
	)
	if got != want {
		t.Errorf("got:\n%q\nwant:\n%q", got, want)
	}
	got = string(AppendResponse(nil, []byte(rfcKey), "", "", nil))
	want = head(
		"HTTP/1.1 101 Switching Protocols",
		"Upgrade: websocket",
		"Connection: Upgrade",
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
	)
	if got != want {
		t.Errorf("got:\n%q\nwant:\n%q", got, want)
	}
}

func TestAppendResponseAllocs(t *testing.T) {
	skipIfRace(t)
	dst := make([]byte, 0, 512)
	key := []byte(rfcKey)
	header := []HeaderField{{"Server", "wsframe"}}
	n := testing.AllocsPerRun(100, func() {
		dst = AppendResponse(dst[:0], key, "chat", "permessage-deflate", header)
	})
	if n != 0 {
		t.Errorf("%v allocations", n)
	}
}
