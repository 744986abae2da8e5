package handshake

import (
	"net/url"
	"testing"
)

func BenchmarkAppendAcceptKey(b *testing.B) {
	key := []byte(rfcKey)
	dst := make([]byte, 0, AcceptKeyLen)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		dst = AppendAcceptKey(dst[:0], key)
	}
}

func BenchmarkParse(b *testing.B) {
	in := []byte(validRequests[6].in) // extra headers and lists
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	var r Request
	for i := 0; i < b.N; i++ {
		if _, err := r.Parse(in, 0); err != nil {
			b.Fatal(err)
		}
		if err := r.Check(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHandshake(b *testing.B) {
	u := &Upgrader{Protocols: []string{"json", "v1.chat"}}
	in := []byte(validRequests[6].in)
	dst := make([]byte, 0, 512)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := u.Handshake(dst[:0], in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClient(b *testing.B) {
	c := &Client{Protocols: []string{"chat"}}
	u := &Upgrader{Protocols: []string{"chat"}}
	target, _ := url.Parse("ws://example.com/chat")
	req := make([]byte, 0, 512)
	resp := make([]byte, 0, 512)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		req, key, err := c.AppendRequest(req[:0], target)
		if err != nil {
			b.Fatal(err)
		}
		res, _, err := u.Handshake(resp[:0], req)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := c.ParseResponse(res.Response, key); err != nil {
			b.Fatal(err)
		}
	}
}
