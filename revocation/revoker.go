package revocation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// RevokerOptions tune a Revoker; the zero value is fine.
type RevokerOptions struct {
	Now      func() time.Time // default time.Now
	Logger   *slog.Logger     // default slog.Default()
	Observer Observer         // default none
	// RetryMin and RetryMax bound the back-off between attempts to store pending entries (doubling). Defaults
	// 250ms and 10s.
	RetryMin, RetryMax time.Duration
	// CallTimeout bounds each database write. Default 5s.
	CallTimeout time.Duration
	// MaxPendingPerUser is how many single-session entries of one user may wait for the database; one more
	// turns them into one cutoff for that user (see Revoker). Default 32.
	MaxPendingPerUser int
}

func (o *RevokerOptions) defaults() {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	if o.RetryMin <= 0 {
		o.RetryMin = 250 * time.Millisecond
	}
	if o.RetryMax < o.RetryMin {
		o.RetryMax = max(10*time.Second, o.RetryMin)
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = 5 * time.Second
	}
	if o.MaxPendingPerUser <= 0 {
		o.MaxPendingPerUser = 32
	}
}

// pendingSession is a single-session entry waiting for the database, with when it was revoked.
type pendingSession struct {
	e  Entry
	at int64 // Unix seconds of the Revoke call: the session logged in no later than this
}

// userPending is what one user has waiting for the database.
type userPending struct {
	cut      *Entry // merged per-user cutoff, if any
	sessions map[SessionID]pendingSession
}

// Revoker writes revocations: Revoke applies an entry to the Mirror at once (this instance ends the session
// before answering) and then stores it, so every other instance learns of it. When the database cannot be
// written the entry waits in memory and Run retries it with back-off until it is stored; it is never dropped (the
// log, Observer.Pending and Observer.StoreFailure("revoke") say what waits).
//
// Bound on what waits, per user: at most one cutoff and MaxPendingPerUser single-session entries (deduplicated
// by session id). A pending cutoff stands for every pending session entry of its user revoked before its Before
// second (those sessions logged in before it); one session entry too many turns the user's waiting session
// entries into one cutoff at the next second (every session of that user that logged in so far ends: it errs
// towards ending sessions, never towards keeping one). So memory grows with the number of users who ended
// sessions during an outage (MS accounts, a finite set), at most MaxPendingPerUser+1 entries (about 100 bytes
// each) per user.
type Revoker struct {
	m    *Mirror
	opts RevokerOptions
	kick chan struct{}

	mu      sync.Mutex
	st      Store // nil until Run
	pending map[int64]*userPending
	n       int // entries in pending
}

// NewRevoker returns a Revoker that applies entries to m. Until Run gives it a Store, every entry waits.
func NewRevoker(m *Mirror, opts RevokerOptions) *Revoker {
	opts.defaults()
	return &Revoker{m: m, opts: opts, kick: make(chan struct{}, 1), pending: map[int64]*userPending{}}
}

// Revoke ends the session or sessions e names: at once in the Mirror, then in the database (within ctx and
// CallTimeout). When the database write fails, e waits and Run stores it later; Revoke still returns nil, since
// the revocation is in force here and will reach the others. It returns an error only for an invalid entry
// (see Entry.Validate), which changes nothing.
func (r *Revoker) Revoke(ctx context.Context, e Entry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	r.m.Add(e)
	r.mu.Lock()
	st := r.st
	r.mu.Unlock()
	if st != nil {
		cctx, cancel := context.WithTimeout(ctx, r.opts.CallTimeout)
		err := st.Revoke(cctx, e)
		cancel()
		if err == nil {
			return nil
		}
		r.opts.Observer.StoreFailure("revoke")
		r.opts.Logger.Warn("revocations: store failed; the revocation is in force here and waits to be stored",
			"user_id", e.UserID, "error", err)
	}
	r.addPending(e)
	select {
	case r.kick <- struct{}{}:
	default:
	}
	return nil
}

// Pending returns how many entries wait for the database.
func (r *Revoker) Pending() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// addPending queues e, within the bound the Revoker's comment describes.
func (r *Revoker) addPending(e Entry) {
	now := r.opts.Now()
	at := now.Unix()
	var collapsed Entry
	r.mu.Lock()
	up := r.pending[e.UserID]
	if up == nil {
		up = &userPending{sessions: map[SessionID]pendingSession{}}
		r.pending[e.UserID] = up
	}
	if e.SessionID.IsZero() {
		up.merge(e)
	} else if up.cut != nil && at < up.cut.Before.Unix() {
		up.cut.Until = laterOf(up.cut.Until, e.Until)
	} else {
		p, ok := up.sessions[e.SessionID]
		if !ok || e.Until.After(p.e.Until) {
			up.sessions[e.SessionID] = pendingSession{e: e, at: at}
		}
	}
	if len(up.sessions) > r.opts.MaxPendingPerUser {
		c := Entry{UserID: e.UserID, Before: time.Unix(at+1, 0).UTC()}
		for _, p := range up.sessions {
			c.Until = laterOf(c.Until, p.e.Until)
		}
		up.merge(c)
		collapsed = *up.cut // a copy: *up.cut changes under r.mu once it is released
	}
	r.count()
	r.opts.Observer.Pending(r.n) // under r.mu, so that reports keep the order of the changes
	r.mu.Unlock()
	if !collapsed.Until.IsZero() {
		r.m.Add(collapsed)
		r.opts.Logger.Warn("revocations: too many sessions of one user wait to be stored; ending all its sessions so far instead",
			"user_id", e.UserID, "limit", r.opts.MaxPendingPerUser)
	}
}

