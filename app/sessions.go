package app

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/handlers"
	"github.com/anitab-org/bridge-in-tech-bff/internal/storewatch"
	"github.com/anitab-org/bridge-in-tech-bff/revocation"
)

// sessionEnds is what this instance runs for the ends of sessions (docs/SESSIONS.md#revocation): the Mirror, its
// memory copy of the revocations kept current by the database's push, and the Revoker, which applies a new
// revocation at once and stores it, retrying while the database is down. Both exist from the start; they reach
// the database once it opens (storewatch.Lazy), and until then a revocation waits in the Revoker.
type sessionEnds struct {
	mirror  *revocation.Mirror
	revoker *revocation.Revoker
	store   *lazyRevocations
	logger  *slog.Logger

	runCtx context.Context
	stop   context.CancelFunc

	mu      sync.Mutex // guards closed against a store that opens while the process stops
	closed  bool
	running sync.WaitGroup
}

// startSessionEnds builds the Mirror and the Revoker and starts them on the database when lazy opens it.
func startSessionEnds(ctx context.Context, lazy *storewatch.Lazy, obs revocation.Observer, logger *slog.Logger) *sessionEnds {
	mirror := revocation.NewMirror(revocation.MirrorOptions{Logger: logger, Observer: obs})
	// They outlive the signal that starts the shutdown: requests still being answered may end sessions, and the
	// Revoker stores them before the process exits (shutdown).
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	e := &sessionEnds{
		mirror:  mirror,
		revoker: revocation.NewRevoker(mirror, revocation.RevokerOptions{Logger: logger, Observer: obs}),
		store:   &lazyRevocations{},
		logger:  logger,
		runCtx:  runCtx,
		stop:    stop,
	}
	lazy.OnOpen(func(_ context.Context, st bit.Store) { e.opened(st) })
	return e
}

// opened starts the Mirror and the Revoker on the store the database opened as.
func (e *sessionEnds) opened(st bit.Store) {
	rs, ok := st.(revocation.Store)
	if !ok {
		e.logger.Error("the database keeps no revocations: sessions older than this process are refused until it does")
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return
	}
	e.store.set(rs)
	e.running.Add(2)
	go func() {
		defer e.running.Done()
		if err := e.mirror.Run(e.runCtx, rs); err != nil {
			e.logger.Error("revocations: the memory copy stopped", "error", err)
		}
	}()
	go func() {
		defer e.running.Done()
		if err := e.revoker.Run(e.runCtx, rs); err != nil {
			e.logger.Error("revocations: the revoker stopped", "error", err)
		}
	}()
}

// loadWait bounds how long start-up waits for the first load of the revocations before listening: long enough for
// a reachable database (milliseconds), short enough that a database that is down does not hold the start. Sessions
// that logged in before the start get 503 until the load (docs/SESSIONS.md#revocation).
const loadWait = 2 * time.Second

// awaitLoad waits until the revocations are loaded, loadWait at most; it does not wait for a database that is
// not open (storewatch.Lazy has already given its first attempt its time).
func (e *sessionEnds) awaitLoad(ctx context.Context) {
	if !e.store.isSet() {
		e.logger.Warn("the revocations are not loaded: the database is not open; sessions older than this process get 503 until they are")
		return
	}
	t := time.NewTimer(loadWait)
	defer t.Stop()
	select {
	case <-e.mirror.Loaded():
	case <-t.C:
	case <-ctx.Done():
	}
	if !e.mirror.Ready() {
		e.logger.Warn("the revocations are not loaded yet: sessions older than this process get 503 until they are")
	}
}

// deps hands the Mirror, the Revoker and the store to the handlers.
func (e *sessionEnds) deps(d *handlers.Deps) {
	d.Revocations, d.Revoker, d.Sessions = e.mirror, e.revoker, e.store
}

// shutdown stores the revocations still waiting for the database within ctx (the rest of SHUTDOWN_GRACE), then
// stops the Mirror and the Revoker. What could not be stored is logged: it is lost with this process, and the
// sessions it named stay ended only where the cookie was cleared.
func (e *sessionEnds) shutdown(ctx context.Context) {
	if err := e.revoker.Flush(ctx); err != nil {
		e.logger.Error("revocations not stored before the shutdown's grace ran out", "pending", e.revoker.Pending(), "error", err)
	}
	e.close()
}

// close stops the Mirror and the Revoker and waits for them (again: a no-op), before the store is closed.
func (e *sessionEnds) close() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.stop()
	e.running.Wait()
}

// errNotOpen is what the login records and the shared login budget answer before the database opens.
var errNotOpen = errors.New("revocations: the database is not open yet")

// lazyRevocations is the revocation.Store of a database that may not be open yet: each call fails with errNotOpen
// until set.
type lazyRevocations struct {
	st atomic.Pointer[revocation.Store]
}

func (l *lazyRevocations) set(st revocation.Store) { l.st.Store(&st) }
func (l *lazyRevocations) isSet() bool             { return l.st.Load() != nil }

func (l *lazyRevocations) get() (revocation.Store, error) {
	if p := l.st.Load(); p != nil {
		return *p, nil
	}
	return nil, errNotOpen
}

func (l *lazyRevocations) Revoke(ctx context.Context, e revocation.Entry) error {
	st, err := l.get()
	if err != nil {
		return err
	}
	return st.Revoke(ctx, e)
}

func (l *lazyRevocations) Revocations(ctx context.Context, now time.Time) ([]revocation.Entry, int64, error) {
	st, err := l.get()
	if err != nil {
		return nil, 0, err
	}
	return st.Revocations(ctx, now)
}

func (l *lazyRevocations) RevocationsSince(ctx context.Context, cursor int64) ([]revocation.Entry, int64, error) {
	st, err := l.get()
	if err != nil {
		return nil, 0, err
	}
	return st.RevocationsSince(ctx, cursor)
}

func (l *lazyRevocations) WatchRevocations(ctx context.Context, wake func()) error {
	st, err := l.get()
	if err != nil {
		return err
	}
	return st.WatchRevocations(ctx, wake)
}

func (l *lazyRevocations) PurgeRevocations(ctx context.Context, now time.Time) error {
	st, err := l.get()
	if err != nil {
		return err
	}
	return st.PurgeRevocations(ctx, now)
}

func (l *lazyRevocations) RecordLogin(ctx context.Context, r revocation.Record) error {
	st, err := l.get()
	if err != nil {
		return err
	}
	return st.RecordLogin(ctx, r)
}

func (l *lazyRevocations) Logins(ctx context.Context, userID int64, now time.Time) ([]revocation.Record, error) {
	st, err := l.get()
	if err != nil {
		return nil, err
	}
	return st.Logins(ctx, userID, now)
}

func (l *lazyRevocations) AddLoginFailure(ctx context.Context, key string, now time.Time, window time.Duration) (int, error) {
	st, err := l.get()
	if err != nil {
		return 0, err
	}
	return st.AddLoginFailure(ctx, key, now, window)
}

func (l *lazyRevocations) LoginFailures(ctx context.Context, key string, now time.Time, window time.Duration) (int, error) {
	st, err := l.get()
	if err != nil {
		return 0, err
	}
	return st.LoginFailures(ctx, key, now, window)
}

func (l *lazyRevocations) ClearLoginFailures(ctx context.Context, key string) error {
	st, err := l.get()
	if err != nil {
		return err
	}
	return st.ClearLoginFailures(ctx, key)
}
