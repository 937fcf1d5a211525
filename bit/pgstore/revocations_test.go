package pgstore_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/anitab-org/bridge-in-tech-bff/bit/pgstore"
	"github.com/anitab-org/bridge-in-tech-bff/revocation"
	"github.com/anitab-org/bridge-in-tech-bff/revocation/revocationtest"
)

// terminate ends the backend pid from another connection, as a failover or an idle-connection reaper would.
func terminate(tb testing.TB, url string, pid uint32) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_terminate_backend($1)`, int64(pid)).Scan(&ok); err != nil || !ok {
		tb.Fatalf("terminating backend %d: %v, %v", pid, ok, err)
	}
}

// TestRevocationStoreContract runs the revocation.Store contract: each Opener call opens another Store (another
// instance) on the test's own database; a watch is broken by terminating its listening backend.
func TestRevocationStoreContract(t *testing.T) {
	var urls sync.Map // revocation.Store → its database's URL
	revocationtest.Run(t, revocationtest.Harness{
		NewDatabase: func(tb testing.TB) revocationtest.Opener {
			url := cluster.NewDatabase(tb)
			return func(ctx context.Context) (revocation.Store, error) {
				st, err := pgstore.Open(ctx, url, pgstore.Options{MaxConns: 8})
				if err != nil {
					return nil, err
				}
				urls.Store(st, url)
				return st, nil
			}
		},
		BreakWatch: func(tb testing.TB, st revocation.Store) {
			url, _ := urls.Load(st)
			pid := st.(*pgstore.Store).WatchPID()
			if pid == 0 {
				tb.Fatal("the watch has no listening connection")
			}
			terminate(tb, url.(string), pid)
		},
	})
}

// TestADatabaseFromBeforeSessionsMigrates opens a database migrated up to 00005 with data in it: the sessions
// migration applies, the data stays, and revocations work.
func TestADatabaseFromBeforeSessionsMigrates(t *testing.T) {
	url := cluster.NewDatabase(t)
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	defer func(db *sql.DB) { _ = db.Close() }(db)
	if _, err := db.Exec(`CREATE SCHEMA ` + pgstore.Schema); err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, pgstore.MigrationsFS(),
		goose.WithTableName(pgstore.Schema+".goose_db_version"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(t.Context(), 5); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO bitschema.accounts (user_id, registered) VALUES (4, 1000)`); err != nil {
		t.Fatal(err)
	}
	st, err := pgstore.Open(t.Context(), url, pgstore.Options{MaxConns: 4})
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
