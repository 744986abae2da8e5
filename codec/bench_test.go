package codec

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

var frameSizes = []int{16, 125, 1024, 16384, 1 << 20}

// clientStream returns masked binary frames of n payload bytes, repeated to
// fill at least 256 KiB.
func clientStream(n int, op Opcode) ([]byte, int) {
	frame := AppendFrame(nil, Header{Fin: true, Opcode: op, Masked: true, Key: [4]byte{1, 2, 3, 4}}, payloadOf(n, 1))
	if op == OpText {
		frame = AppendFrame(nil, Header{Fin: true, Opcode: op, Masked: true, Key: [4]byte{1, 2, 3, 4}}, []byte(strings.Repeat("a", n)))
	}
	count := max(1, (256<<10)/len(frame))
	return []byte(strings.Repeat(string(frame), count)), count
}

// loopReader serves the same bytes forever, in reads of at most chunk
// bytes: a fake socket.
type loopReader struct {
	data  []byte
	off   int
	chunk int
}

func (r *loopReader) Read(p []byte) (int, error) {
	if r.off == len(r.data) {
		r.off = 0
	}
	n := min(len(p), r.chunk, len(r.data)-r.off)
	copy(p, r.data[r.off:r.off+n])
	r.off += n
	return n, nil
}

// BenchmarkReader measures a server reading masked client frames from a
// fake socket in reads of up to 64 KiB: one op is one frame, read with
// ReadFrame (the frame returned by value) or Next (in place).
func BenchmarkReader(b *testing.B) {
	for _, next := range []bool{false, true} {
		for _, n := range frameSizes {
			name := fmt.Sprintf("read=ReadFrame/size=%d", n)
			if next {
				name = fmt.Sprintf("read=Next/size=%d", n)
			}
			b.Run(name, func(b *testing.B) {
				stream, _ := clientStream(n, OpBinary)
				r := NewReader(&loopReader{data: stream, chunk: 64 << 10}, 64<<10)
				b.SetBytes(int64(n))
				b.ReportAllocs()
				var v Frame
				for i := 0; i < b.N; i++ {
					f, err := &v, error(nil)
					if next {
						f, err = r.Next()
					} else {
						v, err = r.ReadFrame()
					}
					if err != nil || len(f.Payload) != n {
						b.Fatal(err, len(f.Payload))
					}
				}
			})
		}
	}
}

// BenchmarkReadFloor is the floor: the same reads, no decoding.
func BenchmarkReadFloor(b *testing.B) {
	for _, n := range frameSizes {
		b.Run(fmt.Sprintf("size=%d", n), func(b *testing.B) {
			stream, count := clientStream(n, OpBinary)
			src := &loopReader{data: stream, chunk: 64 << 10}
			buf := make([]byte, 64<<10)
			per := len(stream) / count
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				for got := 0; got < per; {
					k, _ := src.Read(buf[:min(len(buf), per-got)])
					got += k
				}
			}
		})
	}
}

func BenchmarkDecodeInBuffer(b *testing.B) {
	for _, n := range frameSizes[:4] {
		b.Run(fmt.Sprintf("size=%d", n), func(b *testing.B) {
			stream, count := clientStream(n, OpBinary)
			var d Decoder
			b.SetBytes(int64(n))
			b.ReportAllocs()
			in := stream
			left := count
			for i := 0; i < b.N; i++ {
				if left == 0 {
					in, left = stream, count
				}
				_, k, err := d.Decode(in)
				if err != nil {
					b.Fatal(err)
				}
				in = in[k:]
				left--
			}
		})
	}
}

func BenchmarkAppendHeader(b *testing.B) {
	dst := make([]byte, 0, MaxHeaderSize)
	h := Header{Fin: true, Opcode: OpBinary, Length: 1024}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		dst = AppendHeader(dst[:0], h)
	}
}

func BenchmarkEncode(b *testing.B) {
	for _, client := range []bool{false, true} {
		for _, n := range []int{16, 1024, 16384} {
			role := "server"
			if client {
				role = "client"
			}
			b.Run(fmt.Sprintf("%s/size=%d", role, n), func(b *testing.B) {
				e := Encoder{Client: client}
				payload := payloadOf(n, 1)
				dst := make([]byte, 0, n+MaxHeaderSize)
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					dst, _ = e.AppendFrame(dst[:0], OpBinary, true, 0, payload)
				}
			})
		}
	}
}

