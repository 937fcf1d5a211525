package sqlitestore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/anitab-org/bridge-in-tech-bff/bit/sqlitestore"
	"github.com/anitab-org/bridge-in-tech-bff/revocation"
	"github.com/anitab-org/bridge-in-tech-bff/revocation/revocationtest"
)

// TestRevocationStoreContract runs the revocation.Store contract: each Opener call opens another Store on the same
// file, as another process on the host would.
func TestRevocationStoreContract(t *testing.T) {
	revocationtest.Run(t, revocationtest.Harness{
		NewDatabase: func(tb testing.TB) revocationtest.Opener {
			path := filepath.Join(tb.TempDir(), "bit.db")
			return func(ctx context.Context) (revocation.Store, error) { return sqlitestore.Open(ctx, path) }
		},
		BreakWatch: func(tb testing.TB, st revocation.Store) {
			if err := st.(*sqlitestore.Store).Close(); err != nil {
				tb.Fatal(err)
			}
		},
	})
}

// TestAProcessLearnsOfAnothersRevocationWithinThePoll checks the polled change counter end to end: a revocation
// stored through one Store on the file wakes the other's watch within about WatchEvery.
func TestAProcessLearnsOfAnothersRevocationWithinThePoll(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bit.db")
	a, err := sqlitestore.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := sqlitestore.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	wakes := make(chan struct{}, 16)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- b.WatchRevocations(ctx, func() { wakes <- struct{}{} }) }()
	defer func() { cancel(); <-done }()
	<-wakes // the watch's start
	e := revocation.Entry{SessionID: revocation.SessionID{9}, UserID: 3, Until: time.Now().Add(time.Hour)}
	if err := a.Revoke(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	select {
	case <-wakes:
	case <-time.After(sqlitestore.WatchEvery + 5*time.Second):
		t.Fatal("the other store's watch did not wake")
	}
	got, _, err := b.RevocationsSince(t.Context(), 0)
	if err != nil || len(got) != 1 || got[0].SessionID != e.SessionID {
		t.Fatalf("since 0: %v, %v; want the one revocation", got, err)
	}
}

// TestADatabaseFromBeforeSessionsMigrates opens a file migrated up to 00005 with data in it: the sessions
// migration applies, the data stays, and revocations work.
func TestADatabaseFromBeforeSessionsMigrates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bit.db")
	db, err := sql.Open("sqlite", sqlitestore.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sqlitestore.MigrationsFS(), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(t.Context(), 5); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO accounts (user_id, registered) VALUES (4, 1000)`); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	st, err := sqlitestore.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("opening a database from before the sessions migration: %v", err)
	}
	defer st.Close()
	if err := st.Revoke(t.Context(), revocation.Entry{UserID: 4, Before: time.Now(), Until: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	got, _, err := st.Revocations(t.Context(), time.Now())
	if err != nil || len(got) != 1 {
		t.Fatalf("revocations after the migration: %v, %v", got, err)
	}
	forgot, err := st.BindAccount(t.Context(), 4, time.UnixMicro(1000))
	if err != nil || forgot {
		t.Fatalf("the account bound before the migration: forgot %v, %v; want it kept", forgot, err)
	}
}
