package codec

import (
	"sync"

	"github.com/valyala/bytebufferpool"
)

// bufPool is a pool of the buffers that hold what a peer sent: split
// frames, messages, inflated messages. bytebufferpool.Pool's Get hands out
// a buffer of its calibrated default size when it has none to reuse, so
// once it has seen many large messages, a header that declares a large
// frame followed by one byte would cost that much memory. A bufPool's Get
// gives an empty buffer instead: memory is taken as bytes arrive.
type bufPool struct{ p sync.Pool }

// Get returns a pooled buffer, or an empty one; its length is 0.
func (p *bufPool) Get() *bytebufferpool.ByteBuffer {
	if b, ok := p.p.Get().(*bytebufferpool.ByteBuffer); ok {
		return b
	}
	return new(bytebufferpool.ByteBuffer)
}

// Put empties b and keeps it for a later Get.
func (p *bufPool) Put(b *bytebufferpool.ByteBuffer) {
	b.Reset()
	p.p.Put(b)
}
