package main

import (
	"fmt"

	"github.com/wsframe/wsframe/bench/internal/frames"
	"github.com/wsframe/wsframe/bench/internal/table"
)

// role gives the column role of a library's implementation.
func role(name string, alt bool) table.Role {
	switch {
	case alt:
		return table.Alt
	case name == "wsframe":
		return table.Ours
	}
	return table.Peer
}

const poolNote = "wsframe gathers frames split across reads, and fragmented messages, in buffers from pools " +
	"shared by the whole process. The rows run in increasing size, so each row meets the pools as the rows before " +
	"left them, as a server whose connections carried smaller messages first would; the allocations table shows " +
	"where that costs. A large case run on its own (`go test -bench 'FrameDecode/impl=wsframe/size=1048576'`) " +
	"starts from empty pools. The \"wsframe streamed\" column gathers nothing: frames over 64 KiB come in chunks, " +
	"each a view of the read buffer, so a 1 MiB frame is never in one piece; it is there to show what a server that " +
	"can take a payload in pieces saves."

const socketNote = "The fake socket is an `io.Reader` that serves the stream in reads of up to 64 KiB, " +
	"starting again at its end, as a socket with data waiting does; every library's server side is set up " +
	"with its own upgrade path over a fake `net.Conn` on that reader (gorilla `Upgrader.Upgrade`, coder `Accept`, " +
	"nbio `Upgrader` for a net/http server, through a hijackable fake `http.ResponseWriter`; gws `Upgrader.UpgradeFromConn`). " +
	"gobwas and wsframe read through a 64 KiB buffer (a `bufio.Reader`, a `codec.Reader`), gorilla, coder and gws are " +
	"given 64 KiB read buffers, nbio its default 4 KiB (it moves the unparsed rest of its buffer to the front after " +
	"every frame, so a larger buffer makes small frames slower). gws and nbio read only in a loop that runs until the " +
	"connection ends: for them the socket ends after exactly the frames of the run. nbio's per-message keepalive " +
	"deadline is off. Each library reads into a buffer it reuses, and is given a 16 MiB frame and message limit."

// formatWrites gives writes per message: "1 write", "2 writes".
func formatWrites(v float64) string {
	if v == 1 {
		return "1 write"
	}
	return fmt.Sprintf("%.3g writes", v)
}

func decodeTables() []*table.Table {
	frameCases := frames.FrameCases()
	frameReaders := frames.FrameReaders()
	msgCases := frames.MessageCases()
	msgReaders := frames.MessageReaders()

	// whole adds the read() whole column, the floor of a reader that hands
	// out each frame in one piece.
	columns := func(rs []*frames.Reader, whole bool) []table.Column {
		var cols []table.Column
		for _, r := range rs {
			cols = append(cols, table.Column{Name: r.Name, Detail: r.Detail, Role: role(r.Name, r.Alt)})
		}
		cols = append(cols, table.Column{Name: "read()", Detail: "the same bytes, not decoded", Role: table.Reference})
		if whole {
			cols = append(cols, table.Column{Name: "read() whole", Detail: "the same bytes into a buffer the size of a frame", Role: table.Bound})
		}
		return cols
	}
	rows := func(cases []*frames.DecodeCase, rs []*frames.Reader, whole bool) []table.Row {
		var out []table.Row
		for _, c := range cases {
			r := table.Row{Label: c.Label}
			for _, rd := range rs {
				r.Bench = append(r.Bench, c.Bench(rd))
			}
			r.Bench = append(r.Bench, c.Floor())
			if whole {
				r.Bench = append(r.Bench, c.WholeFloor())
			}
			out = append(out, r)
		}
		return out
	}

	return []*table.Table{
		{
			Name:  "frame-decode",
			Group: "decode",
			Title: "Reading frames from a socket",
			Notes: []string{
				"A stream of masked client binary frames of one payload size, read by a server from a fake socket: " +
					"one op is one frame, its payload unmasked and in the caller's hands. Each cell is the median time " +
					"per frame and the payload throughput. The read() column reads the same bytes from the same socket " +
					"into a 64 KiB buffer and decodes nothing; read() whole reads them into a buffer the size of a frame, " +
					"which is where a reader that hands out whole frames must put them, so it is the least such a reader " +
					"can take (a 1 MiB buffer does not fit this CPU's L2 cache).",
				socketNote,
				poolNote,
				"Before anything is timed every reader reads each stream round past its end and each payload is " +
					"compared with the one sent.",
			},
			RowHeader: "payload",
			Columns:   columns(frameReaders, true),
			Rows:      rows(frameCases, frameReaders, true),
			Check:     frames.VerifyFrames,
		},
		{
			Name:  "message-decode",
			Group: "decode",
			Title: "Reading text messages from a socket",
			Notes: []string{
				fmt.Sprintf("Masked client text messages, whole or in 4 frames, read by a server from the same fake socket: "+
					"one op is one message, joined if fragmented and checked to be UTF-8 (JSON-like text, %.0f%% ASCII bytes, "+
					"with 2-, 3- and 4-byte characters, which fragments cut). The `wsframe frames` column reads "+
					"the same frames with `codec.Reader` and neither joins nor checks them.", 100*frames.TextASCII()),
				"‡ gorilla and coder do not check that text messages are UTF-8; their columns call `utf8.Valid` on " +
					"each message, as their users must to get the same guarantee.",
				socketNote,
				poolNote,
				"Before anything is timed every reader's messages are compared with those sent, and every reader " +
					"must refuse a text message with an invalid byte, whole and in 4 frames.",
			},
			RowHeader: "message",
			Columns:   columns(msgReaders, false),
			Rows:      rows(msgCases, msgReaders, false),
			Check:     frames.VerifyMessages,
		},
	}
}

