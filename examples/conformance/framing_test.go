package conformance

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync"
	"unicode/utf8"

	"github.com/wsframe/wsframe/codec"
)

const (
	opCont   = codec.OpContinuation
	opText   = codec.OpText
	opBinary = codec.OpBinary
	opClose  = codec.OpClose
	opPing   = codec.OpPing
	opPong   = codec.OpPong

	hello = "Hello, world!"
)

var smallBinary = []byte{0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff}

var payloads sync.Map // payloadKey -> []byte

type payloadKey struct {
	op codec.Opcode
	n  int
}

// payloadOf returns a payload of n bytes for a message of opcode op: text
// with runes of every length for OpText, random bytes otherwise. The same
// arguments give the same slice, which must not be modified.
func payloadOf(op codec.Opcode, n int) []byte {
	k := payloadKey{op, n}
	if p, ok := payloads.Load(k); ok {
		return p.([]byte)
	}
	var p []byte
	if op == opText {
		p = textOf(n)
	} else {
		p = make([]byte, n)
		r := rand.New(rand.NewPCG(uint64(n), 6455))
		for i := range p {
			p[i] = byte(r.Uint32())
		}
	}
	p2, _ := payloads.LoadOrStore(k, p)
	return p2.([]byte)
}

// textOf returns valid UTF-8 of exactly n bytes.
func textOf(n int) []byte {
	const pattern = "κόσμε-Hello-€-𝄞-*"
	b := make([]byte, 0, n+len(pattern))
	for len(b) < n {
		b = append(b, pattern...)
	}
	b = b[:n]
	for !utf8.Valid(b) { // a rune was cut: drop its start, pad with ASCII
		b = b[:len(b)-1]
	}
	for len(b) < n {
		b = append(b, '*')
	}
	return b
}

// echoes is a case that sends one message of opcode op and n bytes in
// mode m and expects it back.
func echoes(op codec.Opcode, n int, m mode) func(*client) {
	return func(c *client) {
		p := payloadOf(op, n)
		c.send(m, c.frame(op, true, p))
		c.expect(op, p)
		c.closeNormally()
	}
}

// fails is a case that sends frames in mode m and expects the server to
// fail the connection with code.
func fails(code codec.CloseCode, m mode, frames func(c *client) [][]byte) func(*client) {
	return func(c *client) {
		c.send(m, frames(c)...)
		c.expectClose(code)
	}
}

// Section 1: framing, text and binary messages of the lengths around the
// length encodings' limits.
func section1() []testCase {
	var cases []testCase
	for i, op := range []codec.Opcode{opText, opBinary} {
		for j, n := range []int{0, 125, 126, 127, 128, 65535, 65536} {
			for _, m := range []mode{atOnce, chops(997), byteWise} {
				cases = append(cases, testCase{fmt.Sprintf("1.%d.%d %v of %d bytes%v", i+1, j+1, op, n, m), echoes(op, n, m)})
			}
		}
	}
	return cases
}

// Section 2: pings and pongs.
func section2() []testCase {
	pings := func(m mode) func(*client) {
		return func(c *client) {
			var frames [][]byte
			for i := range 10 {
				frames = append(frames, c.ping(fmt.Sprintf("payload-%d", i)))
			}
			c.send(m, frames...)
			for i := range 10 {
				c.expectPong(fmt.Sprintf("payload-%d", i))
			}
			c.closeNormally()
		}
	}
	pingPong := func(payload []byte, m mode) func(*client) {
		return func(c *client) {
			c.send(m, c.frame(opPing, true, payload))
			c.expect(opPong, payload)
			c.closeNormally()
		}
	}
	bin125 := bytes.Repeat([]byte{0xfe}, 125)
	return []testCase{
		{"2.1 ping without payload", pingPong(nil, atOnce)},
		{"2.2 ping with a text payload", pingPong([]byte(hello), atOnce)},
		{"2.3 ping with a binary payload", pingPong(smallBinary, atOnce)},
		{"2.4 ping with 125 bytes", pingPong(bin125, atOnce)},
		{"2.5 ping with 126 bytes fails with 1002", fails(1002, atOnce, func(c *client) [][]byte {
			return [][]byte{raw(opPing, true, 0, bytes.Repeat([]byte{0xfe}, 126))}
		})},
		{"2.6 ping with 125 bytes, byte by byte", pingPong(bin125, byteWise)},
		{"2.7 unsolicited pong without payload is ignored", func(c *client) {
			c.send(atOnce, c.pong(""))
			c.sync()
			c.closeNormally()
		}},
		{"2.8 unsolicited pong with payload is ignored", func(c *client) {
			c.send(atOnce, c.pong("unsolicited pong payload"))
			c.sync()
			c.closeNormally()
		}},
		{"2.9 unsolicited pong, then ping", func(c *client) {
			c.send(atOnce, c.pong("unsolicited pong payload"), c.ping("ping payload"))
			c.expectPong("ping payload")
			c.closeNormally()
		}},
		{"2.10 10 pings get 10 pongs in order", pings(atOnce)},
		{"2.11 10 pings, byte by byte", pings(byteWise)},
	}
}

