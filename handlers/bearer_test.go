package handlers

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

func TestBearerHeaderPassesThroughToMS(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{})
	u := emulator.LoadUsers(1)[0]
	access, refresh := s.msLogin(u)
	c := s.newClient()
	a := c.do(http.MethodGet, "/api/user", nil, "Authorization", "Bearer "+access)
	if a.Status != http.StatusOK || a.json(t)["username"] != u.Username {
		t.Fatalf("got %d %s", a.Status, a.Body)
	}
	if len(a.Header.Values("Set-Cookie")) != 0 {
		t.Fatal("a Bearer request got a cookie")
	}
	// A Bearer write needs no X-CSRF: it is not cookie-authenticated.
	w := c.do(http.MethodPut, "/api/user", map[string]any{"bio": "x"}, "Authorization", "Bearer "+access, "X-CSRF", "")
	if w.Status != http.StatusOK {
		t.Fatalf("Bearer PUT: %d %s", w.Status, w.Body)
	}
	// MS judges a broken header itself when the BFF has no secret.
	bad := c.do(http.MethodGet, "/api/user", nil, "Authorization", "Bearer nonsense")
	if bad.Status != http.StatusUnauthorized || bad.message(t) != "The token is invalid!" {
		t.Fatalf("broken Bearer: %d %s", bad.Status, bad.Body)
	}
	// A Bearer refresh token refreshes at MS as-is.
	r := c.do(http.MethodPost, "/api/refresh", nil, "Authorization", "Bearer "+refresh)
	if r.Status != http.StatusOK || r.json(t)["access_token"] == nil {
		t.Fatalf("Bearer refresh: %d %s", r.Status, r.Body)
	}
	info := c.do(http.MethodGet, "/api/session", nil, "Authorization", "Bearer "+access)
	if info.Status != http.StatusOK || info.json(t)["authenticated"] != true {
		t.Fatalf("Bearer session: %d %s", info.Status, info.Body)
	}
}

func TestLocalVerificationStopsForgedTokensBeforeMS(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{verifyLocal: true})
	u := emulator.LoadUsers(1)[0]
	access, refresh := s.msLogin(u)
	c := s.newClient()
	parts := strings.Split(access, ".")
	forgedSig := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	cases := []struct {
		name, header, msg string
	}{
		{"a forged signature", "Bearer " + forgedSig, "The token is invalid!"},
		{"garbage", "Bearer abc.def.ghi", "The token is invalid!"},
		{"a refresh token on an access route", "Bearer " + refresh, "The token is invalid!"},
		{"a lower-case scheme", "bearer " + access, "The token is invalid!"},
		{"three parts", "Bearer " + access + " extra", "The token is invalid!"},
	}
	before := s.ms.Calls("GET /user")
	for _, tc := range cases {
		a := c.do(http.MethodGet, "/api/user", nil, "Authorization", tc.header)
		if a.Status != http.StatusUnauthorized || a.message(t) != tc.msg {
			t.Errorf("%s: got %d %s", tc.name, a.Status, a.Body)
		}
	}
	if got := s.ms.Calls("GET /user"); got != before {
		t.Fatalf("forged tokens reached MS: %d calls", got-before)
	}
	if a := c.do(http.MethodGet, "/api/user", nil, "Authorization", "Bearer "+access); a.Status != http.StatusOK {
		t.Fatalf("a genuine token: %d %s", a.Status, a.Body)
	}
}

func TestExposeTokensLegacySwitch(t *testing.T) {
	t.Parallel()
	u := emulator.LoadUsers(1)[0]
	on := newStack(t, stackOpts{exposeTokens: true})
	a := on.newClient().login(u.Username, u.Password)
	body := a.json(t)
	tok, _ := body["access_token"].(string)
	if a.Status != http.StatusOK || !strings.HasPrefix(tok, "bith_") || strings.Contains(tok, ".") {
		t.Fatalf("EXPOSE_TOKENS=true: want a handle, never a JWT: %d %s", a.Status, a.Body)
	}
	if exp, _ := body["access_expiry"].(float64); exp != body["session_expires_at"] {
		t.Fatalf("a handle's access_expiry is %v, want the session's end %v", body["access_expiry"], body["session_expires_at"])
	}
	ms := newStack(t, stackOpts{exposeMSTokens: true})
	mb := ms.newClient().login(u.Username, u.Password).json(t)
	if tok, _ := mb["access_token"].(string); strings.Count(tok, ".") != 2 || mb["access_expiry"] != mb["access_expires_at"] {
		t.Fatalf("EXPOSE_MS_TOKENS=true: want the MS access token and its expiry: %v", mb)
	}
	off := newStack(t, stackOpts{})
	b := off.newClient().login(u.Username, u.Password).json(t)
	if _, ok := b["access_token"]; ok {
		t.Fatal("access_token in the body without EXPOSE_TOKENS")
	}
}

