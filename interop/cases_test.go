package interop

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// payloadSpec describes a payload that every peer builds for itself: Text
// repeated Repeat times, the bytes Text gives in hex, or Size bytes of a
// xorshift32 stream (see random).
// The scripts implement the same two generators (peers/js/cases.mjs,
// peers/python/cases.py) and report the SHA-256 of what they built, which
// the tests compare with the Go one.
type payloadSpec struct {
	Kind   string `json:"kind"` // "text", "hex" or "random"
	Text   string `json:"text,omitempty"`
	Repeat int    `json:"repeat,omitempty"`
	Size   int    `json:"size,omitempty"`
	Seed   uint32 `json:"seed,omitempty"`
}

func text(s string, repeat int) *payloadSpec {
	return &payloadSpec{Kind: "text", Text: s, Repeat: repeat}
}

func random(size int, seed uint32) *payloadSpec {
	return &payloadSpec{Kind: "random", Size: size, Seed: seed}
}

func raw(b []byte) *payloadSpec {
	return &payloadSpec{Kind: "hex", Text: hex.EncodeToString(b)}
}

func (p *payloadSpec) bytes() []byte {
	switch p.Kind {
	case "text":
		return []byte(strings.Repeat(p.Text, p.Repeat))
	case "hex":
		b, err := hex.DecodeString(p.Text)
		if err != nil {
			panic(err)
		}
		return b
	}
	return randomBytes(p.Size, p.Seed)
}

