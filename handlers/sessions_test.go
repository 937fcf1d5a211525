package handlers

import (
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
	"github.com/anitab-org/bridge-in-tech-bff/secret"
	"github.com/anitab-org/bridge-in-tech-bff/session"
)

// copyOf is a second browser holding a copy of c's cookie.
func (c *client) copyOf() *client {
	d := c.s.newClient()
	d.setCookie(c.cookieValue())
	return d
}

// wantRefused checks a is 401 with msg and clears the cookie.
func wantRefused(t *testing.T, a answer, msg string) {
	t.Helper()
	if a.Status != http.StatusUnauthorized || a.message(t) != msg {
		t.Fatalf("got %d %s, want 401 %q", a.Status, a.Body, msg)
	}
	lines := setCookieHeaders(a.Header, "bit_session")
	if len(lines) != 1 || !isClearing(lines[0]) {
		t.Fatalf("the cookie is not cleared: %q", lines)
	}
}

func TestWhatEndsASession(t *testing.T) {
	t.Parallel()
	users := emulator.LoadUsers(2)
	u := users[1] // not the only admin: MS lets it delete its account
	tests := []struct {
		name string
		// end is done by browser a; b is another login of the same user, copy a copy of a's cookie.
		end          func(t *testing.T, a *client) answer
		wantStatus   int
		aStaysIn     bool
		bEnded       bool
		databaseDown bool
	}{
		{name: "a logout ends that session: its copy is refused, another login of the user stays",
			end:        func(_ *testing.T, a *client) answer { return a.do(http.MethodPost, "/api/logout", nil) },
			wantStatus: http.StatusNoContent},
		{name: "a logout while the database is down still clears the cookie and ends the session here",
			end:        func(_ *testing.T, a *client) answer { return a.do(http.MethodPost, "/api/logout", nil) },
			wantStatus: http.StatusNoContent, databaseDown: true},
		{name: "a password change ends every other session and the changing browser stays in",
			end: func(_ *testing.T, a *client) answer {
				return a.do(http.MethodPut, "/api/user/change_password", map[string]string{"current_password": u.Password, "new_password": "N3w-passw0rd!"})
			},
			wantStatus: http.StatusCreated, aStaysIn: true, bEnded: true},
		{name: "deleting the account ends every session",
			end:        func(_ *testing.T, a *client) answer { return a.do(http.MethodDelete, "/api/user", nil) },
			wantStatus: http.StatusOK, bEnded: true},
		{name: "sign out everywhere with the password ends every session, this one included",
			end: func(_ *testing.T, a *client) answer {
				return a.do(http.MethodPost, "/api/sessions/end-all", map[string]string{"password": u.Password})
			},
			wantStatus: http.StatusNoContent, bEnded: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := &fakeSessions{}
			s := newStack(t, stackOpts{users: users, sessions: fs})
			a, b := s.newClient(), s.newClient()
			a.mustLogin(u)
			b.mustLogin(u)
			cp := a.copyOf()
			fs.down.Store(tt.databaseDown)
			got := tt.end(t, a)
			if got.Status != tt.wantStatus {
				t.Fatalf("ending: got %d %s", got.Status, got.Body)
			}
			if tt.aStaysIn {
				if r := a.do(http.MethodGet, "/api/session", nil); r.Status != http.StatusOK {
					t.Fatalf("the changing browser is out: %d %s", r.Status, r.Body)
				}
			} else {
				if lines := setCookieHeaders(got.Header, "bit_session"); len(lines) != 1 || !isClearing(lines[0]) {
					t.Fatalf("the ending answer does not clear the cookie: %q", lines)
				}
			}
			wantRefused(t, cp.do(http.MethodGet, "/api/user", nil), msgSessionRevoked)
			rb := b.do(http.MethodGet, "/api/session", nil)
			if tt.bEnded {
				wantRefused(t, rb, msgSessionRevoked)
			} else if rb.Status != http.StatusOK {
				t.Fatalf("the other login was ended too: %d %s", rb.Status, rb.Body)
			}
		})
	}
}

