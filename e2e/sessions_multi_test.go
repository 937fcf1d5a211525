package e2e

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/anitab-org/bridge-in-tech-bff/internal/pgtest"
)

// revokedMessage is the BFF's answer to the cookie of a session that has been ended.
const revokedMessage = "This session has been ended (logged out, password changed or signed out everywhere). Please log in again."

// sessionFleet is three BFF processes on one PostgreSQL database and one MS emulator.
type sessionFleet struct {
	t       *testing.T
	cluster *pgtest.Cluster
	dbURL   string
	ms      *proc
	msPort  string
	msState string
	bffs    [3]*proc
	ports   [3]string
}

func (f *sessionFleet) url(i int) string { return "http://127.0.0.1:" + f.ports[i] }

func (f *sessionFleet) startBFF(i int) {
	f.bffs[i] = startBFF(f.t, f.ms, testSessionKey, "PORT="+f.ports[i], "DATABASE_URL="+f.dbURL, "SHUTDOWN_GRACE=5s",
		"DB_TIMEOUT=1s", "LOGIN_MAX_FAILURES=10")
	f.bffs[i].name = fmt.Sprintf("bff%d", i)
}

func (f *sessionFleet) startMS(extra ...string) {
	f.ms = startMS(f.t, append([]string{"-addr", "127.0.0.1:" + f.msPort, "-state", f.msState, "-control"}, extra...)...)
}