// Section 3: reserved bits that no extension negotiated.
func section3() []testCase {
	afterEcho := func(m mode, bad func(c *client) []byte) func(*client) {
		return func(c *client) {
			c.send(m, c.text(hello), bad(c), c.ping(""))
			c.expectText(hello)
			c.expectClose(1002)
		}
	}
	badText := func(rsv uint8) func(*client) []byte {
		return func(*client) []byte { return raw(opText, true, rsv, []byte(hello)) }
	}
	one := func(frame []byte) func(*client) [][]byte {
		return func(*client) [][]byte { return [][]byte{frame} }
	}
	return []testCase{
		{"3.1 text with RSV=1 fails with 1002", fails(1002, atOnce, one(raw(opText, true, 1, []byte(hello))))},
		{"3.2 text, text with RSV=2, ping: echo, then 1002", afterEcho(atOnce, badText(2))},
		{"3.3 text, text with RSV=3, ping, frame by frame", afterEcho(frameWise, badText(3))},
		{"3.4 text, text with RSV=4, ping, byte by byte", afterEcho(byteWise, badText(4))},
		{"3.5 binary with RSV=5 fails with 1002", fails(1002, atOnce, one(raw(opBinary, true, 5, smallBinary)))},
		{"3.6 ping with RSV=6 fails with 1002", fails(1002, atOnce, one(raw(opPing, true, 6, []byte(hello))))},
		{"3.7 close with RSV=7 fails with 1002", fails(1002, atOnce, one(raw(opClose, true, 7, nil)))},
	}
}

// Section 4: reserved opcodes.
func section4() []testCase {
	var cases []testCase
	for i, ops := range [][]codec.Opcode{{3, 4, 5, 6, 7}, {11, 12, 13, 14, 15}} {
		for j, op := range ops {
			name := fmt.Sprintf("4.%d.%d reserved opcode %d", i+1, j+1, op)
			var run func(*client)
			switch j {
			case 0:
				run = fails(1002, atOnce, func(*client) [][]byte { return [][]byte{raw(op, true, 0, nil)} })
				name += " fails with 1002"
			case 1:
				run = fails(1002, atOnce, func(*client) [][]byte {
					return [][]byte{raw(op, true, 0, []byte("reserved opcode payload"))}
				})
				name += " with payload fails with 1002"
			default:
				m := atOnce
				var payload []byte
				if j > 2 {
					payload = []byte("reserved opcode payload")
				}
				if j == 4 {
					m = byteWise
				}
				run = func(c *client) {
					c.send(m, c.text(hello), raw(op, true, 0, payload), c.ping(""))
					c.expectText(hello)
					c.expectClose(1002)
				}
				name = fmt.Sprintf("4.%d.%d text, reserved opcode %d, ping: echo, then 1002%v", i+1, j+1, op, m)
			}
			cases = append(cases, testCase{name, run})
		}
	}
	return cases
}

