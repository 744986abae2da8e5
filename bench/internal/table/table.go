// Package table measures several implementations of the same operation in
// one process, interleaved, and prints the results as markdown tables.
//
// For every row of a table, each round runs every column's benchmark once
// with testing.Benchmark, starting each round one column further along, so
// that no implementation always runs first or just after another; a cell
// reports the median over the rounds and the spread of the rounds. Noise
// from a busy machine then falls on every column of a row alike.
package table

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Role says how a column enters the ratio columns.
type Role int

const (
	Peer      Role = iota // another library: a candidate for "best peer"
	Ours                  // wsframe: the numerator of both ratios
	Reference             // the limit, such as copy(): not a library
	Alt                   // another way of doing it with wsframe: shown, in no ratio
	Bound                 // another limit beside the Reference: shown, in no ratio
)

// Column is one implementation.
type Column struct {
	Name   string // short name, used in ratios: "gorilla"
	Detail string // what it calls, shown under the name: "maskBytes"
	Role   Role
}

// Row is one case, measured for every column.
type Row struct {
	Label string
	// Bench holds one benchmark per column, in column order; nil where the
	// implementation has no such operation.
	Bench []func(*testing.B)
}

// Table is a set of rows measured over the same columns.
type Table struct {
	Name      string // selects the table on the command line
	Group     string // selects it together with related tables
	Title     string
	Notes     []string // paragraphs printed between the title and the table
	RowHeader string   // header of the first column
	Columns   []Column
	Rows      []Row
	// Metrics are what the benchmarks report with b.ReportMetric, such as
	// "writes/op", shown in each cell after the time, as Metric says.
	Metrics []Metric
	// Check, if set, runs before the table is measured; an error stops the
	// run, so a wrong implementation is never timed.
	Check func() error
	// Measure, if set, measures the table its own way instead of running
	// benchmarks, for what is not a loop of b.N operations, such as load
	// over real connections; Columns and Rows are then unused. It writes
	// the table's markdown to w and progress to opt.Progress.
	Measure func(opt Options, w io.Writer) error
}

// Metric is a figure reported with b.ReportMetric and how a cell shows
// it: the first of Units that the benchmark reported, its median over the
// rounds given to Format.
type Metric struct {
	Units  []string
	Format func(float64) string
}

// Cell is the measurement of one column on one row.
type Cell struct {
	Runs        int     // rounds measured; 0 if the column has no benchmark
	Median      float64 // ns/op
	Min, Max    float64 // ns/op
	Bytes       int64   // bytes per op given to SetBytes
	AllocsPerOp int64   // the largest over the rounds
	BytesPerOp  int64   // allocated, the largest over the rounds
	// Extra holds the median over the rounds of each of the table's
	// Metrics that the benchmark reported.
	Extra map[string]float64
}

// Result is a measured table.
type Result struct {
	Table   *Table
	Rounds  int
	Cells   [][]Cell // [row][column]
	Elapsed time.Duration
}

// Options says how to measure.
type Options struct {
	Rounds int
	// Benchtime is how long each run of one column on one row lasts, as for
	// go test -benchtime: a duration such as "50ms" or a count such as
	// "1000x". With a duration, the first round finds the iteration count
	// that fills it for each cell and later rounds run that count, which
	// spares them testing.Benchmark's ramp-up.
	Benchtime string
	Progress  io.Writer // a line before each row; nil for none
}

// parseBenchtime returns the duration or the count that s gives.
func parseBenchtime(s string) (time.Duration, int, error) {
	if c, ok := strings.CutSuffix(s, "x"); ok {
		if n, err := strconv.Atoi(c); err == nil && n >= 1 {
			return 0, n, nil
		}
		return 0, 0, fmt.Errorf("benchtime %q: want a positive count before x", s)
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, 0, fmt.Errorf("benchtime %q: want a positive duration or a count such as 1000x", s)
	}
	return d, 0, nil
}

// Validate reports whether Run can use the options.
func (o Options) Validate() error {
	if o.Rounds < 1 {
		return fmt.Errorf("rounds must be at least 1")
	}
	_, _, err := parseBenchtime(o.Benchtime)
	return err
}

// setBenchtime sets the -test.benchtime that testing.Benchmark reads.
func setBenchtime(s string) {
	testing.Init()
	if err := flag.Set("test.benchtime", s); err != nil {
		panic(err) // s comes from parseBenchtime or fmt "%dx"
	}
}

