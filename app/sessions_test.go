package app

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/handlers"
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

func TestSessionEnds(t *testing.T) {
	t.Parallel()
	logger := slog.New(slog.DiscardHandler)
	t.Run("a database that keeps no revocations gives the handlers none", func(t *testing.T) {
		t.Parallel()
		e := startSessionEnds(context.Background(), struct{}{}, nil, logger)
		var d handlers.Deps
		e.deps(&d)
		e.shutdown(context.Background())
		if e != nil || d.Revocations != nil || d.Revoker != nil || d.Sessions != nil {
			t.Fatal("revocations were wired without a store that keeps them")
		}
	})
	t.Run("a revocation made while the database is down is in force at once and stored once it is back, by the shutdown at the latest", func(t *testing.T) {
		t.Parallel()
		st := &memRevocations{}
		e := startSessionEnds(context.Background(), st, nil, logger)
		var d handlers.Deps
		e.deps(&d)
		if d.Revocations == nil || d.Revoker == nil || d.Sessions == nil {
			t.Fatal("the handlers got no revocations")
		}
		for !d.Revocations.Ready() {
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
