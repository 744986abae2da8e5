package codec

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

func TestOpcodeString(t *testing.T) {
	for op, want := range map[Opcode]string{
		OpContinuation: "continuation", OpText: "text", OpBinary: "binary",
		OpClose: "close", OpPing: "ping", OpPong: "pong", 3: "opcode(3)", 0xf: "opcode(15)",
	} {
		if got := op.String(); got != want {
			t.Errorf("Opcode(%d).String() = %q, want %q", op, got, want)
		}
	}
	for op := Opcode(0); op < 16; op++ {
		reserved := (op >= 3 && op <= 7) || op >= 0xb
		if op.IsReserved() != reserved {
			t.Errorf("Opcode(%d).IsReserved() = %v", op, !reserved)
		}
		if op.IsControl() != (op >= 8) {
			t.Errorf("Opcode(%d).IsControl() wrong", op)
		}
	}
}

func TestHeaderString(t *testing.T) {
	h := Header{Fin: true, Rsv: Rsv1, Opcode: OpText, Masked: true, Key: [4]byte{0x37, 0xfa, 0x21, 0x3d}, Length: 5}
	if got, want := h.String(), "text fin rsv=100 len=5 mask=37fa213d"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// TestHeaderForms round-trips every length form at its boundaries, with and
// without a mask, and checks the exact bytes of each.
func TestHeaderForms(t *testing.T) {
	key := [4]byte{1, 2, 3, 4}
	for _, tc := range []struct {
		length int64
		ext    []byte // length bytes after the first two
		len7   byte
	}{
		{0, nil, 0},
		{1, nil, 1},
		{125, nil, 125},
		{126, []byte{0, 126}, 126},
		{65535, []byte{0xff, 0xff}, 126},
		{65536, []byte{0, 0, 0, 0, 0, 1, 0, 0}, 127},
		{math.MaxInt64, []byte{0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 127},
	} {
		for _, masked := range []bool{false, true} {
			for _, op := range []Opcode{OpContinuation, OpText, OpBinary} {
				h := Header{Fin: tc.length%2 == 0, Rsv: uint8(tc.length % 8), Opcode: op, Masked: masked, Length: tc.length}
				if masked {
					h.Key = key
				}
				want := []byte{byte(op) | h.Rsv<<4, tc.len7}
				if h.Fin {
					want[0] |= 0x80
				}
				if masked {
					want[1] |= 0x80
				}
				want = append(want, tc.ext...)
				if masked {
					want = append(want, key[:]...)
				}
				got := AppendHeader(nil, h)
				if !bytes.Equal(got, want) {
					t.Fatalf("AppendHeader(%v) = %x, want %x", h, got, want)
				}
				if h.Size() != len(want) || HeaderSize(got) != len(want) {
					t.Fatalf("%v: Size %d, HeaderSize %d, want %d", h, h.Size(), HeaderSize(got), len(want))
				}
				back, n, err := DecodeHeader(append(got, 0xee, 0xee))
				if err != nil || n != len(want) || back != h {
					t.Fatalf("DecodeHeader(%x) = %v, %d, %v; want %v, %d", got, back, n, err, h, len(want))
				}
				for i := 0; i < len(want); i++ {
					if _, _, err := DecodeHeader(got[:i]); err != ErrShortHeader {
						t.Fatalf("DecodeHeader(%x) prefix %d: %v, want ErrShortHeader", got, i, err)
					}
				}
			}
		}
	}
}

func TestControlHeaders(t *testing.T) {
	for _, op := range []Opcode{OpClose, OpPing, OpPong} {
		for _, n := range []int64{0, 125} {
			h := Header{Fin: true, Opcode: op, Length: n}
			got, _, err := DecodeHeader(AppendHeader(nil, h))
			if err != nil || got != h {
				t.Errorf("%v: %v, %v", h, got, err)
			}
		}
	}
}

func TestDecodeHeaderErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		err  error
		code CloseCode
	}{
		{"reserved opcode 3", []byte{0x83, 0x80}, ErrReservedOpcode, 1002},
		{"reserved opcode 7", []byte{0x87, 0x80}, ErrReservedOpcode, 1002},
		{"reserved opcode 0xB", []byte{0x8b, 0x80}, ErrReservedOpcode, 1002},
		{"reserved opcode 0xF", []byte{0x8f, 0x80}, ErrReservedOpcode, 1002},
		{"reserved opcode, first byte only", []byte{0x84}, ErrReservedOpcode, 1002},
		{"fragmented ping, first byte only", []byte{0x09}, ErrFragmentedControl, 1002},
		{"fragmented close with rsv, first byte only", []byte{0x48}, ErrFragmentedControl, 1002},
		{"fragmented ping", []byte{0x09, 0x80}, ErrFragmentedControl, 1002},
		{"fragmented close", []byte{0x08, 0x00}, ErrFragmentedControl, 1002},
		{"ping of 126", []byte{0x89, 0xfe, 0x00, 0x7e}, ErrControlTooLong, 1002},
		{"close with 16-bit length", []byte{0x88, 0x7e}, ErrControlTooLong, 1002},
		{"pong with 64-bit length", []byte{0x8a, 0xff}, ErrControlTooLong, 1002},
		{"length top bit", []byte{0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0}, ErrLengthOverflow, 1002},
		{"length top bit, partial", []byte{0x82, 0xff, 0x80}, ErrLengthOverflow, 1002},
	} {
		_, n, err := DecodeHeader(tc.in)
		if err != tc.err || n != 0 {
			t.Errorf("%s: err %v n %d, want %v", tc.name, err, n, tc.err)
			continue
		}
		var pe *ProtocolError
		if !errors.As(err, &pe) || pe.Code != tc.code || CloseCodeOf(err) != tc.code {
			t.Errorf("%s: close code %v, want %d", tc.name, CloseCodeOf(err), tc.code)
		}
	}
}

