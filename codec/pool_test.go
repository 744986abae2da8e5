package codec

import (
	"bytes"
	"runtime"
	"testing"
)

// allocatedBy returns the bytes f allocates.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Once the pools have served many large frames and messages, and then been
// emptied by garbage collection, a header that declares a large frame
// followed by one byte still costs only a small buffer: a pool that misses
// gives an empty buffer, not one of the size it has seen most.
func TestPoolMissAllocatesNothingDeclared(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation sizes are not meaningful under -race")
	}
	// Ordinary traffic, more than bytebufferpool's calibration threshold:
	// 32 KiB messages in two frames, and 30000-byte frames split in two.
	a := AppendFrame(nil, Header{Opcode: OpBinary}, bytes.Repeat([]byte{'a'}, 20000))
	msg := append(a, AppendFrame(nil, Header{Fin: true, Opcode: OpContinuation}, bytes.Repeat([]byte{'b'}, 12768))...)
	frame := AppendFrame(nil, Header{Fin: true, Opcode: OpBinary}, bytes.Repeat([]byte{'c'}, 30000))
	m := &MessageDecoder{Decoder: Decoder{Client: true}}
	d := &Decoder{Client: true}
	for range 43000 {
		if _, _, err := m.Decode(msg); err != nil {
			t.Fatal(err)
		}
		if _, _, err := d.Decode(frame[:100]); err != ErrNeedMore {
			t.Fatal(err)
		}
		if _, _, err := d.Decode(frame[100:]); err != nil {
			t.Fatal(err)
		}
	}
	m.Release()
	d.Release()
	runtime.GC()
	runtime.GC()

	in := append(AppendHeader(nil, Header{Fin: true, Opcode: OpBinary, Length: 30000}), 'x')
	for name, decode := range map[string]func() error{
		"Decoder": func() error {
			var d Decoder
			d.Client = true
			_, _, err := d.Decode(in)
			return err
		},
		"MessageDecoder": func() error {
			var m MessageDecoder
			m.Client = true
			_, _, err := m.Decode(in)
			return err
		},
	} {
		var err error
		if n := allocatedBy(func() { err = decode() }); err != ErrNeedMore || n > 2*minGather+256 {
			t.Errorf("%s: one byte of a declared 30000-byte frame: %v, %d bytes allocated", name, err, n)
		}
	}
}
