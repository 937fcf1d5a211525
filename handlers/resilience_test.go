package handlers

import (
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

// waitFor polls cond every few milliseconds until it holds or the deadline passes.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// tripBreaker logs a user in, makes MS answer 503 (unavailable) and sends failures requests, each of which must
// be MS's own 503 passed through.
func tripBreaker(t *testing.T, s *stack, failures int) *client {
	t.Helper()
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	s.ms.SetFault(emulator.Fault{Status: http.StatusServiceUnavailable})
	for i := 0; i < failures; i++ {
		a := c.do(http.MethodGet, "/api/user", nil)
		if a.Status != http.StatusServiceUnavailable || a.message(t) != "Service Unavailable" {
			t.Fatalf("MS's own 503 must pass through, got %d %s", a.Status, a.Body)
		}
	}
	return c
}

func TestBreakerOpensOnGatewayAnswersAndAnswers503WithoutCallingMS(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{breakerFails: 3, breakerOpen: time.Hour})
	c := tripBreaker(t, s, 3)
	calls := s.ms.Calls("GET /user")
	for i := 0; i < 5; i++ {
		a := c.do(http.MethodGet, "/api/user", nil)
		if a.Status != http.StatusServiceUnavailable || a.message(t) != msgMSBreakerOpen {
			t.Fatalf("open breaker: %d %s", a.Status, a.Body)
		}
		if ra, err := strconv.Atoi(a.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 3600 {
			t.Fatalf("Retry-After = %q", a.Header.Get("Retry-After"))
		}
	}
	if got := s.ms.Calls("GET /user"); got != calls {
		t.Fatalf("the open breaker let %d calls through to MS", got-calls)
	}
	if a := c.do(http.MethodGet, "/readyz", nil); a.Status != http.StatusServiceUnavailable || a.json(t)["breaker"] != "open" {
		t.Fatalf("readyz with an open breaker: %d %s", a.Status, a.Body)
	}
}

func TestBreakerProbesAndClosesWhenMSRecovers(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{breakerFails: 3, breakerOpen: 200 * time.Millisecond})
	c := tripBreaker(t, s, 3)
	s.ms.SetFault(emulator.Fault{})
	// After the open period a probe goes through, succeeds, and the breaker closes.
	waitFor(t, "the breaker to let a probe through", 10*time.Second, func() bool {
		return c.do(http.MethodGet, "/api/user", nil).Status == http.StatusOK
	})
	if a := c.do(http.MethodGet, "/readyz", nil); a.Status != http.StatusOK || a.json(t)["breaker"] != "closed" {
		t.Fatalf("readyz after recovery: %d %s", a.Status, a.Body)
	}
}

func TestClientErrorsNeverOpenTheBreaker(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{breakerFails: 2, breakerOpen: time.Minute})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(2)[1]) // not the first user, who is the admin
	for i := 0; i < 10; i++ {
		for path, want := range map[string]int{"/api/users/9999": 404, "/api/mentorship_relation/77/tasks": 404, "/api/admins": 403} {
			if a := c.do(http.MethodGet, path, nil); a.Status != want {
				t.Fatalf("%s: %d %s", path, a.Status, a.Body)
			}
		}
		if a := s.newClient().login("loaduser1", "wrong-pass"); a.Status != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", a.Status)
		}
	}
	if a := c.do(http.MethodGet, "/api/user", nil); a.Status != http.StatusOK {
		t.Fatalf("after 40 client errors: %d %s", a.Status, a.Body)
	}
}

func TestSlowMSIs504(t *testing.T) {
	t.Parallel()
	// The timeout must be long enough for the login on a busy machine (500 ms once was not, under a load average
	// of 21); MS then holds every answer until the BFF gives up on it.
	s := newStack(t, stackOpts{msTimeout: 3 * time.Second})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	s.ms.SetFault(emulator.Fault{Delay: time.Hour})
	a := c.do(http.MethodGet, "/api/user", nil)
	if a.Status != http.StatusGatewayTimeout || a.message(t) != msgMSTimeout {
		t.Fatalf("got %d %s", a.Status, a.Body)
	}
	if len(a.Header.Values("Set-Cookie")) != 0 {
		t.Fatal("an MS timeout touched the cookie")
	}
}

func TestUnreachableMSIs502AndNotReady(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close() // nothing listens here now
	s := newStack(t, stackOpts{msURL: closed})
	c := s.newClient()
	a := c.login("loaduser1", "loadpass1")
	if a.Status != http.StatusBadGateway || a.message(t) != msgMSUnreachable {
		t.Fatalf("login with MS down: %d %s", a.Status, a.Body)
	}
	r := c.do(http.MethodGet, "/readyz", nil)
	if r.Status != http.StatusServiceUnavailable || r.json(t)["ms"] != "unreachable" {
		t.Fatalf("readyz: %d %s", r.Status, r.Body)
	}
	if h := c.do(http.MethodGet, "/healthz", nil); h.Status != http.StatusOK {
		t.Fatalf("healthz must not depend on MS: %d", h.Status)
	}
}

func TestReadyWhenMSAnswers(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{})
	a := s.newClient().do(http.MethodGet, "/readyz", nil)
	m := a.json(t)
	if a.Status != http.StatusOK || m["status"] != "ready" || m["ms"] != "reachable" || m["breaker"] != "closed" {
		t.Fatalf("readyz: %d %s", a.Status, a.Body)
	}
}

func TestRepeatedFailedLoginsAreRefusedThenForgiven(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := newStack(t, stackOpts{clock: clk, loginLimit: 3, env: map[string]string{"TRUST_PROXY": "true"}})
	u := emulator.LoadUsers(1)[0]
	c := s.newClient()
	for i := 0; i < 3; i++ {
		if a := c.login(u.Username, "wrong-password"); a.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, a.Status)
		}
	}
	before := s.ms.Calls("POST /login")
	a := c.login(u.Username, u.Password)
	if a.Status != http.StatusTooManyRequests || a.message(t) != msgTooManyLogins || a.Header.Get("Retry-After") == "" {
		t.Fatalf("fourth try: %d %s", a.Status, a.Body)
	}
	if s.ms.Calls("POST /login") != before {
		t.Fatal("a limited login still reached MS")
	}
	// Another address is not affected (Heroku's router appends the client address to X-Forwarded-For).
	if b := c.do(http.MethodPost, "/api/login", map[string]string{"username": u.Username, "password": u.Password},
		"X-Forwarded-For", "203.0.113.9"); b.Status != http.StatusOK {
		t.Fatalf("another address: %d %s", b.Status, b.Body)
	}
	clk.Advance(61 * time.Second)
	if a := c.login(u.Username, u.Password); a.Status != http.StatusOK {
		t.Fatalf("after the window: %d %s", a.Status, a.Body)
	}
}
