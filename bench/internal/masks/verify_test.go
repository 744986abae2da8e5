package masks

import (
	"strings"
	"testing"
	"unsafe"
)

// TestVerifyCatches checks that Verify reports a wrong result, a write past
// the slice and a changed source, naming the implementation.
func TestVerifyCatches(t *testing.T) {
	good := Impls()[0]
	for _, tc := range []struct {
		name, want string
		impl       *Impl
	}{
		{"ignores pos", "is wrong", &Impl{
			Name: "broken", XORFunc: "xor", CopyFunc: "copy",
			XOR:  func(n int, b []byte, key [4]byte, pos int) { good.XOR(n, b, key, 0) },
			Copy: good.Copy,
		}},
		{"writes past the end", "wrote outside", &Impl{
			Name: "broken", XORFunc: "xor", CopyFunc: "copy",
			XOR: good.XOR,
			Copy: func(n int, dst, src []byte, key [4]byte, pos int) {
				good.Copy(n, dst, src, key, pos)
				*(*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(dst)), len(dst))) ^= 1
			},
		}},
		{"masks the source", "(source)", &Impl{
			Name: "broken", XORFunc: "xor", CopyFunc: "copy",
			XOR: good.XOR,
			Copy: func(n int, dst, src []byte, key [4]byte, pos int) {
				good.XOR(n, src, key, pos)
				copy(dst, src)
			},
		}},
	} {
		err := verify([]*Impl{tc.impl})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "broken") {
			t.Errorf("%s: Verify returned %v, want an error about %q", tc.name, err, tc.want)
		}
	}
}
