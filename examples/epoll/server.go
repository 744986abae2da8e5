//go:build linux

package main

import (
	"log"
	"os"
	"runtime"
	"time"

	"golang.org/x/sys/unix"

	"github.com/wsframe/wsframe/codec"
	"github.com/wsframe/wsframe/handshake"
)

const (
	// readBufferSize is the size of the read buffer each loop shares
	// between its connections.
	readBufferSize = 64 << 10

	// copyLimit is the longest payload an echo copies into the loop's
	// output buffer, so that the replies to one read leave in one write.
	// Longer payloads are written from where they lie, after the header,
	// with writev.
	copyLimit = 1024

	// handshakeTimeout bounds the time a client has to send its upgrade
	// request.
	handshakeTimeout = 10 * time.Second

	// writeTimeout bounds the time replies may wait for a client that
	// does not read.
	writeTimeout = 10 * time.Second

	// lingerTimeout bounds the time the server waits, after its last
	// frame, for the client to close its side.
	lingerTimeout = 2 * time.Second

	// sweepInterval is how often a loop closes the connections whose
	// deadline passed.
	sweepInterval = time.Second

	// pauseInterval is how long a loop out of descriptors leaves the
	// listener alone before it tries again.
	pauseInterval = 50 * time.Millisecond

	// keepAliveIdle (seconds) and keepAliveCount set TCP keepalive on
	// every connection: Go's listener defaults, 15 s idle and between
	// probes, 9 probes.
	keepAliveIdle  = 15
	keepAliveCount = 9

	maxEvents   = 256 // events taken from epoll at a time
	acceptBatch = 16  // connections accepted per wakeup, at most
)

type server struct {
	up         handshake.Upgrader
	maxMessage int64
}

// serve runs loops event loops on the listening socket lfd. It returns only
// when a loop fails.
func (s *server) serve(lfd, loops int) error {
	errc := make(chan error, loops)
	for range loops {
		l, err := s.newLoop(lfd)
		if err != nil {
			return err
		}
		go func() { errc <- l.run() }()
	}
	return <-errc
}

// A loop owns the connections it accepted: only its goroutine touches them.
type loop struct {
	s      *server
	epfd   int
	lfd    int
	spare  int    // an open descriptor, given up to refuse a connection when none are left
	buf    []byte // the read buffer of all the loop's connections
	out    []byte // replies to one read, until they are written
	conns  []*conn
	timed  []*conn // connections that were given a deadline
	events [maxEvents]unix.EpollEvent
	start  time.Time
	sweep  time.Duration // when to look at the deadlines next
	paused time.Duration // when the listener, left out while no spare descriptor could be had, is watched again
}

// conn is a connection's state between reads.
type conn struct {
	fd       int
	events   uint32 // the epoll events watched, 0 before the first
	upgraded bool
	closing  bool          // the last frame is sent: discard input until the peer closes
	timed    bool          // c is in its loop's timed list
	deadline time.Duration // since the loop's start; zero for none
	req      []byte        // the upgrade request so far, when it spans reads
	pending  []byte        // bytes the socket would not take yet
	dec      codec.MessageDecoder
	enc      codec.Encoder
}

func (s *server) newLoop(lfd int) (*loop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	// EPOLLEXCLUSIVE: a new connection wakes one loop waiting in
	// epoll_wait, not all of them.
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLEXCLUSIVE, Fd: int32(lfd)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, lfd, &ev); err != nil {
		unix.Close(epfd)
		return nil, os.NewSyscallError("epoll_ctl", err)
	}
	spare, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		unix.Close(epfd)
		return nil, os.NewSyscallError("open", err)
	}
	return &loop{s: s, epfd: epfd, lfd: lfd, spare: spare, buf: make([]byte, readBufferSize), start: time.Now()}, nil
}

