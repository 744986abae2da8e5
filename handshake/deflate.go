package handshake

import (
	"errors"
	"strconv"
)

// PermessageDeflate is the extension token of RFC 7692.
const PermessageDeflate = "permessage-deflate"

// DeflateOffer is the Sec-WebSocket-Extensions value a client offers to
// negotiate permessage-deflate: it compresses without context takeover, so
// it keeps no compressor state between messages, and lets the server
// choose for its side.
const DeflateOffer = "permessage-deflate; client_no_context_takeover"

// DeflateParams are the parameters of a permessage-deflate offer or
// response (RFC 7692 section 7.1).
type DeflateParams struct {
	ServerNoContextTakeover bool
	ClientNoContextTakeover bool
	// ServerMaxWindowBits is the value of server_max_window_bits, 8 to 15,
	// or 0 when absent.
	ServerMaxWindowBits int
	// ClientMaxWindowBits is the value of client_max_window_bits, 8 to 15,
	// or 0 when absent. An offer may carry the parameter without a value:
	// that is -1.
	ClientMaxWindowBits int
}

// ErrDeflateParams reports a permessage-deflate element that RFC 7692
// does not allow: an unknown or repeated parameter, or a bad value.
var ErrDeflateParams = errors.New("handshake: invalid permessage-deflate parameters")

// Deflate negotiates permessage-deflate for a server. Its Negotiate method
// is an Upgrader.Extensions function:
//
//	u := &handshake.Upgrader{Extensions: (&handshake.Deflate{}).Negotiate}
//
// The server always compresses without context takeover (so it keeps no
// compressor state), and by default asks the client to do the same, so an
// idle connection holds no flate state on either side. Offers the server
// cannot honour are declined one by one (RFC 7692 section 5): those with
// unknown, repeated or malformed parameters, and those that limit the
// server's window below 15 bits, which compress/flate cannot do. If no
// offer is acceptable the connection goes on without compression.
type Deflate struct {
	// ClientContextTakeover lets a client that did not offer
	// client_no_context_takeover keep its context from message to message.
	// That compresses better, but the server then keeps the last 32 KiB of
	// each connection's inflated output (codec.MessageDecoder's
	// InflateContext).
	ClientContextTakeover bool
}

// Negotiate picks the first acceptable permessage-deflate offer among the
// Sec-WebSocket-Extensions values and returns the response value, or ""
// when none is acceptable. It never refuses the handshake.
func (d *Deflate) Negotiate(offers [][]byte, _ *Request) (string, bool) {
	resp, _, _ := d.Accept(offers)
	return resp, true
}

// Accept is Negotiate that also returns the parameters in force, as the
// response states them, and whether an offer was accepted.
func (d *Deflate) Accept(offers [][]byte) (response string, params DeflateParams, ok bool) {
	for _, v := range offers {
		for rest := v; len(rest) > 0; {
			var name, ps []byte
			name, ps, rest = nextExtension(rest)
			if !equalFold(name, PermessageDeflate) {
				continue
			}
			offer, err := parseDeflate(ps, true)
			if err != nil || (offer.ServerMaxWindowBits != 0 && offer.ServerMaxWindowBits < 15) {
				continue
			}
			params = DeflateParams{ServerNoContextTakeover: true, ServerMaxWindowBits: offer.ServerMaxWindowBits}
			params.ClientNoContextTakeover = !d.ClientContextTakeover || offer.ClientNoContextTakeover
			return params.String(), params, true
		}
	}
	return "", DeflateParams{}, false
}

// String formats p as a permessage-deflate element, e.g.
// "permessage-deflate; server_no_context_takeover".
func (p DeflateParams) String() string {
	s := PermessageDeflate
	if p.ServerNoContextTakeover {
		s += "; server_no_context_takeover"
	}
	if p.ClientNoContextTakeover {
		s += "; client_no_context_takeover"
	}
	if p.ServerMaxWindowBits > 0 {
		s += "; server_max_window_bits=" + strconv.Itoa(p.ServerMaxWindowBits)
	}
	switch {
	case p.ClientMaxWindowBits > 0:
		s += "; client_max_window_bits=" + strconv.Itoa(p.ClientMaxWindowBits)
	case p.ClientMaxWindowBits < 0:
		s += "; client_max_window_bits"
	}
	return s
}

