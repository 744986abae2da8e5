package frames

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/wsframe/wsframe/bench/internal/fake"
	"github.com/wsframe/wsframe/codec"
)

// VerifyFrames runs every frame-decode reader on every case's stream, past
// its end and round again, and compares each payload with the one sent.
func VerifyFrames() error {
	return verifyDecode(FrameCases(), FrameReaders())
}

// VerifyMessages does the same for the message-decode readers and cases,
// and checks that every reader that claims to check UTF-8 rejects a text
// message that is not, in one frame and in four.
func VerifyMessages() error {
	if err := verifyDecode(MessageCases(), MessageReaders()); err != nil {
		return err
	}
	for _, frags := range []int{1, 4} {
		bad := textPayload(1000, 0)
		bad[517] = 0xff
		s := buildStream(codec.OpText, frags, func(int) []byte { return bad })
		for _, r := range MessageReaders() {
			if r.Alt {
				continue
			}
			src := &Source{sock: newSocket(s), msgLen: s.msgLen}
			got := &Got{size: len(bad), want: [][]byte{bad}}
			err := r.Read(src, 1, got, func() {})
			if err == nil && got.Err(1) == nil {
				return fmt.Errorf("%s accepted a text message with invalid UTF-8 in %d frames", r.Name, frags)
			}
		}
	}
	return nil
}

func verifyDecode(cases []*DecodeCase, readers []*Reader) error {
	var errs []error
	for _, c := range cases {
		s := c.build()
		n := len(s.payloads) + 2 // round the stream and a little more
		for _, r := range readers {
			got := &Got{size: c.Size, want: s.payloads}
			err := r.Read(c.source(), n, got, func() {})
			if err == nil {
				err = got.Err(n)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s on %s: %v", r.Name, c.Label, err))
			}
		}
		if err := readFloor(c.source(), n, func() {}); err != nil {
			errs = append(errs, fmt.Errorf("read() on %s: %v", c.Label, err))
		}
	}
	return errors.Join(errs...)
}

// VerifyEncode sends three messages of every case with every writer and
// decodes what it wrote with wsframe's decoder for the other side, which
// rejects frames masked the wrong way. The messages must come back as
// sent, binary, without RSV bits, a client's frames each with a key of its
// own, and the caller's payload unchanged.
func VerifyEncode() error {
	var errs []error
	for _, c := range EncodeCases() {
		orig := bytes.Clone(c.payload)
		for _, wr := range Writers() {
			fn := c.fn(wr)
			if fn == nil {
				continue
			}
			sink := &fake.Sink{Keep: true}
			err := fn(sinkOut{sink}, c.payload, 3, sink.Reset)
			if err == nil {
				err = checkWire(sink.Got, c.Client, orig, 3)
			}
			if err == nil && !bytes.Equal(c.payload, orig) {
				err = errors.New("changed the caller's payload")
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s on %s: %v", wr.Name, c.Label, err))
			}
		}
	}
	return errors.Join(errs...)
}

// VerifyHeaders checks that every header encoder writes the same bytes,
// which decode to the header given.
func VerifyHeaders() error {
	var errs []error
	for _, c := range HeaderCases() {
		var first []byte
		for i, hw := range HeaderWriters() {
			out := hw.Write(c.Header, 2)
			h, n, err := codec.DecodeHeader(out)
			switch {
			case err != nil:
			case n != len(out) || n != c.Header.Size():
				err = fmt.Errorf("%d bytes, want %d", len(out), c.Header.Size())
			case h != c.Header:
				err = fmt.Errorf("decodes to %v, want %v", h, c.Header)
			case i > 0 && !bytes.Equal(out, first):
				err = fmt.Errorf("wrote %x, %s wrote %x", out, HeaderWriters()[0].Name, first)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s on header %s: %v", hw.Name, c.Label, err))
			}
			if i == 0 {
				first = out
			}
		}
	}
	return errors.Join(errs...)
}

// checkWire decodes n binary messages of payload want from wire, sent by
// a client (masked) or a server (unmasked).
func checkWire(wire []byte, client bool, want []byte, n int) error {
	d := codec.Decoder{Client: !client, MaxPayload: -1}
	keys := map[[4]byte]bool{}
	var msg []byte
	msgs, open := 0, false
	for len(wire) > 0 {
		f, k, err := d.Decode(wire)
		if err == codec.ErrNeedMore {
			return errors.New("the output ends inside a frame")
		}
		if err != nil {
			return err
		}
		wire = wire[k:]
		switch {
		case f.Rsv != 0:
			return fmt.Errorf("RSV bits %03b set", f.Rsv)
		case !open && f.Opcode != codec.OpBinary:
			return fmt.Errorf("message starts with a %v frame", f.Opcode)
		case open && f.Opcode != codec.OpContinuation:
			return fmt.Errorf("%v frame inside a message", f.Opcode)
		}
		open = true
		if client {
			if keys[f.Key] {
				return fmt.Errorf("masking key %x used twice", f.Key)
			}
			keys[f.Key] = true
		}
		msg = append(msg, f.Payload...)
		if f.Fin {
			if !bytes.Equal(msg, want) {
				return fmt.Errorf("message %d differs from what was sent", msgs)
			}
			msgs, msg, open = msgs+1, msg[:0], false
		}
	}
	if msgs != n || open {
		return fmt.Errorf("%d whole messages, want %d", msgs, n)
	}
	return nil
}
