package handlers

import (
	"container/list"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"sync"
	"time"
)

// msgTooManyLogins answers a client that failed to log in too often.
const msgTooManyLogins = "Too many failed logins from your address. Please wait before trying again."

// maxLimiterEntries bounds the limiter's memory (about 200 bytes an entry, so some 13 MB at most) however many
// addresses and usernames an attacker sprays: when it is full, the entry whose window started first goes.
const maxLimiterEntries = 65_536

// loginLimiter slows password guessing. Failed logins are counted per (client address, username), up to
// LOGIN_MAX_FAILURES, and per client address, up to LOGIN_ADDRESS_MAX_FAILURES, each within a window of
// LOGIN_FAILURE_WINDOW from its first failure; at either limit the address (for that username, or for all) gets
// 429 until the window ends. A login takes its slot before MS is asked (begin), so concurrent guesses cannot
// pass the limit; MS's verdict then turns the slot into a failure or gives it back. A success clears only its own
// (address, username) pair: an attacker's own account does not reset the address's count. Per instance, in
// memory by design (no shared store); it holds no session data, and usernames only as hashes.
type loginLimiter struct {
	pairMax, addrMax int
	window           time.Duration
	now              func() time.Time
	maxEntries       int

	mu      sync.Mutex
	entries map[string]*list.Element // of *loginCount
	order   *list.List               // entries by window start, oldest first
}

type loginCount struct {
	key      string
	start    time.Time // the window's start
	failures int
	pending  int // attempts begun whose verdict is not in yet
}

func newLoginLimiter(pairMax, addrMax int, window time.Duration, now func() time.Time) *loginLimiter {
	return &loginLimiter{pairMax: pairMax, addrMax: addrMax, window: window, now: now, maxEntries: maxLimiterEntries,
		entries: make(map[string]*list.Element), order: list.New()}
}

// loginAttempt is one login's slot; exactly one of failed, succeeded or abandoned settles it (later calls are
// no-ops).
type loginAttempt struct {
	l                *loginLimiter
	addrKey, pairKey string
	settled          bool
}

// begin takes a slot for a login of username from ip, or returns nil and how long ip must wait.
func (l *loginLimiter) begin(ip, username string) (*loginAttempt, time.Duration) {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(username))))
	a := &loginAttempt{l: l, addrKey: "a|" + ip, pairKey: "p|" + ip + "|" + base64.RawStdEncoding.EncodeToString(sum[:18])}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	addr, pair := l.entry(a.addrKey, now), l.entry(a.pairKey, now)
	var wait time.Duration
	if addr.failures+addr.pending >= l.addrMax {
		wait = max(wait, l.left(addr, now))
	}
	if pair.failures+pair.pending >= l.pairMax {
		wait = max(wait, l.left(pair, now))
	}
	if wait > 0 {
		return nil, wait
	}
	addr.pending++
	pair.pending++
	return a, 0
}

// failed counts the attempt as a failed login (MS said the password is wrong).
func (a *loginAttempt) failed() {
	a.settle(func(addr, pair *loginCount) {
		addr.failures++
		pair.failures++
	})
}

// succeeded clears the attempt's (address, username) pair; the address's count stays.
func (a *loginAttempt) succeeded() {
	a.settle(func(_, pair *loginCount) { pair.failures = 0 })
}

// abandoned gives the slot back: MS gave no verdict on the password (unreachable, a 400 for a missing field).
func (a *loginAttempt) abandoned() { a.settle(func(_, _ *loginCount) {}) }

func (a *loginAttempt) settle(f func(addr, pair *loginCount)) {
	if a == nil || a.settled {
		return
	}
	a.settled = true
	l := a.l
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	addr, pair := l.entry(a.addrKey, now), l.entry(a.pairKey, now)
	addr.pending--
	pair.pending--
	f(addr, pair)
}

// entry returns key's count with its window brought up to date, creating it (and evicting the oldest entry when
// the table is full) if needed. Call with l.mu held.
func (l *loginLimiter) entry(key string, now time.Time) *loginCount {
	if el, ok := l.entries[key]; ok {
		e := el.Value.(*loginCount)
		if !now.Before(e.start.Add(l.window)) {
			e.start, e.failures = now, 0
			l.order.MoveToBack(el)
		}
		return e
	}
	for l.order.Len() >= l.maxEntries {
		oldest := l.order.Front()
		e := oldest.Value.(*loginCount)
		if e.pending > 0 { // in use by a request right now: keep it, let the table exceed its size for a moment
			break
		}
		l.order.Remove(oldest)
		delete(l.entries, e.key)
	}
	e := &loginCount{key: key, start: now}
	l.entries[key] = l.order.PushBack(e)
	return e
}

// left is how long until e's window ends (at least a second, for Retry-After).
func (l *loginLimiter) left(e *loginCount, now time.Time) time.Duration {
	return max(e.start.Add(l.window).Sub(now), time.Second)
}

// size is the number of entries, for tests.
func (l *loginLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}
