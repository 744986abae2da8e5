package conformance

import (
	"fmt"
	"strings"

	"github.com/wsframe/wsframe/codec"
)

// Section 7: the closing handshake. Every case also checks that the server
// closes the TCP connection after it (client.expectClose).
func section7() []testCase {
	s := func(s string) []byte { return []byte(s) }
	closeThen := func(frames func(c *client) [][]byte) func(*client) {
		return func(c *client) {
			c.send(atOnce, append([][]byte{c.closeFrame(codec.CloseNormal, "")}, frames(c)...)...)
			c.sentClose = true
			c.expectClose(codec.CloseNormal)
		}
	}
	closeWith := func(payload []byte, want codec.CloseCode) func(*client) {
		return func(c *client) {
			c.send(atOnce, raw(opClose, true, 0, payload))
			c.sentClose = true
			c.expectClose(want)
		}
	}
	cases := []testCase{
		{"7.1.1 text, then close", func(c *client) {
			c.send(atOnce, c.text("Hello World!"))
			c.expectText("Hello World!")
			c.closeNormally()
		}},
		{"7.1.2 a second close is ignored", closeThen(func(c *client) [][]byte {
			return [][]byte{c.closeFrame(codec.CloseNormal, "")}
		})},
		{"7.1.3 a ping after close is not answered", closeThen(func(c *client) [][]byte {
			return [][]byte{c.ping("ping after close")}
		})},
		{"7.1.4 a text after close is not echoed", closeThen(func(c *client) [][]byte {
			return [][]byte{raw(opText, true, 0, s("text after close"))}
		})},
		{"7.1.5 close between the fragments of a text", func(c *client) {
			c.send(atOnce, c.frame(opText, false, s("fragment1")), c.closeFrame(codec.CloseNormal, ""),
				raw(opCont, true, 0, s("fragment2")))
			c.sentClose = true
			c.expectClose(codec.CloseNormal)
		}},
		{"7.1.6 256 KiB text, close, ping", func(c *client) {
			text := strings.Repeat("BAsd7&jh23", 256<<10/10)
			c.send(atOnce, c.text(text), c.closeFrame(codec.CloseNormal, ""), c.ping("ping after close"))
			c.sentClose = true
			c.expectText(text)
			c.expectClose(codec.CloseNormal)
		}},
		{"7.3.1 close without payload gets 1000", closeWith(nil, codec.CloseNormal)},
		{"7.3.2 close with a 1-byte payload fails with 1002", closeWith([]byte{0x03}, codec.CloseProtocolError)},
		{"7.3.3 close 1000 without reason", closeWith(closePayload(1000, ""), codec.CloseNormal)},
		{"7.3.4 close 1000 with a reason", closeWith(closePayload(1000, "Hello World!"), codec.CloseNormal)},
		{"7.3.5 close 1000 with a 123-byte reason", closeWith(closePayload(1000, strings.Repeat("*", 123)), codec.CloseNormal)},
		{"7.3.6 close with a 124-byte reason fails with 1002", closeWith(closePayload(1000, strings.Repeat("*", 124)), codec.CloseProtocolError)},
		{"7.5.1 close reason with invalid UTF-8 fails with 1007", closeWith(closePayload(1000, kosme+"\xed\xa0\x80edited"), codec.CloseInvalidPayload)},
		{"7.5.1 close reason with truncated UTF-8 fails with 1007", closeWith(closePayload(1000, kosme[:3]), codec.CloseInvalidPayload)},
	}
	for i, code := range []uint16{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999} {
		cases = append(cases, testCase{fmt.Sprintf("7.7.%d close %d is echoed", i+1, code), closeWith(closePayload(code, ""), codec.CloseCode(code))})
	}
	for _, code := range []uint16{1012, 1013, 1014} {
		cases = append(cases, testCase{fmt.Sprintf("7.7 close %d (registered after RFC 6455) is echoed", code), closeWith(closePayload(code, ""), codec.CloseCode(code))})
	}
	for i, code := range []uint16{0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999} {
		cases = append(cases, testCase{fmt.Sprintf("7.9.%d close %d fails with 1002", i+1, code), closeWith(closePayload(code, ""), codec.CloseProtocolError)})
	}
	for i, code := range []uint16{5000, 65535} {
		cases = append(cases, testCase{fmt.Sprintf("7.13.%d close %d fails with 1002", i+1, code), closeWith(closePayload(code, ""), codec.CloseProtocolError)})
	}
	return cases
}
