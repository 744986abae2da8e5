// Command peerecho is a WebSocket echo server built on one of the peer
// libraries' documented server APIs, for the end-to-end comparison with
// wsframe's examples (see package e2e).
//
//	go run ./cmd/peerecho -lib gorilla -addr 127.0.0.1:0
//
// It prints "listening on ADDR" once it accepts connections.
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
	flag.Parse()
	if !slices.Contains(e2e.Libs, *lib) {
		log.Fatalf("peerecho: -lib must be one of %s", strings.Join(e2e.Libs, ", "))
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listening on", ln.Addr())
	log.Fatal(e2e.Serve(*lib, ln))
}
