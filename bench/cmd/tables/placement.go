package main

import (
	"debug/elf"
	"debug/gosym"
	"fmt"
	"os"
	"runtime"

	"golang.org/x/arch/x86/x86asm"
)

// placedLoops are the assembly block loops of the masking tables on this
// CPU, each as the function that holds it and the name the header gives it.
func placedLoops() []struct{ sym, name string } {
	if maskKernel() == "AVX2" {
		return []struct{ sym, name string }{
			{"avx2Body", "wsframe AVX2"},
			{"github.com/gobwas/ws.cipherBlocksAVX2", "gobwas AVX2"},
		}
	}
	return []struct{ sym, name string }{
		{"sse2Body", "wsframe SSE2"},
		{"github.com/gobwas/ws.cipherBlocksSSE2", "gobwas SSE2"},
	}
}

// loopPlacements says, for each kernel of placedLoops, where the linker put
// its first block loop in this binary: the loop's offset in its 64-byte
// line and whether it runs into the next line. A loop that straddles two
// lines ran at up to half speed on AMD Zen 3 (BenchmarkLoopPlacement runs
// one loop placed both ways), so a kernel without aligned loops can be
// faster in one binary than in another. Nothing is said off
// linux/amd64 or when the binary cannot be read.
func loopPlacements() []string {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	f, err := elf.Open(exe)
	if err != nil {
		return nil
	}
	defer f.Close()
	// The function table is read from the runtime's own pclntab, which a
	// binary keeps when go run or go test strips its symbol table.
	text, pcln := f.Section(".text"), f.Section(".gopclntab")
	if text == nil || pcln == nil {
		return nil
	}
	data, err := pcln.Data()
	if err != nil {
		return nil
	}
	tab, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range placedLoops() {
		fn := tab.LookupFunc(l.sym)
		if fn == nil || fn.End <= fn.Entry || fn.Entry < text.Addr || fn.End > text.Addr+text.Size {
			continue
		}
		code := make([]byte, fn.End-fn.Entry)
		if _, err := text.ReadAt(code, int64(fn.Entry-text.Addr)); err != nil {
			continue
		}
		if start, end, ok := firstLoop(code); ok {
			a, b := fn.Entry+uint64(start), fn.Entry+uint64(end)-1
			crosses := "fits in it"
			if a/64 != b/64 {
				crosses = "runs into the next line"
			}
			out = append(out, fmt.Sprintf("%s loop at %#x, %d bytes: starts at byte %d of its 64-byte line and %s",
				l.name, a, end-start, a%64, crosses))
		}
	}
	return out
}

// firstLoop finds the first backward conditional jump in code and returns
// the loop it closes: from the jump's target to the end of the jump.
func firstLoop(code []byte) (start, end int, ok bool) {
	for pc := 0; pc < len(code); {
		inst, err := x86asm.Decode(code[pc:], 64)
		if err != nil || inst.Len == 0 {
			return 0, 0, false
		}
		next := pc + inst.Len
		if isCondJump(inst.Op) {
			if rel, isRel := inst.Args[0].(x86asm.Rel); isRel && rel < 0 {
				if t := next + int(rel); t >= 0 {
					return t, next, true
				}
			}
		}
		pc = next
	}
	return 0, 0, false
}

func isCondJump(op x86asm.Op) bool {
	switch op {
	case x86asm.JA, x86asm.JAE, x86asm.JB, x86asm.JBE, x86asm.JE, x86asm.JG, x86asm.JGE,
		x86asm.JL, x86asm.JLE, x86asm.JNE, x86asm.JNO, x86asm.JNP, x86asm.JNS, x86asm.JO, x86asm.JP, x86asm.JS:
		return true
	}
	return false
}
