package codec

import (
	"errors"
	"strconv"
)

// CloseCode is a WebSocket close status code (RFC 6455 section 7.4).
type CloseCode uint16

// Close codes defined by RFC 6455 section 7.4.1 and the IANA registry.
const (
	CloseNormal             CloseCode = 1000
	CloseGoingAway          CloseCode = 1001
	CloseProtocolError      CloseCode = 1002
	CloseUnsupportedData    CloseCode = 1003
	CloseNoStatus           CloseCode = 1005 // never sent: no code was present
	CloseAbnormal           CloseCode = 1006 // never sent: the connection dropped
	CloseInvalidPayload     CloseCode = 1007
	ClosePolicyViolation    CloseCode = 1008
	CloseMessageTooBig      CloseCode = 1009
	CloseMandatoryExtension CloseCode = 1010
	CloseInternalError      CloseCode = 1011
	CloseServiceRestart     CloseCode = 1012
	CloseTryAgainLater      CloseCode = 1013
	CloseBadGateway         CloseCode = 1014
	CloseTLSHandshake       CloseCode = 1015 // never sent: the TLS handshake failed
)

var closeNames = map[CloseCode]string{
	CloseNormal:             "normal closure",
	CloseGoingAway:          "going away",
	CloseProtocolError:      "protocol error",
	CloseUnsupportedData:    "unsupported data",
	CloseNoStatus:           "no status",
	CloseAbnormal:           "abnormal closure",
	CloseInvalidPayload:     "invalid payload data",
	ClosePolicyViolation:    "policy violation",
	CloseMessageTooBig:      "message too big",
	CloseMandatoryExtension: "mandatory extension",
	CloseInternalError:      "internal error",
	CloseServiceRestart:     "service restart",
	CloseTryAgainLater:      "try again later",
	CloseBadGateway:         "bad gateway",
	CloseTLSHandshake:       "TLS handshake failure",
}

// String returns the code and its registered name, e.g. "1002 (protocol
// error)".
func (c CloseCode) String() string {
	s := strconv.Itoa(int(c))
	if name, ok := closeNames[c]; ok {
		return s + " (" + name + ")"
	}
	return s
}

// Valid reports whether c may be sent in a Close frame: the codes of RFC
// 6455 and the IANA registry meant for the wire (1000–1003, 1007–1014) and
// the ranges for libraries and applications (3000–4999). 1004–1006 and 1015
// must never appear on the wire; other codes below 3000 are unassigned.
func (c CloseCode) Valid() bool {
	switch {
	case c >= 1000 && c <= 1003, c >= 1007 && c <= 1014:
		return true
	case c >= 3000 && c <= 4999:
		return true
	}
	return false
}

// ProtocolError is a violation of RFC 6455 (or of a configured limit) by
// the peer. Code is the status to send in the Close frame that fails the
// connection. The errors returned for peer violations are the package-level
// *ProtocolError values below, so they can be tested with errors.Is, and
// errors.As with a *ProtocolError gives the close code.
type ProtocolError struct {
	Code   CloseCode
	Reason string
}

func (e *ProtocolError) Error() string {
	return "codec: " + e.Reason + " (close " + strconv.Itoa(int(e.Code)) + ")"
}

// CloseCodeOf returns the close code to send for err: the code of a
// *ProtocolError in its chain, or CloseInternalError for any other error.
func CloseCodeOf(err error) CloseCode {
	var pe *ProtocolError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return CloseInternalError
}

func protocolError(code CloseCode, reason string) *ProtocolError {
	return &ProtocolError{Code: code, Reason: reason}
}

// Violations found in a frame header.
var (
	ErrReservedOpcode    = protocolError(CloseProtocolError, "reserved opcode")
	ErrFragmentedControl = protocolError(CloseProtocolError, "fragmented control frame")
	ErrControlTooLong    = protocolError(CloseProtocolError, "control frame payload length not in the 7-bit form of at most 125 bytes")
	ErrLengthOverflow    = protocolError(CloseProtocolError, "64-bit payload length with the most significant bit set")
	ErrNonMinimalLength  = protocolError(CloseProtocolError, "payload length not in its minimal encoding")
	ErrUnmaskedFrame     = protocolError(CloseProtocolError, "unmasked frame from a client")
	ErrMaskedFrame       = protocolError(CloseProtocolError, "masked frame from a server")
	ErrReservedBits      = protocolError(CloseProtocolError, "reserved bits set that no extension negotiated")
	ErrFrameTooLarge     = protocolError(CloseMessageTooBig, "frame payload exceeds the limit")
	// ErrBufferFull is returned by a Reader whose Decoder has NoGather set
	// when a frame (or its header) does not fit in the read buffer: too big
	// for this connection to take, hence close code 1009.
	ErrBufferFull = protocolError(CloseMessageTooBig, "frame does not fit in the read buffer")
)

// Violations found in the sequence of frames and in their payloads.
var (
	ErrUnexpectedContinuation = protocolError(CloseProtocolError, "continuation frame with no message in progress")
	ErrExpectedContinuation   = protocolError(CloseProtocolError, "new data frame while a fragmented message is in progress")
	ErrInvalidUTF8            = protocolError(CloseInvalidPayload, "invalid UTF-8 in text")
	ErrMessageTooLarge        = protocolError(CloseMessageTooBig, "message exceeds the size limit")
	ErrTooManyFragments       = protocolError(CloseMessageTooBig, "message exceeds the fragment limit")
	ErrCloseLength            = protocolError(CloseProtocolError, "close frame payload of 1 byte")
	ErrInvalidCloseCode       = protocolError(CloseProtocolError, "close code not allowed on the wire")
	ErrCompressedControl      = protocolError(CloseProtocolError, "RSV1 set on a control frame")
	ErrCompressedContinuation = protocolError(CloseProtocolError, "RSV1 set on a continuation frame")
	ErrTruncated              = protocolError(CloseAbnormal, "connection ended inside a frame")
)

// Errors that are not the peer's fault.
var (
	// ErrShortHeader is returned by DecodeHeader when b holds only part of a
	// header; HeaderSize tells how many bytes the whole header takes.
	ErrShortHeader = errors.New("codec: incomplete frame header")
	// ErrNeedMore is returned by Decoder.Decode when the input ended before
	// the next frame (or chunk) was complete; Decoder.Needed tells how many
	// more bytes the frame needs.
	ErrNeedMore = errors.New("codec: need more input")
	// ErrControlPayload is returned when asked to encode a control frame
	// without FIN or with a payload longer than 125 bytes.
	ErrControlPayload = errors.New("codec: control frame not final or with a payload longer than 125 bytes")
	// ErrCloseCode is returned when asked to encode a close code that must
	// not be sent.
	ErrCloseCode = errors.New("codec: close code may not be sent")
	// ErrPeerClosed is returned by MessageDecoder.Decode after it delivered
	// the peer's Close frame: nothing after it is data.
	ErrPeerClosed = errors.New("codec: peer sent a close frame")
	// ErrClosed is returned when asked to send a data frame after a Close
	// frame was sent.
	ErrClosed = errors.New("codec: close frame already sent")
)
