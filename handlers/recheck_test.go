package handlers

import (
	"net/http"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

// deleteAtMS deletes the account whose access token is given, at MS directly (not through the BFF).
func (s *stack) deleteAtMS(access string) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodDelete, s.msURL+"/user", nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("deleting at MS: %d", resp.StatusCode)
	}
}

func TestBridgeInTechRoutesAskMSAgainAfterTheRecheckBound(t *testing.T) {
	t.Parallel()
	clk := newClock()
	users := emulator.LoadUsers(2)
	u := users[1]
	s := newStack(t, stackOpts{clock: clk, users: users, bit: true})
	c := s.newClient()
	c.mustLogin(u)
	calls := s.ms.Calls("GET /user")
	if r := c.do(http.MethodGet, "/api/user/additional_info", nil); r.Status != http.StatusNotFound {
		t.Fatalf("a fresh session: got %d %s", r.Status, r.Body)
	}
	if s.ms.Calls("GET /user") != calls {
		t.Fatal("a session MS accepted a moment ago was asked of MS again")
	}
	clk.Advance(6 * time.Minute)
	r := c.do(http.MethodGet, "/api/user/additional_info", nil)
	if r.Status != http.StatusNotFound || s.ms.Calls("GET /user") != calls+1 || len(setCookieHeaders(r.Header, "bit_session")) != 1 {
		t.Fatalf("after the bound: got %d, GET /user calls %d (want %d), cookie re-sealed %d", r.Status,
			s.ms.Calls("GET /user"), calls+1, len(setCookieHeaders(r.Header, "bit_session")))
	}
	if r := c.do(http.MethodGet, "/api/user/additional_info", nil); s.ms.Calls("GET /user") != calls+1 {
		t.Fatalf("the re-sealed check was not remembered: %d", r.Status)
	}

	// The account is deleted at MS behind the BFF's back: the next re-check ends the session.
	access, _ := s.msLogin(u)
	s.deleteAtMS(access)
	clk.Advance(6 * time.Minute)
	r = c.do(http.MethodPut, "/api/user/additional_info", validAdditionalInfo("+44 20 7946 0000"))
	if r.Status != http.StatusUnauthorized && r.Status != http.StatusNotFound {
		t.Fatalf("a deleted account's session wrote: %d %s", r.Status, r.Body)
	}
	if lines := setCookieHeaders(r.Header, "bit_session"); len(lines) != 1 || !isClearing(lines[0]) {
		t.Fatalf("the cookie is not cleared: %q", lines)
	}
}

func TestABearerTokenOfADeletedAccountCannotWriteWithTheSecretSet(t *testing.T) {
	t.Parallel()
	users := emulator.LoadUsers(2)
	u := users[1]
	s := newStack(t, stackOpts{users: users, bit: true, verifyLocal: true})
	access, _ := s.msLogin(u)
	c := s.newClient()
	bearer := "Bearer " + access
	if r := c.do(http.MethodPut, "/api/user/additional_info", validAdditionalInfo("+44 20 7946 0000"), "Authorization", bearer); r.Status != http.StatusCreated {
		t.Fatalf("a live account's write: %d %s", r.Status, r.Body)
	}
	s.deleteAtMS(access)
	if r := c.do(http.MethodPut, "/api/user/additional_info", validAdditionalInfo("+44 20 7946 0001"), "Authorization", bearer); r.Status < 400 {
		t.Fatalf("a deleted account's Bearer token wrote: %d %s", r.Status, r.Body)
	}
}
