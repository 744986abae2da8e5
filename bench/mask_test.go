package bench

import (
	"strings"
	"sync"
	"testing"

	"github.com/wsframe/wsframe/bench/internal/masks"
)

// TestMaskImplementations checks every implementation the benchmarks time
// against a byte-at-a-time reference.
func TestMaskImplementations(t *testing.T) {
	if err := verified(); err != nil {
		t.Fatal(err)
	}
}

var verified = sync.OnceValue(masks.Verify)

// checkMasks stops the benchmark if an implementation gives wrong output, so
// that none is timed.
func checkMasks(b *testing.B) {
	if err := verified(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkXOR masks a payload in place. impl=copy is copy() of the same
// length between two buffers, the reference.
func BenchmarkXOR(b *testing.B) {
	checkMasks(b)
	cases := masks.Cases()
	for _, im := range masks.Impls() {
		b.Run("impl="+im.Name, func(b *testing.B) {
			for _, c := range cases {
				b.Run(c.Name, c.XOR(im))
			}
		})
	}
	benchCopy(b, cases)
}

// BenchmarkXORCopy writes the masked payload to another buffer, leaving the
// source as it was. wsframe does it in one pass (mask.XORCopy); the peers
// have no such function, so theirs is copy() followed by their in-place mask.
func BenchmarkXORCopy(b *testing.B) {
	checkMasks(b)
	cases := masks.Cases()
	for _, im := range masks.Impls() {
		b.Run("impl="+im.Name, func(b *testing.B) {
			for _, c := range cases {
				b.Run(c.Name, c.Copy(im))
			}
		})
	}
	benchCopy(b, cases)
}

func benchCopy(b *testing.B, cases []*masks.Case) {
	b.Run("impl=copy", func(b *testing.B) {
		for _, c := range cases {
			b.Run(c.Name, c.CopyRef())
		}
	})
}

// implName makes a column name usable in a benchmark name: spaces become
// dashes.
func implName(s string) string { return strings.ReplaceAll(s, " ", "-") }
