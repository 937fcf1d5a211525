package handlers

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

// loggedUserID is the user_id of the request log line with request id rid, or -1 when the line has none.
func loggedUserID(t *testing.T, s *stack, rid string) int64 {
	t.Helper()
	for _, line := range strings.Split(s.logs.String(), "\n") {
		var rec struct {
			Msg       string `json:"msg"`
			RequestID string `json:"request_id"`
			UserID    *int64 `json:"user_id"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "request" && rec.RequestID == rid {
			if rec.UserID == nil {
				return -1
			}
			return *rec.UserID
		}
	}
	t.Fatalf("no request line for %s", rid)
	return 0
}

func TestSessionSaysAuthenticatedOnlyForTokensKnownGood(t *testing.T) {
	t.Parallel()
	for _, local := range []bool{false, true} {
		t.Run(fmt.Sprintf("MS_JWT_SECRET set: %v", local), func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			s := newStack(t, stackOpts{clock: clk, verifyLocal: local})
			u := emulator.LoadUsers(1)[0]
			access, _ := s.msLogin(u)
			parts := strings.Split(access, ".")
			forged := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
			for i, tc := range []struct {
				desc  string
				token string
				ok    bool
			}{
				{"an unsigned alg:none token naming user 1", unsignedToken(1, clk.Now().Add(time.Hour)), false},
				{"an HS256 token with a forged signature", forged, false},
				{"the token MS issued", access, true},
			} {
				rid := fmt.Sprintf("session-%v-%d", local, i)
				a := s.newClient().do(http.MethodGet, "/api/session", nil, "Authorization", "Bearer "+tc.token, "X-Request-ID", rid)
				if tc.ok != (a.Status == http.StatusOK) {
					t.Fatalf("%s: %d %s", tc.desc, a.Status, a.Body)
				}
				if !tc.ok {
					if a.Status != http.StatusUnauthorized || strings.Contains(string(a.Body), "authenticated") {
						t.Fatalf("%s: %d %s, want 401", tc.desc, a.Status, a.Body)
					}
					if id := loggedUserID(t, s, rid); id != -1 {
						t.Fatalf("%s: the unverified user id %d was logged", tc.desc, id)
					}
					continue
				}
				if m := a.json(t); m["authenticated"] != true || m["user_id"] != float64(1) {
					t.Fatalf("%s: %s", tc.desc, a.Body)
				}
				if id := loggedUserID(t, s, rid); id != 1 {
					t.Fatalf("the verified user id was not logged: %d", id)
				}
			}
		})
	}
}

// A gzip bomb (a few hundred bytes that inflate to 256 MiB, declared twice) is refused unread with 415, and no
// handler ever decodes a body.
func TestCompressedBodiesAreRefusedUnread(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{})
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for range 16 {
		_, _ = zw.Write(zeros)
	}
	_ = zw.Close()
	for _, enc := range []string{"gzip", "gzip, gzip", "deflate", "br", "zstd", "identity, gzip", "GZIP"} {
		for _, path := range []string{"/api/login", "/api/register", "/api/user/resend_email"} {
			before := s.ms.Calls("POST " + strings.TrimPrefix(path, "/api"))
			a := s.newClient().do(http.MethodPost, path, bomb.Bytes(), "Content-Encoding", enc)
			if a.Status != http.StatusUnsupportedMediaType || a.message(t) != msgBodyEncoded {
				t.Fatalf("%s with Content-Encoding %q: %d %s", path, enc, a.Status, a.Body)
			}
			if s.ms.Calls("POST "+strings.TrimPrefix(path, "/api")) != before {
				t.Fatalf("%s: a compressed body reached MS", path)
			}
		}
	}
	if a := s.newClient().do(http.MethodPost, "/api/user/resend_email", `{"email":"nobody@example.org"}`,
		"Content-Encoding", "identity"); a.Status != http.StatusNotFound {
		t.Fatalf("Content-Encoding: identity is no encoding: %d %s", a.Status, a.Body)
	}
}

// 1,000 malformed anonymous requests, some of which MS would crash on, while a logged-in user keeps working:
// every one of the user's requests gets 200 and the breaker stays closed.
func TestMalformedAnonymousFloodCannotOpenTheBreaker(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{breakerFails: 3, breakerOpen: time.Hour})
	user := s.newClient()
	user.mustLogin(emulator.LoadUsers(1)[0])
	bodies := []string{`{"email": 1}`, `{"email": ["x"]}`, `{"email": {"a": 1}}`, `{"email": true}`, `[1]`, `{"email":`}
	var wg sync.WaitGroup
	var sent atomic.Int32
	stop := make(chan struct{})
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := s.newClient()
			for i := w; i < 1000; i += 4 {
				a := c.do(http.MethodPost, "/api/user/resend_email", bodies[i%len(bodies)])
				if a.Status != http.StatusBadRequest {
					t.Errorf("malformed request %d: %d %s", i, a.Status, a.Body)
				}
				sent.Add(1)
			}
		}()
	}
	userDone := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				userDone <- n
				return
			default:
			}
			if a := user.do(http.MethodGet, "/api/user", nil); a.Status != http.StatusOK {
				t.Errorf("the user got %d %s during the flood", a.Status, a.Body)
			}
			n++
		}
	}()
	wg.Wait()
	close(stop)
	if n := <-userDone; n == 0 {
		t.Fatal("the user made no request during the flood")
	}
	if st := s.bff.ms.BreakerState(); st != gobreaker.StateClosed || sent.Load() != 1000 {
		t.Fatalf("after %d malformed requests the breaker is %v", sent.Load(), st)
	}
}

func TestMetricsAreNotPublic(t *testing.T) {
	t.Parallel()
	const token = "metrics-token-0123456789abcdef"
	page := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("bff_up 1\n")) })
	plain := newStack(t, stackOpts{metricsPage: page})
	if a := plain.newClient().do(http.MethodGet, "/metrics", nil); a.Status != http.StatusNotFound {
		t.Fatalf("/metrics without METRICS_TOKEN: %d %s", a.Status, a.Body)
	}
	s := newStack(t, stackOpts{metricsPage: page, env: map[string]string{"METRICS_TOKEN": token}})
	c := s.newClient()
	for _, h := range []string{"", "Bearer ", "Bearer wrong-token-0123456789abcdef", "Basic " + token, "Bearer " + token + "x"} {
		if a := c.do(http.MethodGet, "/metrics", nil, "Authorization", h); a.Status != http.StatusUnauthorized {
			t.Fatalf("/metrics with Authorization %q: %d", h, a.Status)
		}
	}
	if a := c.do(http.MethodGet, "/metrics", nil, "Authorization", "Bearer "+token); a.Status != http.StatusOK {
		t.Fatalf("/metrics with the token: %d %s", a.Status, a.Body)
	}
}

// However often /readyz is called, MS is asked at most once a second.
func TestReadyzChecksMSAtMostOnceASecond(t *testing.T) {
	t.Parallel()
	var pings atomic.Int32
	clk := newClock()
	s := newStack(t, stackOpts{clock: clk, msWrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodHead {
				pings.Add(1)
			}
			h.ServeHTTP(w, r)
		})
	}})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := s.newClient()
			for range 25 {
				if a := c.do(http.MethodGet, "/readyz", nil); a.Status != http.StatusOK {
					t.Errorf("readyz: %d %s", a.Status, a.Body)
				}
			}
		}()
	}
	wg.Wait()
	if n := pings.Load(); n != 1 {
		t.Fatalf("200 calls within one second checked MS %d times", n)
	}
	clk.Advance(1100 * time.Millisecond)
	if a := s.newClient().do(http.MethodGet, "/readyz", nil); a.Status != http.StatusOK || pings.Load() != 2 {
		t.Fatalf("a second later: %d, %d checks", a.Status, pings.Load())
	}
}

// Every /api answer says nosniff and allows nothing; an MS answer that is not JSON reaches the client as JSON.
func TestAPIAnswersAreNeverDocuments(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{msWrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/home" {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.WriteHeader(http.StatusBadGateway)
				_, _ = w.Write([]byte("<html><script>alert(document.cookie)</script></html>"))
				return
			}
			h.ServeHTTP(w, r)
		})
	}})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	check := func(what string, a answer) {
		t.Helper()
		if a.Header.Get("X-Content-Type-Options") != "nosniff" || a.Header.Get("Content-Security-Policy") != apiCSP {
			t.Errorf("%s: nosniff %q, CSP %q", what, a.Header.Get("X-Content-Type-Options"), a.Header.Get("Content-Security-Policy"))
		}
		if ct := a.Header.Get("Content-Type"); a.Status != http.StatusNoContent && !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s: Content-Type %q", what, ct)
		}
	}
	check("an MS answer", c.do(http.MethodGet, "/api/user", nil))
	check("a BFF refusal", s.newClient().do(http.MethodGet, "/api/user", nil))
	check("an unknown route", c.do(http.MethodGet, "/api/nope", nil))
	check("a body too large", c.do(http.MethodPut, "/api/user", strings.Repeat("x", 2<<20)))
	check("logout", c.do(http.MethodPost, "/api/logout", nil))
	c.mustLogin(emulator.LoadUsers(1)[0])
	a := c.do(http.MethodGet, "/api/home", nil)
	check("an MS HTML page", a)
	if a.Status != http.StatusBadGateway || !strings.Contains(a.message(t), "not JSON") || strings.Contains(string(a.Body), "<script>") {
		t.Fatalf("MS's HTML page: %d %s", a.Status, a.Body)
	}
}

// Body refusals come after CORS, so the app on an allowed origin can read them (docs/API.md#cross-origin-use).
func TestBodyRefusalsCarryCORSHeaders(t *testing.T) {
	t.Parallel()
	const origin = "https://app.example.org"
	s := newStack(t, stackOpts{origins: []string{origin}})
	for _, tc := range []struct {
		name    string
		body    string
		headers []string
		status  int
	}{
		{"a compressed body", `{"email":"a@b.co"}`, []string{"Content-Encoding", "gzip"}, http.StatusUnsupportedMediaType},
		{"a body over the limit", strings.Repeat("x", 1<<20+1), nil, http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := s.newClient().do(http.MethodPost, "/api/user/resend_email", tc.body, append([]string{"Origin", origin}, tc.headers...)...)
			if a.Status != tc.status || a.Header.Get("Access-Control-Allow-Origin") != origin {
				t.Fatalf("%d, Access-Control-Allow-Origin %q", a.Status, a.Header.Get("Access-Control-Allow-Origin"))
			}
		})
	}
}

// While large bodies hold all of BODY_MEMORY, another large body waits and then gets 503; small bodies (up to
// 8 KiB, which need no share) are served as ever.
func TestLargeBodiesShareABoundedBudget(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{env: map[string]string{"BODY_LIMIT": "65536", "BODY_MEMORY": "131072"}})
	s.bff.bodyWait = 300 * time.Millisecond
	host := strings.TrimPrefix(s.url, "http://")
	// One slow client declares a maximum-size body and sends a third of it: its share is the whole budget.
	slow := s.dialRaw()
	slow.send(fmt.Sprintf("POST /api/user/resend_email HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 65536\r\n\r\n%s",
		host, strings.Repeat(" ", 20<<10)))
	waitFor(t, "the slow body to take the budget", 5*time.Second, func() bool {
		if s.bff.bodyBudget.TryAcquire(1) {
			s.bff.bodyBudget.Release(1)
			return false
		}
		return true
	})
	big := `{"email":"` + strings.Repeat("x", 60<<10) + `"}`
	if a := s.newClient().do(http.MethodPost, "/api/user/resend_email", big); a.Status != http.StatusServiceUnavailable ||
		a.message(t) != msgBodyMemoryBusy || a.Header.Get("Retry-After") == "" {
		t.Fatalf("a large body while the budget is taken: %d %s", a.Status, a.Body)
	}
	if a := s.newClient().do(http.MethodPost, "/api/user/resend_email", `{"email":"nobody@example.org"}`); a.Status != http.StatusNotFound {
		t.Fatalf("a small body while the budget is taken: %d %s", a.Status, a.Body)
	}
	slow.send(strings.Repeat(" ", 65536-20<<10-2) + "{}")
	if a := slow.answer(); a.Status != http.StatusBadRequest {
		t.Fatalf("the slow body, once complete: %d %s", a.Status, a.Body)
	}
	if a := s.newClient().do(http.MethodPost, "/api/user/resend_email", big); a.Status != http.StatusBadRequest {
		t.Fatalf("a large body once the budget is free: %d %s", a.Status, a.Body)
	}
}
