package fake

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"testing"
)

// TestSocket checks that a Socket serves its stream round and round, in
// reads that never span its end, and ends where Limit says.
func TestSocket(t *testing.T) {
	stream := bytes.Repeat([]byte("0123456789"), ReadSize/10+7) // not a multiple of ReadSize
	s := NewSocket(stream)
	var got []byte
	buf := make([]byte, 2*ReadSize)
	for len(got) < 3*len(stream) {
		n, err := s.Read(buf)
		if err != nil || n == 0 || n > ReadSize {
			t.Fatalf("read %d, %v", n, err)
		}
		if (len(got)%len(stream))+n > len(stream) {
			t.Fatalf("a read of %d at %d spans the end of the stream", n, len(got)%len(stream))
		}
		got = append(got, buf[:n]...)
	}
	if want := bytes.Repeat(stream, 3); !bytes.Equal(got[:len(want)], want) {
		t.Fatal("the socket does not serve its stream round and round")
	}
	s.Rewind()
	s.Limit(25)
	n, err := io.ReadFull(s, buf[:25])
	if n != 25 || err != nil || !bytes.Equal(buf[:25], stream[:25]) {
		t.Fatalf("after Rewind and Limit(25): %d, %v", n, err)
	}
	if n, err := s.Read(buf); n != 0 || err != io.EOF {
		t.Fatalf("past the limit: %d, %v; want 0, EOF", n, err)
	}
}

// TestServerConn checks that a ServerConn answers an upgrade request with
// a 101 response and then passes writes to W.
func TestServerConn(t *testing.T) {
	var sink Sink
	sink.Keep = true
	c := NewServerConn(nil, &sink)
	req := "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + Key + "\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	// RFC 6455 section 1.3 gives the answer to this key.
	if resp.StatusCode != 101 || resp.Header.Get("Sec-WebSocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("response %d, accept %q", resp.StatusCode, resp.Header.Get("Sec-WebSocket-Accept"))
	}
	c.Write([]byte("frame"))
	if string(sink.Got) != "frame" || sink.Writes != 1 {
		t.Fatalf("after the handshake the sink got %q in %d writes", sink.Got, sink.Writes)
	}
	c.Close()
}
