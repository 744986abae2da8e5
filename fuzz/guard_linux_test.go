//go:build linux

package fuzz

import (
	"testing"

	"golang.org/x/sys/unix"
)

// guarded is a writable region between two PROT_NONE pages: a slice that
// tail returns ends right before the upper one and a slice from head starts
// right after the lower one, so an access one byte out of bounds faults.
// The region grows on demand and lives as long as the process; targets run
// one input at a time, so a package-level region is never shared.
type guarded struct {
	mem  []byte
	data []byte
}

func (g *guarded) reserve(tb testing.TB, n int) {
	if len(g.data) >= n {
		return
	}
	ps := unix.Getpagesize()
	pages := (n+ps-1)/ps + 2
	mem, err := unix.Mmap(-1, 0, pages*ps, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		tb.Fatalf("mmap %d pages: %v", pages, err)
	}
	if err := unix.Mprotect(mem[:ps], unix.PROT_NONE); err != nil {
		tb.Fatal(err)
	}
	if err := unix.Mprotect(mem[len(mem)-ps:], unix.PROT_NONE); err != nil {
		tb.Fatal(err)
	}
	if g.mem != nil {
		unix.Munmap(g.mem)
	}
	g.mem, g.data = mem, mem[ps:len(mem)-ps:len(mem)-ps]
}

// tail returns n bytes whose end touches the upper guard page.
func (g *guarded) tail(tb testing.TB, n int) []byte {
	g.reserve(tb, n)
	return g.data[len(g.data)-n:]
}

// head returns n bytes whose start touches the lower guard page.
func (g *guarded) head(tb testing.TB, n int) []byte {
	g.reserve(tb, n)
	return g.data[:n:n]
}