// TestAHandleActsOnlyWithItsOwnSessionsCookie: the handle a legacy client holds (where any script can read it)
// is worth nothing alone, nothing beside another session's cookie (of the same or another user), and nothing
// after its session ended; with its own cookie it is that session, refreshed, for reads and writes, and
// /api/session and /api/refresh answer for that session.
func TestAHandleActsOnlyWithItsOwnSessionsCookie(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{exposeTokens: true, bit: true, sessions: &fakeSessions{}})
	users := emulator.LoadUsers(2)
	ann, annElsewhere, bob := s.newClient(), s.newClient(), s.newClient()
	handle := legacyLogin(t, ann, users[0])
	legacyLogin(t, annElsewhere, users[0])
	legacyLogin(t, bob, users[1])
	bearer := "Bearer " + handle
	if a := ann.do(http.MethodGet, "/api/user", nil, "Authorization", bearer); a.Status != http.StatusOK || a.json(t)["username"] != users[0].Username {
		t.Fatalf("the handle with its own cookie: %d %s", a.Status, a.Body)
	}
	if a := ann.do(http.MethodPut, "/api/user", map[string]any{"bio": "by handle"}, "Authorization", bearer, "X-CSRF", ""); a.Status != http.StatusOK {
		t.Fatalf("a write with the handle and its cookie (no X-CSRF, as any Bearer request): %d %s", a.Status, a.Body)
	}
	if a := ann.do(http.MethodGet, "/api/session", nil, "Authorization", bearer); a.Status != http.StatusOK {
		t.Fatalf("/api/session with the handle: %d %s", a.Status, a.Body)
	}
	if a := ann.do(http.MethodPost, "/api/refresh", nil, "Authorization", bearer); a.Status != http.StatusOK {
		t.Fatalf("/api/refresh with the handle: %d %s", a.Status, a.Body)
	}
	stranger := s.newClient()
	for _, tc := range []struct {
		name string
		c    *client
	}{
		{"the handle alone", stranger},
		{"the handle beside another user's cookie", bob},
		{"the handle beside another session of the same user", annElsewhere},
	} {
		before := tc.c.cookieValue()
		for _, path := range []string{"/api/user", "/api/session", "/api/user/additional_info"} {
			a := tc.c.do(http.MethodGet, path, nil, "Authorization", bearer)
			if a.Status != http.StatusUnauthorized || a.message(t) != msgTokenInvalid {
				t.Errorf("%s on %s: %d %s, want 401 %q", tc.name, path, a.Status, a.Body, msgTokenInvalid)
			}
		}
		if tc.c.cookieValue() != before {
			t.Errorf("%s: the other session's cookie was changed", tc.name)
		}
	}
	if calls := s.ms.Calls("GET /user"); calls < 1 {
		t.Fatal("no MS call at all")
	}
	copied := ann.cookieValue()
	if a := ann.do(http.MethodPost, "/api/logout", nil, "X-CSRF", "1"); a.Status != http.StatusNoContent {
		t.Fatalf("logout: %d %s", a.Status, a.Body)
	}
	ann.setCookie(copied) // a copy of the cookie, kept from before the logout
	if a := ann.do(http.MethodGet, "/api/user", nil, "Authorization", bearer); a.Status != http.StatusUnauthorized {
		t.Fatalf("the handle with a copy of its ended session's cookie: %d %s", a.Status, a.Body)
	}
}

func TestSessionWithAnExpiredBearerTokenIs401(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := newStack(t, stackOpts{clock: clk})
	access, _ := s.msLogin(emulator.LoadUsers(1)[0])
	clk.Advance(11 * time.Minute)
	a := s.newClient().do(http.MethodGet, "/api/session", nil, "Authorization", "Bearer "+access)
	if a.Status != http.StatusUnauthorized || a.message(t) != msgTokenExpired {
		t.Fatalf("got %d %s", a.Status, a.Body)
	}
}
