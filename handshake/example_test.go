package handshake_test

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/wsframe/wsframe/handshake"
)

func ExampleAppendAcceptKey() {
	fmt.Printf("%s\n", handshake.AppendAcceptKey(nil, []byte("dGhlIHNhbXBsZSBub25jZQ==")))
	// Output: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
}

func ExampleUpgrader_Handshake() {
	u := &handshake.Upgrader{Protocols: []string{"chat"}}

	// The request of RFC 6455 section 1.2, arriving in two reads, followed
	// by the first frame.
	in := "GET /chat HTTP/1.1\r\n" +
		"Host: server.example.com\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
		"Origin: http://example.com\r\n" +
		"Sec-WebSocket-Protocol: chat, superchat\r\n" +
		"Sec-WebSocket-Version: 13\r\n" +
		"\r\n" +
		"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"
	var buf []byte
	for _, read := range []string{in[:40], in[40:]} {
		buf = append(buf, read...)
		res, n, err := u.Handshake(nil, buf)
		if err == handshake.ErrIncomplete {
			fmt.Println("need more bytes")
			continue
		}
		if err != nil {
			fmt.Printf("refused: %v\n%s", err, res.Response)
			return
		}
		fmt.Printf("%s", bytes.ReplaceAll(res.Response, []byte("\r\n"), []byte("\n")))
		fmt.Printf("target %s, %d bytes of WebSocket stream left\n", res.Request.Target(), len(buf)-n)
	}
	// Output:
	// need more bytes
	// HTTP/1.1 101 Switching Protocols
	// Upgrade: websocket
	// Connection: Upgrade
	// Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
	// Sec-WebSocket-Protocol: chat
	//
	// target /chat, 11 bytes of WebSocket stream left
}

func ExampleError_AppendResponse() {
	u := &handshake.Upgrader{}
	res, _, err := u.Handshake(nil, []byte("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"+
		"Connection: Upgrade\r\nSec-WebSocket-Version: 8\r\n\r\n"))
	fmt.Println(err)
	fmt.Print(strings.ReplaceAll(string(res.Response), "\r\n", "\n"))
	// Output:
	// handshake: 426 Sec-WebSocket-Version must be 13
	// HTTP/1.1 426 Upgrade Required
	// Connection: Upgrade, close
	// Upgrade: websocket
	// Sec-WebSocket-Version: 13
	// Content-Type: text/plain; charset=utf-8
	// Content-Length: 33
	//
	// Sec-WebSocket-Version must be 13
}

func ExampleClient() {
	c := &handshake.Client{Protocols: []string{"v2.chat", "v1.chat"}}
	u, _ := url.Parse("ws://chat.example/room?id=7")
	req, key, err := c.AppendRequest(nil, u)
	if err != nil {
		log.Fatal(err)
	}

	// A server that speaks only v1.chat answers, and a frame follows.
	res, _, err := (&handshake.Upgrader{Protocols: []string{"v1.chat"}}).Handshake(nil, req)
	if err != nil {
		log.Fatal(err)
	}
	in := append(res.Response, 0x81, 0x02, 'h', 'i')

	resp, n, err := c.ParseResponse(in, key)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("status %d, subprotocol %s, next %q\n", resp.Status(), resp.Protocol(), in[n:])
	// Output: status 101, subprotocol v1.chat, next "\x81\x02hi"
}

func ExampleUpgrade() {
	up := &handshake.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buffered, _, err := handshake.Upgrade(w, r, up)
		if err != nil {
			return // Upgrade has answered the request.
		}
		defer conn.Close()
		// Frames start with the bytes net/http read past the request.
		stream := io.MultiReader(bytes.NewReader(buffered), conn)
		frame := make([]byte, 4)
		if _, err := io.ReadFull(stream, frame); err == nil {
			conn.Write(frame)
		}
	}))
	defer srv.Close()

	c := &handshake.Client{}
	target, _ := url.Parse("ws://" + srv.Listener.Addr().String() + "/")
	req, key, _ := c.AppendRequest(nil, target)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	conn.Write(append(req, 0x81, 0x02, 'h', 'i'))

	var buf []byte
	chunk := make([]byte, 256)
	for {
		m, err := conn.Read(chunk)
		if err != nil {
			log.Fatal(err)
		}
		buf = append(buf, chunk[:m]...)
		_, n, err := c.ParseResponse(buf, key)
		if err == handshake.ErrIncomplete {
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		echo := buf[n:]
		for len(echo) < 4 {
			m, err := conn.Read(chunk)
			if err != nil {
				log.Fatal(err)
			}
			echo = append(echo, chunk[:m]...)
		}
		fmt.Printf("upgraded, echo %q\n", echo)
		return
	}
	// Output: upgraded, echo "\x81\x02hi"
}
