// Package e2e measures WebSocket echo servers end to end over loopback:
// wsframe's two examples and an echo server built on each peer library's
// documented server API, each a child process, driven by one client
// implementation for all of them. It measures round trips per second and
// their latency under load, and the memory an idle connection costs the
// server.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"

	coder "github.com/coder/websocket"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	gorilla "github.com/gorilla/websocket"
	"github.com/lesismal/nbio/nbhttp"
	nbws "github.com/lesismal/nbio/nbhttp/websocket"
	"github.com/lxzan/gws"
)

// maxMessage is the message limit of every server, the examples' default.
const maxMessage = 16 << 20

// Libs names the peer libraries Serve knows, in table order.
var Libs = []string{"gorilla", "gobwas", "gws", "nbio", "coder"}

// Serve runs the echo server of lib on ln. It returns only if the server
// fails.
func Serve(lib string, ln net.Listener) error {
	switch lib {
	case "gorilla":
		return serveGorilla(ln)
	case "gobwas":
		return serveGobwas(ln)
	case "gws":
		return serveGws(ln)
	case "nbio":
		return serveNbio(ln)
	case "coder":
		return serveCoder(ln)
	}
	return fmt.Errorf("no echo server for %q (have %v)", lib, Libs)
}

// serveGorilla runs net/http with gorilla's Upgrader, and each connection
// in its handler's goroutine: ReadMessage, WriteMessage.
func serveGorilla(ln net.Listener) error {
	up := gorilla.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	return http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		c.SetReadLimit(maxMessage)
		for {
			op, p, err := c.ReadMessage()
			if err != nil {
				return
			}
			if err := c.WriteMessage(op, p); err != nil {
				return
			}
		}
	}))
}

// serveGobwas upgrades each accepted connection with ws.Upgrade and
// echoes in its goroutine with wsutil.ReadClientData and
// WriteServerMessage, through a 4 KiB bufio.Reader and a bufio.Writer that
// holds a 4 KiB message with its header, flushed after each message.
func serveGobwas(ln net.Listener) error {
	for {
		nc, err := ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer nc.Close()
			if _, err := ws.Upgrade(nc); err != nil {
				return
			}
			bw := bufio.NewWriterSize(nc, 4096+ws.MaxHeaderSize)
			rw := struct {
				io.Reader
				io.Writer
			}{bufio.NewReader(nc), bw}
			for {
				p, op, err := wsutil.ReadClientData(rw)
				if err != nil {
					bw.Flush() // the answer to a close frame
					return
				}
				if err := wsutil.WriteServerMessage(bw, op, p); err != nil {
					return
				}
				if err := bw.Flush(); err != nil {
					return
				}
			}
		}()
	}
}

// gwsEcho echoes every message gws delivers.
type gwsEcho struct{ gws.BuiltinEventHandler }

func (gwsEcho) OnMessage(c *gws.Conn, m *gws.Message) {
	defer m.Close()
	c.WriteMessage(m.Opcode, m.Bytes())
}

// serveGws runs gws's Server, a read loop goroutine per connection that
// calls OnMessage.
func serveGws(ln net.Listener) error {
	s := gws.NewServer(gwsEcho{}, &gws.ServerOption{ReadMaxPayloadSize: maxMessage})
	return s.RunListener(ln)
}

// serveNbio runs an nbhttp Engine, nbio's non-blocking event loops, with
// its websocket Upgrader echoing in OnMessage.
func serveNbio(ln net.Listener) error {
	u := nbws.NewUpgrader()
	u.CheckOrigin = func(*http.Request) bool { return true }
	u.MessageLengthLimit = maxMessage
	u.OnMessage(func(c *nbws.Conn, op nbws.MessageType, p []byte) {
		c.WriteMessage(op, p)
	})
	engine := nbhttp.NewEngine(nbhttp.Config{
		Network: "tcp",
		Addrs:   []string{ln.Addr().String()},
		Listen:  func(string, string) (net.Listener, error) { return ln, nil },
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u.Upgrade(w, r, nil)
		}),
		ReleaseWebsocketPayload: true,
	})
	if err := engine.Start(); err != nil {
		return err
	}
	select {}
}

// serveCoder runs net/http with coder's Accept, and each connection in its
// handler's goroutine: Read, Write.
func serveCoder(ln net.Listener) error {
	return http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := coder.Accept(w, r, &coder.AcceptOptions{InsecureSkipVerify: true})
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(maxMessage)
		ctx := context.Background()
		for {
			op, p, err := c.Read(ctx)
			if err != nil {
				return
			}
			if err := c.Write(ctx, op, p); err != nil {
				return
			}
		}
	}))
}
