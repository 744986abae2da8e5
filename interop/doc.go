// Package interop checks wsframe against other WebSocket implementations:
// the example servers against the Node ws, Python websockets and Chromium
// clients, a client built from the handshake and codec packages against
// Node ws and Python websockets servers (and against the examples), and
// the codec against the bytes those clients sent, captured in testdata.
// Both ways run with permessage-deflate negotiated and without it.
//
// Each peer that is missing is skipped with a message naming what to
// install; with WSFRAME_INTEROP_REQUIRE=1 a missing peer fails the test
// instead. See README.md.
package interop
