package conformance

import (
	"crypto/rand"
	"fmt"
	"strconv"

	"github.com/wsframe/wsframe/codec"
)

// skipHuge skips a case that moves n bytes each way under the race
// detector, which slows the client's copying and comparing tenfold and has
// nothing to find in it.
func skipHuge(c *client, n int) {
	if raceEnabled && n > 1<<20 {
		c.t.Skipf("%s is slow under the race detector", size(n))
	}
}

func size(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// Section 9: large messages, many fragments, many small writes, many
// round trips, with Autobahn's sizes.
func section9() []testCase {
	var cases []testCase
	ops := []codec.Opcode{opText, opBinary}
	for i, op := range ops {
		for j, n := range []int{64 << 10, 256 << 10, 1 << 20, 4 << 20, 8 << 20, 16 << 20} {
			cases = append(cases, testCase{fmt.Sprintf("9.%d.%d %v of %s in one frame", i+1, j+1, op, size(n)), func(c *client) {
				skipHuge(c, n)
				echoes(op, n, atOnce)(c)
			}})
		}
	}
	for i, op := range ops {
		for j, frag := range []int{64, 256, 1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20} {
			const n = 4 << 20
			cases = append(cases, testCase{fmt.Sprintf("9.%d.%d %v of %s in fragments of %s", i+3, j+1, op, size(n), size(frag)), func(c *client) {
				skipHuge(c, n)
				p := payloadOf(op, n)
				c.send(atOnce, c.message(op, p, frag))
				c.expect(op, p)
				c.closeNormally()
			}})
		}
	}
	for i, op := range ops {
		for j, chop := range []int{64, 128, 256, 512, 1024, 2048} {
			cases = append(cases, testCase{fmt.Sprintf("9.%d.%d %v of 1 MiB in one frame%v", i+5, j+1, op, chops(chop)), echoes(op, 1<<20, chops(chop))})
		}
	}
	for i, op := range ops {
		for j, n := range []int{0, 16, 64, 256, 1024, 4096} {
			cases = append(cases, testCase{fmt.Sprintf("9.%d.%d 1000 %v messages of %s, one at a time", i+7, j+1, op, size(n)), func(c *client) {
				p := payloadOf(op, n)
				for range 1000 {
					c.send(atOnce, c.frame(op, true, p))
					c.expect(op, p)
				}
				c.closeNormally()
			}})
		}
	}

	// More replies than the sockets' buffers hold: the server must queue
	// them, or block, until the client reads, and keep their order.
	cases = append(cases,
		testCase{"9 200 binary messages of 64 KiB written while the echoes are read", func(c *client) {
			skipHuge(c, 200<<16)
			var frames [][]byte
			for i := range 200 {
				frames = append(frames, c.binary(payloadOf(opBinary, 64<<10+i)))
			}
			wait := c.sendConcurrently(frames...)
			for i := range 200 {
				c.expectBinary(payloadOf(opBinary, 64<<10+i))
			}
			wait()
			c.closeNormally()
		}},
		testCase{"9 20000 pings written while the pongs are read", func(c *client) {
			var frames [][]byte
			for i := range 20000 {
				frames = append(frames, c.ping(strconv.Itoa(i)))
			}
			wait := c.sendConcurrently(frames...)
			for i := range 20000 {
				c.expectPong(strconv.Itoa(i))
			}
			wait()
			c.closeNormally()
		}},
	)

	// The limits of the servers' decoders, codec.DefaultMaxMessage and
	// codec.DefaultMaxPayload, reached exactly and exceeded. An oversized
	// frame fails as soon as its header arrives.
	const limit = codec.DefaultMaxMessage
	header := func(op codec.Opcode, fin bool, n int64) []byte {
		h := codec.Header{Fin: fin, Opcode: op, Masked: true, Length: n}
		rand.Read(h.Key[:])
		return codec.AppendHeader(nil, h)
	}
	cases = append(cases,
		testCase{"9 binary of 16 MiB in 2 fragments, exactly the limit", func(c *client) {
			skipHuge(c, limit)
			p := payloadOf(opBinary, limit)
			c.send(atOnce, c.message(opBinary, p, limit/2))
			c.expectBinary(p)
			c.closeNormally()
		}},
		testCase{"9 frame of 16 MiB + 1 byte fails with 1009 at its header", fails(codec.CloseMessageTooBig, atOnce, func(c *client) [][]byte {
			return [][]byte{header(opBinary, true, limit+1)}
		})},
		// The message layer sees a frame when its first payload byte
		// arrives, so the second fragment fails then, before the rest of it
		// is sent and with nothing of it buffered.
		testCase{"9 text of 16 MiB + 1 byte in 2 fragments fails with 1009 at the second fragment's first byte", fails(codec.CloseMessageTooBig, atOnce, func(c *client) [][]byte {
			skipHuge(c, limit/2)
			return [][]byte{c.frame(opText, false, payloadOf(opText, limit/2)), header(opCont, true, limit/2+1), {'x'}}
		})},
		testCase{"9 frame of 2^63-1 bytes fails with 1009 at its header", fails(codec.CloseMessageTooBig, atOnce, func(c *client) [][]byte {
			return [][]byte{header(opText, true, 1<<63-1)}
		})},
		testCase{"9 frame length with the top bit set fails with 1002", fails(codec.CloseProtocolError, atOnce, func(c *client) [][]byte {
			return [][]byte{{0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0}}
		})},
	)
	return cases
}

// Section 10: miscellaneous; 10.1.1 is a message fragmented by the
// client's encoder.
func section10() []testCase {
	fragmented := func(op codec.Opcode, n, frag int, m mode) func(*client) {
		return func(c *client) {
			p := payloadOf(op, n)
			c.send(m, c.message(op, p, frag))
			c.expect(op, p)
			c.closeNormally()
		}
	}
	return []testCase{
		{"10.1.1 text of 64 KiB in 1300-byte fragments", fragmented(opText, 65536, 1300, atOnce)},
		{"10.1.1 binary of 64 KiB in 1300-byte fragments", fragmented(opBinary, 65536, 1300, atOnce)},
		{"10.1.1 text of 64 KiB in 1300-byte fragments, in chops of 1000 bytes", fragmented(opText, 65536, 1300, chops(1000))},
		{"10 unmasked frame from a client fails with 1002", fails(codec.CloseProtocolError, atOnce, func(*client) [][]byte {
			return [][]byte{codec.AppendFrame(nil, codec.Header{Fin: true, Opcode: opText}, []byte(hello))}
		})},
		{"10 frames with non-minimal lengths are accepted", func(c *client) {
			// 5 bytes declared with the 16-bit and the 64-bit length.
			h := []byte{0x81, 0xfe, 0, 5, 0, 0, 0, 0}
			h64 := []byte{0x82, 0xff, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0}
			c.send(byteWise, append(h, "Hello"...), append(h64, "world"...))
			c.expectText("Hello")
			c.expectBinary([]byte("world"))
			c.closeNormally()
		}},
	}
}
