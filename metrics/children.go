package metrics

import (
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// requestKey names one series of the request counter and histogram. Its strings are the route pattern and a
// constant method label (handlers never pass request-buffer memory), so keeping them in a map is safe.
type requestKey struct {
	method, route string
	status        int
}

// callKey names one series of the MS call counter and histogram.
type callKey struct{ route, outcome string }

// pair is one series' counter and histogram, resolved once: WithLabelValues hashes the labels, takes the vector's
// lock and allocates the label slice (and strconv.Itoa the status) on every call; a resolved child is an atomic
// add and a bucket search.
type pair struct {
	count prometheus.Counter
	dur   prometheus.Observer
}

// children resolves and keeps the label children of a counter and a histogram with the same labels. The label
// sets are bounded (route patterns × methods × statuses, or MS routes × outcomes), so the map is too.
type children[K comparable] struct {
	mu      sync.RWMutex
	m       map[K]pair
	resolve func(K) pair
}

func newChildren[K comparable](resolve func(K) pair) *children[K] {
	return &children[K]{m: make(map[K]pair), resolve: resolve}
}

// get returns the children for k, resolving them the first time k is seen.
func (c *children[K]) get(k K) pair {
	c.mu.RLock()
	p, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return p
	}
	p = c.resolve(k)
	c.mu.Lock()
	c.m[k] = p
	c.mu.Unlock()
	return p
}

func requestChildren(counts *prometheus.CounterVec, durs *prometheus.HistogramVec) *children[requestKey] {
	return newChildren(func(k requestKey) pair {
		s := strconv.Itoa(k.status)
		return pair{counts.WithLabelValues(k.method, k.route, s), durs.WithLabelValues(k.method, k.route, s)}
	})
}

func callChildren(counts *prometheus.CounterVec, durs *prometheus.HistogramVec) *children[callKey] {
	return newChildren(func(k callKey) pair {
		return pair{counts.WithLabelValues(k.route, k.outcome), durs.WithLabelValues(k.route, k.outcome)}
	})
}
