package handshake

import (
	"strings"
	"testing"
)

func TestDeflateAccept(t *testing.T) {
	for _, tc := range []struct {
		name   string
		offers []string
		d      Deflate
		want   string // "" when declined
	}{
		{"bare", []string{"permessage-deflate"}, Deflate{}, "permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
		{"browser", []string{"permessage-deflate; client_max_window_bits"}, Deflate{}, "permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
		{"client context allowed", []string{"permessage-deflate; client_max_window_bits"}, Deflate{ClientContextTakeover: true}, "permessage-deflate; server_no_context_takeover"},
		{"client declines its context", []string{"permessage-deflate; client_no_context_takeover"}, Deflate{ClientContextTakeover: true}, "permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
		{"server window 15", []string{"permessage-deflate; server_max_window_bits=15"}, Deflate{}, "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=15"},
		{"quoted value", []string{`permessage-deflate; server_max_window_bits="15"`}, Deflate{}, "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=15"},
		{"case and spaces", []string{"Permessage-Deflate ;  Server_No_Context_Takeover"}, Deflate{}, "permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
		{"small server window declined, next taken", []string{"permessage-deflate; server_max_window_bits=10, permessage-deflate"}, Deflate{}, "permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
		{"other extension first", []string{"x-webkit-deflate-frame", "foo; a=\"b,c\", permessage-deflate"}, Deflate{}, "permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
		{"unknown parameter", []string{"permessage-deflate; foo"}, Deflate{}, ""},
		{"duplicate parameter", []string{"permessage-deflate; client_no_context_takeover; client_no_context_takeover"}, Deflate{}, ""},
		{"value on a flag", []string{"permessage-deflate; server_no_context_takeover=1"}, Deflate{}, ""},
		{"window 7", []string{"permessage-deflate; client_max_window_bits=7"}, Deflate{}, ""},
		{"window 16", []string{"permessage-deflate; client_max_window_bits=16"}, Deflate{}, ""},
		{"window 08", []string{"permessage-deflate; client_max_window_bits=08"}, Deflate{}, ""},
		{"server window without value", []string{"permessage-deflate; server_max_window_bits"}, Deflate{}, ""},
		{"trailing semicolon", []string{"permessage-deflate;"}, Deflate{}, ""},
		{"unterminated quote", []string{`permessage-deflate; client_max_window_bits="10`}, Deflate{}, ""},
		{"none", []string{"x-other"}, Deflate{}, ""},
	} {
		var offers [][]byte
		for _, o := range tc.offers {
			offers = append(offers, []byte(o))
		}
		got, params, ok := tc.d.Accept(offers)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("%s: %q %v, want %q", tc.name, got, ok, tc.want)
			continue
		}
		if ok {
			back, found, err := DeflateResponse([][]byte{[]byte(got)})
			if err != nil || !found || back != params {
				t.Errorf("%s: response parses as %+v %v %v, want %+v", tc.name, back, found, err, params)
			}
		}
		if resp, keep := tc.d.Negotiate(offers, nil); resp != tc.want || !keep {
			t.Errorf("%s: Negotiate = %q %v", tc.name, resp, keep)
		}
	}
}

func TestDeflateResponse(t *testing.T) {
	for _, tc := range []struct {
		in    string
		want  DeflateParams
		found bool
		ok    bool
	}{
		{"permessage-deflate", DeflateParams{}, true, true},
		{"permessage-deflate; server_no_context_takeover; server_max_window_bits=12", DeflateParams{ServerNoContextTakeover: true, ServerMaxWindowBits: 12}, true, true},
		{"x-foo", DeflateParams{}, false, true},
		{"", DeflateParams{}, false, true},
		{"permessage-deflate; client_max_window_bits=10", DeflateParams{}, true, false}, // not offered
		{"permessage-deflate; client_max_window_bits", DeflateParams{}, true, false},
		{"permessage-deflate, permessage-deflate", DeflateParams{}, true, false},
		{"permessage-deflate; nope", DeflateParams{}, true, false},
	} {
		got, found, err := DeflateResponse([][]byte{[]byte(tc.in)})
		if got != tc.want || found != tc.found || (err == nil) != tc.ok {
			t.Errorf("%q: %+v %v %v", tc.in, got, found, err)
		}
	}
}

func TestDeflateHandshake(t *testing.T) {
	u := &Upgrader{Extensions: (&Deflate{}).Negotiate}
	req := "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
		"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
	res, _, err := u.Handshake(nil, []byte(req))
	if err != nil {
		t.Fatal(err)
	}
	want := "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n"
	if !strings.Contains(string(res.Response), want) {
		t.Fatalf("response lacks %q:\n%s", want, res.Response)
	}
	p, found, err := DeflateResponse([][]byte{[]byte(res.Extensions)})
	if err != nil || !found || !p.ClientNoContextTakeover || !p.ServerNoContextTakeover {
		t.Fatalf("%+v %v %v", p, found, err)
	}
}

func FuzzDeflateOffer(f *testing.F) {
	for _, s := range []string{"permessage-deflate", "permessage-deflate; client_max_window_bits", `a; b="c,d", permessage-deflate; server_max_window_bits="9"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		resp, params, ok := (&Deflate{}).Accept([][]byte{[]byte(s)})
		if !ok {
			return
		}
		back, found, err := DeflateResponse([][]byte{[]byte(resp)})
		if err != nil || !found || back != params {
			t.Fatalf("offer %q: response %q does not parse back: %+v %v", s, resp, back, err)
		}
	})
}