// DeflateResponse finds permessage-deflate among the extensions of a
// response (the server's own Result.Extensions, or what a client received)
// and returns its parameters. found is false when it is absent. A client
// that offered DeflateOffer must fail the connection when err is not nil
// (RFC 7692 section 5): the response has parameters it may not have,
// including client_max_window_bits, which DeflateOffer does not offer.
func DeflateResponse(values [][]byte) (params DeflateParams, found bool, err error) {
	for _, v := range values {
		for rest := v; len(rest) > 0; {
			var name, ps []byte
			name, ps, rest = nextExtension(rest)
			if !equalFold(name, PermessageDeflate) {
				continue
			}
			if found {
				return DeflateParams{}, true, ErrDeflateParams
			}
			found = true
			if params, err = parseDeflate(ps, false); err != nil {
				return DeflateParams{}, true, err
			}
			if params.ClientMaxWindowBits != 0 {
				return DeflateParams{}, true, ErrDeflateParams
			}
		}
	}
	return params, found, nil
}

// parseDeflate parses the parameters of one permessage-deflate element;
// offer allows client_max_window_bits without a value.
func parseDeflate(ps []byte, offer bool) (DeflateParams, error) {
	var p DeflateParams
	var seen [4]bool
	if ps != nil && len(trimSpace(ps)) == 0 {
		return DeflateParams{}, ErrDeflateParams // a ';' with no parameter after it
	}
	for len(ps) > 0 {
		name, value, hasValue, rest, ok := nextParam(ps)
		if !ok {
			return DeflateParams{}, ErrDeflateParams
		}
		ps = rest
		idx := -1
		switch {
		case equalFold(name, "server_no_context_takeover"):
			idx, p.ServerNoContextTakeover = 0, true
		case equalFold(name, "client_no_context_takeover"):
			idx, p.ClientNoContextTakeover = 1, true
		case equalFold(name, "server_max_window_bits"):
			idx = 2
			if p.ServerMaxWindowBits = windowBits(value); !hasValue || p.ServerMaxWindowBits == 0 {
				return DeflateParams{}, ErrDeflateParams
			}
		case equalFold(name, "client_max_window_bits"):
			idx = 3
			switch {
			case hasValue:
				if p.ClientMaxWindowBits = windowBits(value); p.ClientMaxWindowBits == 0 {
					return DeflateParams{}, ErrDeflateParams
				}
			case offer:
				p.ClientMaxWindowBits = -1
			default:
				return DeflateParams{}, ErrDeflateParams
			}
		default:
			return DeflateParams{}, ErrDeflateParams
		}
		if seen[idx] || (idx < 2 && hasValue) {
			return DeflateParams{}, ErrDeflateParams
		}
		seen[idx] = true
	}
	return p, nil
}

// windowBits parses a window size of 8 to 15 bits written as 1*DIGIT with
// no leading zero, or returns 0.
func windowBits(v []byte) int {
	if len(v) == 1 && v[0] >= '8' && v[0] <= '9' {
		return int(v[0] - '0')
	}
	if len(v) == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5' {
		return 10 + int(v[1]-'0')
	}
	return 0
}

// nextExtension splits the first element off a Sec-WebSocket-Extensions
// list: its name, the raw parameters after it (starting after the first
// ';', nil when there is none) and the rest of the list after the next
// comma outside a quoted string.
func nextExtension(list []byte) (name, params, rest []byte) {
	end := len(list)
	quoted := false
	for i := 0; i < len(list); i++ {
		switch c := list[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			end = i
		}
		if end < len(list) {
			break
		}
	}
	elem := list[:end]
	if end < len(list) {
		rest = list[end+1:]
	}
	name = elem
	for i, c := range elem {
		if c == ';' {
			name, params = elem[:i], elem[i+1:]
			break
		}
	}
	return trimSpace(name), params, rest
}

// nextParam parses the first "name[=value]" of a ';'-separated parameter
// list; the value may be a token or a quoted string (returned with its
// quotes and escapes removed only when it holds no escape, which is all a
// valid permessage-deflate value can be).
func nextParam(ps []byte) (name, value []byte, hasValue bool, rest []byte, ok bool) {
	end := len(ps)
	quoted := false
	for i := 0; i < len(ps) && end == len(ps); i++ {
		switch c := ps[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case c == ';' && !quoted:
			end = i
		}
	}
	if quoted {
		return nil, nil, false, nil, false
	}
	p := trimSpace(ps[:end])
	if end < len(ps) {
		rest = ps[end+1:]
		if len(trimSpace(rest)) == 0 {
			return nil, nil, false, nil, false // a trailing ';'
		}
	}
	name = p
	for i, c := range p {
		if c == '=' {
			name, value, hasValue = trimSpace(p[:i]), trimSpace(p[i+1:]), true
			break
		}
	}
	if !isToken(name) {
		return nil, nil, false, nil, false
	}
	if hasValue {
		if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
			value = value[1 : len(value)-1]
		}
		if !isToken(value) {
			return nil, nil, false, nil, false
		}
	}
	return name, value, hasValue, rest, true
}
