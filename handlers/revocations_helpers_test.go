package handlers

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/revocation"
)

// fakeSessions is an in-memory revocation.Store that can be taken down (every call fails while down is set). run
// puts the real Mirror and Revoker in front of it, as the app does.
type fakeSessions struct {
	unloaded atomic.Bool // set before the stack starts: the Mirror never loads (the database was down at start)
	down     atomic.Bool // every database call fails

	mu       sync.Mutex
	entries  []revocation.Entry
	records  []revocation.Record
	failures map[string]int
	adds     int // AddLoginFailure calls
}

var errDown = errors.New("the test database is down")

// run starts a Mirror and a Revoker on f for the test's lifetime and returns what the handlers' Deps take.
func (f *fakeSessions) run(t testing.TB, now func() time.Time, logger *slog.Logger) (*revocation.Mirror, *revocation.Revoker, revocation.Store) {
	m := revocation.NewMirror(revocation.MirrorOptions{Now: now, Logger: logger})
	r := revocation.NewRevoker(m, revocation.RevokerOptions{Now: now, Logger: logger, RetryMin: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	if !f.unloaded.Load() {
		wg.Go(func() { _ = m.Run(ctx, f) })
		for !f.down.Load() && !m.Ready() { // the first load reads f's memory: at once (unless it is down)
			time.Sleep(time.Millisecond)
		}
	}
	wg.Go(func() { _ = r.Run(ctx, f) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	return m, r, f
}

// stored reports whether the database holds a revocation that ends the session.
func (f *fakeSessions) stored(userID int64, id revocation.SessionID, loginAt time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range f.entries {
		if !e.SessionID.IsZero() && e.SessionID == id && !id.IsZero() {
			return true
		}
		if e.SessionID.IsZero() && e.UserID == userID && loginAt.Before(e.Before) {
			return true
		}
	}
	return false
}

func (f *fakeSessions) Revoke(_ context.Context, e revocation.Entry) error {
	if f.down.Load() {
		return errDown
	}
	f.mu.Lock()
	f.entries = append(f.entries, e)
	f.mu.Unlock()
	return nil
}

func (f *fakeSessions) revocations() []revocation.Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]revocation.Entry(nil), f.entries...)
}

func (f *fakeSessions) Revocations(context.Context, time.Time) ([]revocation.Entry, int64, error) {
	if f.down.Load() {
		return nil, 0, errDown
	}
	return f.revocations(), 0, nil
}
func (f *fakeSessions) RevocationsSince(context.Context, int64) ([]revocation.Entry, int64, error) {
	return nil, 0, nil
}
func (f *fakeSessions) WatchRevocations(ctx context.Context, _ func()) error {
	<-ctx.Done()
	return ctx.Err()
}
func (f *fakeSessions) PurgeRevocations(context.Context, time.Time) error { return nil }

func (f *fakeSessions) RecordLogin(_ context.Context, r revocation.Record) error {
	if f.down.Load() {
		return errDown
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.records = append([]revocation.Record{r}, f.records...)
	return nil
}

func (f *fakeSessions) Logins(_ context.Context, userID int64, now time.Time) ([]revocation.Record, error) {
	if f.down.Load() {
		return nil, errDown
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []revocation.Record
	for _, r := range f.records {
		if r.UserID == userID && r.Until.After(now) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (f *fakeSessions) AddLoginFailure(_ context.Context, key string, _ time.Time, _ time.Duration) (int, error) {
	if f.down.Load() {
		return 0, errDown
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failures == nil {
		f.failures = map[string]int{}
	}
	f.failures[key]++
	f.adds++
	return f.failures[key], nil
}

func (f *fakeSessions) LoginFailures(_ context.Context, key string, _ time.Time, _ time.Duration) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failures[key], nil
}

func (f *fakeSessions) ClearLoginFailures(_ context.Context, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.failures, key)
	return nil
}