func (l *loop) run() error {
	runtime.LockOSThread()
	for {
		timeout := -1
		if len(l.timed) > 0 {
			timeout = int(sweepInterval / time.Millisecond)
		}
		if l.paused > 0 {
			if l.now() >= l.paused {
				l.resume()
			}
			if l.paused > 0 {
				timeout = int(pauseInterval / time.Millisecond)
			}
		}
		n, err := unix.EpollWait(l.epfd, l.events[:], timeout)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return os.NewSyscallError("epoll_wait", err)
		}
		for _, ev := range l.events[:n] {
			fd := int(ev.Fd)
			if fd == l.lfd {
				l.accept()
				continue
			}
			// A connection closed earlier in this batch has no entry.
			if fd < len(l.conns) && l.conns[fd] != nil {
				l.event(l.conns[fd], ev.Events)
			}
		}
		if len(l.timed) > 0 {
			if now := l.now(); now >= l.sweep {
				l.expire(now)
				l.sweep = now + sweepInterval
			}
		}
	}
}

func (l *loop) now() time.Duration { return time.Since(l.start) }

func (l *loop) event(c *conn, events uint32) {
	// HUP: both directions are shut (the peer reset the connection, or it
	// closed its side after we closed ours). ERR: the socket failed.
	if events&(unix.EPOLLHUP|unix.EPOLLERR) != 0 {
		l.close(c)
		return
	}
	if events&unix.EPOLLOUT != 0 {
		l.flush(c)
	}
	if events&(unix.EPOLLIN|unix.EPOLLRDHUP) != 0 && c.fd >= 0 {
		l.read(c)
	}
}

func (l *loop) accept() {
	for range acceptBatch {
		fd, _, err := unix.Accept4(l.lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		switch err {
		case nil:
			l.add(fd)
		case unix.EAGAIN: // none left, or another loop took it
			return
		case unix.EINTR, unix.ECONNABORTED:
		case unix.EMFILE, unix.ENFILE:
			l.refuse()
			return
		default:
			log.Print(os.NewSyscallError("accept4", err))
			return
		}
	}
}

// refuse closes the next connection waiting to be accepted when the
// process is out of descriptors. Left in the queue, it would keep the
// listening socket readable and the loop spinning.
func (l *loop) refuse() {
	unix.Close(l.spare)
	if fd, _, err := unix.Accept4(l.lfd, unix.SOCK_CLOEXEC); err == nil {
		unix.Close(fd)
	}
	var err error
	if l.spare, err = unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0); err != nil {
		// Another loop took the descriptor. Without a spare, the waiting
		// connection would keep the listener readable and this loop
		// spinning: leave the listener out until a descriptor is free.
		log.Print(os.NewSyscallError("open", err))
		unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, l.lfd, nil)
		l.paused = l.now() + pauseInterval
	}
}

// resume takes the spare descriptor back and watches the listener again,
// or tries again after pauseInterval.
func (l *loop) resume() {
	var err error
	if l.spare, err = unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0); err != nil {
		l.paused = l.now() + pauseInterval
		return
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLEXCLUSIVE, Fd: int32(l.lfd)}
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, l.lfd, &ev); err != nil {
		log.Print(os.NewSyscallError("epoll_ctl", err))
	}
	l.paused = 0
}

func (l *loop) add(fd int) {
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	// Keepalive, as Go's listener sets it, so that a peer that vanished
	// without a FIN or RST does not hold its descriptor for ever.
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1)
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, keepAliveIdle)
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, keepAliveIdle)
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPCNT, keepAliveCount)
	c := &conn{fd: fd}
	if !l.watch(c, unix.EPOLLIN|unix.EPOLLRDHUP) {
		unix.Close(fd)
		return
	}
	if fd >= len(l.conns) {
		l.conns = append(l.conns, make([]*conn, fd+1-len(l.conns))...)
	}
	l.conns[fd] = c
	l.expireAfter(c, handshakeTimeout)
}

