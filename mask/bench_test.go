package mask

import (
	"fmt"
	"testing"
)

var benchSizes = []int{8, 15, 31, 64, 125, 256, 1024, 1500, 4096, 16384, 65536, 1048576}

// benchCase is one measured shape: size bytes starting off bytes past a
// 64-byte boundary, at key position pos.
type benchCase struct {
	name          string
	size, off, pk int
}

func benchCases() []benchCase {
	var cs []benchCase
	for _, n := range benchSizes {
		cs = append(cs, benchCase{fmt.Sprintf("size=%d", n), n, 0, 0})
	}
	for _, off := range []int{1, 3} {
		cs = append(cs, benchCase{fmt.Sprintf("size=4096/off=%d", off), 4096, off, 0})
	}
	for pos := 1; pos < 4; pos++ {
		cs = append(cs, benchCase{fmt.Sprintf("size=4096/pos=%d", pos), 4096, 0, pos})
	}
	return cs
}

func BenchmarkXOR(b *testing.B) {
	for _, c := range benchCases() {
		buf := aligned64(c.size + c.off)[c.off:]
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(c.size))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				XOR(buf, testKey, c.pk)
			}
		})
	}
}

func BenchmarkXORCopy(b *testing.B) {
	for _, c := range benchCases() {
		src := aligned64(c.size + c.off)[c.off:]
		dst := aligned64(c.size + c.off)[c.off:]
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(c.size))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				XORCopy(dst, src, testKey, c.pk)
			}
		})
	}
}

// BenchmarkCopy is the reference: moving the same bytes with copy().
func BenchmarkCopy(b *testing.B) {
	for _, c := range benchCases() {
		src := aligned64(c.size + c.off)[c.off:]
		dst := aligned64(c.size + c.off)[c.off:]
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(c.size))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				copy(dst, src)
			}
		})
	}
}

// BenchmarkKernel measures each kernel alone on whole blocks.
func BenchmarkKernel(b *testing.B) {
	for _, k := range kernels {
		if !k.supported {
			b.Logf("kernel %s: not supported by this CPU, skipped", k.name)
			continue
		}
		for _, n := range []int{64, 128, 256, 4096, 65536} {
			buf := aligned64(n)
			b.Run(fmt.Sprintf("%s/size=%d", k.name, n), func(b *testing.B) {
				b.SetBytes(int64(n))
				for i := 0; i < b.N; i++ {
					k.fn(&buf[0], &buf[0], n, 0x3d21fa37)
				}
			})
		}
	}
}
