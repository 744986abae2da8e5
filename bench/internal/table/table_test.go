package table

import (
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRunRotates checks that each round starts one column further along and
// that a column without a benchmark is skipped.
func TestRunRotates(t *testing.T) {
	var order []string
	bench := func(name string) func(*testing.B) {
		return func(b *testing.B) {
			if b.N > 1 { // the first call of every run has N == 1
				order = append(order, name)
			}
		}
	}
	tb := &Table{
		Name:    "t",
		Columns: []Column{{Name: "a", Role: Ours}, {Name: "b"}, {Name: "c", Role: Reference}},
		Rows:    []Row{{Label: "r", Bench: []func(*testing.B){bench("a"), nil, bench("c")}}},
	}
	before := flag.Lookup("test.benchtime").Value.String()
	res, err := Run(tb, Options{Rounds: 3, Benchtime: "3x"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a", "c", "c", "a", "c", "a"}
	if !slices.Equal(order, want) {
		t.Errorf("run order %v, want %v", order, want)
	}
	if after := flag.Lookup("test.benchtime").Value.String(); after != before {
		t.Errorf("-test.benchtime is %s after Run, was %s", after, before)
	}
	cells := res.Cells[0]
	if cells[0].Runs != 3 || cells[1].Runs != 0 || cells[2].Runs != 3 {
		t.Errorf("runs per cell %d %d %d, want 3 0 3", cells[0].Runs, cells[1].Runs, cells[2].Runs)
	}
}

func TestRunRejectsBadTables(t *testing.T) {
	for _, tb := range []*Table{
		{Name: "no ours", Columns: []Column{{Name: "a"}}, Rows: []Row{{Bench: make([]func(*testing.B), 1)}}},
		{Name: "short row", Columns: []Column{{Name: "a", Role: Ours}, {Name: "b"}}, Rows: []Row{{Bench: make([]func(*testing.B), 1)}}},
	} {
		if _, err := Run(tb, Options{Rounds: 1, Benchtime: "1x"}); err == nil {
			t.Errorf("table %q: Run returned no error", tb.Name)
		}
	}
}

// TestRunCalibrates checks that with a duration the later rounds run the
// count that the first round found to fill it.
func TestRunCalibrates(t *testing.T) {
	var ns []int
	tb := &Table{
		Name:    "t",
		Columns: []Column{{Name: "a", Role: Ours}},
		Rows: []Row{{Label: "r", Bench: []func(*testing.B){func(b *testing.B) {
			ns = append(ns, b.N)
			time.Sleep(time.Duration(b.N) * 10 * time.Microsecond)
		}}}},
	}
	if _, err := Run(tb, Options{Rounds: 3, Benchtime: "5ms"}); err != nil {
		t.Fatal(err)
	}
	// Round 0 ramps up from 1; rounds 1 and 2 run 1, then the count.
	last := ns[len(ns)-1]
	if ns[len(ns)-2] != 1 || ns[len(ns)-3] != last || last < 10 || last > 1000 {
		t.Errorf("iteration counts %v: want rounds 1 and 2 to run 1 then the same count, about 500", ns)
	}
}

func TestParseBenchtime(t *testing.T) {
	for _, s := range []string{"", "x", "0x", "-3x", "1.5x", "0s", "-1s", "fast"} {
		if _, _, err := parseBenchtime(s); err == nil {
			t.Errorf("parseBenchtime(%q): no error", s)
		}
	}
	if d, n, err := parseBenchtime("50ms"); err != nil || d != 50*time.Millisecond || n != 0 {
		t.Errorf(`parseBenchtime("50ms") = %v, %d, %v`, d, n, err)
	}
	if d, n, err := parseBenchtime("1000x"); err != nil || d != 0 || n != 1000 {
		t.Errorf(`parseBenchtime("1000x") = %v, %d, %v`, d, n, err)
	}
}

func TestMarkdown(t *testing.T) {
	res := &Result{
		Table: &Table{
			Title:     "Title",
			Notes:     []string{"A note."},
			RowHeader: "bytes",
			Columns: []Column{
				{Name: "ours", Detail: "f", Role: Ours},
				{Name: "p1"}, {Name: "p2"},
				{Name: "copy()", Role: Reference},
			},
			Rows: []Row{{Label: "1000"}},
		},
		Rounds: 3,
		Cells: [][]Cell{{
			{Runs: 3, Median: 50, Min: 49, Max: 51, Bytes: 1000},
			{Runs: 3, Median: 200, Min: 200, Max: 200, Bytes: 1000},
			{Runs: 3, Median: 100, Min: 90, Max: 110, Bytes: 1000, AllocsPerOp: 1, BytesPerOp: 16},
			{Runs: 3, Median: 40, Min: 40, Max: 40, Bytes: 1000},
		}},
	}
	var sb strings.Builder
	res.Markdown(&sb)
	out := sb.String()
	for _, want := range []string{
		"## Title\n\nA note.\n",
		"| bytes | ours<br>f | p1 | p2 | copy() | ours vs best peer | ours vs copy() |",
		"| 1000 | 50.0 ns · 20.0 GB/s | 200.0 ns · 5.00 GB/s | 100.0 ns · 10.0 GB/s | 40.0 ns · 25.0 GB/s | 2.00× (p2) | 0.80× |",
		"| 1000 | 4.0% | 0.0% | 20.0% | 0.0% |",
		"| 1000 | 0 | 0 | 1 (16 B) | 0 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestMarkdownMetricsAndAlt checks that reported metrics show in the cells
// and that Alt and Bound columns enter no ratio.
func TestMarkdownMetricsAndAlt(t *testing.T) {
	res := &Result{
		Table: &Table{
			Title:     "T",
			RowHeader: "case",
			Columns:   []Column{{Name: "ours", Role: Ours}, {Name: "ours2", Role: Alt}, {Name: "p"}, {Name: "floor", Role: Bound}},
			Rows:      []Row{{Label: "r"}},
			Metrics:   []Metric{{Units: []string{"syscalls/op", "writes/op"}, Format: func(v float64) string { return fmt.Sprintf("%.0f writes", v) }}},
		},
		Rounds: 1,
		Cells: [][]Cell{{
			{Runs: 1, Median: 100, Min: 100, Max: 100, Extra: map[string]float64{"writes/op": 1}},
			{Runs: 1, Median: 10, Min: 10, Max: 10, Extra: map[string]float64{"writes/op": 2, "syscalls/op": 3}},
			{Runs: 1, Median: 200, Min: 200, Max: 200},
			{Runs: 1, Median: 5, Min: 5, Max: 5},
		}},
	}
	var sb strings.Builder
	res.Markdown(&sb)
	want := "| r | 100.0 ns · 1 writes | 10.0 ns · 3 writes | 200.0 ns | 5.00 ns | 2.00× (p) |"
	if out := sb.String(); !strings.Contains(out, want) || !strings.Contains(out, "No implementation allocated") {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
}

// TestRunMetrics checks that Run keeps the median of a reported metric.
func TestRunMetrics(t *testing.T) {
	round := 0
	tb := &Table{
		Name:    "t",
		Columns: []Column{{Name: "a", Role: Ours}},
		Rows: []Row{{Label: "r", Bench: []func(*testing.B){func(b *testing.B) {
			if b.N > 1 {
				round++
			}
			b.ReportMetric(float64(round), "writes/op")
		}}}},
		Metrics: []Metric{{Units: []string{"writes/op"}, Format: func(v float64) string { return fmt.Sprint(v) }}},
	}
	res, err := Run(tb, Options{Rounds: 3, Benchtime: "2x"})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Cells[0][0].Extra["writes/op"]; got != 2 {
		t.Errorf("median writes/op %v, want 2 (of 1, 2, 3)", got)
	}
}
