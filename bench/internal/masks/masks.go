// Package masks holds the masking implementations that the benchmarks
// compare, the cases they are measured on, and Verify, which checks every
// implementation against a byte-at-a-time reference.
package masks

import (
	"encoding/binary"
	"fmt"
	"testing"
	"unsafe"

	"github.com/gobwas/ws"
	"github.com/wsframe/wsframe/mask"
)

// Key is the masking key of every benchmark, the one in the examples of
// RFC 6455 section 5.7.
var Key = [4]byte{0x37, 0xfa, 0x21, 0x3d}

// Impl is one library's masking, reached the way a user of that library
// reaches it, or through go:linkname where the library keeps it unexported.
//
// XOR masks b in place n times; Copy writes the masked src to dst n times.
// The loop is inside the function so that it holds a direct call to the
// library, as a user's code would, not a call through a function value.
type Impl struct {
	Name     string // the library: wsframe, gobwas, ...
	XORFunc  string // what XOR calls
	CopyFunc string // what Copy calls
	Linkname bool   // the function is unexported, reached with go:linkname
	XOR      func(n int, b []byte, key [4]byte, pos int)
	Copy     func(n int, dst, src []byte, key [4]byte, pos int)
}

// Impls returns the implementations, wsframe first.
//
// Only wsframe has a fused copy-and-mask; the others are measured as copy()
// followed by their in-place mask, which is what their users do. Kernels that
// take a pre-rotated key instead of a key position get the rotation once,
// outside the loop, as their callers carry the rotated key from one call to
// the next.
func Impls() []*Impl {
	return []*Impl{
		{
			Name: "wsframe", XORFunc: "mask.XOR", CopyFunc: "mask.XORCopy",
			XOR: func(n int, b []byte, key [4]byte, pos int) {
				for range n {
					mask.XOR(b, key, pos)
				}
			},
			Copy: func(n int, dst, src []byte, key [4]byte, pos int) {
				for range n {
					mask.XORCopy(dst, src, key, pos)
				}
			},
		},
		{
			Name: "gobwas", XORFunc: "ws.Cipher", CopyFunc: "copy()+ws.Cipher",
			XOR: func(n int, b []byte, key [4]byte, pos int) {
				for range n {
					ws.Cipher(b, key, pos)
				}
			},
			Copy: func(n int, dst, src []byte, key [4]byte, pos int) {
				for range n {
					copy(dst, src)
					ws.Cipher(dst[:len(src)], key, pos)
				}
			},
		},
		{
			Name: "gorilla", XORFunc: "maskBytes", CopyFunc: "copy()+maskBytes", Linkname: true,
			XOR: func(n int, b []byte, key [4]byte, pos int) {
				for range n {
					gorillaMaskBytes(key, pos, b)
				}
			},
			Copy: func(n int, dst, src []byte, key [4]byte, pos int) {
				for range n {
					copy(dst, src)
					gorillaMaskBytes(key, pos, dst[:len(src)])
				}
			},
		},
		{
			Name: "coder", XORFunc: "mask", CopyFunc: "copy()+mask", Linkname: true,
			XOR: func(n int, b []byte, key [4]byte, pos int) {
				k := keyWord(key, pos)
				for range n {
					coderMask(b, k)
				}
			},
			Copy: func(n int, dst, src []byte, key [4]byte, pos int) {
				k := keyWord(key, pos)
				for range n {
					copy(dst, src)
					coderMask(dst[:len(src)], k)
				}
			},
		},
		{
			Name: "gws", XORFunc: "internal.MaskXOR", CopyFunc: "copy()+internal.MaskXOR", Linkname: true,
			XOR: func(n int, b []byte, key [4]byte, pos int) {
				k := rotate(key, pos)
				for range n {
					gwsMaskXOR(b, k[:])
				}
			},
			Copy: func(n int, dst, src []byte, key [4]byte, pos int) {
				k := rotate(key, pos)
				for range n {
					copy(dst, src)
					gwsMaskXOR(dst[:len(src)], k[:])
				}
			},
		},
		{
			Name: "nbio", XORFunc: "maskXOR", CopyFunc: "copy()+maskXOR", Linkname: true,
			XOR: func(n int, b []byte, key [4]byte, pos int) {
				k := rotate(key, pos)
				for range n {
					nbioMaskXOR(b, k[:])
				}
			},
			Copy: func(n int, dst, src []byte, key [4]byte, pos int) {
				k := rotate(key, pos)
				for range n {
					copy(dst, src)
					nbioMaskXOR(dst[:len(src)], k[:])
				}
			},
		},
	}
}

