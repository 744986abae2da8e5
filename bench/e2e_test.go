package bench

import (
	"flag"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/wsframe/wsframe/bench/internal/e2e"
)

var (
	e2eConns  = flag.Int("e2e-conns", 32, "BenchmarkEcho: client connections doing round trips at once")
	idleConns = flag.Int("idle-conns", 10000, "BenchmarkIdleMemory, BenchmarkIdleDeflateMemory: idle connections per server")
)

// e2eSizes are the message sizes of BenchmarkEcho.
var e2eSizes = []int{16, 4 << 10}

// e2eBin holds the servers' binaries, built once per test binary.
var e2eBin struct {
	once sync.Once
	dir  string
	err  error
}

func e2eBuild() (string, error) {
	e2eBin.once.Do(func() {
		e2eBin.dir, e2eBin.err = os.MkdirTemp("", "wsframe-e2e-")
		if e2eBin.err == nil {
			e2eBin.err = e2e.Build(e2eBin.dir)
		}
	})
	return e2eBin.dir, e2eBin.err
}

// serverSet is a list of servers the echo tests and benchmarks share,
// started once and stopped by TestMain.
type serverSet struct {
	once    sync.Once
	servers []*e2e.Server
	err     error
}

// running are the servers of e2e.Servers, compressing those of
// e2e.DeflateServers.
var running, compressing serverSet

func (set *serverSet) start(list func(dir string) []*e2e.Server) ([]*e2e.Server, error) {
	set.once.Do(func() {
		dir, err := e2eBuild()
		if err != nil {
			set.err = err
			return
		}
		set.servers = list(dir)
		for _, s := range set.servers {
			if set.err = s.Start(); set.err != nil {
				return
			}
		}
	})
	return set.servers, set.err
}

func e2eServers() ([]*e2e.Server, error) { return running.start(e2e.Servers) }

func TestMain(m *testing.M) {
	code := m.Run()
	for _, s := range append(running.servers, compressing.servers...) {
		s.Stop()
	}
	if e2eBin.dir != "" {
		os.RemoveAll(e2eBin.dir)
	}
	os.Exit(code)
}

// TestEchoServers checks every echo server of the end-to-end comparison:
// each must echo messages of each benchmark size, and of 64 KiB, exactly,
// over two connections at once.
func TestEchoServers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the echo servers")
	}
	ss, err := e2eServers()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		for _, size := range append(e2eSizes, 64<<10) {
			if _, err := e2e.Run(s.Addr(), 2, e2e.Payload(size), 0, 10, nil); err != nil {
				t.Errorf("%s, %d-byte messages: %v", s.Name, size, err)
			}
		}
		if _, err := e2e.RSS(s.Pid()); err != nil {
			t.Logf("%s: %v", s.Name, err)
		}
	}
}

// TestDeflateEchoServers checks every server of e2e.DeflateServers: each
// must accept permessage-deflate, and echo compressed text of 1 KiB three
// times and of 64 KiB compressed, and 16 bytes, sent uncompressed, exactly.
func TestDeflateEchoServers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the echo servers")
	}
	ss, err := compressing.start(e2e.DeflateServers)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		c, err := e2e.DialDeflate(s.Addr())
		if err != nil {
			t.Errorf("%s: %v", s.Label(), err)
			continue
		}
		c.SetDeadline(time.Now().Add(30 * time.Second))
		for _, size := range []int{1 << 10, 1 << 10, 1 << 10, 64 << 10, 16} {
			if err := c.EchoText(e2e.Text(size)); err != nil {
				t.Errorf("%s, %d bytes of text: %v", s.Label(), size, err)
				break
			}
		}
		c.Close()
		t.Logf("%s: %s (%s)", s.Label(), c.Deflate().Response, c.Deflate().Mode())
	}
}

// BenchmarkEcho is the round trip of one binary message to an echo server
// over loopback, with -e2e-conns connections doing round trips at once:
// ns/op is the inverse of the round trips per second, and p50-ns and
// p99-ns are the latency percentiles of the round trips.
func BenchmarkEcho(b *testing.B) {
	ss, err := e2eServers()
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range ss {
		b.Run("impl="+implName(s.Name), func(b *testing.B) {
			for _, size := range e2eSizes {
				b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) {
					b.SetBytes(int64(size))
					l, err := e2e.Run(s.Addr(), *e2eConns, e2e.Payload(size), 0, b.N, b.ResetTimer)
					if err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					b.ReportMetric(float64(l.Percentile(0.5).Nanoseconds()), "p50-ns")
					b.ReportMetric(float64(l.Percentile(0.99).Nanoseconds()), "p99-ns")
				})
			}
		})
	}
}

// BenchmarkIdleMemory opens -idle-conns idle upgraded connections to a
// freshly started server and reports the growth of its resident set per
// connection (B/conn). Each op is one such measurement.
func BenchmarkIdleMemory(b *testing.B) {
	if err := e2e.RaiseNofile(*idleConns + 256); err != nil {
		b.Skip(err)
	}
	dir, err := e2eBuild()
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range e2e.Servers(dir) {
		b.Run("impl="+implName(s.Name), func(b *testing.B) {
			var sum float64
			for range b.N {
				if err := s.Start(); err != nil {
					b.Fatal(err)
				}
				m, err := e2e.IdleMemory(s, *idleConns, nil)
				s.Stop()
				if err != nil {
					b.Fatal(err)
				}
				sum += m.PerConn()
			}
			b.ReportMetric(sum/float64(b.N), "B/conn")
		})
	}
}

// BenchmarkIdleDeflateMemory is BenchmarkIdleMemory with connections that
// negotiate permessage-deflate and each have 1 KiB of text echoed,
// compressed both ways, before they idle (e2e.IdleDeflateMemory).
func BenchmarkIdleDeflateMemory(b *testing.B) {
	if err := e2e.RaiseNofile(*idleConns + 256); err != nil {
		b.Skip(err)
	}
	dir, err := e2eBuild()
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range e2e.DeflateServers(dir) {
		name := "impl=" + implName(s.Name)
		if s.Mode != "" {
			name += "/mode=" + s.Mode
		}
		b.Run(name, func(b *testing.B) {
			var sum float64
			for range b.N {
				if err := s.Start(); err != nil {
					b.Fatal(err)
				}
				m, err := e2e.IdleDeflateMemory(s, *idleConns, e2e.Text(1<<10), nil)
				s.Stop()
				if err != nil {
					b.Fatal(err)
				}
				sum += m.PerConn()
			}
			b.ReportMetric(sum/float64(b.N), "B/conn")
		})
	}
}
