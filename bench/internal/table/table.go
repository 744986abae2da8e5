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
	// Check, if set, runs before the table is measured; an error stops the
	// run, so a wrong implementation is never timed.
	Check func() error
}

// Cell is the measurement of one column on one row.
type Cell struct {
	Runs        int     // rounds measured; 0 if the column has no benchmark
	Median      float64 // ns/op
	Min, Max    float64 // ns/op
	Bytes       int64   // bytes per op given to SetBytes
	AllocsPerOp int64   // the largest over the rounds
	BytesPerOp  int64   // allocated, the largest over the rounds
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

// Run measures t as opt says.
func Run(t *Table, opt Options) (*Result, error) {
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
		}
		res.Cells[i] = cells
	}
	res.Elapsed = time.Since(start)
	fmt.Fprintf(progress, "%s: done in %s\n", t.Name, res.Elapsed.Round(time.Second))
	return res, nil
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
			line = append(line, formatCell(c))
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

	var allocs []string
	for i, row := range t.Rows {
		for j, c := range res.Cells[i] {
			if c.AllocsPerOp > 0 {
				allocs = append(allocs, fmt.Sprintf("%s on %s: %d allocs/op, %d B/op", t.Columns[j].Name, row.Label, c.AllocsPerOp, c.BytesPerOp))
			}
		}
	}
	if len(allocs) == 0 {
		fmt.Fprintf(w, "\nNo implementation allocated (0 allocs/op in every cell).\n\n")
	} else {
		fmt.Fprintf(w, "\nAllocations:\n\n")
		for _, a := range allocs {
			fmt.Fprintf(w, "- %s\n", a)
		}
		fmt.Fprintln(w)
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
// count, the throughput in GB/s (10⁹ bytes per second, one byte per ns).
func formatCell(c Cell) string {
	if c.Runs == 0 {
		return "—"
	}
	s := formatNs(c.Median)
	if c.Bytes > 0 {
		s += " · " + formatGBs(float64(c.Bytes)/c.Median)
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