func TestACopiedCookieOfAnEndedSessionCannotWriteBridgeInTechData(t *testing.T) {
	t.Parallel()
	fs := &fakeSessions{}
	s := newStack(t, stackOpts{bit: true, sessions: fs})
	a := s.newClient()
	a.mustLogin(emulator.LoadUsers(1)[0])
	cp := a.copyOf()
	if r := a.do(http.MethodPost, "/api/logout", nil); r.Status != http.StatusNoContent {
		t.Fatalf("logout: %d", r.Status)
	}
	wantRefused(t, cp.do(http.MethodPut, "/api/user/additional_info", validAdditionalInfo("+44 20 7946 0000")), msgSessionRevoked)
}

func TestTimeouts(t *testing.T) {
	t.Parallel()
	u := emulator.LoadUsers(1)[0]
	t.Run("a session without requests for the idle timeout is over", func(t *testing.T) {
		t.Parallel()
		clk := newClock()
		s := newStack(t, stackOpts{clock: clk, users: []emulator.SeedUser{u}, env: map[string]string{"SESSION_IDLE_TIMEOUT": "1h"}})
		c := s.newClient()
		c.mustLogin(u)
		clk.Advance(61 * time.Minute)
		wantRefused(t, c.do(http.MethodGet, "/api/user", nil), msgSessionIdle)
	})
	t.Run("activity every few minutes keeps a session past the idle timeout, and re-seals only every 5 minutes", func(t *testing.T) {
		t.Parallel()
		clk := newClock()
		s := newStack(t, stackOpts{clock: clk, users: []emulator.SeedUser{u}, env: map[string]string{"SESSION_IDLE_TIMEOUT": "1h"}})
		c := s.newClient()
		c.mustLogin(u)
		clk.Advance(time.Minute)
		if r := c.do(http.MethodGet, "/api/session", nil); len(setCookieHeaders(r.Header, "bit_session")) != 0 {
			t.Fatal("a request one minute after login re-sealed the cookie")
		}
		for range 3 {
			clk.Advance(40 * time.Minute) // each step refreshes the access token too: the cookie is re-sealed
			r := c.do(http.MethodGet, "/api/session", nil)
			if r.Status != http.StatusOK || len(setCookieHeaders(r.Header, "bit_session")) != 1 {
				t.Fatalf("got %d %s", r.Status, r.Body)
			}
		}
	})
	t.Run("a session is over at the absolute timeout however active", func(t *testing.T) {
		t.Parallel()
		clk := newClock()
		s := newStack(t, stackOpts{clock: clk, users: []emulator.SeedUser{u},
			env: map[string]string{"SESSION_IDLE_TIMEOUT": "1h", "SESSION_ABSOLUTE_TIMEOUT": "2h"}})
		c := s.newClient()
		c.mustLogin(u)
		for range 3 {
			clk.Advance(35 * time.Minute)
			if r := c.do(http.MethodGet, "/api/session", nil); r.Status != http.StatusOK {
				t.Fatalf("got %d %s", r.Status, r.Body)
			}
		}
		clk.Advance(16 * time.Minute)
		wantRefused(t, c.do(http.MethodGet, "/api/session", nil), msgSessionTooLong)
	})
}

func TestWhileRevocationsAreNotLoaded(t *testing.T) {
	t.Parallel()
	u := emulator.LoadUsers(1)[0]
	clk := newClock()
	fs := &fakeSessions{}
	fs.unloaded.Store(true)
	s := newStack(t, stackOpts{clock: clk, users: []emulator.SeedUser{u}, sessions: fs})
	// A session that logged in an hour before this process started: it might have been revoked meanwhile.
	access, refresh := s.msLogin(u)
	old := session.Session{UserID: 1, AccessToken: secret.String(access), RefreshToken: secret.String(refresh),
		AccessExp: clk.Now().Add(10 * time.Minute).UTC().Truncate(time.Second), RefreshExp: clk.Now().Add(24 * time.Hour).UTC().Truncate(time.Second),
		ID: session.NewID(), LoginAt: clk.Now().Add(-time.Hour).UTC().Truncate(time.Second)}
	old.MSCheckedAt, old.ActiveAt = old.LoginAt, clk.Now().UTC().Truncate(time.Second)
	v, err := s.codec.Seal(old)
	if err != nil {
		t.Fatal(err)
	}
	before := s.newClient()
	before.setCookie(v)
	r := before.do(http.MethodGet, "/api/user", nil)
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" || r.message(t) != msgSessionUnsure {
		t.Fatalf("a session older than the process: got %d %s (Retry-After %q)", r.Status, r.Body, r.Header.Get("Retry-After"))
	}
	if len(setCookieHeaders(r.Header, "bit_session")) != 0 {
		t.Fatal("the cookie of a session that may be alive was touched")
	}
	after := s.newClient()
	after.mustLogin(u)
	if r := after.do(http.MethodGet, "/api/user", nil); r.Status != http.StatusOK {
		t.Fatalf("a session logged in after the start: got %d %s", r.Status, r.Body)
	}
}

