//go:build linux

package main

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/wsframe/wsframe/codec"
)

// A client that reads its replies slowly gets all of them, and the reply
// to its Close, even when that takes longer than the linger after the
// server's last frame: the linger starts once the replies are out.
func TestSlowReaderGetsCloseReply(t *testing.T) {
	if testing.Short() {
		t.Skip("reads for a few seconds; skipped in -short mode")
	}
	c, err := upgraded(startServer(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadBuffer(64 << 10)
	payload := bytes.Repeat([]byte("slow reader "), (12<<20)/12)
	enc := codec.Encoder{Client: true}
	out, _ := enc.AppendFrame(nil, codec.OpBinary, true, 0, payload)
	out, _ = enc.AppendClose(out, codec.CloseNormal, "")
	go c.Write(out)

	// Read slowly: the replies take longer than the linger.
	want := append(codec.AppendFrame(nil, codec.Header{Fin: true, Opcode: codec.OpBinary}, payload), 0x88, 2, 0x03, 0xe8)
	got := make([]byte, 0, len(want))
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	start := time.Now()
	for {
		chunk := make([]byte, 32<<10)
		n, err := io.ReadAtLeast(c, chunk, 1)
		got = append(got, chunk[:n]...)
		if err != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("after %v: read %d of %d bytes, ending % x", time.Since(start).Round(time.Millisecond), len(got), len(want), got[max(0, len(got)-4):])
	}
	if time.Since(start) < 2*lingerTimeout {
		t.Fatalf("the replies took %v, not twice the linger (%v): the test proves nothing", time.Since(start), lingerTimeout)
	}
}
