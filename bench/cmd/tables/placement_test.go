package main

import (
	"runtime"
	"strings"
	"testing"
)

func TestFirstLoop(t *testing.T) {
	code := []byte{
		0x48, 0x89, 0xd9, // MOVQ BX, CX
		0x48, 0xff, 0xc9, // loop: DECQ CX
		0x75, 0xfb, // JNE loop
		0xc3, // RET
	}
	start, end, ok := firstLoop(code)
	if !ok || start != 3 || end != 8 {
		t.Errorf("firstLoop = %d, %d, %v; want 3, 8, true", start, end, ok)
	}
	if _, _, ok := firstLoop(code[:3]); ok {
		t.Error("firstLoop found a loop in straight-line code")
	}
}

func TestLoopPlacements(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("placements are read on linux/amd64 only")
	}
	got := loopPlacements()
	if len(got) != 2 {
		t.Fatalf("loopPlacements = %q, want the wsframe and gobwas loops", got)
	}
	// wsframe starts its loop at a 64-byte line (the SSE2 one is longer
	// than a line).
	if !strings.HasPrefix(got[0], "wsframe") || !strings.Contains(got[0], "starts at byte 0 of its 64-byte line") {
		t.Errorf("wsframe loop: %s", got[0])
	}
	if !strings.HasPrefix(got[1], "gobwas") {
		t.Errorf("second loop: %s", got[1])
	}
}
