package handshake

// Upgrader is the server's handshake policy. The zero Upgrader accepts any
// valid handshake from any origin and selects no subprotocol and no
// extension. An Upgrader may be used by many goroutines at once as long as
// it is not modified.
type Upgrader struct {
	// Protocols are the subprotocols the server speaks, in its order of
	// preference. The first one the client offers is selected.
	Protocols []string

	// SelectProtocol, if not nil, replaces Protocols: it receives the
	// subprotocols the client offers and returns the one to use, or "" for
	// none. Returning one that was not offered fails the handshake with 500.
	SelectProtocol func(offered [][]byte, r *Request) string

	// Extensions, if not nil, negotiates extensions when the client offers
	// some. It receives the raw Sec-WebSocket-Extensions values, one per
	// field line, and returns the value of the Sec-WebSocket-Extensions
	// field of the response, or "" to accept none. ok false refuses the
	// handshake with 400. With no Extensions function, offers are ignored.
	Extensions func(offers [][]byte, r *Request) (response string, ok bool)

	// CheckOrigin, if not nil, decides whether to accept a request from
	// origin, the value of its Origin field (nil if absent). Refused
	// requests fail with 403. With no CheckOrigin function every origin is
	// accepted: set one for servers that browsers reach with credentials.
	CheckOrigin func(origin []byte, r *Request) bool

	// MaxHeaderBytes limits the size of the request head;
	// 0 means DefaultMaxHeaderBytes.
	MaxHeaderBytes int

	// Header holds fields added to every 101 response. It may not hold
	// Upgrade, Connection or Sec-WebSocket-* fields.
	Header []HeaderField
}

// Result is the outcome of [Upgrader.Handshake].
type Result struct {
	// Request is the parsed request; its views alias the input.
	Request Request
	// Protocol is the selected subprotocol, or "".
	Protocol string
	// Extensions is the Sec-WebSocket-Extensions value of the response,
	// or "".
	Extensions string
	// Response is dst with the response to write appended: the 101
	// response when the handshake succeeded, the error response when the
	// error is an *Error, and dst unchanged for ErrIncomplete.
	Response []byte
}

// Handshake parses the upgrade request at the start of b, checks it with
// [Request.Check], applies the policy of u and appends the response to
// dst, returning it in Result.Response.
//
// On success n is the length of the request head; the bytes of b after it
// belong to the WebSocket connection. While b holds no complete head the
// error is [ErrIncomplete]: read more and call again with all the bytes.
// Any other error is an [*Error]: write Result.Response and close the
// connection. Without hooks in u, Handshake does not allocate when dst has
// room for the response.
func (u *Upgrader) Handshake(dst, b []byte) (res Result, n int, err error) {
	res.Response = dst
	n, err = res.Request.Parse(b, u.MaxHeaderBytes)
	if err == nil {
		res.Protocol, res.Extensions, err = u.negotiate(&res.Request)
	}
	if err != nil {
		if e, ok := err.(*Error); ok {
			res.Response = e.AppendResponse(dst)
		}
		return res, 0, err
	}
	res.Response = AppendResponse(dst, res.Request.key, res.Protocol, res.Extensions, u.Header)
	return res, n, nil
}

// negotiate checks r and applies the policy of u to it.
func (u *Upgrader) negotiate(r *Request) (protocol, extensions string, err error) {
	if err := r.Check(); err != nil {
		return "", "", err
	}
	if !validFields(u.Header, serverReserved) {
		return "", "", errServerHeader
	}
	if u.CheckOrigin == nil && u.SelectProtocol == nil && u.Extensions == nil {
		return u.preferredProtocol(r), "", nil
	}
	// The hooks may keep the pointer they are given, so they get a copy of
	// r: r itself then stays where the caller put it, on the stack for
	// Handshake without hooks.
	hr := new(Request)
	*hr = *r
	if u.CheckOrigin != nil && !u.CheckOrigin(hr.origin, hr) {
		return "", "", errOrigin
	}
	if u.SelectProtocol != nil {
		offered := hr.Protocols(nil)
		protocol = u.SelectProtocol(offered, hr)
		if protocol != "" && !contains(offered, protocol) {
			return "", "", errSelected
		}
	} else {
		protocol = u.preferredProtocol(hr)
	}
	if u.Extensions != nil {
		if offers := hr.Extensions(nil); len(offers) > 0 {
			var ok bool
			extensions, ok = u.Extensions(offers, hr)
			if !ok {
				return "", "", errExtensions
			}
			if !isFieldValue(extensions) {
				return "", "", errExtResponse
			}
		}
	}
	return protocol, extensions, nil
}

// preferredProtocol returns the first of u.Protocols that r offers.
func (u *Upgrader) preferredProtocol(r *Request) string {
	for _, p := range u.Protocols {
		if r.header.hasElement("Sec-WebSocket-Protocol", p, false) {
			return p
		}
	}
	return ""
}

func contains(list [][]byte, s string) bool {
	for _, b := range list {
		if string(b) == s {
			return true
		}
	}
	return false
}