// rotate returns the key whose first byte is the one for key position pos.
func rotate(key [4]byte, pos int) [4]byte {
	var k [4]byte
	for i := range k {
		k[i] = key[(pos+i)&3]
	}
	return k
}

// keyWord returns rotate(key, pos) as the little-endian word that coder's
// kernel takes.
func keyWord(key [4]byte, pos int) uint32 {
	k := rotate(key, pos)
	return binary.LittleEndian.Uint32(k[:])
}

// Sizes are the payload lengths measured: a frame header's worth, the
// boundaries of the word and vector loops, a control frame (125), an
// Ethernet MTU (1500), a page, and the sizes of large messages.
var Sizes = []int{8, 15, 31, 64, 125, 256, 1024, 1500, 4096, 16384, 65536, 1048576}

// Case is one measured shape: Size bytes starting Off bytes past a 64-byte
// boundary, masked from key position Pos.
type Case struct {
	Name  string // sub-benchmark name, e.g. size=4096/off=1
	Label string // table row, e.g. "4096, off=1"
	Size  int
	Off   int
	Pos   int

	buf, src, dst []byte
}

// Cases returns every size at offset 0 and key position 0, then 4096 bytes
// starting 1 and 3 bytes past a 64-byte boundary, then 4096 bytes starting
// at key positions 1, 2 and 3.
func Cases() []*Case {
	var cs []*Case
	for _, n := range Sizes {
		cs = append(cs, &Case{Name: fmt.Sprintf("size=%d", n), Label: fmt.Sprint(n), Size: n})
	}
	for _, off := range []int{1, 3} {
		cs = append(cs, &Case{
			Name:  fmt.Sprintf("size=4096/off=%d", off),
			Label: fmt.Sprintf("4096, off=%d", off),
			Size:  4096, Off: off,
		})
	}
	for pos := 1; pos < 4; pos++ {
		cs = append(cs, &Case{
			Name:  fmt.Sprintf("size=4096/pos=%d", pos),
			Label: fmt.Sprintf("4096, pos=%d", pos),
			Size:  4096, Pos: pos,
		})
	}
	return cs
}

// alloc gives the case its buffers the first time it is measured. Every
// implementation then runs on the same memory.
func (c *Case) alloc() {
	if c.buf != nil {
		return
	}
	c.buf = aligned64(c.Off + c.Size)[c.Off:]
	c.src = aligned64(c.Off + c.Size)[c.Off:]
	c.dst = aligned64(c.Off + c.Size)[c.Off:]
	for i := range c.src {
		c.src[i] = byte(i * 7)
		c.buf[i] = byte(i * 7)
	}
}

// XOR returns the benchmark of im masking the case in place.
func (c *Case) XOR(im *Impl) func(*testing.B) {
	c.alloc()
	return func(b *testing.B) {
		b.SetBytes(int64(c.Size))
		b.ReportAllocs()
		im.XOR(b.N, c.buf, Key, c.Pos)
	}
}

// Copy returns the benchmark of im writing the masked case to another
// buffer.
func (c *Case) Copy(im *Impl) func(*testing.B) {
	c.alloc()
	return func(b *testing.B) {
		b.SetBytes(int64(c.Size))
		b.ReportAllocs()
		im.Copy(b.N, c.dst, c.src, Key, c.Pos)
	}
}

// CopyRef returns the benchmark of copy() over the same bytes: the least any
// masking that reads and writes them can cost.
func (c *Case) CopyRef() func(*testing.B) {
	c.alloc()
	return func(b *testing.B) {
		b.SetBytes(int64(c.Size))
		b.ReportAllocs()
		dst, src := c.dst, c.src
		for range b.N {
			copy(dst, src)
		}
	}
}

// aligned64 returns n bytes whose first byte is on a 64-byte boundary.
func aligned64(n int) []byte {
	b := make([]byte, n+63)
	off := int(-uintptr(unsafe.Pointer(unsafe.SliceData(b)))) & 63
	return b[off : off+n : off+n]
}
