package bench

import (
	"sync"
	"testing"

	"github.com/wsframe/wsframe/bench/internal/frames"
)

// TestDeflateImplementations checks that every compressing echo server
// the benchmark times answers each message with a compressed text frame
// that inflates to the message sent.
func TestDeflateImplementations(t *testing.T) {
	if err := deflateVerified(); err != nil {
		t.Fatal(err)
	}
}

var deflateVerified = sync.OnceValue(frames.VerifyDeflate)

// BenchmarkDeflateEcho is a compressing server's work for one message: a
// compressed, masked client text message read, inflated and checked, and
// the compressed reply written to a sink, with permessage-deflate
// negotiated without context takeover on either side.
func BenchmarkDeflateEcho(b *testing.B) {
	if err := deflateVerified(); err != nil {
		b.Fatal(err)
	}
	cases := frames.DeflateCases()
	for _, s := range frames.DeflateServers() {
		b.Run("impl="+implName(s.Name), func(b *testing.B) {
			for _, c := range cases {
				b.Run(c.Name, c.Bench(s))
			}
		})
	}
}
