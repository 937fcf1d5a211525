package handlers

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
	"github.com/anitab-org/bridge-in-tech-bff/internal/testkit"
)

// legacyLogin logs in as the old React app does (EXPOSE_TOKENS=true): it keeps access_token from the answer (a
// handle, or with EXPOSE_MS_TOKENS=true the MS token), and its browser keeps the cookie.
func legacyLogin(t *testing.T, c *client, u emulator.SeedUser) string {
	t.Helper()
	tok, _ := c.mustLogin(u)["access_token"].(string)
	if tok == "" {
		t.Fatal("no access_token in the login answer")
	}
	return tok
}

// TestALegacyClientKeepingItsFirstTokenStaysLoggedIn runs a minute of a legacy client's life with 1-second access
// tokens, on a clock the test moves: every request carries the first Bearer token, long expired, plus the
// session cookie its browser keeps. Every one is served, with exactly one MS refresh per expiry, the renewed
// cookie in every answer, and never a 401.
func TestALegacyClientKeepingItsFirstTokenStaysLoggedIn(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name string
		opts stackOpts
	}{
		{"with a handle (EXPOSE_TOKENS)", stackOpts{exposeTokens: true}},
		{"with the MS token (EXPOSE_MS_TOKENS)", stackOpts{exposeMSTokens: true}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			o := mode.opts
			o.clock, o.accessTTL = clk, time.Second
			legacyClientMinute(t, newStack(t, o), clk)
		})
	}
}

// legacyClientMinute is the minute of TestALegacyClientKeepingItsFirstTokenStaysLoggedIn on one stack.
func legacyClientMinute(t *testing.T, s *stack, clk *testkit.Clock) {
	users := emulator.LoadUsers(2)
	c := s.newClient()
	first := legacyLogin(t, c, users[0])
	for second := 1; second <= 60; second++ {
		clk.Advance(time.Second) // the access token in the cookie has just expired
		before := c.cookieValue()
		a := c.do(http.MethodGet, "/api/user/personal_details", nil, "Authorization", "Bearer "+first)
		if a.Status != http.StatusOK || a.json(t)["username"] != users[0].Username {
			t.Fatalf("second %d: %d %s", second, a.Status, a.Body)
		}
		if got := s.ms.Calls("POST /refresh"); got != int64(second) {
			t.Fatalf("second %d: %d MS refreshes, want one per expiry", second, got)
		}
		if lines := setCookieHeaders(a.Header, s.codec.Name()); len(lines) != 1 || isClearing(lines[0]) || c.cookieValue() == before {
			t.Fatalf("second %d: the answer did not renew the cookie: %q", second, lines)
		}
	}
	// A write works the same way: the Bearer header needs no X-CSRF, as before.
	w := c.do(http.MethodPut, "/api/user", map[string]any{"bio": "still here"}, "Authorization", "Bearer "+first, "X-CSRF", "")
	if w.Status != http.StatusOK {
		t.Fatalf("a write with the stale token: %d %s", w.Status, w.Body)
	}
}

func TestAStaleBearerTokenIsNeverSwappedForAnotherUsersCookie(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := newStack(t, stackOpts{clock: clk, accessTTL: time.Second, exposeMSTokens: true})
	users := emulator.LoadUsers(2)
	ann, bob := s.newClient(), s.newClient()
	annToken := legacyLogin(t, ann, users[0])
	bob.mustLogin(users[1])
	clk.Advance(2 * time.Second)
	bobCookie := bob.cookieValue()
	a := bob.do(http.MethodGet, "/api/user", nil, "Authorization", "Bearer "+annToken)
	if a.Status != http.StatusUnauthorized || a.message(t) != msgTokenExpired {
		t.Fatalf("ann's stale token with bob's cookie: %d %s", a.Status, a.Body)
	}
	if len(setCookieHeaders(a.Header, s.codec.Name())) != 0 || bob.cookieValue() != bobCookie || s.ms.Calls("POST /refresh") != 0 {
		t.Fatal("bob's session was touched by a request in ann's name")
	}
	// A live token of another user acts as that user, cookie or not: the header's user is who acts.
	fresh, _ := s.msLogin(users[0])
	if a := bob.do(http.MethodGet, "/api/user", nil, "Authorization", "Bearer "+fresh); a.Status != http.StatusOK || a.json(t)["username"] != users[0].Username {
		t.Fatalf("ann's live token with bob's cookie: %d %s", a.Status, a.Body)
	}
}