func encodeTables() []*table.Table {
	cases := frames.EncodeCases()
	writers := frames.Writers()
	var cols []table.Column
	for _, w := range writers {
		cols = append(cols, table.Column{Name: w.Name, Detail: w.Detail, Role: role(w.Name, w.Alt)})
	}
	cols = append(cols, table.Column{Name: "copy()", Detail: "the payload into a buffer, one write", Role: table.Reference})
	var rows []table.Row
	for _, c := range cases {
		r := table.Row{Label: c.Label}
		for _, w := range writers {
			r.Bench = append(r.Bench, c.Bench(w))
		}
		r.Bench = append(r.Bench, c.CopyRef())
		rows = append(rows, r)
	}

	hcases := frames.HeaderCases()
	hwriters := frames.HeaderWriters()
	var hcols []table.Column
	for _, w := range hwriters {
		hcols = append(hcols, table.Column{Name: w.Name, Detail: w.Detail, Role: role(w.Name, false)})
	}
	var hrows []table.Row
	for _, c := range hcases {
		r := table.Row{Label: c.Label}
		for _, w := range hwriters {
			r.Bench = append(r.Bench, c.Bench(w))
		}
		hrows = append(hrows, r)
	}

	return []*table.Table{
		{
			Name:  "encode",
			Group: "encode",
			Title: "Writing messages",
			Notes: []string{
				"One binary message per op, sent by a server (unmasked) or a client (masked with a fresh key, the " +
					"caller's payload left as it was) to a sink that discards the bytes and counts the writes. Each cell " +
					"is the median time per message, the payload throughput and the writes per message: the write and " +
					"writev system calls the kernel counts for the sending thread (`/proc/thread-self/io`) when the same " +
					"writer sends 64 messages on a loopback TCP socket, or, where it cannot count them, the `Write` calls " +
					"that reach the sink. They differ where a library writes `net.Buffers`, which a socket takes in one " +
					"writev (gorilla's server above its 4 KiB buffer).",
				"The peers' connections are made by their own upgrade and dial paths over fake connections: gorilla " +
					"`Upgrader.Upgrade` and `Dialer.Dial`, coder `Accept` and `Dial` (through an `http.Client`), gws " +
					"`UpgradeFromConn` and `NewClientFromConn`, nbio's `Upgrader` for a net/http server and " +
					"`NewClientConn`, with nbio's asynchronous write queue off. gorilla and coder get the 4 KiB write " +
					"buffer net/http's server hands over; gorilla's client and coder's split messages larger than their " +
					"buffers into several frames or writes. gobwas has no connection type: its column is the header and " +
					"the payload written one after the other, as its low-level API does it. `wsframe writev` is " +
					"`Encoder.Buffers` given to one writev: a server's header and the caller's payload, uncopied; " +
					"it, not the copying `wsframe` column, is the one to set against gobwas's server, which does not copy either. " +
					"A client's is the header and the payload masked into the start of a reused buffer, as gobwas's client masks " +
					"its copy; the `wsframe` column masks it into place after the header, a few bytes past the payload's " +
					"offset in its page, which made copy() and XORCopy alike 15–40 % slower at 16 KiB with page-aligned " +
					"buffers on AMD Zen 3.",
				"Masking keys: wsframe draws them from crypto/rand 64 at a time, coder from crypto/rand for each " +
					"frame, gobwas, gorilla, gws and nbio from math/rand.",
				"Before anything is timed, three messages from every writer are decoded by wsframe's decoder for the " +
					"other side: each must come back as sent, a client's frames each with a key of its own.",
			},
			RowHeader: "message",
			Columns:   cols,
			Rows:      rows,
			Metrics:   []table.Metric{{Units: []string{"syscalls/op", "writes/op"}, Format: formatWrites}},
			Check:     frames.VerifyEncode,
		},
		{
			Name:  "encode-header",
			Group: "encode",
			Title: "Encoding a frame header",
			Notes: []string{
				"A binary frame's header alone, into a buffer that is reused: wsframe `codec.AppendHeader` appends to " +
					"a byte slice, gobwas writes to an `io.Writer`, here a `bytes.Buffer` that is reset, either with a " +
					"scratch buffer it allocates (`ws.WriteHeader`) or with one the caller reuses " +
					"(`ws.WriteHeaderBuffer`). The other libraries do not export their header encoding.",
				"Before anything is timed every encoder must write the same bytes, which must decode to the header given.",
			},
			RowHeader: "header",
			Columns:   hcols,
			Rows:      hrows,
			Check:     frames.VerifyHeaders,
		},
	}
}