// watch sets the events epoll reports for c.
func (l *loop) watch(c *conn, events uint32) bool {
	if c.events == events {
		return true
	}
	op := unix.EPOLL_CTL_MOD
	if c.events == 0 {
		op = unix.EPOLL_CTL_ADD
	}
	ev := unix.EpollEvent{Events: events, Fd: int32(c.fd)}
	if err := unix.EpollCtl(l.epfd, op, c.fd, &ev); err != nil {
		log.Print(os.NewSyscallError("epoll_ctl", err))
		return false
	}
	c.events = events
	return true
}

func (l *loop) read(c *conn) {
	n, err := ignoringEINTR(func() (int, error) { return unix.Read(c.fd, l.buf) })
	switch {
	case err == unix.EAGAIN:
		return
	case err != nil || n == 0:
		// Either the connection failed or the peer will send nothing
		// more. No reply is waiting to be sent: input is read only while
		// the socket takes all replies.
		l.close(c)
		return
	case c.closing:
		return
	}
	data := l.buf[:n]
	if !c.upgraded {
		var ok bool
		if data, ok = l.upgrade(c, data); !ok {
			return
		}
	}
	l.serve(c, data)
}

// upgrade answers the upgrade request once it is complete and returns the
// bytes after it, the first bytes of the WebSocket stream.
func (l *loop) upgrade(c *conn, data []byte) ([]byte, bool) {
	req := data
	if c.req != nil {
		c.req = append(c.req, data...)
		req = c.req
	}
	res, n, err := l.s.up.Handshake(l.out[:0], req)
	if err == handshake.ErrIncomplete {
		if c.req == nil { // keep the start of the request out of the shared buffer
			c.req = append([]byte(nil), data...)
		}
		return nil, false
	}
	l.out = res.Response[:0]
	c.req = nil
	if err != nil { // refused: the response says why
		l.finish(c, res.Response)
		return nil, false
	}
	c.upgraded = true
	l.expireAfter(c, 0)
	if !l.send(c, res.Response) {
		return nil, false
	}
	c.dec.MaxMessage = l.s.maxMessage
	c.dec.MaxPayload = l.s.maxMessage
	if p, found, _ := handshake.DeflateResponse([][]byte{[]byte(res.Extensions)}); found {
		c.dec.Inflate = true
		c.dec.InflateContext = !p.ClientNoContextTakeover
		c.enc.Compress = true
	}
	return req[n:], true
}

// serve decodes the messages in data and answers them. Payloads are views
// of the loop's read buffer or of the decoder's buffers, valid until the
// next Decode, so every reply is written or copied before that.
func (l *loop) serve(c *conn, data []byte) {
	l.out = l.out[:0]
	for {
		msg, n, err := c.dec.Decode(data)
		data = data[n:]
		if err == codec.ErrNeedMore {
			l.send(c, l.out)
			return
		}
		if err != nil {
			l.out, _ = c.enc.AppendClose(l.out, codec.CloseCodeOf(err), "")
			l.finish(c, l.out)
			return
		}
		switch msg.Opcode {
		case codec.OpText, codec.OpBinary:
			if c.enc.Compress {
				l.out, _ = c.enc.AppendMessage(l.out, msg.Opcode, 0, msg.Payload, 0)
				continue
			}
			if len(msg.Payload) <= copyLimit {
				l.out, _ = c.enc.AppendFrame(l.out, msg.Opcode, true, 0, msg.Payload)
				continue
			}
			frame, _ := c.enc.Buffers(nil, msg.Opcode, true, 0, msg.Payload)
			if !l.send(c, l.out, frame[0], frame[1]) {
				return
			}
			l.out = l.out[:0]
		case codec.OpClose:
			l.out, _ = c.enc.AppendReply(l.out, msg)
			l.finish(c, l.out)
			return // the rest of data comes after the close: ignore it
		default: // a ping gets its pong; a pong needs nothing
			l.out, _ = c.enc.AppendReply(l.out, msg)
		}
	}
}