func TestAnExpiredBearerTokenFallsBackOnlyToALiveSessionOfItsUser(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		header func(stale string) string
		cookie func(c *client)
		status int
		msg    string
	}{
		{"without a cookie the expired token is refused", func(s string) string { return "Bearer " + s },
			func(c *client) { c.setCookie("") }, http.StatusUnauthorized, msgTokenExpired},
		{"with a cookie that does not open the expired token is refused", func(s string) string { return "Bearer " + s },
			func(c *client) { c.setCookie("garbage") }, http.StatusUnauthorized, msgTokenExpired},
		{"a broken header is never swapped", func(string) string { return "Bearer not.a.token" },
			func(*client) {}, http.StatusUnauthorized, msgTokenInvalid},
		{"the user's own expired token is served by the cookie", func(s string) string { return "Bearer " + s },
			func(*client) {}, http.StatusOK, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			s := newStack(t, stackOpts{clock: clk, accessTTL: time.Second, exposeMSTokens: true})
			c := s.newClient()
			stale := legacyLogin(t, c, emulator.LoadUsers(1)[0])
			clk.Advance(5 * time.Second)
			tc.cookie(c)
			a := c.do(http.MethodGet, "/api/user", nil, "Authorization", tc.header(stale))
			if a.Status != tc.status || (tc.msg != "" && a.message(t) != tc.msg) {
				t.Fatalf("got %d %s", a.Status, a.Body)
			}
		})
	}
}

// TestMSCallingABearerTokenExpiredFallsBackToTheCookie: MS's clock runs ahead of the BFF's, so only MS knows the
// token has expired; its answer is enough for the same user's cookie to serve the request.
func TestMSCallingABearerTokenExpiredFallsBackToTheCookie(t *testing.T) {
	t.Parallel()
	bffClock, msClock := newClock(), newClock()
	s := newStack(t, stackOpts{clock: bffClock, msClock: msClock, accessTTL: time.Minute, exposeMSTokens: true})
	c := s.newClient()
	stale := legacyLogin(t, c, emulator.LoadUsers(1)[0])
	msClock.Advance(2 * time.Minute)
	a := c.do(http.MethodGet, "/api/user", nil, "Authorization", "Bearer "+stale)
	if a.Status != http.StatusOK || s.ms.Calls("POST /refresh") != 1 {
		t.Fatalf("got %d %s, %d refreshes", a.Status, a.Body, s.ms.Calls("POST /refresh"))
	}
	if lines := setCookieHeaders(a.Header, s.codec.Name()); len(lines) != 1 || isClearing(lines[0]) {
		t.Fatalf("the renewed cookie was not sent: %q", lines)
	}
}

// TestALegacyClientsExpiredTokenStillReachesItsBridgeInTechData: the legacy app sends its first Bearer token on
// the BridgeInTech routes too. Expired, with the user's own live cookie, it is served by the cookie's session
// (whether the BFF checks tokens itself or not; a route that needs no MS call needs no refresh); with another user's cookie it is refused and that user's data
// stays unread.
func TestALegacyClientsExpiredTokenStillReachesItsBridgeInTechData(t *testing.T) {
	t.Parallel()
	for _, local := range []bool{true, false} {
		t.Run(map[bool]string{true: "with MS_JWT_SECRET", false: "without MS_JWT_SECRET"}[local], func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			s := newStack(t, stackOpts{bit: true, verifyLocal: local, clock: clk, accessTTL: time.Second, exposeTokens: true})
			users := emulator.LoadUsers(2)
			owner, other := s.newClient(), s.newClient()
			stale := legacyLogin(t, owner, users[0])
			other.mustLogin(users[1])
			if a := owner.do(http.MethodPut, "/api/user/additional_info", validAdditionalInfo("+1 555 0199")); a.Status != http.StatusCreated {
				t.Fatalf("PUT: %d %s", a.Status, a.Body)
			}
			if a := other.do(http.MethodPut, "/api/user/additional_info", validAdditionalInfo("+1 555 0000")); a.Status != http.StatusCreated {
				t.Fatalf("the other user's PUT: %d %s", a.Status, a.Body)
			}
			clk.Advance(5 * time.Second)
			a := owner.do(http.MethodGet, "/api/user/additional_info", nil, "Authorization", "Bearer "+stale)
			if a.Status != http.StatusOK || !strings.Contains(string(a.Body), "+1 555 0199") {
				t.Fatalf("the owner's expired token with their cookie: %d %s", a.Status, a.Body)
			}
			// The owner's token, expired by every clock here (msclient checks with the real one), with another
			// user's cookie: the header's user is who acts, and their token is refused.
			ownerID := int64(owner.do(http.MethodGet, "/api/session", nil).json(t)["user_id"].(float64))
			expired := signToken(t, []byte(testSecret), ownerID, "access", minTime(clk.Now(), time.Now()).Add(-time.Minute))
			a = other.do(http.MethodGet, "/api/user/additional_info", nil, "Authorization", "Bearer "+expired)
			if a.Status != http.StatusUnauthorized || strings.Contains(string(a.Body), "0000") || strings.Contains(string(a.Body), "0199") {
				t.Fatalf("the owner's expired token with another user's cookie: %d %s", a.Status, a.Body)
			}
		})
	}
}
