package main

import (
	"strings"
	"testing"
	"time"

	"github.com/wsframe/wsframe/bench/internal/e2e"
	"github.com/wsframe/wsframe/bench/internal/table"
)

func TestSelectTables(t *testing.T) {
	tables := allTables()
	names := func(ts []*table.Table) string {
		var s []string
		for _, t := range ts {
			s = append(s, t.Name)
		}
		return strings.Join(s, ",")
	}
	for only, want := range map[string]string{
		"":                   "mask-xor,mask-copy,frame-decode,message-decode,encode,encode-header,deflate-echo,echo-e2e",
		"mask":               "mask-xor,mask-copy",
		"mask-copy":          "mask-copy",
		"mask-copy,mask-xor": "mask-xor,mask-copy",
		"decode,e2e":         "frame-decode,message-decode,echo-e2e",
		"encode":             "encode,encode-header",
		"deflate":            "deflate-echo",
	} {
		sel, err := selectTables(tables, only)
		if err != nil || names(sel) != want {
			t.Errorf("selectTables(%q) = %s, %v; want %s", only, names(sel), err, want)
		}
	}
	if _, err := selectTables(tables, "mask,nope"); err == nil {
		t.Error(`selectTables("mask,nope") returned no error`)
	}
}

// TestTablesRun measures every benchmark table once with one iteration per
// cell, to check that each is well formed and renders. The tables that
// measure their own way (echo-e2e) start servers; they are left to the
// bench package's TestEchoServers.
func TestTablesRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every benchmark once")
	}
	for _, tb := range allTables() {
		if tb.Measure != nil {
			continue
		}
		res, err := table.Run(tb, table.Options{Rounds: 1, Benchtime: "1x"})
		if err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		res.Markdown(&sb)
		if n := strings.Count(sb.String(), "\n| "); n < 2*(len(tb.Rows)+1) {
			t.Errorf("%s: %d table lines, want at least %d:\n%s", tb.Name, n, 2*(len(tb.Rows)+1), sb.String())
		}
	}
}

// TestWriteIdleDeflate renders the echo-e2e markdown from made-up figures
// and checks the table of idle compressed connections: a row per
// compressing server with its negotiated mode beside the uncompressed
// figure, n/a for a library without permessage-deflate, and the reason
// when the measurement was skipped.
func TestWriteIdleDeflate(t *testing.T) {
	servers := []*e2e.Server{{Name: "wsframe echo", Ours: true}, {Name: "coder"}, {Name: "plain"}}
	rates := make([][][]float64, len(servers))
	loads := make([][]*e2e.Load, len(servers))
	var idle []*e2e.Idle
	for i := range servers {
		for range e2eSizes {
			rates[i] = append(rates[i], []float64{1000})
			loads[i] = append(loads[i], &e2e.Load{})
		}
		idle = append(idle, &e2e.Idle{Conns: 10, Before: 1 << 20, After: 1<<20 + int64(10*(i+1))<<10})
	}
	no := &e2e.Deflate{Response: "permessage-deflate; server_no_context_takeover; client_no_context_takeover"}
	no.Params.ServerNoContextTakeover, no.Params.ClientNoContextTakeover = true, true
	both := &e2e.Deflate{Response: "permessage-deflate"}
	z := idleDeflate{
		servers: []*e2e.Server{
			{Name: "wsframe echo", Ours: true, Deflate: "handshake.Deflate"},
			{Name: "coder", Mode: "context-takeover", Deflate: "CompressionContextTakeover"},
			{Name: "coder", Mode: "no-context-takeover", Deflate: "CompressionNoContextTakeover"},
		},
		idle: []*e2e.Idle{
			{Conns: 10, Before: 1 << 20, After: 1<<20 + 15<<10, Deflate: no},
			{Conns: 10, Before: 1 << 20, After: 1<<20 + 800<<10, Deflate: both},
			{Conns: 10, Before: 1 << 20, After: 1<<20 + 30<<10, Deflate: no},
		},
	}
	o := e2eOptions{time: time.Second, rounds: 1, conns: 1, idle: 10, idleDeflate: true}
	var sb strings.Builder
	writeE2E(&sb, o, servers, rates, loads, time.Second, idle, "", z)
	out := sb.String()
	_, zt, ok := strings.Cut(out, "## Memory per idle compressed connection")
	if !ok {
		t.Fatalf("no compressed idle table:\n%s", out)
	}
	for _, want := range []string{
		"| wsframe echo | `" + no.Response + "` | no / no | 1.0 MiB | 1.0 MiB | 1.5 KiB | 1.0 KiB | +0.5 KiB |",
		"| coder (context-takeover) | `permessage-deflate` | yes / yes | 1.0 MiB | 1.8 MiB | 80.0 KiB | 2.0 KiB | +78.0 KiB |",
		"| coder (no-context-takeover) | `" + no.Response + "` | no / no | 1.0 MiB | 1.0 MiB | 3.0 KiB | 2.0 KiB | +1.0 KiB |",
		"| plain | n/a: no permessage-deflate | n/a | n/a | n/a | n/a | 3.0 KiB | n/a | n/a |",
		"- coder (context-takeover): CompressionContextTakeover",
	} {
		if !strings.Contains(zt, want) {
			t.Errorf("missing %q in:\n%s", want, zt)
		}
	}

	for skip, want := range map[string]string{"-idle-deflate=false": "", "-idle-conns 0": "-idle-conns 0"} {
		sb.Reset()
		z := idleDeflate{skip: skip}
		writeE2E(&sb, o, servers, rates, loads, time.Second, idle, want, z)
		if !strings.Contains(sb.String(), "## Memory per idle compressed connection\n\nNot measured: "+skip+".") {
			t.Errorf("skipped for %s:\n%s", skip, sb.String())
		}
	}
}
