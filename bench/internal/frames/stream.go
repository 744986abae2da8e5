// Package frames holds the frame and message codecs the benchmarks
// compare: each library's way of reading frames and messages from a
// connection and of writing them, driven over the connections of package
// fake, the cases they are measured on, and Verify functions that check
// every implementation's output before anything is timed.
package frames

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"unicode/utf8"

	"github.com/wsframe/wsframe/codec"
)

// streamBytes is the least a case's stream holds, so that the reads of a
// fake socket cut frames at many different places before it starts over.
const streamBytes = 512 << 10

// minFrames is the least number of messages in a stream, so that a check
// that reads a few of them sees different ones.
const minFrames = 3

// stream is the wire bytes of a sequence of client messages, and what a
// reader must deliver for each.
type stream struct {
	wire     []byte
	payloads [][]byte // one per message, in order
	msgLen   int      // wire bytes of one message
}

// buildStream returns at least minFrames messages, at least streamBytes in
// all, each made by gen(i), sent in frags fragments of opcode op, masked
// with random keys as a client sends them.
func buildStream(op codec.Opcode, frags int, gen func(i int) []byte) *stream {
	s := &stream{}
	rng := rand.New(rand.NewPCG(6455, uint64(frags)))
	for i := 0; i < minFrames || len(s.wire) < streamBytes; i++ {
		p := gen(i)
		start := len(s.wire)
		s.wire = appendFragments(s.wire, rng, op, frags, p)
		if s.msgLen == 0 {
			s.msgLen = len(s.wire) - start
		}
		s.payloads = append(s.payloads, p)
	}
	return s
}

// appendFragments appends p as frags masked frames of as equal sizes as
// can be.
func appendFragments(dst []byte, rng *rand.Rand, op codec.Opcode, frags int, p []byte) []byte {
	for k := range frags {
		lo, hi := len(p)*k/frags, len(p)*(k+1)/frags
		h := codec.Header{Fin: k == frags-1, Opcode: codec.OpContinuation, Masked: true}
		if k == 0 {
			h.Opcode = op
		}
		key := rng.Uint32()
		h.Key = [4]byte{byte(key), byte(key >> 8), byte(key >> 16), byte(key >> 24)}
		dst = codec.AppendFrame(dst, h, p[lo:hi])
	}
	return dst
}

// randomPayload returns n bytes from a generator seeded with seed.
func randomPayload(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(rng.Uint32())
	}
	return p
}

// textSample is the text messages are made of: mostly ASCII, as JSON is,
// with a 2-, a 3- and a 4-byte character among it.
const textSample = `{"id":1234,"user":"zoe","msg":"see you in Köln at 10:30 ✓ 😀","tags":["a","b"],"ok":true},`

// TextASCII is the share of ASCII bytes in the text of the text messages.
func TextASCII() float64 {
	n := 0
	for i := 0; i < len(textSample); i++ {
		if textSample[i] < utf8.RuneSelf {
			n++
		}
	}
	return float64(n) / float64(len(textSample))
}

// textPayload returns n bytes of valid UTF-8 cut from textSample, starting
// seed characters in, padded with ASCII where a character would not fit.
func textPayload(n int, seed int) []byte {
	runes := []rune(textSample)
	p := make([]byte, 0, n)
	for i := seed; ; i++ {
		r := runes[i%len(runes)]
		if len(p)+utf8.RuneLen(r) > n {
			break
		}
		p = utf8.AppendRune(p, r)
	}
	for len(p) < n {
		p = append(p, '.')
	}
	return p
}

// Got receives what a reader delivers and checks it: always that each
// message has the expected length, and with want set its bytes too. Its
// methods are called directly by every implementation's loop, so the check
// costs each of them the same.
type Got struct {
	size int      // the length of every message
	want [][]byte // nil in benchmarks: lengths only
	n    int      // messages completed
	off  int      // bytes of the message in progress
	err  error
}

// Piece takes the next piece of the message in progress; last ends it.
func (g *Got) Piece(p []byte, last bool) {
	if g.err != nil {
		return
	}
	if g.want != nil {
		w := g.want[g.n%len(g.want)]
		if g.off+len(p) > len(w) || !bytes.Equal(p, w[g.off:g.off+len(p)]) {
			g.err = fmt.Errorf("message %d: wrong bytes at %d..%d", g.n, g.off, g.off+len(p))
			return
		}
	}
	g.off += len(p)
	if !last {
		return
	}
	if g.off != g.size {
		g.err = fmt.Errorf("message %d: %d bytes, want %d", g.n, g.off, g.size)
		return
	}
	g.n, g.off = g.n+1, 0
}

// Message takes a whole message.
func (g *Got) Message(p []byte) { g.Piece(p, true) }

// Err reports the first wrong message, or a count other than n.
func (g *Got) Err(n int) error {
	if g.err != nil {
		return g.err
	}
	if g.n != n {
		return fmt.Errorf("%d messages delivered, want %d", g.n, n)
	}
	return nil
}
