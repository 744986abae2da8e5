package main

import (
	"testing"

	"github.com/wsframe/wsframe/bench/internal/masks"
	"github.com/wsframe/wsframe/bench/internal/table"
)

const linknameNote = "† the library's unexported kernel, reached with `//go:linkname` " +
	"(gws's `MaskXOR` is exported, but from its `internal` package): " +
	"no user of that library can call it directly. coder's `mask` and gws's and nbio's kernels take the key " +
	"already rotated to the start position; for the `pos=` rows it is rotated once, outside the timed loop."

const casesNote = "Rows are payload lengths in bytes, starting on a 64-byte boundary at key position 0; " +
	"`off=` rows start that many bytes past the boundary, `pos=` rows at that key position. " +
	"Each cell is the median time per call and the throughput."

func maskTables() []*table.Table {
	impls := masks.Impls()
	cases := masks.Cases()

	columns := func(fn func(*masks.Impl) string) []table.Column {
		var cols []table.Column
		for _, im := range impls {
			c := table.Column{Name: im.Name, Detail: "`" + fn(im) + "`"}
			if im.Linkname {
				c.Detail += " †"
			}
			if im.Name == "wsframe" {
				c.Role = table.Ours
			}
			cols = append(cols, c)
		}
		return append(cols, table.Column{Name: "copy()", Role: table.Reference})
	}
	rows := func(bench func(*masks.Case, *masks.Impl) func(*testing.B)) []table.Row {
		var rs []table.Row
		for _, c := range cases {
			r := table.Row{Label: c.Label}
			for _, im := range impls {
				r.Bench = append(r.Bench, bench(c, im))
			}
			r.Bench = append(r.Bench, c.CopyRef())
			rs = append(rs, r)
		}
		return rs
	}

	return []*table.Table{
		{
			Name:  "mask-xor",
			Group: "mask",
			Title: "Masking in place",
			Notes: []string{
				"Unmasking a received payload where it lies: wsframe `mask.XOR` against each peer's in-place mask. " +
					"The copy() column moves the same number of bytes between two buffers, for scale.",
				casesNote,
				linknameNote,
			},
			RowHeader: "bytes",
			Columns:   columns(func(im *masks.Impl) string { return im.XORFunc }),
			Rows:      rows((*masks.Case).XOR),
			Check:     masks.Verify,
		},
		{
			Name:  "mask-copy",
			Group: "mask",
			Title: "Masking into another buffer",
			Notes: []string{
				"Masking a payload into an output buffer and leaving the source untouched, as a client does when it sends: " +
					"wsframe `mask.XORCopy` does it in one pass. The peers have no such function, " +
					"so theirs is `copy()` into the buffer followed by their in-place mask, which is what their writers do. " +
					"The copy() column alone is the limit.",
				casesNote,
				linknameNote,
			},
			RowHeader: "bytes",
			Columns:   columns(func(im *masks.Impl) string { return im.CopyFunc }),
			Rows:      rows((*masks.Case).Copy),
			Check:     masks.Verify,
		},
	}
}
