package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/bit/storeopen"
	"github.com/anitab-org/bridge-in-tech-bff/internal/storewatch"
)

// openTimeout bounds one attempt at opening the database and applying its migrations.
const openTimeout = 30 * time.Second

// firstOpenWait bounds the attempt made before the server starts listening: a database that answers is open
// before the first request (as a BFF on its SQLite file always is); one that does not is opened in the
// background.
const firstOpenWait = 10 * time.Second

// startStore opens the database source names (DATABASE_URL, or the development default): one attempt of at most
// firstOpenWait before it returns, then, if that failed, in the background (storewatch.Lazy tries again with
// backoff and applies the migrations when the database answers). Meanwhile the process serves everything that
// does not need the database and BridgeInTech's routes answer 503 (docs/DATABASE.md). A malformed URL, which no
// retry can fix, is refused here, so it stops the program at start. stop ends the attempts and closes the store.
// Errors and logs never carry the URL: it may hold a password.
//
// Components that keep state in the same database register on the returned Lazy (OnOpen, Ready); they get the
// opened store itself (a *pgstore.Store or *sqlitestore.Store) and a context that ends with ctx or stop.
func startStore(ctx context.Context, source string, logger *slog.Logger) (lazy *storewatch.Lazy, stop func(), err error) {
	if err := storeopen.Check(source); err != nil {
		return nil, nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	lazy = storewatch.NewLazy(func(ctx context.Context) (bit.Store, error) {
		return openStore(ctx, source, logger)
	}, logger)
	ctx, cancel := context.WithCancel(ctx) // OnOpen functions keep it: it ends with stop
	err = lazy.TryOpen(ctx, firstOpenWait)
	var wg sync.WaitGroup
	if err != nil {
		logger.Warn("database not open at start; BridgeInTech routes answer 503 until it is, trying again in the background",
			"error", err.Error())
		wg.Go(func() { _ = lazy.Run(ctx) }) // it returns only when open or when stop cancels it
	}
	stop = func() {
		cancel()
		wg.Wait()
		_ = lazy.Close()
	}
	return lazy, stop, nil
}

// openStore makes one attempt at opening the database and applying its migrations.
func openStore(ctx context.Context, source string, logger *slog.Logger) (bit.Store, error) {
	ctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	start := time.Now()
	st, kind, err := storeopen.Open(ctx, source)
	if err != nil {
		return nil, fmt.Errorf("opening the database named by DATABASE_URL: %w", err)
	}
	logger.Info("database ready", "kind", string(kind), "took_ms", time.Since(start).Milliseconds())
	if checker, ok := st.(bit.NameKeyChecker); ok {
		// Names written before they were compared as a reader sees them (bit.NameKey): reported, never changed.
		found, err := checker.CheckNameKeys(ctx)
		if err != nil {
			_ = st.Close()
			return nil, fmt.Errorf("checking the database's name keys: %w", err)
		}
		for _, c := range found {
			logger.Warn("existing name looks like another row's", "table", c.Table, "id", c.ID, "name", c.Name, "held_by", c.HeldBy)
		}
	}
	return st, nil
}

// seedDemoOnOpen gives the demo users BridgeInTech data when the store opens, before it serves: each is an
// organization representative with a published organization and two programs (idempotent, so a demo database
// kept in a file is seeded once). A failure is logged: the demo runs on without the seeded data.
func seedDemoOnOpen(lazy *storewatch.Lazy, d *demoMS, logger *slog.Logger) {
	lazy.OnOpen(func(ctx context.Context, st bit.Store) {
		ctx, cancel := context.WithTimeout(ctx, openTimeout)
		defer cancel()
		var reps []int64
		for _, u := range d.users {
			if id, ok := d.em.UserID(u.Username); ok {
				reps = append(reps, id)
			}
		}
		if err := bit.NewService(st, bit.Options{}).Seed(ctx, reps); err != nil {
			logger.Error("demo: seeding organizations and programs failed", "error", err.Error())
		}
	})
}
