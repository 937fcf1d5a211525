package revocation

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// MirrorOptions tune a Mirror; the zero value is fine.
type MirrorOptions struct {
	Now      func() time.Time // default time.Now
	Logger   *slog.Logger     // default slog.Default()
	Observer Observer         // default none
	// CatchUpEvery is the safety net: how often Run reads what was stored since its last read even when the
	// database pushed nothing (a notification lost without the connection being lost). Default 30s.
	CatchUpEvery time.Duration
	// PurgeEvery is how often entries past their Until are dropped from memory and from the database. Default 10m.
	PurgeEvery time.Duration
	// RetryMin and RetryMax bound the back-off between attempts after a failed load or a lost watch (doubling from
	// RetryMin to RetryMax). Defaults 250ms and 10s.
	RetryMin, RetryMax time.Duration
	// CallTimeout bounds each database read Run makes (not the watch). Default 10s.
	CallTimeout time.Duration
}

func (o *MirrorOptions) defaults() {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	if o.CatchUpEvery <= 0 {
		o.CatchUpEvery = 30 * time.Second
	}
	if o.PurgeEvery <= 0 {
		o.PurgeEvery = 10 * time.Minute
	}
	if o.RetryMin <= 0 {
		o.RetryMin = 250 * time.Millisecond
	}
	if o.RetryMax < o.RetryMin {
		o.RetryMax = max(10*time.Second, o.RetryMin)
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = 10 * time.Second
	}
}

// cutoff is a per-user entry in memory: sessions that logged in before (Unix seconds) are over, until until.
type cutoff struct {
	before, until int64
}

// Mirror is this instance's copy of the revocations: loaded from the Store once, then kept current by Run; Revoked
// answers from memory only. Times are compared at second precision, as the Store keeps them. It is safe for
// concurrent use.
//
// Memory: about 40 bytes per revoked session id and per user with a cutoff (Go maps of fixed-size keys and
// values); entries whose Until has passed are dropped every PurgeEvery, and are never added.
type Mirror struct {
	opts MirrorOptions

	// A sync.RWMutex rather than an atomic snapshot: revocations arrive one at a time (a logout), and copying a
	// 100,000-entry map for each would cost milliseconds, while the read lock costs a few nanoseconds
	// (BenchmarkMirrorRevoked and BenchmarkMirrorSnapshotClone in mirror_bench_test.go measure both).
	mu       sync.RWMutex
	sessions map[SessionID]int64 // revoked session id → its Until (Unix seconds)
	users    map[int64]cutoff

	loadedAt atomic.Int64  // UnixNano of the first full load; 0 before
	loaded   chan struct{} // closed at the first full load
	running  atomic.Bool
}

// NewMirror returns an empty Mirror: it revokes nothing it has not been told of, and is not Ready until Run has
// loaded the Store once.
func NewMirror(opts MirrorOptions) *Mirror {
	opts.defaults()
	return &Mirror{opts: opts, sessions: map[SessionID]int64{}, users: map[int64]cutoff{}, loaded: make(chan struct{})}
}

// Loaded returns a channel closed once the Mirror is Ready.
func (m *Mirror) Loaded() <-chan struct{} { return m.loaded }

// Ready reports whether the Mirror has loaded every revocation from the Store at least once.
func (m *Mirror) Ready() bool { return m.loadedAt.Load() != 0 }

// LoadedAt returns when the first full load completed; the zero time before.
func (m *Mirror) LoadedAt() time.Time {
	n := m.loadedAt.Load()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// Revoked reports whether the session id of userID that logged in at loginAt is over: its id is revoked, or
// userID has a cutoff after loginAt (compared in whole seconds: loginAt.Unix() < Before.Unix()). A zero id (a
// cookie from before session ids) is only ended by a cutoff; a zero loginAt is before every cutoff. It reads
// memory only, never the database, and allocates nothing.
func (m *Mirror) Revoked(userID int64, id SessionID, loginAt time.Time) bool {
	m.mu.RLock()
	_, gone := m.sessions[id]
	c, cut := m.users[userID]
	m.mu.RUnlock()
	if gone { // a zero id is never added
		return true
	}
	return cut && loginAt.Unix() < c.before
}

// Add applies e to memory at once (the Revoker calls it before storing e; Run for what it reads). Entries whose
// Until has passed, and invalid ones, are ignored. A cutoff merges with the user's earlier one: the later Before
// and the later Until.
func (m *Mirror) Add(e Entry) {
	m.mu.Lock()
	m.add(e, m.opts.Now().Unix())
	m.reportLocked()
	m.mu.Unlock()
}

// reportLocked tells the Observer how many entries the Mirror holds; m.mu is held, so that reports keep the
// order of the changes (reported after the unlock, a slower earlier report could land last and leave the
// Observer with a stale count).
func (m *Mirror) reportLocked() {
	m.opts.Observer.Entries(len(m.sessions) + len(m.users))
}

// addAll applies entries under one lock.
func (m *Mirror) addAll(entries []Entry) {
	now := m.opts.Now().Unix()
	m.mu.Lock()
	for _, e := range entries {
		m.add(e, now)
	}
	m.reportLocked()
	m.mu.Unlock()
}

// add applies one entry; m.mu is held.
func (m *Mirror) add(e Entry, now int64) {
	until := ceilUnix(e.Until)
	if e.Validate() != nil || until <= now {
		return
	}
	if !e.SessionID.IsZero() {
		if until > m.sessions[e.SessionID] {
			m.sessions[e.SessionID] = until
		}
		return
	}
	c := m.users[e.UserID]
	c.before = max(c.before, e.Before.Unix())
	c.until = max(c.until, until)
	m.users[e.UserID] = c
}

// Len returns how many entries the Mirror holds: revoked session ids plus users with a cutoff.
func (m *Mirror) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.sessions) + len(m.users)
}