// TestNonMinimalDecodes shows that DecodeHeader accepts non-minimal length
// encodings (the Decoder may reject them) and that AppendHeader never
// writes them.
func TestNonMinimalDecodes(t *testing.T) {
	in := []byte{0x82, 0x7e, 0x00, 0x05}
	h, n, err := DecodeHeader(in)
	if err != nil || n != 4 || h.Length != 5 {
		t.Fatalf("%v %d %v", h, n, err)
	}
	if n == h.Size() {
		t.Fatal("non-minimal header reported as minimal")
	}
	if got := AppendHeader(nil, h); !bytes.Equal(got, []byte{0x82, 0x05}) {
		t.Fatalf("re-encoded as %x", got)
	}
}

func TestHeaderNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	h := Header{Fin: true, Opcode: OpBinary, Masked: true, Key: [4]byte{1, 2, 3, 4}, Length: 70000}
	buf := make([]byte, 0, MaxHeaderSize)
	enc := AppendHeader(nil, h)
	if a := testing.AllocsPerRun(100, func() { AppendHeader(buf, h) }); a != 0 {
		t.Errorf("AppendHeader: %v allocs", a)
	}
	if a := testing.AllocsPerRun(100, func() { DecodeHeader(enc) }); a != 0 {
		t.Errorf("DecodeHeader: %v allocs", a)
	}
}

func TestCloseCodes(t *testing.T) {
	valid := []CloseCode{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999}
	invalid := []CloseCode{0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}
	for _, c := range valid {
		if !c.Valid() {
			t.Errorf("%v should be valid", c)
		}
	}
	for _, c := range invalid {
		if c.Valid() {
			t.Errorf("%v should be invalid", c)
		}
	}
	if s := CloseProtocolError.String(); s != "1002 (protocol error)" {
		t.Errorf("String() = %q", s)
	}
	if s := CloseCode(4321).String(); s != "4321" {
		t.Errorf("String() = %q", s)
	}
	if got := ErrFrameTooLarge.Error(); got != "codec: frame payload exceeds the limit (close 1009)" {
		t.Errorf("Error() = %q", got)
	}
	if CloseCodeOf(errors.New("x")) != CloseInternalError {
		t.Error("CloseCodeOf of a plain error")
	}
}
