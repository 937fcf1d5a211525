package bit

import (
	"sync"
	"time"
)

// windowLimiter allows each key at most n events per fixed window of the given length, per Service (per BFF
// instance). Its memory is bounded by the keys seen in one window: the counts are dropped when a new window
// starts. n ≤ 0 allows everything.
type windowLimiter struct {
	n      int
	window time.Duration

	mu     sync.Mutex
	start  time.Time // of the current window
	counts map[int64]int
}

func newWindowLimiter(n int, window time.Duration) *windowLimiter {
	if window <= 0 {
		window = time.Minute
	}
	return &windowLimiter{n: n, window: window, counts: map[int64]int{}}
}

// allow counts one event of key at now and reports whether it is within the limit (a refused event is not
// counted).
func (l *windowLimiter) allow(key int64, now time.Time) bool {
	if l.n <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.start) >= l.window || now.Before(l.start) {
		l.start = now
		clear(l.counts)
	}
	if l.counts[key] >= l.n {
		return false
	}
	l.counts[key]++
	return true
}