// Section 5: fragmentation.
func section5() []testCase {
	f := func(s string) []byte { return []byte(s) }
	twoFragments := func(m mode, ping bool) func(*client) {
		return func(c *client) {
			frames := [][]byte{c.frame(opText, false, f("fragment1"))}
			if ping {
				frames = append(frames, c.ping("ping payload"))
			}
			frames = append(frames, c.frame(opCont, true, f("fragment2")))
			c.send(m, frames...)
			if ping {
				c.expectPong("ping payload")
			}
			c.expectText("fragment1fragment2")
			c.closeNormally()
		}
	}
	noMessage := func(fin bool, m mode) func(*client) {
		return fails(1002, m, func(c *client) [][]byte {
			return [][]byte{c.frame(opCont, fin, f("non-continuation payload")), c.text(hello)}
		})
	}
	startsWithContinuation := func(fin bool) func(*client) {
		return fails(1002, atOnce, func(c *client) [][]byte {
			var frames [][]byte
			for range 2 {
				frames = append(frames,
					c.frame(opCont, fin, f("fragment1")),
					c.frame(opText, false, f("fragment2")),
					c.frame(opCont, true, f("fragment3")))
			}
			return frames
		})
	}
	pingsBetween := func(m mode) func(*client) {
		return func(c *client) {
			c.send(m, c.frame(opText, false, f("fragment1")), c.frame(opCont, false, f("fragment2")), c.ping("pongme 1!"))
			c.expectPong("pongme 1!") // answered while the message is open
			c.send(m, c.frame(opCont, false, f("fragment3")), c.frame(opCont, false, f("fragment4")),
				c.ping("pongme 2!"), c.frame(opCont, true, f("fragment5")))
			c.expectPong("pongme 2!")
			c.expectText("fragment1fragment2fragment3fragment4fragment5")
			c.closeNormally()
		}
	}
	manyFragments := func(op codec.Opcode, n int, m mode) func(*client) {
		return func(c *client) {
			p := payloadOf(op, 7*n)
			var frames [][]byte
			for i := range n {
				o := opCont
				if i == 0 {
					o = op
				}
				frames = append(frames, c.frame(o, i == n-1, p[7*i:7*i+7]))
				if i%100 == 50 {
					frames = append(frames, c.ping(fmt.Sprint(i)))
				}
			}
			c.send(m, frames...)
			for i := 50; i < n; i += 100 {
				c.expectPong(fmt.Sprint(i))
			}
			c.expect(op, p)
			c.closeNormally()
		}
	}
	return []testCase{
		{"5.1 ping in 2 fragments fails with 1002", fails(1002, atOnce, func(c *client) [][]byte {
			return [][]byte{raw(opPing, false, 0, f("fragment1")), c.frame(opCont, true, f("fragment2"))}
		})},
		{"5.2 pong in 2 fragments fails with 1002", fails(1002, atOnce, func(c *client) [][]byte {
			return [][]byte{raw(opPong, false, 0, f("fragment1")), c.frame(opCont, true, f("fragment2"))}
		})},
		{"5.3 text in 2 fragments", twoFragments(atOnce, false)},
		{"5.4 text in 2 fragments, frame by frame", twoFragments(frameWise, false)},
		{"5.5 text in 2 fragments, byte by byte", twoFragments(byteWise, false)},
		{"5.6 text in 2 fragments with a ping between", twoFragments(atOnce, true)},
		{"5.7 text in 2 fragments with a ping between, frame by frame", twoFragments(frameWise, true)},
		{"5.8 text in 2 fragments with a ping between, byte by byte", twoFragments(byteWise, true)},
		{"5.9 final continuation without a message fails with 1002", noMessage(true, atOnce)},
		{"5.10 final continuation without a message, frame by frame", noMessage(true, frameWise)},
		{"5.11 final continuation without a message, byte by byte", noMessage(true, byteWise)},
		{"5.12 continuation without a message fails with 1002", noMessage(false, atOnce)},
		{"5.13 continuation without a message, frame by frame", noMessage(false, frameWise)},
		{"5.14 continuation without a message, byte by byte", noMessage(false, byteWise)},
		{"5.15 text in 2 fragments, then continuation and text: echo, then 1002", func(c *client) {
			c.send(atOnce, c.frame(opText, false, f("fragment1")), c.frame(opCont, true, f("fragment2")),
				c.frame(opCont, false, f("fragment3")), c.frame(opText, true, f("fragment4")))
			c.expectText("fragment1fragment2")
			c.expectClose(1002)
		}},
		{"5.16 continuation, text, final continuation fails with 1002", startsWithContinuation(false)},
		{"5.17 final continuation, text, final continuation fails with 1002", startsWithContinuation(true)},
		{"5.18 text in 2 fragments that both say text fails with 1002", fails(1002, atOnce, func(c *client) [][]byte {
			return [][]byte{c.frame(opText, false, f("fragment1")), c.frame(opText, true, f("fragment2"))}
		})},
		{"5.19 text in 5 fragments with 2 pings between", pingsBetween(atOnce)},
		{"5.20 text in 5 fragments with 2 pings between, frame by frame", pingsBetween(frameWise)},
		{"5.20 text in 5 fragments with 2 pings between, byte by byte", pingsBetween(byteWise)},
		{"5 text in 1000 fragments with pings between", manyFragments(opText, 1000, atOnce)},
		{"5 binary in 1000 fragments with pings between", manyFragments(opBinary, 1000, atOnce)},
		{"5 text in 300 fragments with pings between, byte by byte", manyFragments(opText, 300, byteWise)},
	}
}
