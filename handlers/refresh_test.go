package handlers

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

func TestSilentRefreshWhenTheAccessTokenExpires(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := newStack(t, stackOpts{clock: clk, accessTTL: time.Minute})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	before := c.session()
	if got := before.AccessExp.Sub(clk.Now()); got != time.Minute {
		t.Fatalf("access token lives %v, want the emulator's 1m", got)
	}

	clk.Advance(45 * time.Second) // 15 s left: inside the 30 s refresh window
	a := c.do(http.MethodGet, "/api/user", nil)
	if a.Status != http.StatusOK {
		t.Fatalf("after expiry: %d %s", a.Status, a.Body)
	}
	if n := s.ms.Calls("POST /refresh"); n != 1 {
		t.Fatalf("MS refresh calls = %d, want 1", n)
	}
	after := c.session()
	if after.AccessToken == before.AccessToken || !after.AccessExp.After(before.AccessExp) {
		t.Fatal("the cookie was not re-sealed with the new access token")
	}
	if after.RefreshToken != before.RefreshToken || after.UserID != before.UserID {
		t.Fatal("refresh changed the refresh token or the user")
	}
	// The new token is fresh: the next call does not refresh again.
	if a := c.do(http.MethodGet, "/api/user", nil); a.Status != http.StatusOK || s.ms.Calls("POST /refresh") != 1 {
		t.Fatalf("second call: %d, refreshes %d", a.Status, s.ms.Calls("POST /refresh"))
	}
}

// TestConcurrentRequestsShareOneRefresh sends 20 requests on one expired session at once. MS's /refresh is held
// until all 20 are inside the BFF, so they overlap for certain; they must share a single MS refresh.
func TestConcurrentRequestsShareOneRefresh(t *testing.T) {
	t.Parallel()
	clk := newClock()
	gate := make(chan struct{})
	s := newStack(t, stackOpts{clock: clk, accessTTL: time.Minute, msWrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/refresh" {
				<-gate
			}
			h.ServeHTTP(w, r)
		})
	}})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	clk.Advance(2 * time.Minute)

	const n = 20
	var wg sync.WaitGroup
	results := make([]answer, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = c.do(http.MethodGet, "/api/user", nil)
		}(i)
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.obs.inFlight.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d requests reached the BFF", s.obs.inFlight.Load())
		}
		time.Sleep(time.Millisecond)
	}
	// Every request is in flight; the remaining work before the shared refresh is a cookie open (microseconds).
	// Give them ample time to join it before MS answers.
	time.Sleep(500 * time.Millisecond)
	close(gate)
	wg.Wait()
	for i, a := range results {
		if a.Status != http.StatusOK {
			t.Fatalf("request %d: %d %s", i, a.Status, a.Body)
		}
	}
	if got := s.ms.Calls("POST /refresh"); got != 1 {
		t.Fatalf("MS refresh calls = %d, want exactly 1 shared by %d requests", got, n)
	}
}

func TestMSSaysExpiredSoTheBFFRefreshesAndRetriesOnce(t *testing.T) {
	t.Parallel()
	bffClock, msClock := newClock(), newClock()
	s := newStack(t, stackOpts{clock: bffClock, msClock: msClock})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	msClock.Advance(11 * time.Minute) // MS's clock runs ahead: it sees the token expired, the BFF does not
	a := c.do(http.MethodGet, "/api/user", nil)
	if a.Status != http.StatusOK {
		t.Fatalf("got %d %s", a.Status, a.Body)
	}
	if s.ms.Calls("POST /refresh") != 1 || s.ms.Calls("GET /user") != 3 { // login's own GET /user, the 401, the retry
		t.Fatalf("refreshes %d, GET /user %d", s.ms.Calls("POST /refresh"), s.ms.Calls("GET /user"))
	}
	if len(setCookieHeaders(a.Header, "bit_session")) != 1 {
		t.Fatal("the refreshed session was not sent back")
	}
}

func TestARefusedRefreshIs401AndClearsTheCookie(t *testing.T) {
	t.Parallel()
	bffClock, msClock := newClock(), newClock()
	s := newStack(t, stackOpts{clock: bffClock, msClock: msClock})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	// The BFF thinks the refresh token still has a day; MS's clock says it expired.
	bffClock.Advance(27 * 24 * time.Hour)
	msClock.Advance(29 * 24 * time.Hour)
	a := c.do(http.MethodGet, "/api/user", nil)
	lines := setCookieHeaders(a.Header, "bit_session")
	if a.Status != http.StatusUnauthorized || !strings.HasPrefix(a.message(t), "The token has expired!") {
		t.Fatalf("got %d %s", a.Status, a.Body)
	}
	if len(lines) != 1 || !isClearing(lines[0]) {
		t.Fatalf("cookie not cleared: %q", lines)
	}
}

func TestAnExpiredSessionIs401WithoutCallingMS(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := newStack(t, stackOpts{clock: clk})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	calls := s.ms.Calls("POST /refresh")
	clk.Advance(29 * 24 * time.Hour)
	a := c.do(http.MethodGet, "/api/user", nil)
	if a.Status != http.StatusUnauthorized || a.message(t) != msgSessionExpired || s.ms.Calls("POST /refresh") != calls {
		t.Fatalf("got %d %s, refreshes %d", a.Status, a.Body, s.ms.Calls("POST /refresh"))
	}
}

func TestExplicitRefresh(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := newStack(t, stackOpts{clock: clk})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	before := c.session()
	clk.Advance(5 * time.Minute)
	a := c.do(http.MethodPost, "/api/refresh", nil)
	if a.Status != http.StatusOK {
		t.Fatalf("refresh: %d %s", a.Status, a.Body)
	}
	after := c.session()
	if int64(a.json(t)["access_expires_at"].(float64)) != after.AccessExp.Unix() || !after.AccessExp.After(before.AccessExp) {
		t.Fatalf("refresh body %s, cookie exp %v (before %v)", a.Body, after.AccessExp, before.AccessExp)
	}
}

func TestNonSessionUnauthorizedAnswersLeaveTheCookieAlone(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	// Relation 999 does not exist: MS answers 404; tasks of a relation one is not in answer 401 "not involved"
	// (docs/MS.md#tasks), which is about the relation, not the session.
	a := c.do(http.MethodGet, "/api/mentorship_relation/999/tasks", nil)
	if a.Status != http.StatusNotFound || len(a.Header.Values("Set-Cookie")) != 0 {
		t.Fatalf("got %d %s %q", a.Status, a.Body, a.Header.Values("Set-Cookie"))
	}
}
