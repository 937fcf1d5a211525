package app

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/handlers"
	"github.com/anitab-org/bridge-in-tech-bff/internal/storewatch"
	"github.com/anitab-org/bridge-in-tech-bff/revocation"
)

// memRevocations is the smallest revocation.Store: revocations in a slice, the rest empty; down fails every call.
type memRevocations struct {
	down atomic.Bool
	mu   sync.Mutex
	all  []revocation.Entry
}

var errDown = errors.New("database down")

func (m *memRevocations) Revoke(_ context.Context, e revocation.Entry) error {
	if m.down.Load() {
		return errDown
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.all = append(m.all, e)
	return nil
}

func (m *memRevocations) stored() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.all)
}

func (m *memRevocations) Revocations(context.Context, time.Time) ([]revocation.Entry, int64, error) {
	if m.down.Load() {
		return nil, 0, errDown
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]revocation.Entry(nil), m.all...), int64(len(m.all)), nil
}

func (m *memRevocations) RevocationsSince(_ context.Context, cursor int64) ([]revocation.Entry, int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]revocation.Entry(nil), m.all[cursor:]...), int64(len(m.all)), nil
}

func (m *memRevocations) WatchRevocations(ctx context.Context, _ func()) error {
	<-ctx.Done()
	return ctx.Err()
}
func (m *memRevocations) PurgeRevocations(context.Context, time.Time) error    { return nil }
func (m *memRevocations) RecordLogin(context.Context, revocation.Record) error { return nil }
func (m *memRevocations) ClearLoginFailures(context.Context, string) error     { return nil }
func (m *memRevocations) Logins(context.Context, int64, time.Time) ([]revocation.Record, error) {
	return nil, nil
}
func (m *memRevocations) AddLoginFailure(context.Context, string, time.Time, time.Duration) (int, error) {
	return 1, nil
}
func (m *memRevocations) LoginFailures(context.Context, string, time.Time, time.Duration) (int, error) {
	return 0, nil
}

// revStore is a database that keeps revocations (memRevocations) and nothing else of bit.Store.
type revStore struct {
	bit.Store // nil: the tests never call BridgeInTech's methods
	*memRevocations
}

func (revStore) Close() error { return nil }

// bareStore is a database that keeps no revocations.
type bareStore struct{ bit.Store }

func (bareStore) Close() error { return nil }

// openedLazy returns a storewatch.Lazy that has opened st.
func openedLazy(t *testing.T, st bit.Store) *storewatch.Lazy {
	t.Helper()
	lazy := storewatch.NewLazy(func(context.Context) (bit.Store, error) { return st, nil }, nil)
	t.Cleanup(func() { _ = lazy.Close() })
	return lazy
}

func TestSessionEnds(t *testing.T) {
	t.Parallel()
	logger := slog.New(slog.DiscardHandler)
	t.Run("a database that keeps no revocations loads none, so older sessions stay refused", func(t *testing.T) {
		t.Parallel()
		lazy := openedLazy(t, bareStore{})
		e := startSessionEnds(context.Background(), lazy, nil, logger)
		if err := lazy.TryOpen(context.Background(), 0); err != nil {
			t.Fatal(err)
		}
		var d handlers.Deps
		e.deps(&d)
		defer e.shutdown(context.Background())
		if d.Revocations.Ready() {
			t.Fatal("revocations count as loaded from a database that keeps none")
		}
		if _, err := d.Sessions.Logins(context.Background(), 1, time.Now()); !errors.Is(err, errNotOpen) {
			t.Fatalf("login records from a database that keeps none: %v, want errNotOpen", err)
		}
	})
	t.Run("before the database opens a revocation is in force here and waits; it is stored once the database opens", func(t *testing.T) {
		t.Parallel()
		st := &memRevocations{}
		lazy := openedLazy(t, revStore{memRevocations: st})
		e := startSessionEnds(context.Background(), lazy, nil, logger)
		var d handlers.Deps
		e.deps(&d)
		id := revocation.SessionID{2}
		if err := d.Revoker.Revoke(context.Background(), revocation.Entry{SessionID: id, UserID: 8, Until: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if !d.Revocations.Revoked(8, id, time.Now()) {
			t.Fatal("the revocation is not in force here at once")
		}
		if _, err := d.Sessions.Logins(context.Background(), 8, time.Now()); !errors.Is(err, errNotOpen) {
			t.Fatalf("login records before the database opens: %v, want errNotOpen", err)
		}
		if err := lazy.TryOpen(context.Background(), 0); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		e.shutdown(ctx)
		if st.stored() != 1 {
			t.Fatalf("%d revocations stored, want 1", st.stored())
		}
	})
	t.Run("a revocation made while the database is down is in force at once and stored once it is back, by the shutdown at the latest", func(t *testing.T) {
		t.Parallel()
		st := &memRevocations{}
		lazy := openedLazy(t, revStore{memRevocations: st})
		e := startSessionEnds(context.Background(), lazy, nil, logger)
		if err := lazy.TryOpen(context.Background(), 0); err != nil {
			t.Fatal(err)
		}
		var d handlers.Deps
		e.deps(&d)
		deadline := time.Now().Add(10 * time.Second)
		for !d.Revocations.Ready() {
			if time.Now().After(deadline) {
				t.Fatal("the revocations never loaded")
			}
			time.Sleep(time.Millisecond)
		}
		st.down.Store(true)
		id := revocation.SessionID{1}
		if err := d.Revoker.Revoke(context.Background(), revocation.Entry{SessionID: id, UserID: 7, Until: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if !d.Revocations.Revoked(7, id, time.Now()) {
			t.Fatal("the revocation is not in force here at once")
		}
		st.down.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		e.shutdown(ctx)
		if st.stored() != 1 {
			t.Fatalf("%d revocations stored, want 1", st.stored())
		}
	})
}
