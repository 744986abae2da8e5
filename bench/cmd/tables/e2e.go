package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/wsframe/wsframe/bench/internal/e2e"
	"github.com/wsframe/wsframe/bench/internal/frames"
	"github.com/wsframe/wsframe/bench/internal/table"
)

// e2eOptions are the flags of the echo-e2e table.
type e2eOptions struct {
	time   time.Duration // per server and message size, over all rounds
	rounds int
	conns  int
	idle   int // idle connections; 0 skips the measurement
	// idleDeflate adds the idle measurement with permessage-deflate.
	idleDeflate bool
}

var e2eOpt = e2eOptions{time: 3 * time.Second, rounds: 3, conns: 32, idle: 10000, idleDeflate: true}

// idleText is the length of the text message each idle compressed
// connection has echoed before it idles.
const idleText = 1 << 10

func (o *e2eOptions) register(fs *flag.FlagSet) {
	fs.DurationVar(&o.time, "e2e-time", o.time, "echo-e2e: load time per server and message size, split over the rounds")
	fs.IntVar(&o.rounds, "e2e-rounds", o.rounds, "echo-e2e: rounds, each running every server in turn")
	fs.IntVar(&o.conns, "e2e-conns", o.conns, "echo-e2e: client connections doing round trips at once")
	fs.IntVar(&o.idle, "idle-conns", o.idle, "echo-e2e: idle connections per server for the memory measurement; 0 skips it")
	fs.BoolVar(&o.idleDeflate, "idle-deflate", o.idleDeflate, "echo-e2e: measure the idle memory again with permessage-deflate "+
		"negotiated and one compressed message echoed per connection")
}

// e2eSizes are the message sizes of the echo round trips.
var e2eSizes = []int{16, 4 << 10}

func e2eTables() []*table.Table {
	return []*table.Table{{
		Name:    "echo-e2e",
		Group:   "e2e",
		Title:   "Echo servers over loopback",
		Measure: measureE2E,
	}}
}

