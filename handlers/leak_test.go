package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

// TestNoSecretReachesALogOrAnAnswer drives every session path (login ok and refused, register, silent refresh,
// refusal, Bearer, bad cookies, logout), captures every answer and the whole log, and searches them for the MS
// tokens, the cookie values and the passwords used.
func TestNoSecretReachesALogOrAnAnswer(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := newStack(t, stackOpts{clock: clk, accessTTL: time.Minute})
	users := emulator.LoadUsers(2)
	var answers []answer
	keep := func(a answer) answer { answers = append(answers, a); return a }
	secrets := []string{users[0].Password, users[1].Password, "wrong-password-123", "brand-new-pass-9"}

	c := s.newClient()
	keep(c.login(users[0].Username, "wrong-password-123"))
	keep(c.do(http.MethodPost, "/api/register", map[string]any{"name": "Leak Test", "username": "leaktest",
		"password": "brand-new-pass-9", "email": "leak@example.org", "terms_and_conditions_checked": true}))
	keep(c.login(users[0].Username, users[0].Password))
	first := c.session()
	secrets = append(secrets, first.AccessToken.Reveal(), first.RefreshToken.Reveal(), c.cookieValue())
	keep(c.do(http.MethodGet, "/api/user", nil))
	clk.Advance(2 * time.Minute)
	keep(c.do(http.MethodGet, "/api/home", nil)) // silent refresh
	second := c.session()
	secrets = append(secrets, second.AccessToken.Reveal(), c.cookieValue())
	keep(c.do(http.MethodPost, "/api/refresh", nil))
	secrets = append(secrets, c.session().AccessToken.Reveal(), c.cookieValue())

	access, refresh := s.msLogin(users[1])
	secrets = append(secrets, access, refresh)
	b := s.newClient()
	keep(b.do(http.MethodGet, "/api/user", nil, "Authorization", "Bearer "+access))
	keep(b.do(http.MethodGet, "/api/user", nil, "Authorization", "Bearer "+access+"x"))
	keep(b.do(http.MethodPost, "/api/refresh", nil, "Authorization", "Bearer "+refresh))
	b.setCookie(first.AccessToken.Reveal()) // a JWT where the sealed cookie belongs
	keep(b.do(http.MethodGet, "/api/user", nil))

	clk.Advance(40 * 24 * time.Hour) // every session is now dead
	keep(c.do(http.MethodGet, "/api/user", nil))
	keep(c.do(http.MethodPost, "/api/logout", nil))

	logs := s.logs.String()
	if !strings.Contains(logs, `"route":"/api/login"`) {
		t.Fatalf("the log capture saw no requests:\n%s", logs)
	}
	for _, sec := range secrets {
		if sec == "" {
			t.Fatal("a secret to look for is empty: the test would prove nothing")
		}
		if strings.Contains(logs, sec) {
			t.Errorf("a secret (%d chars) is in the logs", len(sec))
		}
		for i, a := range answers {
			if strings.Contains(string(a.Body), sec) {
				t.Errorf("answer %d body holds a secret", i)
			}
			for k, vs := range a.Header {
				if k == "Set-Cookie" {
					continue // the sealed cookie itself is the one place a (sealed) secret may go
				}
				if strings.Contains(fmt.Sprint(vs), sec) {
					t.Errorf("answer %d header %s holds a secret", i, k)
				}
			}
		}
	}
}
