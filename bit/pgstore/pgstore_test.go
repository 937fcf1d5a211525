package pgstore_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/bit/pgstore"
	"github.com/anitab-org/bridge-in-tech-bff/bit/storetest"
	"github.com/anitab-org/bridge-in-tech-bff/internal/pgtest"
)

// cluster is the one PostgreSQL server of this test binary; each test gets its own database on it.
var cluster *pgtest.Cluster

func TestMain(m *testing.M) { os.Exit(pgtest.RunMain(m, &cluster)) }

func newDB(tb testing.TB) storetest.Opener {
	url := cluster.NewDatabase(tb)
	return func(ctx context.Context) (bit.Store, error) {
		return pgstore.Open(ctx, url, pgstore.Options{MaxConns: 8})
	}
}

func TestStoreContract(t *testing.T) { storetest.Run(t, newDB) }

func TestConcurrentOpensOfAFreshDatabaseMigrateOnce(t *testing.T) {
	url := cluster.NewDatabase(t)
	const n = 6
	errs := make(chan error, n)
	for range n {
		go func() {
			s, err := pgstore.Open(t.Context(), url, pgstore.Options{MaxConns: 2})
			if err == nil {
				_ = s.Close()
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	var applied, versions int
	if err := conn.QueryRow(t.Context(), `SELECT count(*), count(DISTINCT version_id)
		FROM bitschema.goose_db_version WHERE version_id > 0`).Scan(&applied, &versions); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if applied != versions || applied != len(files) {
		t.Errorf("%d migration rows for %d versions, want each of the %d migrations applied once", applied, versions, len(files))
	}
	var public int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&public); err != nil {
		t.Fatal(err)
	}
	if public != 0 {
		t.Errorf("%d tables in schema public; the store must keep to schema bitschema", public)
	}
}

// TestDatabaseDown stops the shared server (so it runs alone: it is not parallel and no parallel test is
// running) and restarts it.
func TestDatabaseDownAnswersUnavailableAtOnceAndRecovers(t *testing.T) {
	url := cluster.NewDatabase(t)
	s, err := pgstore.Open(t.Context(), url, pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	if err := cluster.StopServer(); err != nil {
		t.Fatal(err)
	}
	restarted := false
	defer func() {
		if !restarted {
			_ = cluster.StartServer()
		}
	}()
	for name, call := range map[string]func(ctx context.Context) error{
		"Ping": s.Ping,
		"AdditionalInfo": func(ctx context.Context) error {
			_, err := s.AdditionalInfo(ctx, 1)
			return err
		},
		"PutAdditionalInfo": func(ctx context.Context) error {
			_, err := s.PutAdditionalInfo(ctx, bit.AdditionalInfo{UserID: 1, Timezone: "UTC"})
			return err
		},
	} {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		err := call(ctx)
		cancel()
		if !errors.Is(err, bit.ErrUnavailable) {
			t.Errorf("%s with the server down: err = %v, want ErrUnavailable", name, err)
		}
	}
	if _, err := pgstore.Open(t.Context(), url, pgstore.Options{}); !errors.Is(err, bit.ErrUnavailable) {
		t.Errorf("Open with the server down: err = %v, want ErrUnavailable", err)
	}
	if err := cluster.StartServer(); err != nil {
		t.Fatal(err)
	}
	restarted = true
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping after the server came back: %v", err)
	}
	if _, err := s.PutAdditionalInfo(t.Context(), bit.AdditionalInfo{UserID: 1, Timezone: "UTC"}); err != nil {
		t.Errorf("write after the server came back: %v", err)
	}
}

func TestOpenRefusesABadURLWithoutQuotingIt(t *testing.T) {
	_, err := pgstore.Open(t.Context(), "postgres://user:s3cret@127.0.0.1:notaport/db", pgstore.Options{})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("err = %v; want an error that does not show the password", err)
	}
}

func TestADatabaseThatNeverAnswersIsUnavailableWhenTheDeadlinePasses(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer func() { _ = c.Close() }() // held open, never answered
		}
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	_, err = pgstore.Open(ctx, "postgres://u@"+l.Addr().String()+"/db?sslmode=disable&connect_timeout=30", pgstore.Options{})
	if !errors.Is(err, bit.ErrUnavailable) {
		t.Errorf("err = %v, want ErrUnavailable", err)
	}
	if ctx.Err() == nil {
		t.Error("Open returned before its deadline although the server never answered")
	}
}

func BenchmarkStore(b *testing.B) { storetest.Bench(b, newDB) }

// TestReadsSurviveADatabaseRestart restarts the shared server under a store whose pooled connections are all warm
// (so, like TestDatabaseDown, it is not parallel). Every pooled connection is then stale: the first read finds its
// connection lost, the pool is reset and the read runs again on a fresh one, so no caller sees the restart; the
// write that follows gets a fresh connection too.
func TestReadsSurviveADatabaseRestart(t *testing.T) {
	url := cluster.NewDatabase(t)
	s, err := pgstore.Open(t.Context(), url, pgstore.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	if _, err := s.PutAdditionalInfo(t.Context(), bit.AdditionalInfo{UserID: 7, Timezone: "UTC", Phone: "1"}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup // warm every pooled connection
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = s.AdditionalInfo(t.Context(), 7)
		}()
	}
	wg.Wait()
	if err := cluster.StopServer(); err != nil {
		t.Fatal(err)
	}
	if err := cluster.StartServer(); err != nil {
		t.Fatal(err)
	}
	got, err := s.AdditionalInfo(t.Context(), 7)
	if err != nil || got.Phone != "1" {
		t.Fatalf("the first read after a restart: %+v, %v", got, err)
	}
	if _, err := s.PutAdditionalInfo(t.Context(), bit.AdditionalInfo{UserID: 7, Timezone: "UTC", Phone: "2"}); err != nil {
		t.Fatalf("the first write after a restart and a read: %v", err)
	}
}

func TestRowsWrittenBeforeNameKeysAreKeyedAndCollisionsReported(t *testing.T) {
	url := cluster.NewDatabase(t)
	s, err := pgstore.Open(t.Context(), url, pgstore.Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	storetest.CheckNameKeys(t, s, "bitschema.", func(t *testing.T, stmt string) {
		if _, err := conn.Exec(t.Context(), stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	})
}
