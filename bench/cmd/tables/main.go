// Command tables measures wsframe against the other Go WebSocket libraries
// and prints the comparison as markdown tables.
//
// Every case runs every implementation once per round, in one process, the
// order rotating from round to round, and each cell shows the median over
// the rounds (see package table). Before a table is timed its check runs
// every implementation against a reference, and a wrong one stops the run.
//
// The tables go to standard output, progress to standard error, and the
// tables with a description of the machine to <out>/latest.md and a copy
// named after the date.
//
// Usage:
//
//	tables [-rounds n] [-benchtime d] [-only table,group,...] [-out dir] [-list]
//	       [-e2e-time d] [-e2e-rounds n] [-e2e-conns n] [-idle-conns n] [-idle-deflate=false]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/wsframe/wsframe/bench/internal/table"
)

// allTables lists every table in the order they run.
func allTables() []*table.Table {
	var ts []*table.Table
	ts = append(ts, maskTables()...)
	ts = append(ts, decodeTables()...)
	ts = append(ts, encodeTables()...)
	ts = append(ts, deflateTables()...)
	ts = append(ts, e2eTables()...)
	return ts
}

func main() {
	fs := flag.NewFlagSet("tables", flag.ExitOnError)
	rounds := fs.Int("rounds", 9, "rounds per case; each cell is the median over them")
	benchtime := fs.String("benchtime", "50ms", "time (or count, e.g. 1000x) for each run of one implementation on one case")
	only := fs.String("only", "", "comma-separated tables or groups to run; all if empty (see -list)")
	out := fs.String("out", "results", "directory for latest.md and the dated copy; empty writes no file")
	list := fs.Bool("list", false, "list the tables and exit")
	e2eOpt.register(fs)
	fs.Parse(os.Args[1:])

	tables := allTables()
	if *list {
		for _, t := range tables {
			fmt.Printf("%-14s group %-6s %s\n", t.Name, t.Group, t.Title)
		}
		return
	}
	selected, err := selectTables(tables, *only)
	if err != nil {
		fatal(err)
	}
	opt := table.Options{Rounds: *rounds, Benchtime: *benchtime, Progress: os.Stderr}
	if err := opt.Validate(); err != nil {
		fatal(err)
	}

	for _, t := range selected {
		if t.Check == nil {
			continue
		}
		fmt.Fprintf(os.Stderr, "%s: checking every implementation against the reference\n", t.Name)
		if err := t.Check(); err != nil {
			fatal(fmt.Errorf("%s: an implementation gives wrong output, nothing was timed:\n%v", t.Name, err))
		}
	}

	start := time.Now()
	m := describeMachine()
	var body bytes.Buffer
	w := io.MultiWriter(os.Stdout, &body)
	for i, t := range selected {
		fmt.Fprintf(os.Stderr, "table %d/%d: %s\n", i+1, len(selected), t.Name)
		if err := table.Render(t, opt, w); err != nil {
			fatal(err)
		}
	}
	elapsed := time.Since(start)

	if *out == "" {
		return
	}
	var doc bytes.Buffer
	writeHeader(&doc, m, runInfo{
		tables:    selected,
		rounds:    *rounds,
		benchtime: *benchtime,
		elapsed:   elapsed,
	})
	doc.Write(body.Bytes())
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fatal(err)
	}
	dated := filepath.Join(*out, m.date.Format("2006-01-02T150405Z")+".md")
	for _, name := range []string{filepath.Join(*out, "latest.md"), dated} {
		if err := os.WriteFile(name, doc.Bytes(), 0o644); err != nil {
			fatal(err)
		}
	}
	fmt.Fprintf(os.Stderr, "wrote %s and %s in %s\n", filepath.Join(*out, "latest.md"), dated, elapsed.Round(time.Second))
}

// selectTables returns the tables named, or in a group named, in only, a
// comma-separated list; all of them when only is empty.
func selectTables(tables []*table.Table, only string) ([]*table.Table, error) {
	if only == "" {
		return tables, nil
	}
	names := strings.Split(only, ",")
	var sel []*table.Table
	for _, t := range tables {
		if slices.Contains(names, t.Name) || slices.Contains(names, t.Group) {
			sel = append(sel, t)
		}
	}
	for _, n := range names {
		if !slices.ContainsFunc(tables, func(t *table.Table) bool { return t.Name == n || t.Group == n }) {
			return nil, fmt.Errorf("-only: no table or group %q (see -list)", n)
		}
	}
	return sel, nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "tables:", err)
	os.Exit(1)
}