func newSessionFleet(t *testing.T) *sessionFleet {
	f := &sessionFleet{t: t, cluster: pgtest.StartT(t), msPort: chaosFreePort(t), msState: filepath.Join(t.TempDir(), "ms.json")}
	f.dbURL = f.cluster.NewDatabase(t)
	f.startMS()
	for i := range f.ports {
		f.ports[i] = chaosFreePort(t)
	}
	var wg sync.WaitGroup
	for i := range f.bffs {
		wg.Go(func() { f.startBFF(i) })
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if countLogLines(f.bffs[0], "the database keeps no revocations") > 0 {
		t.Fatal("the BFF on PostgreSQL keeps no revocations: bit/pgstore must implement revocation.Store")
	}
	return f
}

// cookieCopy is a second browser holding a copy of b's cookies, for every instance.
func (f *sessionFleet) cookieCopy(b *browser, from int) *browser {
	c := newBrowser(f.t)
	fu, _ := http.NewRequest(http.MethodGet, f.url(from), nil)
	for i := range f.bffs {
		tu, _ := http.NewRequest(http.MethodGet, f.url(i), nil)
		c.http.Jar.SetCookies(tu.URL, b.http.Jar.Cookies(fu.URL))
	}
	return c
}

// share gives b's cookie of instance from to every instance (one site, several ports).
func (f *sessionFleet) share(b *browser, from int) {
	for i := range f.bffs {
		b.shareCookies(f.url(from), f.url(i))
	}
}

// refusedWithin polls path on instance i with b's cookie until it answers 401 with the revoked message; it fails
// the test when that takes longer than within. A 200 in between is allowed (the revocation is on its way).
func (f *sessionFleet) refusedWithin(b *browser, i int, path string, within time.Duration) {
	f.t.Helper()
	deadline := time.Now().Add(within)
	for {
		// A copy that has been refused once gets its cookie cleared: send the same cookie again each time.
		c := newBrowser(f.t)
		u, _ := http.NewRequest(http.MethodGet, f.url(i), nil)
		c.http.Jar.SetCookies(u.URL, b.http.Jar.Cookies(u.URL))
		a := c.must(http.MethodGet, f.url(i)+path, nil)
		if a.status == http.StatusUnauthorized && a.field(f.t, "message") == revokedMessage {
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("instance %d still answers %s with %d %s after %v", i, path, a.status, a.body, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSessionsEndOnEveryInstance(t *testing.T) {
	f := newSessionFleet(t)
	const within = time.Second

	t.Run("a cookie copied before logout is refused on the two other instances within 1 s", func(t *testing.T) {
		b := newBrowser(t)
		b.login(f.url(0), 1)
		f.share(b, 0)
		cp := f.cookieCopy(b, 0)
		if a := b.must(http.MethodPost, f.url(0)+"/api/logout", nil); a.status != http.StatusNoContent {
			t.Fatalf("logout: %d %s", a.status, a.body)
		}
		f.refusedWithin(cp, 1, "/api/user", within)
		f.refusedWithin(cp, 2, "/api/user/additional_info", within)
	})

	t.Run("a password change ends the other device within 1 s and the changing device stays in", func(t *testing.T) {
		a, b := newBrowser(t), newBrowser(t)
		a.login(f.url(0), 2)
		b.login(f.url(1), 2)
		f.share(a, 0)
		f.share(b, 1)
		_, pass := loadUser(2)
		r := a.must(http.MethodPut, f.url(0)+"/api/user/change_password", map[string]string{"current_password": pass, "new_password": "n3w-Passw0rd-2"})
		if r.status != http.StatusCreated {
			t.Fatalf("change: %d %s", r.status, r.body)
		}
		f.share(a, 0) // the re-sealed cookie
		f.refusedWithin(b, 1, "/api/user", within)
		f.refusedWithin(b, 2, "/api/user/additional_info", within)
		for i := range f.bffs {
			if name, st := a.whoAmI(f.url(i)); st != http.StatusOK || name != "loaduser2" {
				t.Fatalf("the changing device on instance %d: %d", i, st)
			}
		}
	})

	t.Run("deleting the account ends its sessions on every instance within 1 s", func(t *testing.T) {
		a := newBrowser(t)
		a.login(f.url(0), 3)
		f.share(a, 0)
		cp := f.cookieCopy(a, 0)
		if r := a.must(http.MethodDelete, f.url(0)+"/api/user", nil); r.status != http.StatusOK {
			t.Fatalf("delete: %d %s", r.status, r.body)
		}
		f.refusedWithin(cp, 1, "/api/user/additional_info", within)
		f.refusedWithin(cp, 2, "/api/user/personal_background", within)
	})

	t.Run("sign out everywhere ends every session on every instance within 1 s", func(t *testing.T) {
		a, b := newBrowser(t), newBrowser(t)
		a.login(f.url(0), 4)
		b.login(f.url(2), 4)
		f.share(a, 0)
		f.share(b, 2)
		cp := f.cookieCopy(a, 0)
		_, pass := loadUser(4)
		if r := a.must(http.MethodPost, f.url(0)+"/api/sessions/end-all", map[string]string{"password": pass}); r.status != http.StatusNoContent {
			t.Fatalf("end-all: %d %s", r.status, r.body)
		}
		f.refusedWithin(cp, 1, "/api/user", within)
		f.refusedWithin(b, 1, "/api/user/additional_info", within)
		f.refusedWithin(b, 2, "/api/user", within)
	})

	t.Run("a revocation made while an instance's listening connection was cut still reaches it", func(t *testing.T) {
		a := newBrowser(t)
		a.login(f.url(0), 5)
		f.share(a, 0)
		cp := f.cookieCopy(a, 0)
		terminateListeners(t, f.dbURL)
		if r := a.must(http.MethodPost, f.url(0)+"/api/logout", nil); r.status != http.StatusNoContent {
			t.Fatalf("logout: %d", r.status)
		}
		f.refusedWithin(cp, 1, "/api/user/additional_info", 10*time.Second)
		f.refusedWithin(cp, 2, "/api/user/additional_info", 10*time.Second)
	})

	t.Run("a restarted instance starts with every revocation", func(t *testing.T) {
		a := newBrowser(t)
		a.login(f.url(0), 6)
		f.share(a, 0)
		cp := f.cookieCopy(a, 0)
		if err := f.bffs[2].stop(10 * time.Second); err != nil {
			t.Fatalf("stopping instance 2: %v", err)
		}
		if r := a.must(http.MethodPost, f.url(0)+"/api/logout", nil); r.status != http.StatusNoContent {
			t.Fatalf("logout: %d", r.status)
		}
		f.startBFF(2)
		// Never a 200: the first answers are 503 (not loaded yet) or 401.
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			c := f.cookieCopy(cp, 0)
			r := c.must(http.MethodGet, f.url(2)+"/api/user/additional_info", nil)
			if r.status == http.StatusUnauthorized {
				break
			}
			if r.status != http.StatusServiceUnavailable || time.Now().After(deadline) {
				t.Fatalf("the restarted instance answered the ended session's copy with %d %s", r.status, r.body)
			}
		}
	})

	t.Run("an MS secret change ends the session everywhere once one instance sees MS refuse it", func(t *testing.T) {
		a := newBrowser(t)
		a.login(f.url(0), 7)
		f.share(a, 0)
		cp := f.cookieCopy(a, 0)
		if err := f.ms.stop(10 * time.Second); err != nil {
			t.Fatalf("stopping MS: %v", err)
		}
		f.startMS("-secret", "another MS secret after a rotation")
		if r := a.must(http.MethodGet, f.url(0)+"/api/user", nil); r.status != http.StatusUnauthorized {
			t.Fatalf("MS under its new secret: %d %s", r.status, r.body)
		}
		// Instance 1 serves BridgeInTech's routes without asking MS within SESSION_MS_RECHECK: only the revocation
		// instance 0 stored can refuse the copy there.
		f.refusedWithin(cp, 1, "/api/user/additional_info", within)
		f.refusedWithin(cp, 2, "/api/user/additional_info", within)
	})
}

// terminateListeners ends every PostgreSQL connection that is listening for notifications (each instance's
// watching connection), as a failover or an idle-connection reaper would.
func terminateListeners(t *testing.T, dbURL string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE pid <> pg_backend_pid() AND datname = current_database() AND query ILIKE 'listen%'`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	if n < 3 {
		t.Fatalf("terminated %d listening connections, want one per instance (3)", n)
	}
}

func TestTheLoginBudgetHoldsAcrossInstances(t *testing.T) {
	f := newSessionFleet(t)
	ctl := newBrowser(t)
	before := loginCalls(t, ctl, f.ms)
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() {
			b := newBrowser(t)
			u, _ := loadUser(8)
			_, _ = b.do(context.Background(), http.MethodPost, f.url(i%3)+"/api/login", map[string]string{"username": u, "password": "a guess"})
		})
	}
	wg.Wait()
	if n := loginCalls(t, ctl, f.ms) - before; n > 10 {
		t.Fatalf("%d of 100 guesses spread over three instances reached MS; LOGIN_MAX_FAILURES is 10", n)
	}
}

// loginCalls is how many POST /login MS has answered.
func loginCalls(t *testing.T, b *browser, ms *proc) int {
	t.Helper()
	a := b.must(http.MethodGet, ms.url()+"/_emulator/calls", nil)
	n, _ := a.field(t, "POST /login").(float64)
	return int(n)
}
