package codec_test

import (
	"fmt"

	"github.com/wsframe/wsframe/codec"
)

// A server decodes whatever its read returned; frames come back as views
// of the buffer, unmasked in place, and a frame split across reads is
// completed by the next call.
func ExampleDecoder() {
	// A masked "Hello" (RFC 6455 section 5.7) and a ping, in two reads.
	wire := []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
		0x89, 0x80, 0x01, 0x02, 0x03, 0x04}
	reads := [][]byte{wire[:8], wire[8:]}

	var d codec.Decoder // zero value: server side, default limits
	for _, b := range reads {
		for len(b) > 0 {
			f, n, err := d.Decode(b)
			b = b[n:]
			if err == codec.ErrNeedMore {
				break // read more
			}
			if err != nil {
				fmt.Println("fail the connection with", codec.CloseCodeOf(err))
				return
			}
			fmt.Printf("%v %q\n", f.Opcode, f.Payload)
		}
	}
	// Output:
	// text "Hello"
	// ping ""
}

func ExampleEncoder() {
	var e codec.Encoder // zero value: server side, frames unmasked
	out, _ := e.AppendFrame(nil, codec.OpText, true, 0, []byte("Hello"))
	out, _ = e.AppendClose(out, codec.CloseNormal, "")
	fmt.Printf("% x\n", out)
	// Output: 81 05 48 65 6c 6c 6f 88 02 03 e8
}

func ExampleDecodeHeader() {
	h, n, err := codec.DecodeHeader([]byte{0x82, 0x7e, 0x01, 0x00})
	fmt.Println(h, n, err)
	// Output: binary fin len=256 4 <nil>
}
