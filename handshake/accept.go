package handshake

import (
	"crypto/sha1"
	"encoding/base64"
	"slices"
)

// keyGUID is the string RFC 6455 section 1.3 appends to the key before
// hashing.
const keyGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// AcceptKeyLen is the length of a Sec-WebSocket-Accept value.
const AcceptKeyLen = 28

// AppendAcceptKey appends to dst the Sec-WebSocket-Accept value for the
// Sec-WebSocket-Key value key: the base64 encoding of the SHA-1 hash of key
// followed by the RFC 6455 GUID. It appends [AcceptKeyLen] bytes and does
// not allocate when dst has room for them and key is a valid key (or any
// key of up to 92 bytes).
func AppendAcceptKey(dst, key []byte) []byte {
	var sum [sha1.Size]byte
	var buf [128]byte
	if len(key)+len(keyGUID) <= len(buf) {
		n := copy(buf[:], key)
		n += copy(buf[n:], keyGUID)
		sum = sha1.Sum(buf[:n])
	} else {
		h := sha1.New()
		h.Write(key)
		h.Write([]byte(keyGUID))
		h.Sum(sum[:0])
	}
	n := len(dst)
	dst = slices.Grow(dst, AcceptKeyLen)[:n+AcceptKeyLen]
	base64.StdEncoding.Encode(dst[n:], sum[:])
	return dst
}

// serverReserved are the fields AppendResponse writes itself.
var serverReserved = []string{"Upgrade", "Connection", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions"}

// AppendResponse appends to dst the 101 Switching Protocols response that
// completes the handshake of a request whose Sec-WebSocket-Key is key. A
// non-empty protocol and extensions become the Sec-WebSocket-Protocol and
// Sec-WebSocket-Extensions fields; header adds further fields after them.
//
// AppendResponse does not validate its arguments: protocol must be one the
// client offered, extensions a well-formed field value, and header fields
// well formed and none of the fields above. [Upgrader.Handshake] checks all
// of that. It does not allocate when dst has room.
func AppendResponse(dst, key []byte, protocol, extensions string, header []HeaderField) []byte {
	dst = append(dst, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "...)
	dst = AppendAcceptKey(dst, key)
	dst = append(dst, "\r\n"...)
	if protocol != "" {
		dst = HeaderField{"Sec-WebSocket-Protocol", protocol}.append(dst)
	}
	if extensions != "" {
		dst = HeaderField{"Sec-WebSocket-Extensions", extensions}.append(dst)
	}
	for _, f := range header {
		dst = f.append(dst)
	}
	return append(dst, "\r\n"...)
}
