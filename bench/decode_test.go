package bench

import (
	"sync"
	"testing"

	"github.com/wsframe/wsframe/bench/internal/frames"
)

// TestDecodeImplementations checks every frame and message reader the
// benchmarks time against the payloads that were sent.
func TestDecodeImplementations(t *testing.T) {
	if err := framesVerified(); err != nil {
		t.Fatal(err)
	}
	if err := messagesVerified(); err != nil {
		t.Fatal(err)
	}
}

var (
	framesVerified   = sync.OnceValue(frames.VerifyFrames)
	messagesVerified = sync.OnceValue(frames.VerifyMessages)
)

// BenchmarkFrameDecode reads masked client binary frames from a fake
// socket that serves them in reads of up to 64 KiB; one op is one frame,
// unmasked. impl=read is reading the same bytes without decoding them,
// impl=read-whole reading them into a buffer the size of a frame.
func BenchmarkFrameDecode(b *testing.B) {
	benchDecode(b, framesVerified, frames.FrameCases(), frames.FrameReaders())
	b.Run("impl=read-whole", func(b *testing.B) {
		for _, c := range frames.FrameCases() {
			b.Run(c.Name, c.WholeFloor())
		}
	})
}

// BenchmarkMessageDecode reads UTF-8 text messages, whole or in 4 frames,
// from the same fake socket; one op is one message, checked and joined.
// impl=wsframe-frames reads the same frames without either.
func BenchmarkMessageDecode(b *testing.B) {
	benchDecode(b, messagesVerified, frames.MessageCases(), frames.MessageReaders())
}

// benchDecode runs every reader on every case, after verify, and then the
// bare read of each case as impl=read.
func benchDecode(b *testing.B, verify func() error, cases []*frames.DecodeCase, readers []*frames.Reader) {
	if err := verify(); err != nil {
		b.Fatal(err)
	}
	for _, r := range readers {
		b.Run("impl="+implName(r.Name), func(b *testing.B) {
			for _, c := range cases {
				b.Run(c.Name, c.Bench(r))
			}
		})
	}
	b.Run("impl=read", func(b *testing.B) {
		for _, c := range cases {
			b.Run(c.Name, c.Floor())
		}
	})
}
