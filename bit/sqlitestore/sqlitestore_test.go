package sqlitestore_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/bit/sqlitestore"
	"github.com/anitab-org/bridge-in-tech-bff/bit/storetest"
)

// newDB gives each test its own database file in its temp folder.
func newDB(tb testing.TB) storetest.Opener {
	path := filepath.Join(tb.TempDir(), "bit.db")
	return func(ctx context.Context) (bit.Store, error) { return sqlitestore.Open(ctx, path) }
}

func TestStoreContract(t *testing.T) { storetest.Run(t, newDB) }

func TestConcurrentOpensMigrateOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bit.db")
	stores := make([]*sqlitestore.Store, 4)
	done := make(chan error, len(stores))
	for i := range stores {
		go func() {
			var err error
			stores[i], err = sqlitestore.Open(t.Context(), path)
			done <- err
		}()
	}
	for range stores {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range stores {
		_ = s.Close()
	}
	db, err := sql.Open("sqlite", sqlitestore.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	var applied, versions int
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0`).
		Scan(&applied, &versions); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if applied != versions || applied != len(files) {
		t.Errorf("%d migration rows for %d versions, want each of the %d migrations applied once", applied, versions, len(files))
	}
}

func BenchmarkStore(b *testing.B) { storetest.Bench(b, newDB) }

func TestAWriteBehindAnotherWritersLockGivesUpAsUnavailableAtItsDeadline(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bit.db")
	s, err := sqlitestore.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	// Another process (here another pool on the file) holds the write lock.
	other, err := sql.Open("sqlite", sqlitestore.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Close() }()
	tx, err := other.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.Exec(`INSERT INTO users_extension (user_id, timezone) VALUES (5, 'UTC')`); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err = s.PutAdditionalInfo(ctx, bit.AdditionalInfo{UserID: 1, Timezone: "UTC"})
	if !errors.Is(err, bit.ErrUnavailable) || ctx.Err() == nil {
		t.Errorf("err = %v (context: %v); want ErrUnavailable once the deadline passed", err, ctx.Err())
	}
	// Readers are not blocked by the writer (WAL).
	if _, err := s.AdditionalInfo(t.Context(), 1); !errors.Is(err, bit.ErrNotFound) {
		t.Errorf("read during another's write: %v, want ErrNotFound", err)
	}
	// The write answered "unavailable" is not applied once the lock is free either (docs/DATABASE.md).
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutAdditionalInfo(t.Context(), bit.AdditionalInfo{UserID: 2, Timezone: "UTC"}); err != nil {
		t.Fatalf("a write once the lock is free: %v", err)
	}
	if _, err := s.AdditionalInfo(t.Context(), 1); !errors.Is(err, bit.ErrNotFound) {
		t.Errorf("the write answered unavailable was applied later: %v", err)
	}
}

func TestOpenRefusesAnInMemoryDatabase(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file::memory:?cache=shared", "file:x?mode=memory"} {
		if _, err := sqlitestore.Open(t.Context(), p); err == nil {
			t.Errorf("Open(%q) succeeded", p)
		}
	}
}

func TestRowsWrittenBeforeNameKeysAreKeyedAndCollisionsReported(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bit.db")
	s, err := sqlitestore.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	db, err := sql.Open("sqlite", sqlitestore.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	storetest.CheckNameKeys(t, s, "", func(t *testing.T, stmt string) {
		if _, err := db.ExecContext(t.Context(), stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	})
}

// A burst of concurrent calls shares a bounded pool (each SQLite connection costs this process a page cache):
// they all succeed, waiting their turn, and the pool never holds more than its bound.
func TestABurstSharesABoundedPool(t *testing.T) {
	s, err := sqlitestore.Open(t.Context(), filepath.Join(t.TempDir(), "bit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	const n = 100
	errs := make(chan error, n)
	for i := range n {
		go func() {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			if i%2 == 0 {
				_, err := s.BindAccount(ctx, int64(i+1), time.UnixMicro(int64(i)).UTC())
				errs <- err
				return
			}
			errs <- s.Ping(ctx)
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	st := s.DBStats()
	if st.MaxOpenConnections != sqlitestore.MaxConns || st.OpenConnections > sqlitestore.MaxConns {
		t.Errorf("pool: max %d, open %d; want a bound of %d", st.MaxOpenConnections, st.OpenConnections, sqlitestore.MaxConns)
	}
}