func TestSessionsList(t *testing.T) {
	t.Parallel()
	u := emulator.LoadUsers(1)[0]
	fs := &fakeSessions{}
	s := newStack(t, stackOpts{users: []emulator.SeedUser{u}, sessions: fs})
	a, b := s.newClient(), s.newClient()
	firefox := "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
	if r := a.do(http.MethodPost, "/api/login", map[string]string{"username": u.Username, "password": u.Password}, "User-Agent", firefox); r.Status != http.StatusOK {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	b.mustLogin(u)
	list := a.do(http.MethodGet, "/api/sessions", nil)
	if list.Status != http.StatusOK {
		t.Fatalf("list: %d %s", list.Status, list.Body)
	}
	items, _ := list.json(t)["sessions"].([]any)
	if len(items) != 2 {
		t.Fatalf("want 2 sessions, got %s", list.Body)
	}
	aID, bID := a.session().ID, b.session().ID
	var sawCurrent bool
	for _, it := range items {
		m := it.(map[string]any)
		if m["id"] == hex.EncodeToString(aID[:]) {
			sawCurrent = m["current"] == true && m["device"] == "Firefox on Linux"
		} else if m["current"] != false {
			t.Errorf("another session is marked current: %v", m)
		}
	}
	if !sawCurrent {
		t.Fatalf("the current session is not marked (with its device): %s", list.Body)
	}

	other := "/api/sessions/" + hex.EncodeToString(bID[:])
	steps := []struct {
		name   string
		body   any
		status int
	}{
		{"ending another session without the password is refused", nil, http.StatusBadRequest},
		{"ending another session with a wrong password is refused", map[string]string{"password": "wrong"}, http.StatusForbidden},
		{"ending another session with the password ends it", map[string]string{"password": u.Password}, http.StatusNoContent},
		{"an ended session is no longer there to end", map[string]string{"password": u.Password}, http.StatusNotFound},
	}
	for _, st := range steps {
		if r := a.do(http.MethodDelete, other, st.body); r.Status != st.status {
			t.Fatalf("%s: got %d %s", st.name, r.Status, r.Body)
		}
	}
	wantRefused(t, b.do(http.MethodGet, "/api/user", nil), msgSessionRevoked)
	if r := a.do(http.MethodDelete, "/api/sessions/not-an-id", nil); r.Status != http.StatusNotFound {
		t.Fatalf("a malformed id: got %d %s", r.Status, r.Body)
	}
	acp := a.copyOf()
	if r := a.do(http.MethodDelete, "/api/sessions/"+hex.EncodeToString(aID[:]), nil); r.Status != http.StatusNoContent {
		t.Fatalf("ending the current session: got %d %s", r.Status, r.Body)
	}
	wantRefused(t, acp.do(http.MethodGet, "/api/user", nil), msgSessionRevoked)
}

func TestALoginRecordThatCannotBeWrittenDoesNotFailTheLogin(t *testing.T) {
	t.Parallel()
	fs := &fakeSessions{}
	fs.down.Store(true)
	s := newStack(t, stackOpts{sessions: fs})
	s.newClient().mustLogin(emulator.LoadUsers(1)[0])
	if !strings.Contains(s.logs.String(), "the login record was not written") {
		t.Fatal("the failed record write is not logged")
	}
}

func TestMSRefusingASessionEndsIt(t *testing.T) {
	t.Parallel()
	fs := &fakeSessions{}
	u := emulator.LoadUsers(1)[0]
	s := newStack(t, stackOpts{users: []emulator.SeedUser{u}, sessions: fs})
	c := s.newClient()
	c.mustLogin(u)
	sess := c.session()
	sess.AccessToken = secret.String(signToken(t, []byte("another secret"), sess.UserID, "access", sess.AccessExp))
	v, err := s.codec.Seal(sess)
	if err != nil {
		t.Fatal(err)
	}
	c.setCookie(v)
	r := c.do(http.MethodGet, "/api/user", nil)
	if r.Status != http.StatusUnauthorized {
		t.Fatalf("got %d %s", r.Status, r.Body)
	}
	if !fs.stored(sess.UserID, sess.ID, sess.LoginAt) {
		t.Fatal("the session MS refused is not revoked in the database")
	}
}

func TestTheLoginBudgetIsSharedByInstances(t *testing.T) {
	t.Parallel()
	fs := &fakeSessions{}
	u := emulator.LoadUsers(1)[0]
	const limit = 5
	s1 := newStack(t, stackOpts{users: []emulator.SeedUser{u}, sessions: fs, loginLimit: limit})
	s2 := newStack(t, stackOpts{msURL: s1.msURL, sessions: fs, loginLimit: limit})
	s3 := newStack(t, stackOpts{msURL: s1.msURL, sessions: fs, loginLimit: limit})
	stacks := []*stack{s1, s2, s3}
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Go(func() {
			stacks[i%3].newClient().login(u.Username, "wrong")
		})
	}
	wg.Wait()
	if n := s1.ms.Calls("POST /login"); n > limit {
		t.Fatalf("%d guesses reached MS across three instances, the limit is %d", n, limit)
	}
}