// Run measures t as opt says. A table with Measure set is measured by
// Render instead.
func Run(t *Table, opt Options) (*Result, error) {
	if t.Measure != nil {
		return nil, fmt.Errorf("table %s: measured by its own Measure, not by Run", t.Name)
	}
	if err := t.validate(); err != nil {
		return nil, err
	}
	if err := opt.Validate(); err != nil {
		return nil, fmt.Errorf("table %s: %v", t.Name, err)
	}
	rounds := opt.Rounds
	d, count, _ := parseBenchtime(opt.Benchtime)
	progress := opt.Progress
	if progress == nil {
		progress = io.Discard
	}
	testing.Init()
	defer setBenchtime(flag.Lookup("test.benchtime").Value.String())

	res := &Result{Table: t, Rounds: rounds, Cells: make([][]Cell, len(t.Rows))}
	start := time.Now()
	ncol := len(t.Columns)
	for i, row := range t.Rows {
		eta := ""
		if i > 0 {
			left := time.Since(start) / time.Duration(i) * time.Duration(len(t.Rows)-i)
			eta = fmt.Sprintf(", about %s left", left.Round(time.Second))
		}
		fmt.Fprintf(progress, "%s: case %d/%d (%s)%s\n", t.Name, i+1, len(t.Rows), row.Label, eta)

		samples := make([][]float64, ncol)
		extra := make([]map[string][]float64, ncol)
		cells := make([]Cell, ncol)
		iters := make([]int, ncol) // the count each later round runs
		for r := range rounds {
			for k := range ncol {
				c := (k + r) % ncol
				if row.Bench[c] == nil {
					continue
				}
				switch {
				case count > 0:
					setBenchtime(fmt.Sprintf("%dx", count))
				case r == 0:
					setBenchtime(d.String())
				default:
					setBenchtime(fmt.Sprintf("%dx", iters[c]))
				}
				br := testing.Benchmark(row.Bench[c])
				if br.N == 0 {
					return nil, fmt.Errorf("table %s: %s on %s failed", t.Name, t.Columns[c].Name, row.Label)
				}
				if r == 0 && count == 0 {
					iters[c] = max(1, int(float64(br.N)*float64(d)/float64(max(br.T, 1))))
				}
				samples[c] = append(samples[c], float64(br.T.Nanoseconds())/float64(br.N))
				cells[c].Bytes = br.Bytes
				cells[c].AllocsPerOp = max(cells[c].AllocsPerOp, br.AllocsPerOp())
				cells[c].BytesPerOp = max(cells[c].BytesPerOp, br.AllocedBytesPerOp())
				for _, m := range t.Metrics {
					for _, unit := range m.Units {
						if v, ok := br.Extra[unit]; ok {
							if extra[c] == nil {
								extra[c] = make(map[string][]float64)
							}
							extra[c][unit] = append(extra[c][unit], v)
						}
					}
				}
			}
		}
		for c, s := range samples {
			if len(s) == 0 {
				continue
			}
			slices.Sort(s)
			cells[c].Runs = len(s)
			cells[c].Median = median(s)
			cells[c].Min, cells[c].Max = s[0], s[len(s)-1]
			for unit, v := range extra[c] {
				slices.Sort(v)
				if cells[c].Extra == nil {
					cells[c].Extra = make(map[string]float64)
				}
				cells[c].Extra[unit] = median(v)
			}
		}
		res.Cells[i] = cells
	}
	res.Elapsed = time.Since(start)
	fmt.Fprintf(progress, "%s: done in %s\n", t.Name, res.Elapsed.Round(time.Second))
	return res, nil
}

// Render measures t and writes its markdown to w: with Run and Markdown,
// or with t.Measure.
func Render(t *Table, opt Options, w io.Writer) error {
	if err := opt.Validate(); err != nil {
		return fmt.Errorf("table %s: %v", t.Name, err)
	}
	if t.Measure != nil {
		return t.Measure(opt, w)
	}
	res, err := Run(t, opt)
	if err != nil {
		return err
	}
	res.Markdown(w)
	return nil
}

func (t *Table) validate() error {
	ours := 0
	refs := 0
	for _, c := range t.Columns {
		switch c.Role {
		case Ours:
			ours++
		case Reference:
			refs++
		}
	}
	if ours != 1 || refs > 1 {
		return fmt.Errorf("table %s: needs exactly one Ours column and at most one Reference, has %d and %d", t.Name, ours, refs)
	}
	for _, r := range t.Rows {
		if len(r.Bench) != len(t.Columns) {
			return fmt.Errorf("table %s: row %s has %d benchmarks for %d columns", t.Name, r.Label, len(r.Bench), len(t.Columns))
		}
	}
	return nil
}

