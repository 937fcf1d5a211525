package sqlitestore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

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
	var applied int
	if err := db.QueryRow(`SELECT count(*) FROM goose_db_version WHERE version_id > 0`).Scan(&applied); err != nil {
		t.Fatal(err)
	}
	if applied != 1 {
		t.Errorf("%d migration rows, want 1 (one migration applied once)", applied)
	}
}

func BenchmarkStore(b *testing.B) { storetest.Bench(b, newDB) }
