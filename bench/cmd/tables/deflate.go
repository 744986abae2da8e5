package main

import (
	"fmt"

	"github.com/wsframe/wsframe/bench/internal/frames"
	"github.com/wsframe/wsframe/bench/internal/table"
)

func deflateTables() []*table.Table {
	servers := frames.DeflateServers()
	var cols []table.Column
	for _, s := range servers {
		cols = append(cols, table.Column{Name: s.Name, Detail: s.Detail, Role: role(s.Name, s.Alt)})
	}
	var rows []table.Row
	for _, c := range frames.DeflateCases() {
		r := table.Row{Label: c.Label}
		for _, s := range servers {
			r.Bench = append(r.Bench, c.Bench(s))
		}
		rows = append(rows, r)
	}
	return []*table.Table{{
		Name:  "deflate-echo",
		Group: "deflate",
		Title: "Echoing compressed text messages",
		Notes: []string{
			"What a compressing server does for one message, with permessage-deflate negotiated without context " +
				"takeover on either side (`client_no_context_takeover; server_no_context_takeover`): one compressed, " +
				"masked client text message of JSON-like records from a small vocabulary, read, unmasked, inflated and " +
				"checked to be UTF-8, and the same text sent back as one compressed server frame to a sink that " +
				"discards it. Each cell is the median time per message, the throughput of the uncompressed payload " +
				"and the bytes of each reply on the wire. Every library compresses at flate.BestSpeed (level 1), its " +
				"default; gws uses klauspost/compress's flate, the others compress/flate. The \"wsframe klauspost\" column is " +
				"wsframe with `Encoder.Flate` and `MessageDecoder.Flate` set to klauspost/compress's flate (v1.17.9, the " +
				"version gws pulls in), which wsframe's own module does not depend on.",
			"wsframe copies the frame into a reused buffer, as a read from a socket would, and hands it to a " +
				"`codec.MessageDecoder` with `Inflate`, then appends the reply with `Encoder.AppendMessage` with " +
				"`Compress` into a reused buffer. gobwas has no connection type: its column copies the frame the same " +
				"way and does what its low-level API asks, `ws.ReadHeader`, `ws.Cipher`, a reused `wsflate.Reader` " +
				"over flate's reader into a reused buffer, `utf8.Valid`, a reused `wsflate.Writer` and " +
				"`ws.WriteHeader`. gorilla (`Upgrader{EnableCompression: true}`), coder (`Accept` with " +
				"`CompressionNoContextTakeover`) and gws (`PermessageDeflate` with neither side's context takeover) " +
				"negotiate the extension in their own upgrade over a fake connection whose socket serves the one " +
				"client frame again and again, in reads of up to 64 KiB, with 64 KiB read buffers; gws reads in its " +
				"read loop and replies from `OnMessage`.",
			"‡ gorilla and coder do not check that text messages are UTF-8; their columns call `utf8.Valid` on " +
				"each message, as their users must to get the same guarantee.",
			"Before anything is timed every server answers three messages of each size; each reply must be one " +
				"unmasked compressed text frame that wsframe's client decoder inflates to the message sent, and the " +
				"upgrade response must accept permessage-deflate.",
		},
		RowHeader: "message",
		Columns:   cols,
		Rows:      rows,
		Metrics:   []table.Metric{{Units: []string{"reply-B/op"}, Format: func(v float64) string { return fmt.Sprintf("%.0f B out", v) }}},
		Check:     frames.VerifyDeflate,
	}}
}
