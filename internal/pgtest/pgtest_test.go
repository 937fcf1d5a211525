package pgtest

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestClusterLifecycle(t *testing.T) {
	c, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	dir := c.dir
	if !strings.HasPrefix(c.URL("x"), "postgres://postgres@127.0.0.1:") {
		t.Errorf("URL = %q", c.URL("x"))
	}

	t.Run("a fresh database is created, reachable and dropped at cleanup", func(t *testing.T) {
		var name string
		t.Run("inner", func(t *testing.T) {
			url := c.NewDatabase(t)
			name = url[strings.LastIndex(url, "/")+1 : strings.Index(url, "?")]
			if err := c.psqlOn(name, "CREATE TABLE t (x int)"); err != nil {
				t.Fatal(err)
			}
		})
		if err := c.psqlOn(name, "SELECT 1"); err == nil {
			t.Errorf("database %s still exists after its test", name)
		}
	})

	t.Run("a database name that is not a plain identifier is refused", func(t *testing.T) {
		if _, err := c.CreateDatabase("x; DROP DATABASE postgres"); err == nil {
			t.Error("no error")
		}
	})

	t.Run("a restarted server keeps its data and port and still creates databases", func(t *testing.T) {
		if _, err := c.CreateDatabase("kept"); err != nil {
			t.Fatal(err)
		}
		if err := c.Restart(); err != nil {
			t.Fatal(err)
		}
		if err := c.psqlOn("kept", "SELECT 1"); err != nil {
			t.Error(err)
		}
		if _, err := c.CreateDatabase("after_restart"); err != nil {
			t.Errorf("creating a database after a restart: %v", err)
		}
	})

	t.Run("a stopped server refuses connections", func(t *testing.T) {
		if err := c.StopServer(); err != nil {
			t.Fatal(err)
		}
		if err := c.psqlOn("kept", "SELECT 1"); err == nil {
			t.Error("query succeeded on a stopped server")
		}
	})

	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("cluster folder %s not removed: %v", dir, err)
	}
}

func TestFindBinNamesTheInstallCommandWhenPGTESTBINIsWrong(t *testing.T) {
	t.Setenv("PGTEST_BIN", t.TempDir())
	if _, err := FindBin(); err == nil {
		t.Fatal("no error for a folder without initdb")
	}
	if !strings.Contains(InstallHint, "apt-get install postgresql") {
		t.Errorf("hint %q does not say how to install", InstallHint)
	}
}

func TestAHungBackendLeavesItsStatementUnansweredUntilResumed(t *testing.T) {
	c := StartT(t)
	url := c.NewDatabase(t)
	name := url[strings.LastIndex(url, "/")+1 : strings.Index(url, "?")]
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	backends, err := c.Backends(name)
	if err != nil || len(backends) != 1 || backends[0] != int(conn.PgConn().PID()) {
		t.Fatalf("Backends(%s) = %v, %v; want the one session's %d", name, backends, err, conn.PgConn().PID())
	}
	if c.ServerPID() == 0 {
		t.Fatal("no server process id")
	}
	if err := c.Hang(backends...); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	_, err = conn.Exec(ctx, "SELECT 1")
	cancel()
	if err == nil {
		t.Fatal("a hung backend answered")
	}
	other, err := pgx.Connect(t.Context(), url) // the postmaster still serves new sessions
	if err != nil {
		t.Fatalf("a new session during the hang: %v", err)
	}
	_ = other.Close(t.Context())
	if err := c.Resume(); err != nil {
		t.Fatal(err)
	}
	again, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := again.Exec(t.Context(), "SELECT 1"); err != nil {
		t.Errorf("after Resume: %v", err)
	}
	_ = again.Close(t.Context())
}