// randomBytes returns size bytes of the xorshift32 stream (shifts 13, 17,
// 5) started at seed, each 32-bit state written little-endian.
func randomBytes(size int, seed uint32) []byte {
	b := make([]byte, (size+3)&^3)
	x := seed
	for i := 0; i < len(b); i += 4 {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		binary.LittleEndian.PutUint32(b[i:], x)
	}
	return b[:size]
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// caseSpec is one step of a peer's script. Op is "text" or "binary" (send a
// message, expect its echo), "burst" (send Messages back to back, then
// expect their echoes in order), "ping" (expect a pong with the same
// payload), "close" (send Code and Reason, expect the peer's close) or
// "violation" (send Payload, which is not UTF-8, as text and expect the
// peer to close with Code).
type caseSpec struct {
	Name    string       `json:"name"`
	Op      string       `json:"op"`
	Payload *payloadSpec `json:"payload,omitempty"`
	// Frags are the byte lengths of the fragments the message is sent in,
	// covering the payload; none means one frame.
	Frags []int `json:"frags,omitempty"`
	// Ping, if set, is sent between the first and second fragments.
	Ping     *payloadSpec `json:"ping,omitempty"`
	Messages []burstItem  `json:"messages,omitempty"`
	Code     int          `json:"code,omitempty"`
	Reason   string       `json:"reason,omitempty"`
}

type burstItem struct {
	Op      string       `json:"op"`
	Payload *payloadSpec `json:"payload"`
}

// result is what a script reports for one case; Error is set when the
// case failed inside the script.
type result struct {
	Case   string `json:"case"`
	Sent   string `json:"sent"`   // SHA-256 of the payload the script sent
	Op     string `json:"op"`     // opcode of the echo
	Len    int    `json:"len"`    // length of the echo
	Sha256 string `json:"sha256"` // SHA-256 of the echo
	Ops    string `json:"ops"`    // a burst's echo opcodes, t or b each
	Pong   string `json:"pong"`   // SHA-256 of the pong's payload
	Code   int    `json:"code"`   // close code the peer sent
	Reason string `json:"reason"` // close reason the peer sent
	Ms     int    `json:"ms"`     // from sending the close to the connection's end
	Error  string `json:"error"`
	// Extensions is set on the line {"case": "open"} a client script
	// prints first: the extensions the server's response selected.
	Extensions string `json:"extensions"`
}

// features are what a client can be asked to do beyond whole messages.
type features struct {
	fragments bool // send fragmented messages
	midRune   bool // fragment text inside a UTF-8 sequence
	ping      bool // send pings and see pongs
}

var allFeatures = features{fragments: true, midRune: true, ping: true}

// mixed is text with 1-, 2-, 3- and 4-byte UTF-8 sequences.
const mixed = "héllo wörld — ✓ 日本語 🙂 𝄞 "

// echoCases are the cases a client runs against an echo server, ending with
// a close.
func echoCases(f features) []caseSpec {
	cs := []caseSpec{
		{Name: "text", Op: "text", Payload: text("Hello, wsframe", 1)},
		{Name: "text-utf8", Op: "text", Payload: text(mixed, 1)},
		{Name: "text-empty", Op: "text", Payload: text("", 1)},
		{Name: "binary", Op: "binary", Payload: random(300, 1)},
		{Name: "binary-empty", Op: "binary", Payload: random(0, 1)},
		// The payload lengths around the 7-, 16- and 64-bit encodings.
		{Name: "binary-125", Op: "binary", Payload: random(125, 2)},
		{Name: "binary-126", Op: "binary", Payload: random(126, 3)},
		{Name: "binary-65535", Op: "binary", Payload: random(65535, 4)},
		{Name: "binary-65536", Op: "binary", Payload: random(65536, 5)},
		{Name: "text-64k", Op: "text", Payload: text(mixed, 70<<10/len(mixed))},
		{Name: "binary-1m", Op: "binary", Payload: random(1<<20, 6)},
		{Name: "text-1m", Op: "text", Payload: text(mixed, 1<<20/len(mixed)+1)},
		burst(64),
	}
	if f.fragments {
		cs = append(cs,
			caseSpec{Name: "frag-text", Op: "text", Payload: text(mixed, 2), Frags: runeSplit(mixed, 2, 3)},
			caseSpec{Name: "frag-binary", Op: "binary", Payload: random(5000, 7), Frags: []int{1, 0, 2999, 2000}},
			caseSpec{Name: "frag-1m", Op: "binary", Payload: random(1<<20, 8), Frags: even(1<<20, 16)},
		)
		if f.midRune {
			// Every cut inside a multi-byte sequence: 🙂 is 4 bytes.
			u := mixed + "🙂🙂🙂"
			n := len(u)
			cs = append(cs, caseSpec{Name: "frag-text-midrune", Op: "text", Payload: text(u, 1),
				Frags: []int{n - 11, 1, 2, 3, 1, 2, 2}})
		}
		if f.ping {
			cs = append(cs, caseSpec{Name: "frag-ping", Op: "text", Payload: text(mixed, 4),
				Frags: runeSplit(mixed, 4, 2), Ping: text("between fragments", 1)})
		}
	}
	if f.ping {
		cs = append(cs,
			caseSpec{Name: "ping", Op: "ping", Payload: text("ping ✓", 1)},
			caseSpec{Name: "ping-empty", Op: "ping", Payload: random(0, 1)},
			caseSpec{Name: "ping-125", Op: "ping", Payload: random(125, 9)},
		)
	}
	return append(cs, caseSpec{Name: "close", Op: "close", Code: 1000, Reason: "bye"})
}

// smallCases returns the cases whose payloads are at most limit bytes.
func smallCases(cases []caseSpec, limit int) []caseSpec {
	var small []caseSpec
	for _, c := range cases {
		if c.Payload == nil || len(c.Payload.bytes()) <= limit {
			small = append(small, c)
		}
	}
	return small
}

// burst is n messages, text and binary in turn, of sizes from 0 to 4 KiB,
// sent without waiting for their echoes.
func burst(n int) caseSpec {
	c := caseSpec{Name: fmt.Sprintf("burst-%d", n), Op: "burst"}
	for i := 0; i < n; i++ {
		size := i * 613 % 4096
		if i%2 == 0 {
			c.Messages = append(c.Messages, burstItem{"text", text("ü", size/2)})
		} else {
			c.Messages = append(c.Messages, burstItem{"binary", random(size, uint32(i+100))})
		}
	}
	return c
}

// runeSplit returns fragment lengths that cut s repeated r times into n
// pieces at character boundaries.
func runeSplit(s string, r, n int) []int {
	b := []byte(strings.Repeat(s, r))
	var frags []int
	start := 0
	for i := 1; i < n; i++ {
		cut := len(b) * i / n
		for !utf8.RuneStart(b[cut]) {
			cut++
		}
		frags = append(frags, cut-start)
		start = cut
	}
	return append(frags, len(b)-start)
}

// even returns n fragment lengths that cover size.
func even(size, n int) []int {
	frags := make([]int, n)
	for i := range frags {
		frags[i] = size / n
	}
	frags[n-1] += size % n
	return frags
}

// want returns the result a correct echo server gives for c. For a close
// only the code is fixed: the reason of the reply is the server's choice.
func (c caseSpec) want() result {
	r := result{Case: c.Name}
	switch c.Op {
	case "text", "binary":
		p := c.Payload.bytes()
		r.Sent, r.Op, r.Len, r.Sha256 = sha(p), c.Op, len(p), sha(p)
		if c.Ping != nil {
			r.Pong = sha(c.Ping.bytes())
		}
	case "burst":
		var all []byte
		for _, m := range c.Messages {
			all = append(all, m.Payload.bytes()...)
			r.Ops += m.Op[:1]
		}
		r.Sent, r.Len, r.Sha256 = sha(all), len(all), sha(all)
	case "ping":
		p := c.Payload.bytes()
		r.Sent, r.Pong = sha(p), sha(p)
	case "violation":
		r.Sent, r.Code = sha(c.Payload.bytes()), c.Code
	case "close":
		r.Code = c.Code
	}
	return r
}

// invalidUTF8Cases are an echo and then text that stops being UTF-8 in
// its second fragment: "€" cut short by "(".
func invalidUTF8Cases() []caseSpec {
	return []caseSpec{
		{Name: "text", Op: "text", Payload: text("before", 1)},
		{Name: "invalid-utf8", Op: "violation", Payload: raw([]byte("ok \xe2\x82(")), Frags: []int{4, 2}, Code: 1007},
	}
}

// maxCloseMs bounds the close handshake as a client sees it: a server that
// does not end the connection leaves the client to its own timeout, which
// is longer.
const maxCloseMs = 3000

// checkResults compares a script's results with those cases call for.
func checkResults(t *testing.T, cases []caseSpec, got []result) {
	t.Helper()
	for _, g := range got {
		if g.Code != 0 {
			t.Logf("case %q: the peer closed with %d %q after %d ms", g.Case, g.Code, g.Reason, g.Ms)
		}
	}
	for _, p := range resultProblems(cases, got) {
		t.Error(p)
	}
}

// resultProblems lists the differences between got and the results cases
// call for.
func resultProblems(cases []caseSpec, got []result) []string {
	var ps []string
	for i, c := range cases {
		if i >= len(got) {
			return append(ps, fmt.Sprintf("no result for case %q (nor any later case)", c.Name))
		}
		g, w := got[i], c.want()
		switch {
		case g.Error != "":
			return append(ps, fmt.Sprintf("case %q failed in the peer: %s", g.Case, g.Error))
		case g.Sent != w.Sent:
			ps = append(ps, fmt.Sprintf("case %q: the peer built a payload with SHA-256 %s, want %s: its generator differs from the Go one",
				c.Name, g.Sent, w.Sent))
			continue
		}
		if c.Op == "close" || c.Op == "violation" {
			if g.Ms > maxCloseMs {
				ps = append(ps, fmt.Sprintf("case %q: the close took %d ms, want at most %d: the server did not end the connection",
					c.Name, g.Ms, maxCloseMs))
			}
			g.Reason, g.Ms = "", 0
		}
		if g != w {
			ps = append(ps, fmt.Sprintf("case %q:\n got %+v\nwant %+v", c.Name, g, w))
		}
	}
	for _, g := range got[min(len(got), len(cases)):] {
		ps = append(ps, fmt.Sprintf("unexpected result %+v", g))
	}
	return ps
}

// TestResultProblems checks that the comparison catches what a broken peer
// or server does.
func TestResultProblems(t *testing.T) {
	cases := echoCases(allFeatures)
	good := make([]result, len(cases))
	for i, c := range cases {
		good[i] = c.want()
	}
	good[len(good)-1].Reason, good[len(good)-1].Ms = "any reason", 12
	if ps := resultProblems(cases, good); len(ps) != 0 {
		t.Fatalf("correct results reported: %q", ps)
	}
	// edit returns good with f applied to the result of the case called name.
	edit := func(name string, f func(r *result)) []result {
		rs := slices.Clone(good)
		for i := range rs {
			if rs[i].Case == name {
				f(&rs[i])
				return rs
			}
		}
		panic("no case " + name)
	}
	last := len(good) - 1
	for name, rs := range map[string][]result{
		"wrong echo":      edit("binary", func(r *result) { r.Sha256 = sha(nil) }),
		"wrong length":    edit("binary", func(r *result) { r.Len++ }),
		"wrong opcode":    edit("text", func(r *result) { r.Op = "binary" }),
		"wrong generator": edit("text-utf8", func(r *result) { r.Sent = sha(nil) }),
		"burst order":     edit("burst-64", func(r *result) { r.Ops = "bt" + r.Ops[2:] }),
		"no pong":         edit("ping-125", func(r *result) { r.Pong = "" }),
		"no pong between": edit("frag-ping", func(r *result) { r.Pong = "" }),
		"close code":      edit("close", func(r *result) { r.Code = 1006 }),
		"slow close":      edit("close", func(r *result) { r.Ms = maxCloseMs + 1 }),
		"peer error":      edit("text-empty", func(r *result) { r.Error = "boom" }),
		"missing":         good[:last],
		"extra":           append(slices.Clone(good), result{Case: "extra"}),
	} {
		if ps := resultProblems(cases, rs); len(ps) == 0 {
			t.Errorf("%s: not reported", name)
		}
	}
}

func TestCasesCoverPayloads(t *testing.T) {
	all := append(echoCases(allFeatures), invalidUTF8Cases()...)
	all = append(all, captureCases(allFeatures)...)
	for _, c := range all {
		if c.Frags == nil {
			continue
		}
		sum := 0
		for _, n := range c.Frags {
			sum += n
		}
		if p := c.Payload.bytes(); sum != len(p) {
			t.Errorf("case %q: fragments cover %d of %d bytes", c.Name, sum, len(p))
		}
	}
	// The first words of the stream, as the scripts must produce them.
	if got, want := hex.EncodeToString(randomBytes(8, 1)), "2120040001060804"; got != want {
		t.Errorf("randomBytes(8, 1) = %s, want %s", got, want)
	}
}
