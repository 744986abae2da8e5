//go:build linux

// Command epoll is a WebSocket echo server on epoll event loops, built on
// the sans-IO handshake and codec packages and golang.org/x/sys/unix.
//
//	go run ./examples/epoll -addr 127.0.0.1:9002
//
// It behaves like the echo example, without a goroutine per connection:
// one event loop per CPU, each a goroutine locked to its thread, owns a
// share of the connections. The listening socket is in every loop's epoll
// set with EPOLLEXCLUSIVE, so a new connection wakes one idle loop, which
// accepts it and keeps it.
//
// A loop has one read buffer for all its connections. Between reads a
// connection holds only its state: the bytes of an unfinished upgrade
// request, a codec.MessageDecoder, which keeps the parts of frames and
// messages that arrived so far itself, and the replies the socket would
// not take yet. An idle upgraded connection holds no buffer at all.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/netip"
	"os"
	"runtime"
	"time"

	"golang.org/x/sys/unix"

	"github.com/wsframe/wsframe/codec"
	"github.com/wsframe/wsframe/handshake"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9002", "`address` to listen on")
	loops := flag.Int("loops", runtime.NumCPU(), "`number` of event loops")
	maxMessage := flag.Int64("max-message", codec.DefaultMaxMessage, "largest message accepted, in `bytes`")
	deflate := flag.Bool("deflate", true, "negotiate permessage-deflate (RFC 7692)")
	clientContext := flag.Bool("deflate-client-context", false, "with -deflate, let clients keep their compression context (costs the server 32 KiB per connection)")
	flag.Parse()
	if *loops < 1 || *maxMessage <= 0 {
		fmt.Fprintln(os.Stderr, "epoll: -loops and -max-message must be positive")
		os.Exit(2)
	}

	// The first timer starts the runtime's own poller, which needs a
	// descriptor: start it now, not when the loops may have used them all
	// up, where failing to create it is fatal.
	time.NewTimer(time.Hour).Stop()

	lfd, err := listen(*addr)
	if err != nil {
		log.Fatal(err)
	}
	name, err := localAddr(lfd)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listening on", name)

	s := &server{maxMessage: *maxMessage}
	if *deflate {
		s.up.Extensions = (&handshake.Deflate{ClientContextTakeover: *clientContext}).Negotiate
	}
	log.Fatal(s.serve(lfd, *loops))
}

// listenBacklog is the length of the queue of connections not yet
// accepted; the kernel caps it at net.core.somaxconn.
const listenBacklog = 4096

// listen returns a non-blocking TCP socket listening on addr.
func listen(addr string) (int, error) {
	ta, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return -1, err
	}
	family := unix.AF_INET
	var sa unix.Sockaddr
	if ip4 := ta.IP.To4(); ip4 != nil || ta.IP == nil {
		s := &unix.SockaddrInet4{Port: ta.Port}
		copy(s.Addr[:], ip4)
		sa = s
	} else {
		family = unix.AF_INET6
		s := &unix.SockaddrInet6{Port: ta.Port}
		copy(s.Addr[:], ta.IP.To16())
		sa = s
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		unix.Close(fd)
		return -1, os.NewSyscallError("setsockopt", err)
	}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		return -1, os.NewSyscallError("bind", err)
	}
	if err := unix.Listen(fd, listenBacklog); err != nil {
		unix.Close(fd)
		return -1, os.NewSyscallError("listen", err)
	}
	return fd, nil
}

// localAddr returns the address fd is bound to, such as "127.0.0.1:9002".
func localAddr(fd int) (string, error) {
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return "", os.NewSyscallError("getsockname", err)
	}
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port)).String(), nil
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), uint16(sa.Port)).String(), nil
	}
	return "", fmt.Errorf("getsockname: unexpected address %T", sa)
}
