package codec

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"
)

// utf8Edges are the byte values at the edges of the ranges UTF-8 decoding
// distinguishes: ASCII, continuation bytes (80..8F, 90..9F, A0..BF), the
// never-valid C0, C1 and F5..FF, and the lead bytes with restricted
// second bytes (E0, ED, F0, F4).
var utf8Edges = []byte{
	0x00, 0x41, 0x7f,
	0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf,
	0xc0, 0xc1, 0xc2, 0xdf,
	0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef,
	0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff,
}

func checkValid(t *testing.T, p []byte) {
	t.Helper()
	if got, want := validUTF8(p), utf8.Valid(p); got != want {
		t.Fatalf("validUTF8(%x) = %v, utf8.Valid %v", p, got, want)
	}
}

func TestValidUTF8Short(t *testing.T) {
	checkValid(t, nil)
	checkValid(t, []byte{})
	p := make([]byte, 3)
	for a := 0; a < 256; a++ {
		p[0] = byte(a)
		checkValid(t, p[:1])
		for b := 0; b < 256; b++ {
			p[1] = byte(b)
			checkValid(t, p[:2])
			for c := 0; c < 256; c++ {
				p[2] = byte(c)
				if validUTF8(p) != utf8.Valid(p) {
					t.Fatalf("validUTF8(%x) = %v, utf8.Valid %v", p, validUTF8(p), utf8.Valid(p))
				}
			}
		}
	}
}

// TestValidUTF8Four covers every four-byte sequence with a lead byte F0..F4
// (and the neighbours EF, F5) and any second byte, with either the third
// or the fourth byte taking every value and the other an edge value.
func TestValidUTF8Four(t *testing.T) {
	p := make([]byte, 4)
	for a := 0xef; a <= 0xf5; a++ {
		p[0] = byte(a)
		for b := 0; b < 256; b++ {
			p[1] = byte(b)
			for _, e := range utf8Edges {
				for c := 0; c < 256; c++ {
					p[2], p[3] = byte(c), e
					if validUTF8(p) != utf8.Valid(p) {
						t.Fatalf("validUTF8(%x) = %v, utf8.Valid %v", p, validUTF8(p), utf8.Valid(p))
					}
					p[2], p[3] = e, byte(c)
					if validUTF8(p) != utf8.Valid(p) {
						t.Fatalf("validUTF8(%x) = %v, utf8.Valid %v", p, validUTF8(p), utf8.Valid(p))
					}
				}
			}
		}
	}
}

// edgeSequences returns every sequence of one or two edge bytes, three-byte
// sequences of a lead or edge byte and two bytes from a smaller edge set,
// and four-byte sequences of a lead byte and three bytes from it.
func edgeSequences() [][]byte {
	var seqs [][]byte
	few := []byte{0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xe0, 0xf0}
	for _, a := range utf8Edges {
		seqs = append(seqs, []byte{a})
		for _, b := range utf8Edges {
			seqs = append(seqs, []byte{a, b})
		}
		for _, b := range few {
			for _, c := range few {
				seqs = append(seqs, []byte{a, b, c})
			}
		}
	}
	four := []byte{0x80, 0x8f, 0x90, 0xbf, 0xc0, 0x41}
	for _, a := range []byte{0xf0, 0xf1, 0xf3, 0xf4, 0xf5} {
		for _, b := range few {
			for _, c := range four {
				for _, d := range four {
					seqs = append(seqs, []byte{a, b, c, d})
				}
			}
		}
	}
	// Valid runes at the edges of each encoded length and of the
	// surrogate range.
	for _, r := range []rune{0, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x10ffff} {
		seqs = append(seqs, utf8.AppendRune(nil, r))
	}
	return seqs
}

// utf8Contexts returns valid texts to put in front of a sequence: ASCII of
// every length up to 80, so that the sequence starts at every offset of a
// word and of an eight-word step, and texts ending in multi-byte runes of
// many lengths, so that it starts at many offsets of a DFA block.
func utf8Contexts() [][]byte {
	var ctx [][]byte
	for n := 0; n <= 80; n++ {
		ctx = append(ctx, bytes.Repeat([]byte{'a'}, n))
	}
	runes := []string{"é", "a", "€", "😀", "bc", "ß", "世", "d"}
	var p []byte
	for i := 0; len(p) < 70; i++ {
		p = append(p, runes[i%len(runes)]...)
		ctx = append(ctx, bytes.Clone(p))
	}
	// ASCII after a multi-byte run, so that the word path resumes.
	for n := 1; n <= 24; n++ {
		ctx = append(ctx, append([]byte(strings.Repeat("€", 6)), bytes.Repeat([]byte{'x'}, n)...))
	}
	return ctx
}

// TestValidUTF8Embedded puts edge sequences at many offsets inside valid
// text, followed by ASCII or multi-byte text of several lengths.
func TestValidUTF8Embedded(t *testing.T) {
	seqs := edgeSequences()
	ctxs := utf8Contexts()
	var after [][]byte
	for _, n := range []int{0, 1, 3, 7, 8, 9, 16, 33, 72} {
		after = append(after, bytes.Repeat([]byte{'z'}, n))
	}
	after = append(after, []byte("é"), []byte(strings.Repeat("é€", 8)))
	if testing.Short() {
		ctxs = ctxs[:20]
	}
	buf := make([]byte, 0, 512)
	for _, s := range seqs {
		for _, c := range ctxs {
			for _, a := range after {
				p := append(append(append(buf[:0], c...), s...), a...)
				if validUTF8(p) != utf8.Valid(p) {
					t.Fatalf("validUTF8(%q) = %v, utf8.Valid %v", p, validUTF8(p), utf8.Valid(p))
				}
			}
		}
	}
}