// BenchmarkMessage measures text messages through the MessageDecoder, in
// one frame and in 4 fragments, UTF-8 validated.
func BenchmarkMessage(b *testing.B) {
	for _, n := range []int{16, 1024, 65536} {
		for _, frags := range []int{1, 4} {
			b.Run(fmt.Sprintf("size=%d/frags=%d", n, frags), func(b *testing.B) {
				text := strings.Repeat("héllo wörld ", n/13+1)[:n]
				for !utf8.ValidString(text) {
					text = text[:len(text)-1]
				}
				var e Encoder
				e.Client = true
				one, _ := e.AppendMessage(nil, OpText, 0, []byte(text), (len(text)+frags-1)/frags)
				stream := []byte(strings.Repeat(string(one), max(1, (256<<10)/len(one))))
				r := &loopReader{data: stream, chunk: 64 << 10}
				buf := make([]byte, 64<<10)
				var m MessageDecoder
				b.SetBytes(int64(len(text)))
				b.ReportAllocs()
				var in []byte
				for i := 0; i < b.N; i++ {
					for {
						if len(in) == 0 {
							k, _ := r.Read(buf)
							in = buf[:k]
						}
						msg, k, err := m.Decode(in)
						in = in[k:]
						if err == ErrNeedMore {
							continue
						}
						if err != nil || len(msg.Payload) != len(text) {
							b.Fatal(err)
						}
						break
					}
				}
			})
		}
	}
}

// BenchmarkUTF8 compares the incremental validator and validUTF8 with
// utf8.Valid.
func BenchmarkUTF8(b *testing.B) {
	for _, c := range []struct{ name, text string }{
		{"ascii/16", strings.Repeat("a", 16)},
		{"ascii/1024", strings.Repeat("abcdefgh", 128)},
		{"ascii/65536", strings.Repeat("abcdefgh", 8192)},
		{"mixed/16", "héllo wörd €"},
		{"mixed/1024", strings.Repeat("héllo wörld € ", 64)},
		{"mixed/65536", strings.Repeat("héllo wörld € ", 3640) + "héllo wörd €"},
		{"cjk/1024", strings.Repeat("世界", 170)},
	} {
		p := []byte(c.text)
		if !utf8.Valid(p) {
			b.Fatal("bad case", c.name)
		}
		b.Run("feed/"+c.name, func(b *testing.B) {
			b.SetBytes(int64(len(p)))
			for i := 0; i < b.N; i++ {
				var s utf8State
				if s.feed(p) >= 0 {
					b.Fatal("invalid")
				}
			}
		})
		b.Run("utf8.Valid/"+c.name, func(b *testing.B) {
			b.SetBytes(int64(len(p)))
			for i := 0; i < b.N; i++ {
				if !utf8.Valid(p) {
					b.Fatal("invalid")
				}
			}
		})
		b.Run("validUTF8/"+c.name, func(b *testing.B) {
			b.SetBytes(int64(len(p)))
			for i := 0; i < b.N; i++ {
				if !validUTF8(p) {
					b.Fatal("invalid")
				}
			}
		})
	}
}

var _ io.Reader = (*loopReader)(nil)

// BenchmarkDeflateEcho measures what a compressing echo server does per
// message: inflate a compressed client message and compress the reply.
func BenchmarkDeflateEcho(b *testing.B) {
	for _, n := range []int{1024, 65536} {
		b.Run(fmt.Sprintf("size=%d", n), func(b *testing.B) {
			text := []byte(strings.Repeat("héllo wörld, this is a compressible text message. ", n/50+1)[:n])
			cli := Encoder{Client: true, Compress: true}
			in, _ := cli.AppendMessage(nil, OpText, 0, text, 0)
			for !utf8.Valid(text) {
				b.Fatal("invalid text")
			}
			srv := Encoder{Compress: true}
			m := MessageDecoder{Inflate: true}
			frame := make([]byte, len(in))
			out := make([]byte, 0, n+64)
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				copy(frame, in) // Decode unmasks in place
				msg, _, err := m.Decode(frame)
				if err != nil || len(msg.Payload) != n {
					b.Fatal(err)
				}
				out, _ = srv.AppendMessage(out[:0], msg.Opcode, 0, msg.Payload, 0)
			}
		})
	}
}