// send writes bufs to c's socket, after the bytes already waiting, and
// keeps what the socket does not take now for when it can. While bytes
// wait, c's input is not read: a client that does not read its replies is
// not read either. send returns false if the connection failed and was
// closed.
func (l *loop) send(c *conn, bufs ...[]byte) bool {
	if len(c.pending) == 0 {
		n, err := writev(c.fd, bufs)
		if err != nil && err != unix.EAGAIN {
			l.close(c)
			return false
		}
		for len(bufs) > 0 && n >= len(bufs[0]) {
			n -= len(bufs[0])
			bufs = bufs[1:]
		}
		if len(bufs) > 0 {
			bufs[0] = bufs[0][n:]
		}
	}
	if len(bufs) == 0 {
		return true
	}
	if len(c.pending) == 0 {
		l.expireAfter(c, writeTimeout)
	}
	for _, b := range bufs {
		c.pending = append(c.pending, b...)
	}
	return l.watch(c, unix.EPOLLOUT)
}

// flush writes the bytes waiting for c's socket.
func (l *loop) flush(c *conn) {
	n, err := ignoringEINTR(func() (int, error) { return unix.Write(c.fd, c.pending) })
	if err == unix.EAGAIN {
		return
	}
	if err != nil {
		l.close(c)
		return
	}
	if c.pending = c.pending[n:]; len(c.pending) > 0 {
		if n > 0 {
			l.expireAfter(c, writeTimeout) // the client reads: give it time
		}
		return
	}
	c.pending = nil
	if c.closing {
		l.expireAfter(c, lingerTimeout)
		unix.Shutdown(c.fd, unix.SHUT_WR)
	} else {
		l.expireAfter(c, 0)
	}
	l.watch(c, unix.EPOLLIN|unix.EPOLLRDHUP)
}

// finish sends the last bytes of a connection, then closes its sending
// side, so the client reads the end of the stream, and discards input until
// the client closes its side too (for at most lingerTimeout). Closing a
// socket with unread input resets the connection and can destroy replies
// the client has not read yet.
func (l *loop) finish(c *conn, last []byte) {
	if !l.send(c, last) {
		return
	}
	c.closing = true
	c.dec.Reset()
	// With replies still waiting, flush starts the linger once they are
	// out; until then the client has writeTimeout from each time it reads.
	if len(c.pending) == 0 {
		l.expireAfter(c, lingerTimeout)
		unix.Shutdown(c.fd, unix.SHUT_WR)
	}
}

// expireAfter gives c a deadline d from now, or none if d is zero: for
// its upgrade request, for replies it does not read, or for closing its
// side after the server's last frame.
func (l *loop) expireAfter(c *conn, d time.Duration) {
	if d == 0 {
		c.deadline = 0
		return
	}
	c.deadline = l.now() + d
	if !c.timed {
		c.timed = true
		l.timed = append(l.timed, c)
	}
}

// expire closes the connections whose deadline passed and forgets those
// that no longer have one.
func (l *loop) expire(now time.Duration) {
	kept := l.timed[:0]
	for _, c := range l.timed {
		switch {
		case c.fd < 0 || c.deadline == 0:
			c.timed = false
		case now >= c.deadline:
			l.close(c)
			c.timed = false
		default:
			kept = append(kept, c)
		}
	}
	clear(l.timed[len(kept):])
	l.timed = kept
}

func (l *loop) close(c *conn) {
	// Closing the descriptor also takes it out of the epoll set.
	unix.Close(c.fd)
	l.conns[c.fd] = nil
	c.fd = -1
	c.dec.Reset()
	c.req, c.pending = nil, nil
}

// writev writes bufs with one system call and returns how many bytes the
// socket took.
func writev(fd int, bufs [][]byte) (int, error) {
	total := 0
	for _, b := range bufs {
		total += len(b)
	}
	if total == 0 {
		return 0, nil
	}
	n, err := ignoringEINTR(func() (int, error) { return unix.Writev(fd, bufs) })
	return max(n, 0), err
}

func ignoringEINTR(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if err != unix.EINTR {
			return n, err
		}
	}
}
