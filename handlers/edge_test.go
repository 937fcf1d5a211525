package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

func TestEdgeChecksAnswer4xxJSONWithoutBotheringMS(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	huge := `{"bio":"` + strings.Repeat("x", 1<<20) + `"}`
	cases := []struct {
		name, method, path string
		body               any
		status             int
	}{
		{"a non-integer relation id", "PUT", "/api/mentorship_relation/abc/accept", nil, 404},
		{"a negative relation id", "PUT", "/api/mentorship_relation/-1/accept", nil, 404},
		{"a huge relation id", "PUT", "/api/mentorship_relation/99999999999999999999/accept", nil, 404},
		{"a non-integer task id", "PUT", "/api/mentorship_relation/1/task/x/complete", nil, 404},
		{"a non-integer user id", "GET", "/api/users/me", nil, 404},
		{"an unknown API path", "GET", "/api/nowhere", nil, 404},
		{"an MS path outside the contract", "GET", "/api/admin/secrets", nil, 404},
		{"a path under a known prefix", "GET", "/api/user/photo", nil, 404},
		{"the wrong method on a known path", "PATCH", "/api/user", `{}`, 405},
		{"DELETE on the user list", "DELETE", "/api/users", nil, 405},
		{"a missing body where MS expects one", "POST", "/api/mentorship_relation/send_request", nil, 400},
		{"a JSON array body", "PUT", "/api/user", `[1,2,3]`, 400},
		{"a JSON string body", "POST", "/api/admin/new", `"user_id"`, 400},
		{"broken JSON", "PUT", "/api/user", `{"bio": `, 400},
		{"a body over 1 MiB", "PUT", "/api/user", huge, 413},
		{"an upper-case path", "GET", "/API/USER", nil, 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := s.ms.Calls("PUT /user") + s.ms.Calls("POST /mentorship_relation/send_request") + s.ms.Calls("POST /admin/new")
			a := c.do(tc.method, tc.path, tc.body)
			if a.Status != tc.status {
				t.Fatalf("got %d %s, want %d", a.Status, a.Body, tc.status)
			}
			if a.message(t) == "" {
				t.Fatalf("no message in %s", a.Body)
			}
			after := s.ms.Calls("PUT /user") + s.ms.Calls("POST /mentorship_relation/send_request") + s.ms.Calls("POST /admin/new")
			if after != before {
				t.Fatal("the edge let a bad request through to MS")
			}
		})
	}
}

func TestMSAnswersPassThroughUnchanged(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(2)[0])
	// An empty object reaches MS, whose own message comes back.
	a := c.do(http.MethodPut, "/api/user", `{}`)
	if a.Status != http.StatusBadRequest || a.message(t) != "No data for updating profile was sent." {
		t.Fatalf("got %d %s", a.Status, a.Body)
	}
	// Query strings reach MS as sent.
	l := c.do(http.MethodGet, "/api/users/verified?search=loaduser2&per_page=5", nil)
	if l.Status != http.StatusOK || !strings.Contains(string(l.Body), `"loaduser2"`) || strings.Contains(string(l.Body), `"loaduser1"`) {
		t.Fatalf("search: %d %s", l.Status, l.Body)
	}
	// MS's odd "400 with body []" passes through as-is.
	r := c.do(http.MethodGet, "/api/mentorship_relations?relation_state=bogus", nil)
	if r.Status != http.StatusBadRequest || strings.TrimSpace(string(r.Body)) != "[]" {
		t.Fatalf("relation_state: %d %s", r.Status, r.Body)
	}
}

func TestRequestIDIsTakenOrMadeAndReturned(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{})
	c := s.newClient()
	a := c.do(http.MethodGet, "/healthz", nil, "X-Request-ID", "req-123")
	if a.Header.Get("X-Request-ID") != "req-123" {
		t.Fatalf("X-Request-ID = %q", a.Header.Get("X-Request-ID"))
	}
	b := c.do(http.MethodGet, "/healthz", nil, "X-Request-ID", "bad id with spaces <script>")
	if id := b.Header.Get("X-Request-ID"); id == "" || strings.Contains(id, " ") {
		t.Fatalf("a malformed request id was kept: %q", id)
	}
	if !strings.Contains(s.logs.String(), `"request_id":"req-123"`) {
		t.Fatal("the request id is not in the request log line")
	}
}

func TestAPIRoutesCoverTheWholeMSContract(t *testing.T) {
	t.Parallel()
	// docs/MS.md#endpoints lists 34 endpoints: 31 in the forwarding table, /login and /refresh, which the BFF's own
	// session handlers own, and GET /users, which the BFF does not serve: its /api/users is MS's /users/verified.
	if n := len(msRoutes); n != 31 {
		t.Fatalf("forwarding table has %d routes, want 31", n)
	}
	if _, ok := lookupRoute(http.MethodGet, "/users"); ok {
		t.Fatal("MS's GET /users, which lists unverified users, is forwarded")
	}
	seen := map[string]bool{}
	for _, r := range APIRoutes() {
		k := r.Method + " " + r.Path
		if seen[k] {
			t.Fatalf("duplicate route %s", k)
		}
		seen[k] = true
	}
}

func TestAnOverlongRequestIDIsReplaced(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{})
	long := strings.Repeat("a", maxRequestIDLen+1)
	a := s.newClient().do(http.MethodGet, "/healthz", nil, "X-Request-ID", long)
	if id := a.Header.Get("X-Request-ID"); id == long || id == "" {
		t.Fatalf("X-Request-ID = %q", id)
	}
}

func TestOversizedHeadersAre431JSON(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{})
	req, _ := http.NewRequest(http.MethodGet, s.url+"/api/user", nil)
	req.Header.Set("Cookie", "bit_session="+strings.Repeat("A", 20<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("got %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// A query typed with raw non-ASCII letters and symbols (curl, scripts; browsers encode them first) reaches MS
// percent-encoded, so the search means what the client wrote. A raw space ends the request target (RFC 9112
// §3.2): fasthttp refuses such a request line with 400 JSON rather than guess.
func TestRawQueryReachesMSAsMeant(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	conn := s.dialRaw()
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"search=LOAD%20user", []string{"loaduser2", "loaduser3"}},
		{"search=load+user&per_page=1", []string{"loaduser2"}},
		{"search=Jos\u00e9<nobody>", []string{}},
		{"search=Jos\u00e9|{x}^`", []string{}},
	} {
		conn.send(conn.get("/api/users/verified?"+tc.query, c.cookieValue(), "raw-query"))
		a := conn.answer()
		var users []struct{ Username string }
		if a.Status != http.StatusOK || json.Unmarshal(a.Body, &users) != nil {
			t.Fatalf("%q: %d %s", tc.query, a.Status, a.Body)
		}
		got := []string{}
		for _, u := range users {
			got = append(got, u.Username)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%q found %v, want %v", tc.query, got, tc.want)
		}
	}
	conn.send(conn.get("/api/users/verified?search=LOAD user", c.cookieValue(), "raw-space"))
	if a := conn.answer(); a.Status != http.StatusBadRequest || !strings.HasPrefix(a.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("a raw space in the request target: %d %q %s", a.Status, a.Header.Get("Content-Type"), a.Body)
	}
}