// median returns the median of sorted s.
func median(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Markdown writes the result as a section: the title, the notes, the table
// of medians with the two ratio columns, then the spread of each cell.
func (res *Result) Markdown(w io.Writer) {
	t := res.Table
	ours, ref := -1, -1
	for i, c := range t.Columns {
		switch c.Role {
		case Ours:
			ours = i
		case Reference:
			ref = i
		}
	}

	fmt.Fprintf(w, "## %s\n\n", t.Title)
	for _, n := range t.Notes {
		fmt.Fprintf(w, "%s\n\n", n)
	}

	hdr := []string{t.RowHeader}
	for _, c := range t.Columns {
		hdr = append(hdr, heading(c))
	}
	hdr = append(hdr, t.Columns[ours].Name+" vs best peer")
	if ref >= 0 {
		hdr = append(hdr, t.Columns[ours].Name+" vs "+t.Columns[ref].Name)
	}
	writeRow(w, hdr)
	writeRule(w, len(hdr))
	for i, row := range t.Rows {
		cells := res.Cells[i]
		line := []string{row.Label}
		for _, c := range cells {
			line = append(line, formatCell(c, t.Metrics))
		}
		line = append(line, bestPeer(t.Columns, cells, ours))
		if ref >= 0 {
			line = append(line, ratio(cells[ref], cells[ours]))
		}
		writeRow(w, line)
	}
	fmt.Fprintf(w, "\nRatios are the other's median time over %s's: above 1 means %s is faster.\n\n",
		t.Columns[ours].Name, t.Columns[ours].Name)

	fmt.Fprintf(w, "Spread of the %d rounds, (max − min) / median:\n\n", res.Rounds)
	hdr = []string{t.RowHeader}
	for _, c := range t.Columns {
		hdr = append(hdr, c.Name)
	}
	writeRow(w, hdr)
	writeRule(w, len(hdr))
	for i, row := range t.Rows {
		line := []string{row.Label}
		for _, c := range res.Cells[i] {
			if c.Runs == 0 {
				line = append(line, "—")
				continue
			}
			line = append(line, fmt.Sprintf("%.1f%%", 100*(c.Max-c.Min)/c.Median))
		}
		writeRow(w, line)
	}

	allocated := false
	for i := range t.Rows {
		for _, c := range res.Cells[i] {
			allocated = allocated || c.AllocsPerOp > 0
		}
	}
	if !allocated {
		fmt.Fprintf(w, "\nNo implementation allocated (0 allocs/op in every cell).\n\n")
		return
	}
	fmt.Fprintf(w, "\nAllocations per op, the most of any round (bytes in parentheses):\n\n")
	writeRow(w, hdr)
	writeRule(w, len(hdr))
	for i, row := range t.Rows {
		line := []string{row.Label}
		for _, c := range res.Cells[i] {
			switch {
			case c.Runs == 0:
				line = append(line, "—")
			case c.AllocsPerOp == 0:
				line = append(line, "0")
			default:
				line = append(line, fmt.Sprintf("%d (%s)", c.AllocsPerOp, formatBytes(c.BytesPerOp)))
			}
		}
		writeRow(w, line)
	}
	fmt.Fprintln(w)
}

// formatBytes gives a byte count in B, KiB or MiB.
func formatBytes(n int64) string {
	switch {
	case n < 10<<10:
		return fmt.Sprintf("%d B", n)
	case n < 10<<20:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	}
}

func heading(c Column) string {
	if c.Detail == "" {
		return c.Name
	}
	return c.Name + "<br>" + c.Detail
}

func writeRow(w io.Writer, cells []string) {
	fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
}

func writeRule(w io.Writer, n int) {
	fmt.Fprintf(w, "|%s\n", strings.Repeat("---:|", n))
}

// formatCell gives the median time and, when the benchmark set a byte
// count, the throughput in GB/s (10⁹ bytes per second, one byte per ns),
// then the metrics the benchmark reported.
func formatCell(c Cell, metrics []Metric) string {
	if c.Runs == 0 {
		return "—"
	}
	s := formatNs(c.Median)
	if c.Bytes > 0 {
		s += " · " + formatGBs(float64(c.Bytes)/c.Median)
	}
	for _, m := range metrics {
		for _, unit := range m.Units {
			if v, ok := c.Extra[unit]; ok {
				s += " · " + m.Format(v)
				break
			}
		}
	}
	return s
}

func formatNs(ns float64) string {
	switch {
	case ns < 10:
		return fmt.Sprintf("%.2f ns", ns)
	case ns < 1e3:
		return fmt.Sprintf("%.1f ns", ns)
	case ns < 1e4:
		return fmt.Sprintf("%.2f µs", ns/1e3)
	case ns < 1e6:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	default:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	}
}

func formatGBs(g float64) string {
	switch {
	case g < 1:
		return fmt.Sprintf("%.0f MB/s", g*1e3)
	case g < 10:
		return fmt.Sprintf("%.2f GB/s", g)
	default:
		return fmt.Sprintf("%.1f GB/s", g)
	}
}

// ratio is other's time over ours: above 1 when ours is faster.
func ratio(other, ours Cell) string {
	if other.Runs == 0 || ours.Runs == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", other.Median/ours.Median)
}

// bestPeer is the ratio against the fastest peer on the row, naming it.
func bestPeer(cols []Column, cells []Cell, ours int) string {
	best := -1
	for i, c := range cells {
		if cols[i].Role == Peer && c.Runs > 0 && (best < 0 || c.Median < cells[best].Median) {
			best = i
		}
	}
	if best < 0 {
		return "—"
	}
	return ratio(cells[best], cells[ours]) + " (" + cols[best].Name + ")"
}
