package e2e

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// Idle is the memory a server took for idle connections.
type Idle struct {
	Conns         int
	Before, After int64         // the server's resident set, bytes
	Setup         time.Duration // opening and upgrading the connections (and the echo of each, if any)

	// Deflate, for IdleDeflateMemory, is what every connection negotiated.
	Deflate *Deflate
	// Echoed is the length of the compressed text message each connection
	// had echoed before it went idle, for IdleDeflateMemory.
	Echoed int
}

// PerConn is the growth of the resident set per connection, in bytes.
func (i *Idle) PerConn() float64 { return float64(i.After-i.Before) / float64(i.Conns) }

// settle is how long the server is left alone before each measurement,
// for its goroutines to block and its allocator to quiet down.
const settle = time.Second

// Dialers is how many connections are opened at once.
const Dialers = 8

// IdleMemory measures the resident set of the running server s, opens n
// connections to it and upgrades them, measures again once they idle,
// and resets them. The caller raises the file limit (RaiseNofile) first.
func IdleMemory(s *Server, n int, progress io.Writer) (*Idle, error) {
	return idleMemory(s, n, func() (*Client, error) { return Dial(s.Addr()) }, progress)
}

// IdleDeflateMemory is IdleMemory with connections that offer
// permessage-deflate (DialDeflate) and each have text echoed with
// EchoText, compressed both ways, before they idle: servers that make
// their flate state for the first message, and keep it, then hold it.
// A server that does not accept the extension, or does not compress the
// echo, fails the measurement, and so do connections that negotiated
// different parameters.
func IdleDeflateMemory(s *Server, n int, text []byte, progress io.Writer) (*Idle, error) {
	var mu sync.Mutex
	var first *Deflate
	open := func() (*Client, error) {
		c, err := DialDeflate(s.Addr())
		if err != nil {
			return nil, err
		}
		mu.Lock()
		if first == nil {
			first = c.Deflate()
		}
		want := first
		mu.Unlock()
		if got := c.Deflate(); got.Response != want.Response {
			c.Reset()
			return nil, fmt.Errorf("negotiated %q where another connection negotiated %q", got.Response, want.Response)
		}
		c.SetDeadline(time.Now().Add(handshakeTimeout))
		err = c.EchoText(text)
		c.SetDeadline(time.Time{})
		c.dropReadState()
		if err != nil {
			c.Reset()
			return nil, fmt.Errorf("echo: %w", err)
		}
		return c, nil
	}
	m, err := idleMemory(s, n, open, progress)
	if err != nil {
		return nil, err
	}
	m.Deflate, m.Echoed = first, len(text)
	return m, nil
}

// idleMemory is IdleMemory with open making each connection.
func idleMemory(s *Server, n int, open func() (*Client, error), progress io.Writer) (*Idle, error) {
	time.Sleep(settle)
	before, err := RSS(s.Pid())
	if err != nil {
		return nil, err
	}
	cs := make([]*Client, n)
	defer func() {
		for _, c := range cs {
			if c != nil {
				c.Reset()
			}
		}
	}()
	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	next := make(chan int)
	for range Dialers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c, err := open()
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("connection %d: %w", i, err))
					mu.Unlock()
					continue
				}
				cs[i] = c
			}
		}()
	}
	for i := range n {
		mu.Lock()
		failed := len(errs) > 0
		mu.Unlock()
		if failed {
			break
		}
		next <- i
		if (i+1)%(n/4+1) == 0 && progress != nil {
			fmt.Fprintf(progress, "  %s: %d of %d connections open\n", s.Name, i+1, n)
		}
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	setup := time.Since(start)
	time.Sleep(settle)
	after, err := RSS(s.Pid())
	if err != nil {
		return nil, err
	}
	if !s.Running() {
		return nil, fmt.Errorf("%s ended while its connections were idle", s.Name)
	}
	return &Idle{Conns: n, Before: before, After: after, Setup: setup}, nil
}
