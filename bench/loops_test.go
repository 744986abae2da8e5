package bench

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/wsframe/wsframe/bench/internal/loops"
)

// BenchmarkLoopPlacement masks a buffer in place with one AVX2 loop placed
// two ways: in a 64-byte line of its own (line=fits) and across two lines
// (line=crosses). It shows what the linker's placement of a kernel's loop
// can cost on this CPU, which is why the tables' header says where each
// compared kernel's loop lies.
func BenchmarkLoopPlacement(b *testing.B) {
	if !loops.Available() {
		b.Skip("needs amd64 with AVX2")
	}
	for _, n := range []int{4096, 16384} {
		buf := make([]byte, n+64)
		off := int(-uintptr(unsafe.Pointer(unsafe.SliceData(buf)))) & 63
		p := buf[off : off+n] // on a 64-byte boundary
		for _, v := range []struct {
			name string
			f    func([]byte, uint32)
		}{{"fits", loops.Fits}, {"crosses", loops.Crosses}} {
			b.Run(fmt.Sprintf("line=%s/size=%d", v.name, n), func(b *testing.B) {
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for range b.N {
					v.f(p, 0x3d21fa37)
				}
			})
		}
	}
}
