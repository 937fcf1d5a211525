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
	if a.Status != http.StatusOK || strings.Count(tok, ".") != 2 || body["access_expiry"] == nil {
		t.Fatalf("EXPOSE_TOKENS=true: %d %s", a.Status, a.Body)
	}
	off := newStack(t, stackOpts{})
	b := off.newClient().login(u.Username, u.Password).json(t)
	if _, ok := b["access_token"]; ok {
		t.Fatal("access_token in the body without EXPOSE_TOKENS")
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
