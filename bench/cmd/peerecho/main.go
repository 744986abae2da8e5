// Command peerecho is a WebSocket echo server built on one of the peer
// libraries' documented server APIs, for the end-to-end comparison with
// wsframe's examples (see package e2e).
//
//	go run ./cmd/peerecho -lib gorilla -addr 127.0.0.1:0
//	go run ./cmd/peerecho -lib coder -deflate context-takeover
//
// It negotiates permessage-deflate only with -deflate: "on" for the
// library's default parameters, and for coder, which has no default,
// "context-takeover" or "no-context-takeover". It prints "listening on
// ADDR" once it accepts connections.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"slices"
	"strings"

	"github.com/wsframe/wsframe/bench/internal/e2e"
)

func main() {
	lib := flag.String("lib", "", "the library: "+strings.Join(e2e.Libs, ", "))
	addr := flag.String("addr", "127.0.0.1:9003", "`address` to listen on")
	deflate := flag.String("deflate", e2e.DeflateOff, "permessage-deflate `mode`: empty for none, "+
		"on (gorilla, gobwas, gws, nbio), context-takeover or no-context-takeover (coder)")
	flag.Parse()
	if !slices.Contains(e2e.Libs, *lib) {
		log.Fatalf("peerecho: -lib must be one of %s", strings.Join(e2e.Libs, ", "))
	}
	if *deflate != e2e.DeflateOff && !slices.Contains(e2e.DeflateModes[*lib], *deflate) {
		log.Fatalf("peerecho: -deflate for %s must be one of %q", *lib, e2e.DeflateModes[*lib])
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listening on", ln.Addr())
	log.Fatal(e2e.Serve(*lib, ln, *deflate))
}
