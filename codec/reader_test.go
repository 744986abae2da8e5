package codec

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"
)

func TestReader(t *testing.T) {
	specs := largeStream()
	stream := buildStream(specs)
	want := wantResult(specs, nil)
	for name, src := range map[string]func() io.Reader{
		"whole":    func() io.Reader { return bytes.NewReader(append([]byte{}, stream...)) },
		"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(append([]byte{}, stream...))) },
		"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader(append([]byte{}, stream...))) },
		"data+EOF": func() io.Reader { return iotest.DataErrReader(bytes.NewReader(append([]byte{}, stream...))) },
	} {
		for _, size := range []int{0, 64, 100000} {
			r := NewReader(src(), size)
			var got result
			for {
				f, err := r.ReadFrame()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("%s/%d: %v", name, size, err)
				}
				got.add(t, f)
			}
			if err := want.equal(got); err != nil {
				t.Fatalf("%s/%d: %v", name, size, err)
			}
		}
	}
}

func TestReaderTruncated(t *testing.T) {
	stream := buildStream(smallStream())
	r := NewReader(bytes.NewReader(stream[:len(stream)-1]), 16)
	var err error
	for err == nil {
		_, err = r.ReadFrame()
	}
	if err != ErrTruncated || CloseCodeOf(err) != CloseAbnormal {
		t.Fatalf("%v", err)
	}
}

func TestReaderProtocolError(t *testing.T) {
	stream := append(buildStream(smallStream()[:2]), 0x83, 0x80, 0, 0, 0, 0)
	r := NewReader(bytes.NewReader(stream), 0)
	for i := 0; i < 2; i++ {
		if _, err := r.ReadFrame(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.ReadFrame(); err != ErrReservedOpcode {
		t.Fatalf("%v", err)
	}
}
