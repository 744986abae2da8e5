package masks

import (
	"bytes"
	"fmt"
	"math/rand/v2"
)

// guard is how many bytes on each side of the slice Verify checks for
// writes outside it.
const guard = 64

const canary = 0xa5

var canaries = bytes.Repeat([]byte{canary}, guard)

// Verify runs every implementation, in place and copying, on random data of
// every length 0..300 and every size in Sizes, starting 0..7 bytes past a
// 64-byte boundary, at every key position and with two keys. It compares the
// output with a byte-at-a-time reference and checks that no byte outside the
// output changed (the source of a copy included). The first mismatch is
// returned as an error that names the implementation and the input.
func Verify() error {
	return verify(Impls())
}

func verify(impls []*Impl) error {
	lengths := make([]int, 0, 301+len(Sizes))
	for n := 0; n <= 300; n++ {
		lengths = append(lengths, n)
	}
	for _, n := range Sizes {
		if n > 300 {
			lengths = append(lengths, n)
		}
	}
	maxLen := lengths[len(lengths)-1]

	rng := rand.New(rand.NewPCG(6455, 1))
	in := make([]byte, maxLen)
	for i := range in {
		in[i] = byte(rng.Uint32())
	}
	keys := [][4]byte{Key, {byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())}}

	want := make([]byte, maxLen)
	// Each region has room for the guard bytes, the largest start offset
	// and the longest slice.
	region := aligned64(2*guard + 8 + maxLen)
	srcRegion := aligned64(2*guard + 8 + maxLen)

	for _, n := range lengths {
		for _, key := range keys {
			for pos := 0; pos < 4; pos++ {
				for i := range n {
					want[i] = in[i] ^ key[(pos+i)&3]
				}
				for off := 0; off < 8; off++ {
					for _, im := range impls {
						// In place.
						b := place(region, off, n, in)
						im.XOR(1, b, key, pos)
						if err := compare(im.Name+" "+im.XORFunc, region, off, n, want, pos, key); err != nil {
							return err
						}

						// Copying; the source must come back unchanged.
						src := place(srcRegion, off, n, in)
						dst := place(region, off, n, nil)
						im.Copy(1, dst, src, key, pos)
						if err := compare(im.Name+" "+im.CopyFunc, region, off, n, want, pos, key); err != nil {
							return err
						}
						if err := compare(im.Name+" "+im.CopyFunc+" (source)", srcRegion, off, n, in, pos, key); err != nil {
							return err
						}
					}
				}
			}
		}
	}
	return nil
}

// place returns the n bytes of region that start off bytes past its first
// 64-byte boundary after the guard, filled from data (or with canary bytes if
// data is nil), with canary bytes in the guard on either side.
func place(region []byte, off, n int, data []byte) []byte {
	start := guard + off
	copy(region[start-guard:start], canaries)
	copy(region[start+n:start+n+guard], canaries)
	b := region[start : start+n : start+n]
	if data != nil {
		copy(b, data)
		return b
	}
	for len(b) > 0 {
		b = b[copy(b, canaries):]
	}
	return region[start : start+n : start+n]
}

// compare checks the slice that place returned against want and the guard
// bytes around it against the canary.
func compare(what string, region []byte, off, n int, want []byte, pos int, key [4]byte) error {
	start := guard + off
	input := func() string {
		return fmt.Sprintf("%d bytes starting %d past a 64-byte boundary, key % x, key position %d", n, off, key, pos)
	}
	if got := region[start : start+n]; !bytes.Equal(got, want[:n]) {
		i := 0
		for got[i] == want[i] {
			i++
		}
		return fmt.Errorf("masks: %s is wrong on %s: byte %d is %#02x, want %#02x", what, input(), i, got[i], want[i])
	}
	for _, i := range [...]int{start - guard, start + n} {
		for j, c := range region[i : i+guard] {
			if c != canary {
				return fmt.Errorf("masks: %s wrote outside its slice on %s: byte %d relative to the slice changed", what, input(), i+j-start)
			}
		}
	}
	return nil
}
