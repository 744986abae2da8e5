package bench

import (
	"sync"
	"testing"

	"github.com/wsframe/wsframe/bench/internal/frames"
)

// TestEncodeImplementations checks every writer and header encoder the
// benchmarks time by decoding what it wrote.
func TestEncodeImplementations(t *testing.T) {
	if err := encodeVerified(); err != nil {
		t.Fatal(err)
	}
	if err := headersVerified(); err != nil {
		t.Fatal(err)
	}
}

var (
	encodeVerified  = sync.OnceValue(frames.VerifyEncode)
	headersVerified = sync.OnceValue(frames.VerifyHeaders)
)

// BenchmarkEncode sends one binary message per op to a sink that counts
// its writes (writes/op), as a server (unmasked) and as a client (masked
// with a fresh key, the caller's payload left as it was). impl=copy is
// copying the payload into a buffer and writing it once, the reference.
func BenchmarkEncode(b *testing.B) {
	if err := encodeVerified(); err != nil {
		b.Fatal(err)
	}
	cases := frames.EncodeCases()
	for _, wr := range frames.Writers() {
		b.Run("impl="+implName(wr.Name), func(b *testing.B) {
			for _, c := range cases {
				if bench := c.Bench(wr); bench != nil {
					b.Run(c.Name, bench)
				}
			}
		})
	}
	b.Run("impl=copy", func(b *testing.B) {
		for _, c := range cases {
			b.Run(c.Name, c.CopyRef())
		}
	})
}

// BenchmarkEncodeHeader encodes a frame header alone into a reused buffer.
func BenchmarkEncodeHeader(b *testing.B) {
	if err := headersVerified(); err != nil {
		b.Fatal(err)
	}
	cases := frames.HeaderCases()
	for _, hw := range frames.HeaderWriters() {
		b.Run("impl="+implName(hw.Name), func(b *testing.B) {
			for _, c := range cases {
				b.Run(c.Name, c.Bench(hw))
			}
		})
	}
}
