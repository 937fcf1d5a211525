package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/handlers"
	"github.com/anitab-org/bridge-in-tech-bff/revocation"
)

// sessionEnds is what this instance runs for the ends of sessions (docs/SESSIONS.md): the Mirror, its memory copy
// of the revocations kept current by the database's push, and the Revoker, which applies a new revocation at once
// and stores it, retrying while the database is down.
type sessionEnds struct {
	mirror  *revocation.Mirror
	revoker *revocation.Revoker
	store   revocation.Store
	logger  *slog.Logger
	stop    context.CancelFunc
	running sync.WaitGroup
}

// startSessionEnds builds the Mirror and the Revoker on st and runs them until shutdown. It returns nil when st
// keeps no revocations (then nothing is revoked and no login is recorded; the log says so once).
func startSessionEnds(ctx context.Context, st any, obs revocation.Observer, logger *slog.Logger) *sessionEnds {
	rs, ok := st.(revocation.Store)
	if !ok {
		logger.Warn("the database keeps no revocations: logout only clears the browser's cookie")
		return nil
	}
	mirror := revocation.NewMirror(revocation.MirrorOptions{Logger: logger, Observer: obs})
	e := &sessionEnds{
		mirror:  mirror,
		revoker: revocation.NewRevoker(mirror, revocation.RevokerOptions{Logger: logger, Observer: obs}),
		store:   rs,
		logger:  logger,
	}
	// They outlive the signal that starts the shutdown: requests still being answered may end sessions, and the
	// Revoker stores them before the process exits (shutdown).
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	e.stop = stop
	e.running.Add(2)
	go func() {
		defer e.running.Done()
		if err := mirror.Run(runCtx, rs); err != nil {
			logger.Error("revocations: the memory copy stopped", "error", err)
		}
	}()
	go func() {
		defer e.running.Done()
		if err := e.revoker.Run(runCtx, rs); err != nil {
			logger.Error("revocations: the revoker stopped", "error", err)
		}
	}()
	return e
}

// loadWait bounds how long start-up waits for the first load of the revocations before listening: long enough for
// a reachable database (milliseconds), short enough that a database that is down does not hold the start. Sessions
// that logged in before the start get 503 until the load (docs/SESSIONS.md).
const loadWait = 2 * time.Second

// awaitLoad waits until the revocations are loaded, loadWait at most.
func (e *sessionEnds) awaitLoad(ctx context.Context) {
	if e == nil {
		return
	}
	deadline := time.Now().Add(loadWait)
	for !e.mirror.Ready() && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	if !e.mirror.Ready() {
		e.logger.Warn("the revocations are not loaded yet: sessions older than this process get 503 until they are")
	}
}

// deps hands the Mirror, the Revoker and the store to the handlers (nothing when e is nil).
func (e *sessionEnds) deps(d *handlers.Deps) {
	if e == nil {
		return
	}
	d.Revocations, d.Revoker, d.Sessions = e.mirror, e.revoker, e.store
}

// shutdown stores the revocations still waiting for the database within ctx (the rest of SHUTDOWN_GRACE), then
// stops the Mirror and the Revoker. What could not be stored is logged: it is lost with this process, and the
// sessions it named stay ended only where the cookie was cleared.
func (e *sessionEnds) shutdown(ctx context.Context) {
	if e == nil {
		return
	}
	if err := e.revoker.Flush(ctx); err != nil {
		e.logger.Error("revocations not stored before the shutdown's grace ran out", "pending", e.revoker.Pending(), "error", err)
	}
	e.close()
}

// close stops the Mirror and the Revoker and waits for them (again: a no-op), before the store is closed.
func (e *sessionEnds) close() {
	if e == nil {
		return
	}
	e.stop()
	e.running.Wait()
}