func TestAPasswordChangeByABearerClientEndsTheUsersCookieSessions(t *testing.T) {
	t.Parallel()
	u := emulator.LoadUsers(1)[0]
	for _, verify := range []bool{false, true} {
		fs := &fakeSessions{}
		s := newStack(t, stackOpts{users: []emulator.SeedUser{u}, sessions: fs, verifyLocal: verify})
		b := s.newClient()
		b.mustLogin(u)
		access, _ := s.msLogin(u)
		api := s.newClient()
		r := api.do(http.MethodPut, "/api/user/change_password", map[string]string{"current_password": u.Password, "new_password": "N3w-passw0rd!"},
			"Authorization", "Bearer "+access)
		if r.Status != http.StatusCreated {
			t.Fatalf("MS_JWT_SECRET set %v: change: %d %s", verify, r.Status, r.Body)
		}
		wantRefused(t, b.do(http.MethodGet, "/api/user", nil), msgSessionRevoked)
	}
}

func TestALoginInTheSecondAfterSignOutEverywhereStays(t *testing.T) {
	t.Parallel()
	u := emulator.LoadUsers(1)[0]
	fs := &fakeSessions{}
	s := newStack(t, stackOpts{users: []emulator.SeedUser{u}, sessions: fs}) // the clock stands still: one second
	a := s.newClient()
	a.mustLogin(u)
	if r := a.do(http.MethodPost, "/api/sessions/end-all", map[string]string{"password": u.Password}); r.Status != http.StatusNoContent {
		t.Fatalf("end-all: %d %s", r.Status, r.Body)
	}
	a.mustLogin(u)
	if r := a.do(http.MethodGet, "/api/user", nil); r.Status != http.StatusOK {
		t.Fatalf("a login made just after signing out everywhere: %d %s", r.Status, r.Body)
	}
}

func TestALogoutOfACookieFromBeforeSessionIDsEndsItsCopies(t *testing.T) {
	t.Parallel()
	u := emulator.LoadUsers(1)[0]
	clk := newClock()
	s := newStack(t, stackOpts{clock: clk, users: []emulator.SeedUser{u}, sessions: &fakeSessions{}})
	access, refresh := s.msLogin(u)
	legacy := session.Session{UserID: 1, AccessToken: secret.String(access), RefreshToken: secret.String(refresh),
		AccessExp: clk.Now().Add(10 * time.Minute).UTC().Truncate(time.Second), RefreshExp: clk.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)}
	v, err := s.codec.Seal(legacy)
	if err != nil {
		t.Fatal(err)
	}
	a := s.newClient()
	a.setCookie(v)
	cp := a.copyOf()
	if r := a.do(http.MethodGet, "/api/user", nil); r.Status != http.StatusOK {
		t.Fatalf("a legacy cookie: %d %s", r.Status, r.Body)
	}
	if r := a.do(http.MethodPost, "/api/logout", nil); r.Status != http.StatusNoContent {
		t.Fatalf("logout: %d", r.Status)
	}
	wantRefused(t, cp.do(http.MethodGet, "/api/user", nil), msgSessionRevoked)
}
