package storewatch

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/bit/sqlitestore"
)

// recorder keeps what the wrapper reported.
type recorder struct {
	mu    sync.Mutex
	calls []string // "operation outcome"
	ups   []bool
}

func (r *recorder) StoreCall(op, outcome string, _ time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, op+" "+outcome)
}

func (r *recorder) StoreUp(up bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ups = append(r.ups, up)
}

func (r *recorder) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[len(r.calls)-1]
}

func open(t *testing.T) (*sqlitestore.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bit.db")
	st, err := sqlitestore.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st, path
}

func TestOutcomesAndStateOfRealCalls(t *testing.T) {
	t.Parallel()
	st, path := open(t)
	rec := &recorder{}
	w := Wrap(st, 300*time.Millisecond, rec)
	ctx := context.Background()

	if _, err := w.AdditionalInfo(ctx, 1); !errors.Is(err, bit.ErrNotFound) || rec.last() != "additional_info_get ok" {
		t.Fatalf("a row that is not there: %v, recorded %q", err, rec.last())
	}
	if _, err := w.PutAdditionalInfo(ctx, bit.AdditionalInfo{UserID: 1, Timezone: "GMT0"}); err != nil || rec.last() != "additional_info_put ok" {
		t.Fatalf("a write: %v, recorded %q", err, rec.last())
	}

	// Another connection holds the write lock: the write ends at the wrapper's deadline, as ErrUnavailable.
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	_, err = w.PutAdditionalInfo(ctx, bit.AdditionalInfo{UserID: 2, Timezone: "GMT0"})
	if !errors.Is(err, bit.ErrUnavailable) || rec.last() != "additional_info_put timeout" || w.Up() {
		t.Fatalf("a write behind a lock: %v, recorded %q, up %v", err, rec.last(), w.Up())
	}
	_, _ = conn.ExecContext(ctx, "ROLLBACK")
	_ = conn.Close()

	if err := w.Ping(ctx); err != nil || rec.last() != "ping ok" || !w.Up() {
		t.Fatalf("a ping once the lock is gone: %v, recorded %q, up %v", err, rec.last(), w.Up())
	}
	rec.mu.Lock()
	ups := append([]bool(nil), rec.ups...)
	rec.mu.Unlock()
	if len(ups) != 3 || !ups[0] || ups[1] || !ups[2] {
		t.Fatalf("state changes reported: %v, want up, down, up", ups)
	}

	// The request's own context ending is the client leaving, not the database failing.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := w.Organization(cctx, 1); err == nil || rec.last() != "organization_get canceled" || !w.Up() {
		t.Fatalf("a call for a client that left: %v, recorded %q, up %v", err, rec.last(), w.Up())
	}
}
