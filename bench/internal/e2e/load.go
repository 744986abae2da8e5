package e2e

import (
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Load is the result of a load run: round trips and their latencies.
type Load struct {
	Messages int           // round trips completed
	Elapsed  time.Duration // from the start until the last one ended
	lat      []time.Duration
}

// Rate is round trips per second.
func (l *Load) Rate() float64 { return float64(l.Messages) / l.Elapsed.Seconds() }

// Add merges another run's round trips into l, for percentiles over
// several runs.
func (l *Load) Add(o *Load) {
	l.Messages += o.Messages
	l.Elapsed += o.Elapsed
	l.lat = append(l.lat, o.lat...)
}

// Percentile returns the latency that the fraction q (0..1) of the round
// trips did not exceed.
func (l *Load) Percentile(q float64) time.Duration {
	if len(l.lat) == 0 {
		return 0
	}
	if !slices.IsSorted(l.lat) {
		slices.Sort(l.lat)
	}
	i := min(len(l.lat)-1, int(q*float64(len(l.lat))))
	return l.lat[i]
}

// Payload returns n random bytes, the same for every server.
func Payload(n int) []byte {
	rng := rand.New(rand.NewPCG(9001, uint64(n)))
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(rng.Uint32())
	}
	return p
}

// warmup is how many round trips each connection makes before a run is
// timed: the server's buffers and goroutines are then in place.
const warmup = 20

// Run opens conns connections to addr and has each send p and wait for
// its echo, over and over, for d (or, with count > 0, count round trips
// spread over the connections), then closes them. ready, if not nil, is
// called when the connections are open and warm, just before the timed
// round trips start.
func Run(addr string, conns int, p []byte, d time.Duration, count int, ready func()) (*Load, error) {
	cs := make([]*Client, 0, conns)
	defer func() {
		for _, c := range cs {
			c.Close()
		}
	}()
	for range conns {
		c, err := Dial(addr)
		if err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	var wg sync.WaitGroup
	errs := make([]error, conns)
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range warmup {
				if errs[i] = c.Echo(p); errs[i] != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	lats := make([][]time.Duration, conns)
	if ready != nil {
		ready()
	}
	start := time.Now()
	deadline := start.Add(d)
	for _, c := range cs {
		c.SetDeadline(deadline.Add(10 * time.Second))
	}
	for i, c := range cs {
		n := -1 // by time
		if count > 0 {
			n = count / conns
			if i < count%conns {
				n++
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 1<<12)
			for k := 0; n < 0 && time.Now().Before(deadline) || k < n; k++ {
				t0 := time.Now()
				if errs[i] = c.Echo(p); errs[i] != nil {
					return
				}
				lat = append(lat, time.Since(t0))
			}
			lats[i] = lat
		}()
	}
	wg.Wait()
	l := &Load{Elapsed: time.Since(start)}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, lat := range lats {
		l.Messages += len(lat)
		l.lat = append(l.lat, lat...)
	}
	return l, nil
}