// purge drops the entries whose Until has passed at now.
func (m *Mirror) purge(now time.Time) {
	t := now.Unix()
	m.mu.Lock()
	for id, until := range m.sessions {
		if until <= t {
			delete(m.sessions, id)
		}
	}
	for u, c := range m.users {
		if c.until <= t {
			delete(m.users, u)
		}
	}
	m.reportLocked()
	m.mu.Unlock()
}

// ceilUnix is t in Unix seconds, rounded up: an entry is never forgotten before its Until.
func ceilUnix(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

// Run loads every revocation from st (retrying with back-off while st fails: the database may be down when the
// instance starts), then keeps the Mirror current until ctx ends: it watches st and reads what was stored since
// its last read on every wake; when the watch is lost it backs off, catches up and watches again; every
// CatchUpEvery it catches up anyway, and every PurgeEvery it drops expired entries from memory and from st. It
// returns nil when ctx ends, or an error at once if another Run of this Mirror is going.
func (m *Mirror) Run(ctx context.Context, st Store) error {
	if !m.running.CompareAndSwap(false, true) {
		return errors.New("revocation: Mirror.Run is already running")
	}
	defer m.running.Store(false)
	cursor, ok := m.load(ctx, st)
	if !ok {
		return nil
	}

	wctx, stopWatch := context.WithCancel(ctx)
	wakes := make(chan struct{}, 1)
	wake := func() {
		select {
		case wakes <- struct{}{}:
		default:
		}
	}
	watchDone := make(chan error, 1)
	watching := false
	var watchStart time.Time
	startWatch := func() {
		watching, watchStart = true, time.Now()
		go func() { watchDone <- st.WatchRevocations(wctx, wake) }()
	}
	defer func() {
		stopWatch()
		if watching {
			<-watchDone
		}
	}()
	startWatch()

	catchUp := time.NewTicker(m.opts.CatchUpEvery)
	defer catchUp.Stop()
	purge := time.NewTicker(m.opts.PurgeEvery)
	defer purge.Stop()
	retry := time.NewTimer(0)
	if !retry.Stop() {
		<-retry.C
	}
	backoff := m.opts.RetryMin
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-wakes:
			cursor = m.catchUp(ctx, st, cursor, "wake")
		case <-catchUp.C:
			cursor = m.catchUp(ctx, st, cursor, "periodic")
		case <-purge.C:
			m.purgeAll(ctx, st)
		case err := <-watchDone:
			watching = false
			if ctx.Err() != nil {
				return nil
			}
			if time.Since(watchStart) >= m.opts.RetryMax {
				backoff = m.opts.RetryMin // it had been watching for a while: a fresh loss, not a flapping one
			}
			m.opts.Logger.Warn("revocations: watch lost; catching up and watching again",
				"error", err, "retry_in", backoff)
			m.opts.Observer.StoreFailure("watch")
			retry.Reset(backoff)
			backoff = min(2*backoff, m.opts.RetryMax)
		case <-retry.C:
			m.opts.Observer.WatchReconnect()
			cursor = m.catchUp(ctx, st, cursor, "reconnect")
			startWatch()
		}
	}
}

// load reads every live entry, retrying with back-off until it succeeds (true) or ctx ends (false).
func (m *Mirror) load(ctx context.Context, st Store) (int64, bool) {
	backoff := m.opts.RetryMin
	for {
		cctx, cancel := context.WithTimeout(ctx, m.opts.CallTimeout)
		entries, cursor, err := st.Revocations(cctx, m.opts.Now())
		cancel()
		if err == nil {
			m.addAll(entries)
			if m.loadedAt.CompareAndSwap(0, m.opts.Now().UnixNano()) {
				close(m.loaded)
			}
			m.opts.Logger.Info("revocations: loaded", "entries", len(entries))
			return cursor, true
		}
		if ctx.Err() != nil {
			return 0, false
		}
		m.opts.Observer.StoreFailure("load")
		m.opts.Logger.Warn("revocations: load failed; retrying", "error", err, "retry_in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return 0, false
		case <-t.C:
		}
		backoff = min(2*backoff, m.opts.RetryMax)
	}
}

// catchUp reads the entries stored after cursor and applies them; on failure it keeps cursor (the next wake,
// reconnect or period tries again).
func (m *Mirror) catchUp(ctx context.Context, st Store, cursor int64, trigger string) int64 {
	m.opts.Observer.CatchUp(trigger)
	cctx, cancel := context.WithTimeout(ctx, m.opts.CallTimeout)
	entries, next, err := st.RevocationsSince(cctx, cursor)
	cancel()
	if err != nil {
		if ctx.Err() == nil {
			m.opts.Observer.StoreFailure("catch_up")
			m.opts.Logger.Warn("revocations: catch-up failed", "trigger", trigger, "error", err)
		}
		return cursor
	}
	if len(entries) > 0 {
		m.addAll(entries)
	}
	return max(next, cursor)
}

// purgeAll drops expired entries from memory and asks st to forget them too.
func (m *Mirror) purgeAll(ctx context.Context, st Store) {
	now := m.opts.Now()
	m.purge(now)
	cctx, cancel := context.WithTimeout(ctx, m.opts.CallTimeout)
	err := st.PurgeRevocations(cctx, now)
	cancel()
	if err != nil && ctx.Err() == nil {
		m.opts.Observer.StoreFailure("purge")
		m.opts.Logger.Warn("revocations: purge failed", "error", err)
	}
}
