package masks

import (
	_ "unsafe" // for go:linkname

	// The packages that define the kernels below; importing them links them in.
	_ "github.com/coder/websocket"
	_ "github.com/gorilla/websocket"
	_ "github.com/lesismal/nbio/nbhttp/websocket"
	_ "github.com/lxzan/gws"
)

// The masking kernels of the peers that do not export one. Each declaration
// repeats the signature the kernel has at the version pinned in go.mod; a
// different version may change it, so the versions are pinned exactly and
// Verify runs every kernel before it is timed.

// gorillaMaskBytes is maskBytes in github.com/gorilla/websocket (mask.go): it
// XORs b in place starting at key position pos and returns the next position.
//
//go:linkname gorillaMaskBytes github.com/gorilla/websocket.maskBytes
//go:noescape
func gorillaMaskBytes(key [4]byte, pos int, b []byte) int

// coderMask is mask in github.com/coder/websocket (mask_asm.go on amd64 and
// arm64): it XORs b in place with key, a little-endian word whose low byte
// applies to b[0], and returns the key rotated past b.
//
//go:linkname coderMask github.com/coder/websocket.mask
//go:noescape
func coderMask(b []byte, key uint32) uint32

// gwsMaskXOR is MaskXOR in github.com/lxzan/gws/internal (utils.go): it XORs
// b in place with the four bytes of key, key[0] applying to b[0]. It is
// exported, but from an internal package, so no user of gws can call it.
//
//go:linkname gwsMaskXOR github.com/lxzan/gws/internal.MaskXOR
//go:noescape
func gwsMaskXOR(b []byte, key []byte)

// nbioMaskXOR is maskXOR in github.com/lesismal/nbio/nbhttp/websocket
// (conn.go), with the same contract as gwsMaskXOR.
//
//go:linkname nbioMaskXOR github.com/lesismal/nbio/nbhttp/websocket.maskXOR
//go:noescape
func nbioMaskXOR(b, key []byte)