// randomUTF8 returns n bytes mixing valid runes of every length, edge
// bytes and random bytes; bad is the chance in 1000 of each piece being a
// byte other than a valid rune.
func randomUTF8(r *rand.Rand, n, bad int) []byte {
	p := make([]byte, 0, n+4)
	for len(p) < n {
		switch k := r.Intn(1000); {
		case k < bad/2:
			p = append(p, utf8Edges[r.Intn(len(utf8Edges))])
		case k < bad:
			p = append(p, byte(r.Intn(256)))
		default:
			switch r.Intn(6) {
			case 0, 1:
				for m := r.Intn(20); m >= 0; m-- {
					p = append(p, byte(' '+r.Intn(95)))
				}
			case 2:
				p = utf8.AppendRune(p, rune(0x80+r.Intn(0x800-0x80)))
			case 3:
				rr := rune(0x800 + r.Intn(0x10000-0x800))
				if rr >= 0xd800 && rr <= 0xdfff {
					rr = 0xfffd
				}
				p = utf8.AppendRune(p, rr)
			case 4:
				p = utf8.AppendRune(p, rune(0x10000+r.Intn(0x110000-0x10000)))
			case 5:
				p = append(p, "héllo wörld € "...)
			}
		}
	}
	return p[:n]
}

func TestValidUTF8Random(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	iters := 100000
	if testing.Short() {
		iters = 10000
	}
	valid := 0
	for i := 0; i < iters; i++ {
		p := randomUTF8(r, r.Intn(301), []int{0, 2, 10, 100, 500}[r.Intn(5)])
		checkValid(t, p)
		if utf8.Valid(p) {
			valid++
		}
	}
	// Both verdicts must be well represented for the test to mean much.
	if valid < iters/10 || valid > iters*9/10 {
		t.Fatalf("%d of %d inputs valid", valid, iters)
	}
}

// TestValidUTF8Long corrupts 64 KiB texts at every offset class of a word,
// an eight-word step and a 16-byte DFA block, near the start, the middle
// and the end.
func TestValidUTF8Long(t *testing.T) {
	const n = 64 << 10
	bases := map[string][]byte{
		"ascii": bytes.Repeat([]byte("abcdefgh"), n/8),
		"mixed": []byte(strings.Repeat("héllo wörld € ", n/18+1)),
		"cjk":   []byte(strings.Repeat("世界", n/6+1)),
		"emoji": []byte(strings.Repeat("😀 ok ", n/8+1)),
	}
	var positions []int
	for k := 0; k < 70; k++ {
		positions = append(positions, k, n/2+k, n-70+k)
	}
	bad := [][]byte{{0x80}, {0xbf}, {0xc0}, {0xc1}, {0xff}, {0xf5}, {0xe4}, {0xf0}, {0xed, 0xa0}, {0xe0, 0x80}, {0xf4, 0x90}}
	for name, base := range bases {
		base = base[:n]
		for len(base) > 0 && !utf8.Valid(base) {
			base = base[:len(base)-1]
		}
		if !validUTF8(base) {
			t.Fatalf("%s: valid text rejected", name)
		}
		p := make([]byte, len(base))
		invalid := 0
		for _, pos := range positions {
			for _, b := range bad {
				if pos+len(b) > len(p) {
					continue
				}
				copy(p, base)
				copy(p[pos:], b)
				want := utf8.Valid(p)
				if validUTF8(p) != want {
					t.Fatalf("%s: %x at %d: validUTF8 %v, utf8.Valid %v", name, b, pos, !want, want)
				}
				if !want {
					invalid++
				}
			}
		}
		if invalid < len(positions)*len(bad)/2 {
			t.Fatalf("%s: only %d corrupted texts invalid", name, invalid)
		}
		// Cut short inside the last rune.
		for cut := 1; cut <= 3; cut++ {
			checkValid(t, base[:len(base)-cut])
		}
	}
}

// TestUTF8FeedEveryCut feeds texts of up to a few hundred bytes in two and
// three pieces cut at every position, and checks the index of the first
// impossible byte against the reference.
func TestUTF8FeedEveryCut(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	iters := 400
	if testing.Short() {
		iters = 40
	}
	for iter := 0; iter < iters; iter++ {
		p := randomUTF8(r, r.Intn(200), []int{0, 2, 10}[r.Intn(3)])
		ref, complete := refFirstInvalid(p)
		check := func(cuts ...int) {
			var s utf8State
			got, off := -1, 0
			for _, end := range append(cuts, len(p)) {
				if i := s.feed(p[off:end]); i >= 0 {
					got = off + i
					break
				}
				off = end
			}
			if got != ref || got < 0 && s.complete() != complete {
				t.Fatalf("%x cut at %v: first invalid %d complete %v, reference %d %v", p, cuts, got, s.complete(), ref, complete)
			}
		}
		for i := 0; i <= len(p); i++ {
			check(i)
			j := i + r.Intn(len(p)-i+1)
			check(i, j)
		}
	}
}

func FuzzValidUTF8(f *testing.F) {
	for _, s := range []string{
		"", "a", "héllo wörld € ", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe0\x9f\xbf",
		strings.Repeat("a", 70) + "\xc3", strings.Repeat("世界", 20) + "\x80",
		strings.Repeat("x", 17) + "😀" + strings.Repeat("y", 9),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		checkValid(t, p)
	})
}
