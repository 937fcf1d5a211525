package handlers

import (
	"sync"
	"time"
)

// msgTooManyLogins answers a client that failed to log in too often.
const msgTooManyLogins = "Too many failed logins from your address. Please wait before trying again."

// maxTrackedClients bounds the limiter's memory under an address-spraying attack.
const maxTrackedClients = 100_000

// loginLimiter slows password guessing: after max failed logins from one client address within window, that
// address is refused (429) until the window ends. It is per instance and in memory by design (no shared store);
// a success clears the address. It holds no session data.
type loginLimiter struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu      sync.Mutex
	clients map[string]*loginFailures
}

type loginFailures struct {
	count int
	start time.Time
}

func newLoginLimiter(max int, window time.Duration, now func() time.Time) *loginLimiter {
	return &loginLimiter{max: max, window: window, now: now, clients: make(map[string]*loginFailures)}
}

// blocked returns how long ip must still wait, or 0.
func (l *loginLimiter) blocked(ip string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.clients[ip]
	if !ok {
		return 0
	}
	left := f.start.Add(l.window).Sub(l.now())
	if left <= 0 {
		delete(l.clients, ip)
		return 0
	}
	if f.count < l.max {
		return 0
	}
	return left
}

// failed counts one failed login from ip.
func (l *loginLimiter) failed(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	f, ok := l.clients[ip]
	if !ok || now.Sub(f.start) >= l.window {
		if len(l.clients) >= maxTrackedClients {
			l.prune(now)
		}
		f = &loginFailures{start: now}
		l.clients[ip] = f
	}
	f.count++
}

// succeeded forgets ip's failures.
func (l *loginLimiter) succeeded(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.clients, ip)
}

// prune drops expired entries; if every entry is live, it starts over rather than grow without bound.
func (l *loginLimiter) prune(now time.Time) {
	for ip, f := range l.clients {
		if now.Sub(f.start) >= l.window {
			delete(l.clients, ip)
		}
	}
	if len(l.clients) >= maxTrackedClients {
		clear(l.clients)
	}
}
