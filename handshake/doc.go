// Package handshake implements the WebSocket opening handshake of RFC 6455
// over byte slices. It never reads from or writes to a connection: the caller
// feeds it the bytes it has read and writes the bytes it returns.
//
// # Server
//
// [Upgrader.Handshake] parses an upgrade request, checks it against
// RFC 6455 section 4.2.1, applies the server's policy (origin, subprotocol,
// extensions) and appends the response to send: the 101 Switching Protocols
// response on success, or an error response when the request is refused.
// While the input holds no complete request head it returns [ErrIncomplete]
// and the caller reads more. The bytes after the head belong to the caller:
// they are the first bytes of the WebSocket stream.
//
// [Request.Parse] and [Request.Check] are the two halves of that work, for
// callers that want to look at a request before deciding to upgrade it.
// [Upgrade] runs the same checks on a request that net/http has already read
// and hijacks the connection.
//
// # Client
//
// [Client.AppendRequest] builds an upgrade request with a fresh key and
// [Client.ParseResponse] parses and verifies the server's answer.
//
// # Syntax accepted
//
// Request and response heads are HTTP/1.x: a start line, header fields and an
// empty line. Lines end in CR LF; a bare LF is accepted as well, as RFC 9112
// section 2.2 allows. A bare CR, obsolete line folding, white space between a
// field name and its colon and control characters in field values are
// rejected. Field names are matched without regard to ASCII case and
// repeated list fields (Connection, Upgrade, Sec-WebSocket-Protocol) are read
// as one comma-separated list.
//
// # Memory
//
// Parsing does not copy. [Request], [Response] and [Header] hold slices of
// the input and every []byte they return is a view of it: valid as long as
// the input is and changed if the input is changed. Copy what must outlive
// the read buffer.
package handshake
