package loops

import (
	"bytes"
	"testing"
)

func TestLoops(t *testing.T) {
	if !Available() {
		t.Skip("needs amd64 with AVX2")
	}
	for _, fn := range []struct {
		name string
		f    func([]byte, uint32)
	}{{"Fits", Fits}, {"Crosses", Crosses}} {
		for _, n := range []int{64, 128, 4096} {
			b := make([]byte, n)
			want := make([]byte, n)
			for i := range b {
				b[i] = byte(i * 7)
				want[i] = byte(i*7) ^ [4]byte{0x04, 0x03, 0x02, 0x01}[i%4]
			}
			fn.f(b, 0x01020304)
			if !bytes.Equal(b, want) {
				t.Errorf("%s, %d bytes: wrong output", fn.name, n)
			}
		}
	}
}