func measureE2E(opt table.Options, w io.Writer) error {
	o := e2eOpt
	if o.rounds < 1 || o.conns < 1 || o.time <= 0 || o.idle < 0 {
		return fmt.Errorf("echo-e2e: -e2e-rounds, -e2e-conns and -e2e-time must be positive, -idle-conns not negative")
	}
	progress := opt.Progress
	if progress == nil {
		progress = io.Discard
	}
	dir, err := os.MkdirTemp("", "wsframe-e2e-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Fprintf(progress, "echo-e2e: building the servers into %s\n", dir)
	if err := e2e.Build(dir); err != nil {
		return err
	}
	servers := e2e.Servers(dir)
	zservers := e2e.DeflateServers(dir)
	defer func() {
		for _, s := range append(servers, zservers...) {
			s.Stop()
		}
	}()

	// Every server runs throughout, idle while the others are measured, so
	// that each round can take them in turn.
	for _, s := range servers {
		if err := s.Start(); err != nil {
			return err
		}
	}
	start := time.Now()
	per := o.time / time.Duration(o.rounds)
	loads := make([][]*e2e.Load, len(servers)) // [server][size], merged over rounds
	rates := make([][][]float64, len(servers)) // [server][size][round]
	for i := range servers {
		loads[i] = make([]*e2e.Load, len(e2eSizes))
		rates[i] = make([][]float64, len(e2eSizes))
		for j := range e2eSizes {
			loads[i][j] = &e2e.Load{}
		}
	}
	for r := range o.rounds {
		for k := range servers {
			i := (k + r) % len(servers)
			s := servers[i]
			for j, size := range e2eSizes {
				fmt.Fprintf(progress, "echo-e2e: round %d/%d, %s, %s messages, %d connections for %s\n",
					r+1, o.rounds, s.Name, frames.SizeLabel(size), o.conns, per)
				l, err := e2e.Run(s.Addr(), o.conns, e2e.Payload(size), per, 0, nil)
				if err != nil {
					return fmt.Errorf("echo-e2e: %s, %s messages: %v", s.Name, frames.SizeLabel(size), err)
				}
				rates[i][j] = append(rates[i][j], l.Rate())
				loads[i][j].Add(l)
			}
		}
	}
	for _, s := range servers {
		s.Stop()
	}
	loadTime := time.Since(start)

	var idle []*e2e.Idle
	idleSkip := ""
	if o.idle > 0 {
		if err := e2e.RaiseNofile(o.idle + 256); err != nil {
			idleSkip = err.Error()
			fmt.Fprintf(progress, "echo-e2e: idle memory skipped: %s\n", idleSkip)
		}
	} else {
		idleSkip = "-idle-conns 0"
	}
	if idleSkip == "" {
		for _, s := range servers {
			fmt.Fprintf(progress, "echo-e2e: %s: %d idle connections\n", s.Name, o.idle)
			if err := s.Start(); err != nil {
				return err
			}
			m, err := e2e.IdleMemory(s, o.idle, progress)
			s.Stop()
			if err != nil {
				return fmt.Errorf("echo-e2e: idle memory of %s: %v", s.Name, err)
			}
			idle = append(idle, m)
		}
	}

	z := idleDeflate{servers: zservers, skip: idleSkip}
	if z.skip == "" && !o.idleDeflate {
		z.skip = "-idle-deflate=false"
	}
	if z.skip == "" {
		for _, s := range zservers {
			size := idleText
			if s.IdleText > 0 {
				size = s.IdleText
			}
			fmt.Fprintf(progress, "echo-e2e: %s with permessage-deflate: %d idle connections, each after one compressed %s echo\n",
				s.Label(), o.idle, frames.SizeLabel(size))
			if err := s.Start(); err != nil {
				return err
			}
			m, err := e2e.IdleDeflateMemory(s, o.idle, e2e.Text(size), progress)
			s.Stop()
			if err != nil {
				return fmt.Errorf("echo-e2e: idle memory of %s with permessage-deflate: %v", s.Label(), err)
			}
			fmt.Fprintf(progress, "echo-e2e: %s negotiated %q\n", s.Label(), m.Deflate.Response)
			z.idle = append(z.idle, m)
		}
	}

	writeE2E(w, o, servers, rates, loads, loadTime, idle, idleSkip, z)
	return nil
}

// idleDeflate is the idle measurement with permessage-deflate: the
// servers of e2e.DeflateServers and their figures, or why there are none.
type idleDeflate struct {
	servers []*e2e.Server
	idle    []*e2e.Idle
	skip    string
}

func writeE2E(w io.Writer, o e2eOptions, servers []*e2e.Server, rates [][][]float64, loads [][]*e2e.Load,
	loadTime time.Duration, idle []*e2e.Idle, idleSkip string, z idleDeflate) {
	fmt.Fprintf(w, "## Echo servers over loopback\n\n")
	fmt.Fprintf(w, "Each server is a child process listening on 127.0.0.1. %d client connections, all in the process "+
		"that measures, each send a binary message, wait for its echo and check it, over and over: %s per server "+
		"and message size, in %d rounds that take the servers in turn, one further along each round. "+
		"Every server is measured with the same client, wsframe's `handshake` and `codec` "+
		"(`Encoder{Client: true}`, `Reader`) over `net.Conn`. Client and servers share the machine's CPUs. "+
		"Round trips per second are the median of the rounds; the latencies are percentiles over every round trip "+
		"of every round. The load took %s.\n\n",
		o.conns, o.time, o.rounds, loadTime.Round(time.Second))
	hdr := []string{"server"}
	for _, size := range e2eSizes {
		l := frames.SizeLabel(size)
		hdr = append(hdr, l+" msg/s", l+" p50", l+" p99")
	}
	for _, s := range servers {
		fmt.Fprintf(w, "- %s: %s\n", s.Name, s.Detail)
	}
	fmt.Fprintln(w)
	row(w, hdr)
	rule(w, len(hdr))
	for i, s := range servers {
		line := []string{s.Name}
		for j := range e2eSizes {
			l := loads[i][j]
			line = append(line, formatRate(medianOf(rates[i][j])), formatDur(l.Percentile(0.5)), formatDur(l.Percentile(0.99)))
		}
		row(w, line)
	}
	fmt.Fprintln(w)
	for j, size := range e2eSizes {
		best, bestRate := "", 0.0
		for i, s := range servers {
			if r := medianOf(rates[i][j]); !s.Ours && r > bestRate {
				best, bestRate = s.Name, r
			}
		}
		var parts []string
		for i, s := range servers {
			if s.Ours {
				parts = append(parts, fmt.Sprintf("%s %.2f×", s.Name, medianOf(rates[i][j])/bestRate))
			}
		}
		fmt.Fprintf(w, "- %s messages, round trips per second against the best peer (%s): %s.\n",
			frames.SizeLabel(size), best, strings.Join(parts, ", "))
	}
	fmt.Fprintf(w, "\nSpread of the %d rounds' round trips per second, (max − min) / median:\n\n", o.rounds)
	hdr = []string{"server"}
	for _, size := range e2eSizes {
		hdr = append(hdr, frames.SizeLabel(size))
	}
	row(w, hdr)
	rule(w, len(hdr))
	for i, s := range servers {
		line := []string{s.Name}
		for j := range e2eSizes {
			v := slices.Clone(rates[i][j])
			slices.Sort(v)
			line = append(line, fmt.Sprintf("%.1f%%", 100*(v[len(v)-1]-v[0])/medianOf(v)))
		}
		row(w, line)
	}

	fmt.Fprintf(w, "\n## Memory per idle connection\n\n")
	if idleSkip != "" {
		fmt.Fprintf(w, "Not measured: %s.\n\n", idleSkip)
		writeIdleDeflate(w, o, servers, idle, z)
		return
	}
	fmt.Fprintf(w, "Each server is started afresh; %d connections are opened and upgraded (by %d dialers at once, "+
		"the same client as above), then left idle. The server's resident set (VmRSS in /proc/PID/status) is read "+
		"%s after it started and %s after the last connection was upgraded; the table gives the growth divided by "+
		"the connections. It includes what the server allocated for the upgrades and has not returned to the OS yet, "+
		"not the kernel's socket memory. The connections are then reset.\n\n",
		o.idle, e2e.Dialers, time.Second, time.Second)
	hdr = []string{"server", "RSS before", "RSS with the connections", "per connection", "open and upgrade"}
	row(w, hdr)
	rule(w, len(hdr))
	for i, s := range servers {
		m := idle[i]
		row(w, []string{s.Name, formatMiB(m.Before), formatMiB(m.After),
			formatKiB(m.PerConn()), m.Setup.Round(10 * time.Millisecond).String()})
	}
	fmt.Fprintln(w)
	writeIdleDeflate(w, o, servers, idle, z)
}

// writeIdleDeflate writes the table of the idle memory with
// permessage-deflate, beside each server's uncompressed figure.
func writeIdleDeflate(w io.Writer, o e2eOptions, servers []*e2e.Server, idle []*e2e.Idle, z idleDeflate) {
	fmt.Fprintf(w, "## Memory per idle compressed connection\n\n")
	if z.skip != "" {
		fmt.Fprintf(w, "Not measured: %s.\n\n", z.skip)
		return
	}
	fmt.Fprintf(w, "The measurement above again, with every server started afresh with permessage-deflate on, "+
		"configured as listed below. Each of the %d connections offers `Sec-WebSocket-Extensions: %s` "+
		"(no parameters: context takeover on either side is the server's choice; no `client_max_window_bits`, "+
		"which would let the server shrink the window of the client's compress/flate below 15 bits). Every 101 "+
		"response must accept the extension with parameters allowed in answer to that offer "+
		"(`handshake.DeflateResponse`), and every connection to a server must negotiate the same; a server "+
		"that does not is an error, not a figure. Each connection then sends one %s text message (unless its line below says otherwise) of JSON-like "+
		"records, compressed with RSV1 by wsframe's client encoder (`Encoder{Client: true, Compress: true}`, "+
		"no context takeover, which is valid under every negotiation), and reads the echo, which must come "+
		"back compressed and inflate to the same text (`MessageDecoder{Inflate: true}`); then it idles. A "+
		"server that makes its flate state on the first message and keeps it holds it from then on. "+
		"\"negotiated\" is the response's `Sec-WebSocket-Extensions` as sent; \"context takeover\" says whether "+
		"the server and the client keep their compression context between messages under it (no: "+
		"`server_no_context_takeover`, `client_no_context_takeover`). \"uncompressed\" is the server's figure "+
		"in the table above; the setup time includes the echoes.\n\n",
		o.idle, e2e.DeflateOffer, frames.SizeLabel(idleText))
	for _, s := range z.servers {
		fmt.Fprintf(w, "- %s: %s\n", s.Label(), s.Deflate)
	}
	fmt.Fprintln(w)
	plain := map[string]*e2e.Idle{}
	for i, s := range servers {
		if i < len(idle) {
			plain[s.Name] = idle[i]
		}
	}
	hdr := []string{"server", "negotiated", "context takeover (server / client)", "RSS before", "RSS with the connections",
		"per connection", "uncompressed", "difference", "open, upgrade and echo"}
	row(w, hdr)
	rule(w, len(hdr))
	yesNo := func(no bool) string {
		if no {
			return "no"
		}
		return "yes"
	}
	for _, s := range servers {
		found := false
		for i, zs := range z.servers {
			if zs.Name != s.Name {
				continue
			}
			found = true
			m := z.idle[i]
			d := m.Deflate
			line := []string{zs.Label(), "`" + d.Response + "`",
				yesNo(d.Params.ServerNoContextTakeover) + " / " + yesNo(d.Params.ClientNoContextTakeover),
				formatMiB(m.Before), formatMiB(m.After), formatKiB(m.PerConn())}
			if p := plain[s.Name]; p != nil {
				line = append(line, formatKiB(p.PerConn()), fmt.Sprintf("%+.1f KiB", (m.PerConn()-p.PerConn())/1024))
			} else {
				line = append(line, "–", "–")
			}
			row(w, append(line, m.Setup.Round(10*time.Millisecond).String()))
		}
		if !found {
			line := []string{s.Name, "n/a: no permessage-deflate", "n/a", "n/a", "n/a", "n/a"}
			if p := plain[s.Name]; p != nil {
				line = append(line, formatKiB(p.PerConn()))
			} else {
				line = append(line, "–")
			}
			row(w, append(line, "n/a", "n/a"))
		}
	}
	fmt.Fprintln(w)
}

func medianOf(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func formatRate(r float64) string {
	if r >= 1e4 {
		return fmt.Sprintf("%.1f k", r/1e3)
	}
	return fmt.Sprintf("%.0f", r)
}

func formatDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/1e3)
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	}
}

func formatMiB(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func formatKiB(b float64) string { return fmt.Sprintf("%.1f KiB", b/1024) }

func row(w io.Writer, cells []string) { fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | ")) }

func rule(w io.Writer, n int) { fmt.Fprintf(w, "|%s\n", strings.Repeat("---:|", n)) }
