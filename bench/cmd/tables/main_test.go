package main

import (
	"strings"
	"testing"

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
