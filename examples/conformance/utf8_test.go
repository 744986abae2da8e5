package conformance

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// kosme is the Greek word κόσμε, runes of 2, 3, 2, 2 and 2 bytes.
const kosme = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"

type utf8Group struct {
	section string
	title   string
	seqs    []utf8Seq
}

type utf8Seq struct {
	valid bool
	text  string
}

func valid(texts ...string) []utf8Seq   { return seqs(true, texts) }
func invalid(texts ...string) []utf8Seq { return seqs(false, texts) }

func seqs(ok bool, texts []string) []utf8Seq {
	s := make([]utf8Seq, len(texts))
	for i, t := range texts {
		s[i] = utf8Seq{ok, t}
	}
	return s
}

// utf8Groups are the sequences of Autobahn's cases 6.5 to 6.23, after
// Markus Kuhn's UTF-8 decoder stress test, each marked with whether RFC
// 3629 allows it.
func utf8Groups() []utf8Group {
	var prefixes []utf8Seq
	for i := 1; i <= len(kosme); i++ {
		prefixes = append(prefixes, utf8Seq{i == 2 || i == 5 || i == 7 || i == 9 || i == 11, kosme[:i]})
	}
	var continuations, lonely2, lonely3, lonely4, lonely5, lonely6 strings.Builder
	for b := 0x80; b <= 0xbf; b++ {
		continuations.WriteByte(byte(b))
	}
	for b, sb := range map[[2]int]*strings.Builder{
		{0xc0, 0xdf}: &lonely2, {0xe0, 0xef}: &lonely3, {0xf0, 0xf7}: &lonely4, {0xf8, 0xfb}: &lonely5, {0xfc, 0xfd}: &lonely6,
	} {
		for c := b[0]; c <= b[1]; c++ {
			sb.WriteByte(byte(c))
			sb.WriteByte(' ')
		}
	}
	missingLast := []string{
		"\xc0", "\xe0\x80", "\xf0\x80\x80", "\xf8\x80\x80\x80", "\xfc\x80\x80\x80\x80",
		"\xdf", "\xef\xbf", "\xf7\xbf\xbf", "\xfb\xbf\xbf\xbf", "\xfd\xbf\xbf\xbf\xbf",
	}
	var nonChars []string
	for plane := rune(0); plane <= 16; plane++ {
		nonChars = append(nonChars, string(plane<<16|0xfffe), string(plane<<16|0xffff))
	}
	return []utf8Group{
		{"6.5", "valid", valid(kosme, "hello\x24world", "hello\xc2\xa2world", "hello\xe2\x82\xacworld", "hello\xf0\xa4\xad\xa2world")},
		{"6.6", "prefix of κόσμε", prefixes},
		{"6.7", "first sequence of its length", valid("\x00", "\xc2\x80", "\xe0\xa0\x80", "\xf0\x90\x80\x80")},
		{"6.8", "5- and 6-byte sequence", invalid("\xf8\x88\x80\x80\x80", "\xfc\x84\x80\x80\x80\x80")},
		{"6.9", "last sequence of its length", valid("\x7f", "\xdf\xbf", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf")},
		{"6.10", "beyond U+10FFFF", invalid("\xf7\xbf\xbf\xbf", "\xfb\xbf\xbf\xbf\xbf", "\xfd\xbf\xbf\xbf\xbf\xbf")},
		{"6.11", "boundary", append(valid("\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbd", "\xf4\x8f\xbf\xbf"), invalid("\xf4\x90\x80\x80")...)},
		{"6.12", "lone continuation", invalid("\x80", "\xbf", "\x80\xbf", "\x80\xbf\x80", "\x80\xbf\x80\xbf",
			"\x80\xbf\x80\xbf\x80", "\x80\xbf\x80\xbf\x80\xbf", continuations.String())},
		{"6.13", "lonely start bytes", invalid(lonely2.String(), lonely3.String(), lonely4.String(), lonely5.String(), lonely6.String())},
		{"6.14", "truncated", invalid(missingLast...)},
		{"6.15", "truncated sequences one after another", invalid(strings.Join(missingLast, ""))},
		{"6.16", "0xFE and 0xFF", invalid("\xfe", "\xff", "\xfe\xfe\xff\xff")},
		{"6.17", "overlong /", invalid("\xc0\xaf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf", "\xf8\x80\x80\x80\xaf", "\xfc\x80\x80\x80\x80\xaf")},
		{"6.18", "longest overlong", invalid("\xc1\xbf", "\xe0\x9f\xbf", "\xf0\x8f\xbf\xbf", "\xf8\x87\xbf\xbf\xbf", "\xfc\x83\xbf\xbf\xbf\xbf")},
		{"6.19", "overlong NUL", invalid("\xc0\x80", "\xe0\x80\x80", "\xf0\x80\x80\x80", "\xf8\x80\x80\x80\x80", "\xfc\x80\x80\x80\x80\x80")},
		{"6.20", "surrogate", invalid("\xed\xa0\x80", "\xed\xad\xbf", "\xed\xae\x80", "\xed\xaf\xbf", "\xed\xb0\x80", "\xed\xbe\x80", "\xed\xbf\xbf")},
		{"6.21", "surrogate pair", invalid("\xed\xa0\x80\xed\xb0\x80", "\xed\xa0\x80\xed\xbf\xbf", "\xed\xad\xbf\xed\xb0\x80",
			"\xed\xad\xbf\xed\xbf\xbf", "\xed\xae\x80\xed\xb0\x80", "\xed\xae\x80\xed\xbf\xbf", "\xed\xaf\xbf\xed\xb0\x80", "\xed\xaf\xbf\xed\xbf\xbf")},
		{"6.22", "noncharacter", valid(nonChars...)},
		{"6.23", "special", valid("\xef\xbf\xb9", "\xef\xbf\xba", "\xef\xbf\xbb", "\xef\xbf\xbc", "\xef\xbf\xbd", "\xef\xbb\xbf", "\xef\xbb\xbfHello")},
	}
}

// Section 6: UTF-8 in text messages.
func section6() []testCase {
	s := func(s string) []byte { return []byte(s) }
	oneByteFragments := func(c *client, text string) [][]byte {
		var frames [][]byte
		for i := range len(text) {
			op := opCont
			if i == 0 {
				op = opText
			}
			frames = append(frames, c.frame(op, i == len(text)-1, s(text[i:i+1])))
		}
		return frames
	}
	echoText := func(text string, frames func(c *client) [][]byte) func(*client) {
		return func(c *client) {
			c.send(atOnce, frames(c)...)
			c.expectText(text)
			c.closeNormally()
		}
	}
	const mixed = "Hello-µ@ßöäüàá-UTF-8!!"
	const bad = kosme + "\xed\xa0\x80edited" // a surrogate
	cases := []testCase{
		{"6.1.1 empty text", echoText("", func(c *client) [][]byte { return [][]byte{c.text("")} })},
		{"6.1.2 empty text in 3 empty fragments", echoText("", func(c *client) [][]byte {
			return [][]byte{c.frame(opText, false, nil), c.frame(opCont, false, nil), c.frame(opCont, true, nil)}
		})},
		{"6.1.3 text in 3 fragments, the first and last empty", echoText("middle frame payload", func(c *client) [][]byte {
			return [][]byte{c.frame(opText, false, nil), c.frame(opCont, false, s("middle frame payload")), c.frame(opCont, true, nil)}
		})},
		{"6.2.1 valid multi-byte text", echoText(mixed, func(c *client) [][]byte { return [][]byte{c.text(mixed)} })},
		{"6.2.2 valid multi-byte text in 2 fragments split between runes", echoText(mixed, func(c *client) [][]byte {
			i := strings.Index(mixed, "ü")
			return [][]byte{c.frame(opText, false, s(mixed[:i])), c.frame(opCont, true, s(mixed[i:]))}
		})},
		{"6.2.3 valid multi-byte text in 1-byte fragments", echoText(mixed, func(c *client) [][]byte { return oneByteFragments(c, mixed) })},
		{"6.2.4 κόσμε in 1-byte fragments", echoText(kosme, func(c *client) [][]byte { return oneByteFragments(c, kosme) })},
		{"6.3.1 invalid text fails with 1007", fails(1007, atOnce, func(c *client) [][]byte { return [][]byte{c.text(bad)} })},
		{"6.3.2 invalid text in 1-byte fragments fails with 1007", fails(1007, atOnce, func(c *client) [][]byte {
			return oneByteFragments(c, bad)
		})},
	}

	// 6.4: the server must fail the connection as soon as the bad bytes
	// arrive, before the rest of the message is sent.
	failFast := func(parts [3]string, oneFrame bool) func(*client) {
		return func(c *client) {
			if oneFrame {
				frame := c.text(parts[0] + parts[1] + parts[2])
				cut := len(frame) - len(parts[2])
				c.send(frameWise, frame[:cut-len(parts[1])], frame[cut-len(parts[1]):cut])
			} else {
				c.send(frameWise, c.frame(opText, false, s(parts[0])), c.frame(opCont, false, s(parts[1])))
			}
			c.expectClose(1007)
		}
	}
	beyond := [3]string{kosme, "\xf4\x90\x80\x80", "edited"}
	splitBeyond := [3]string{kosme + "\xf4", "\x90", "\x80\x80edited"}
	cases = append(cases,
		testCase{"6.4.1 invalid fragment fails with 1007 before the final fragment", failFast(beyond, false)},
		testCase{"6.4.2 invalid byte alone in a fragment fails with 1007 before the final fragment", failFast(splitBeyond, false)},
		testCase{"6.4.3 invalid chop of a frame fails with 1007 before the rest is sent", failFast(beyond, true)},
		testCase{"6.4.4 invalid byte alone in a chop fails with 1007 before the rest is sent", failFast(splitBeyond, true)},
	)

	// 6.5 to 6.23: each sequence alone in a frame (as Autobahn sends it),
	// in 1-byte fragments, and inside a longer text whose frame is written
	// in chops that cut runes.
	for _, g := range utf8Groups() {
		for i, seq := range g.seqs {
			if utf8.ValidString(seq.text) != seq.valid {
				panic(fmt.Sprintf("%s.%d %q: marked valid=%v", g.section, i+1, seq.text, seq.valid))
			}
			verdict := "fails with 1007"
			if seq.valid {
				verdict = "is echoed"
			}
			name := fmt.Sprintf("%s.%d %s % x %s", g.section, i+1, g.title, seq.text, verdict)
			if len(seq.text) > 20 {
				name = fmt.Sprintf("%s.%d %s (%d bytes) %s", g.section, i+1, g.title, len(seq.text), verdict)
			}
			long := kosme + strings.Repeat("a", 1000) + seq.text + strings.Repeat("€", 100)
			variants := []struct {
				suffix string
				text   string
				m      mode
				frames func(c *client, text string) [][]byte
			}{
				{"", seq.text, atOnce, func(c *client, text string) [][]byte { return [][]byte{c.text(text)} }},
				{", in 1-byte fragments", seq.text, atOnce, oneByteFragments},
				{", inside 1.3 KB of text, in chops of 7 bytes", long, chops(7), func(c *client, text string) [][]byte { return [][]byte{c.text(text)} }},
			}
			for _, v := range variants {
				run := func(c *client) {
					c.send(v.m, v.frames(c, v.text)...)
					if seq.valid {
						c.expectText(v.text)
						c.closeNormally()
					} else {
						c.expectClose(1007)
					}
				}
				cases = append(cases, testCase{name + v.suffix, run})
			}
		}
	}
	return cases
}
