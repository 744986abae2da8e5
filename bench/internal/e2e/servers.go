// Package e2e measures WebSocket echo servers end to end over loopback:
// wsframe's two examples and an echo server built on each peer library's
// documented server API, each a child process, driven by one client
// implementation for all of them. It measures round trips per second and
// their latency under load, and the memory an idle connection costs the
// server, plain and with permessage-deflate negotiated (DeflateServers,
// IdleDeflateMemory).
package e2e

import (
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"

	coder "github.com/coder/websocket"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsflate"
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

// The permessage-deflate modes of Serve. DeflateOff negotiates nothing;
// DeflateOn negotiates permessage-deflate with the library's default
// parameters. coder has no default: it takes DeflateContextTakeover
// (CompressionContextTakeover) or DeflateNoContextTakeover
// (CompressionNoContextTakeover).
const (
	DeflateOff               = ""
	DeflateOn                = "on"
	DeflateContextTakeover   = "context-takeover"
	DeflateNoContextTakeover = "no-context-takeover"
)

// DeflateModes lists, for each library of Libs, the modes other than
// DeflateOff that its server takes; a library missing here has no
// permessage-deflate.
var DeflateModes = map[string][]string{
	"gorilla": {DeflateOn},
	"gobwas":  {DeflateOn},
	"gws":     {DeflateOn},
	"nbio":    {DeflateOn},
	"coder":   {DeflateContextTakeover, DeflateNoContextTakeover},
}

// Serve runs the echo server of lib on ln, negotiating permessage-deflate
// as deflate (one of DeflateModes[lib], or DeflateOff) says. It returns
// only if the server fails.
func Serve(lib string, ln net.Listener, deflate string) error {
	if deflate != DeflateOff && !slices.Contains(DeflateModes[lib], deflate) {
		return fmt.Errorf("%s: no permessage-deflate mode %q (have %q)", lib, deflate, DeflateModes[lib])
	}
	switch lib {
	case "gorilla":
		return serveGorilla(ln, deflate != DeflateOff)
	case "gobwas":
		if deflate != DeflateOff {
			return serveGobwasDeflate(ln)
		}
		return serveGobwas(ln)
	case "gws":
		return serveGws(ln, deflate != DeflateOff)
	case "nbio":
		return serveNbio(ln, deflate != DeflateOff)
	case "coder":
		mode := coder.CompressionDisabled
		switch deflate {
		case DeflateContextTakeover:
			mode = coder.CompressionContextTakeover
		case DeflateNoContextTakeover:
			mode = coder.CompressionNoContextTakeover
		}
		return serveCoder(ln, mode)
	}
	return fmt.Errorf("no echo server for %q (have %v)", lib, Libs)
}

// serveGorilla runs net/http with gorilla's Upgrader, and each connection
// in its handler's goroutine: ReadMessage, WriteMessage. With compress the
// Upgrader has EnableCompression, and gorilla compresses every message it
// writes on a connection that negotiated it.
func serveGorilla(ln net.Listener, compress bool) error {
	up := gorilla.Upgrader{CheckOrigin: func(*http.Request) bool { return true }, EnableCompression: compress}
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

// serveGobwasDeflate is serveGobwas with permessage-deflate: each
// connection is upgraded by a ws.Upgrader whose Negotiate is a
// wsflate.Extension with wsflate.DefaultParameters (no context takeover on
// either side), and read and written with wsutil's Reader and Writer,
// which a wsflate.MessageState tells about the RSV1 bit. The connection
// makes its wsflate.Reader and wsflate.Writer (compress/flate, BestSpeed)
// when the upgrade accepted the extension and resets them for every
// message; each message is inflated if it came compressed, and every reply
// is compressed. Reads go through a 4 KiB bufio.Reader, replies through
// the wsutil.Writer's 4 KiB buffer.
func serveGobwasDeflate(ln net.Listener) error {
	for {
		nc, err := ln.Accept()
		if err != nil {
			return err
		}
		go gobwasDeflateConn(nc)
	}
}

func gobwasDeflateConn(nc net.Conn) {
	defer nc.Close()
	ext := wsflate.Extension{Parameters: wsflate.DefaultParameters}
	up := ws.Upgrader{Negotiate: ext.Negotiate}
	if _, err := up.Upgrade(nc); err != nil {
		return
	}
	_, compress := ext.Accepted()
	var state wsflate.MessageState
	rd := &wsutil.Reader{
		Source:         bufio.NewReader(nc),
		State:          ws.StateServerSide | ws.StateExtended,
		Extensions:     []wsutil.RecvExtension{&state},
		MaxMessageSize: maxMessage,
	}
	control := wsutil.ControlFrameHandler(nc, ws.StateServerSide)
	rd.OnIntermediate = control
	wr := wsutil.NewWriter(nc, ws.StateServerSide|ws.StateExtended, ws.OpText)
	wr.SetExtensions(&state)
	var fr *wsflate.Reader
	var fw *wsflate.Writer
	if compress {
		fr = wsflate.NewReader(nil, func(r io.Reader) wsflate.Decompressor { return flate.NewReader(r) })
		fw = wsflate.NewWriter(nil, func(w io.Writer) wsflate.Compressor {
			f, _ := flate.NewWriter(w, flate.BestSpeed)
			return f
		})
	}
	var msg bytes.Buffer
	for {
		h, err := rd.NextFrame()
		if err != nil {
			return
		}
		if h.OpCode.IsControl() {
			if err := control(h, rd); err != nil {
				return // a close frame, answered, or a failed write
			}
			continue
		}
		var src io.Reader = rd
		if state.IsCompressed() {
			if fr == nil {
				return // RSV1 without the extension; wsutil lets it through
			}
			fr.Reset(rd)
			src = fr
		}
		msg.Reset()
		if _, err := msg.ReadFrom(src); err != nil {
			return
		}
		wr.ResetOp(h.OpCode)
		state.SetCompressed(compress)
		if compress {
			fw.Reset(wr)
			if _, err := fw.Write(msg.Bytes()); err != nil {
				return
			}
			if err := fw.Close(); err != nil {
				return
			}
		} else if _, err := wr.Write(msg.Bytes()); err != nil {
			return
		}
		if err := wr.Flush(); err != nil {
			return
		}
	}
}

// gwsEcho echoes every message gws delivers.
type gwsEcho struct{ gws.BuiltinEventHandler }

func (gwsEcho) OnMessage(c *gws.Conn, m *gws.Message) {
	defer m.Close()
	c.WriteMessage(m.Opcode, m.Bytes())
}

// serveGws runs gws's Server, a read loop goroutine per connection that
// calls OnMessage. With compress, PermessageDeflate is enabled with its
// other fields left to gws's defaults.
func serveGws(ln net.Listener, compress bool) error {
	s := gws.NewServer(gwsEcho{}, &gws.ServerOption{
		ReadMaxPayloadSize: maxMessage,
		PermessageDeflate:  gws.PermessageDeflate{Enabled: compress},
	})
	return s.RunListener(ln)
}

// serveNbio runs an nbhttp Engine, nbio's non-blocking event loops, with
// its websocket Upgrader echoing in OnMessage. With compress the Upgrader
// has EnableCompression(true).
func serveNbio(ln net.Listener, compress bool) error {
	u := nbws.NewUpgrader()
	u.CheckOrigin = func(*http.Request) bool { return true }
	u.EnableCompression(compress)
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
// handler's goroutine: Read, Write. mode is AcceptOptions.CompressionMode.
func serveCoder(ln net.Listener, mode coder.CompressionMode) error {
	return http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := coder.Accept(w, r, &coder.AcceptOptions{InsecureSkipVerify: true, CompressionMode: mode})
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