// merge folds cutoff c into up, then drops the session entries it stands for.
func (up *userPending) merge(c Entry) {
	if up.cut == nil {
		up.cut = &c
	} else {
		if c.Before.After(up.cut.Before) {
			up.cut.Before = c.Before
		}
		up.cut.Until = laterOf(up.cut.Until, c.Until)
	}
	before := up.cut.Before.Unix()
	for id, p := range up.sessions {
		if p.at < before {
			up.cut.Until = laterOf(up.cut.Until, p.e.Until)
			delete(up.sessions, id)
		}
	}
}

// count recomputes r.n; r.mu is held.
func (r *Revoker) count() {
	n := 0
	for _, up := range r.pending {
		n += len(up.sessions)
		if up.cut != nil {
			n++
		}
	}
	r.n = n
}

func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Run stores what waits, with back-off while the database fails, until ctx ends (then it returns nil). It
// gives the Revoker st, so later Revoke calls write directly; call it once st is open, even late.
func (r *Revoker) Run(ctx context.Context, st Store) error {
	r.mu.Lock()
	r.st = st
	r.mu.Unlock()
	backoff := r.opts.RetryMin
	for {
		var wait <-chan time.Time
		var t *time.Timer
		if err := r.writePending(ctx); err != nil {
			t = time.NewTimer(backoff)
			wait = t.C
			backoff = min(2*backoff, r.opts.RetryMax)
		} else {
			backoff = r.opts.RetryMin
		}
		select {
		case <-ctx.Done():
		case <-r.kick:
			if wait != nil { // a new entry does not cut the back-off short
				select {
				case <-ctx.Done():
				case <-wait:
				}
			}
		case <-wait:
		}
		if t != nil {
			t.Stop()
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// Flush stores what waits within ctx (for a shutdown's grace period), retrying with back-off, and returns an
// error naming how many entries are still waiting when ctx ends first or no Store was ever given.
func (r *Revoker) Flush(ctx context.Context) error {
	backoff := r.opts.RetryMin
	for {
		err := r.writePending(ctx)
		if err == nil {
			return nil
		}
		if errors.Is(err, errNoStore) { // retrying cannot help, and ctx may never end
			return fmt.Errorf("revocation: flush: %d revocations not stored: %w", r.Pending(), err)
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("revocation: flush: %d revocations not stored: %w", r.Pending(), err)
		case <-t.C:
		}
		backoff = min(2*backoff, r.opts.RetryMax)
	}
}

// errNoStore is writePending's error before Run gave the Revoker a Store.
var errNoStore = errors.New("no database yet")

// writePending tries to store every waiting entry, stopping at the first failure (returned).
func (r *Revoker) writePending(ctx context.Context) error {
	r.mu.Lock()
	st := r.st
	if r.n == 0 {
		r.mu.Unlock()
		return nil
	}
	if st == nil {
		r.mu.Unlock()
		return errNoStore
	}
	var todo []Entry
	for _, up := range r.pending {
		if up.cut != nil {
			todo = append(todo, *up.cut)
		}
		for _, p := range up.sessions {
			todo = append(todo, p.e)
		}
	}
	r.mu.Unlock()
	for i, e := range todo {
		cctx, cancel := context.WithTimeout(ctx, r.opts.CallTimeout)
		err := st.Revoke(cctx, e)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				r.opts.Observer.StoreFailure("revoke")
				r.opts.Logger.Warn("revocations: store failed; retrying", "waiting", len(todo)-i, "error", err)
			}
			return fmt.Errorf("store revocation: %w", err)
		}
		r.done(e)
	}
	r.opts.Logger.Info("revocations: stored every waiting revocation", "stored", len(todo))
	return nil
}

// done removes e from what waits, unless it changed since it was read (then the newer version still waits).
func (r *Revoker) done(e Entry) {
	r.mu.Lock()
	if up := r.pending[e.UserID]; up != nil {
		if e.SessionID.IsZero() {
			if up.cut != nil && *up.cut == e {
				up.cut = nil
			}
		} else if p, ok := up.sessions[e.SessionID]; ok && p.e == e {
			delete(up.sessions, e.SessionID)
		}
		if up.cut == nil && len(up.sessions) == 0 {
			delete(r.pending, e.UserID)
		}
	}
	r.count()
	r.opts.Observer.Pending(r.n) // under r.mu, as in addPending
	r.mu.Unlock()
}
