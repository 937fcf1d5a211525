package msclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sony/gobreaker/v2"
)

func TestNewValidatesBaseURL(t *testing.T) {
	t.Parallel()
	bad := []string{"", "127.0.0.1:4000", "/relative", "ftp://ms.example.org", "http://", "http://:4000",
		"http://ms.example.org?x=1", "http://ms.example.org/?", "http://ms.example.org#frag",
		"http://user:pw@ms.example.org", "http://ms example.org"}
	for _, raw := range bad {
		if _, err := New(Config{BaseURL: raw}); err == nil {
			t.Errorf("New(%q) accepted a bad BaseURL", raw)
		}
	}
	good := map[string]string{
		"http://127.0.0.1:4000":           "http://127.0.0.1:4000",
		"https://ms.example.org/":         "https://ms.example.org",
		"https://ms.example.org/base/v1/": "https://ms.example.org/base/v1",
	}
	for raw, want := range good {
		c, err := New(Config{BaseURL: raw})
		if err != nil {
			t.Errorf("New(%q): %v", raw, err)
			continue
		}
		if c.base != want {
			t.Errorf("New(%q).base = %q, want %q", raw, c.base, want)
		}
	}
}

func TestNewDefaultsAndTransport(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, Config{BaseURL: "http://127.0.0.1:4000"})
	if c.timeout != DefaultTimeout || c.openFor != DefaultBreakerOpenFor || c.maxBody != DefaultMaxBodyBytes {
		t.Fatalf("defaults not applied: %v %v %v", c.timeout, c.openFor, c.maxBody)
	}
	if maxIdleConns < 100 || idleConnTimeout == 0 || dialTimeout == 0 {
		t.Fatalf("pool not sized for a busy BFF: %d idle, %v idle timeout, %v dial timeout", maxIdleConns, idleConnTimeout, dialTimeout)
	}
	if c.pool.addr != "127.0.0.1:4000" || c.pool.tls != nil {
		t.Fatalf("pool dials %q (TLS %v), want 127.0.0.1:4000 in the clear", c.pool.addr, c.pool.tls != nil)
	}
	tc := newTestClient(t, Config{BaseURL: "https://ms.example.org/api"})
	if tc.pool.addr != "ms.example.org:443" || tc.pool.tls == nil || tc.pool.tls.ServerName != "ms.example.org" {
		t.Fatalf("https pool dials %q with TLS %+v", tc.pool.addr, tc.pool.tls)
	}
	if c.BreakerState() != gobreaker.StateClosed {
		t.Fatal("a new breaker is closed")
	}
}

func TestDoForwardsExactly(t *testing.T) {
	t.Parallel()
	type seen struct {
		method, uri, body string
		header            http.Header
		contentLength     int64
	}
	got := make(chan seen, 1)
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.RequestURI, string(b), r.Header.Clone(), r.ContentLength}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Set-Cookie", "ms=1")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"message": "Task was created successfully."}`)
	})
	c := newTestClient(t, Config{BaseURL: u.URL})
	auth := AuthorizationBearer("eyJhbGciOiJIUzI1NiJ9.eyJpZGVudGl0eSI6MX0.c2ln")

	resp, err := c.Do(t.Context(), Request{
		Method: http.MethodPost, Path: "/mentorship_relation/3/task", RawQuery: "a=1&b=%20x",
		Body: []byte(`{"description":"x"}`), Authorization: auth, RequestID: "req-123",
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusCreated || resp.ContentType != "application/json" ||
		string(resp.Body) != `{"message": "Task was created successfully."}` {
		t.Fatalf("response = %+v", resp)
	}
	s := <-got
	if s.method != http.MethodPost || s.uri != "/mentorship_relation/3/task?a=1&b=%20x" || s.body != `{"description":"x"}` {
		t.Fatalf("request line/body = %q %q %q", s.method, s.uri, s.body)
	}
	checks := map[string]string{
		"Authorization": auth.Reveal(), "X-Request-Id": "req-123", "Content-Type": "application/json",
		"Accept": "application/json", "Cookie": "",
	}
	for k, want := range checks {
		if v := s.header.Values(k); strings.Join(v, ",") != want {
			t.Errorf("header %s = %q, want %q", k, v, want)
		}
	}

	// No body, no Authorization, no request id: none of those headers, and still no cookie from the
	// Set-Cookie above.
	if _, err := c.Do(t.Context(), Request{Method: http.MethodGet, Path: "/users"}); err != nil {
		t.Fatal(err)
	}
	s = <-got
	for _, k := range []string{"Authorization", "X-Request-Id", "Content-Type", "Cookie"} {
		if _, ok := s.header[k]; ok {
			t.Errorf("header %s sent without reason: %q", k, s.header.Get(k))
		}
	}
	if s.contentLength != 0 || s.header.Get("Accept") != "application/json" {
		t.Errorf("bodyless GET: content length %d, accept %q", s.contentLength, s.header.Get("Accept"))
	}
}

func TestDoKeepsBasePathAndContentType(t *testing.T) {
	t.Parallel()
	got := make(chan string, 1)
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		got <- r.URL.Path + " " + r.Header.Get("Content-Type")
		w.WriteHeader(http.StatusOK)
	})
	c := newTestClient(t, Config{BaseURL: u.URL + "/ms/"})
	if _, err := c.Do(t.Context(), Request{Method: http.MethodPut, Path: "/user", Body: []byte("x"), ContentType: "text/plain"}); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "/ms/user text/plain" {
		t.Fatalf("got %q", s)
	}
}

func TestDoRefusesUnsendableRequests(t *testing.T) {
	t.Parallel()
	u := newUpstream(t, answer(200, `{}`))
	c := newTestClient(t, Config{BaseURL: u.URL, BreakerFailures: 1})
	bad := map[string]Request{
		"a path without a leading slash":     {Method: "GET", Path: "user"},
		"a path that tries to swap the host": {Method: "GET", Path: "@evil.example/"},
		"a path with a query mark":           {Method: "GET", Path: "/user?x=1"},
		"a path with a newline":              {Method: "GET", Path: "/user\n"},
		"a request id with CRLF":             {Method: "GET", Path: "/user", RequestID: "a\r\nX-Evil: 1"},
		"an overlong request id":             {Method: "GET", Path: "/user", RequestID: strings.Repeat("a", 201)},
		"an Authorization with a NUL":        {Method: "GET", Path: "/user", Authorization: "Bearer a\x00b"},
		"a method with a space":              {Method: "GE T", Path: "/user"},
	}
	for name, r := range bad {
		_, err := c.Do(t.Context(), r)
		var ue *UpstreamError
		if !errors.As(err, &ue) || ue.Kind != KindInvalidRequest {
			t.Errorf("%s: err = %v, want KindInvalidRequest", name, err)
		}
		if err != nil && strings.Contains(err.Error(), "a\x00b") {
			t.Errorf("%s: error shows the Authorization value", name)
		}
	}
	if n := u.calls.Load(); n != 0 {
		t.Fatalf("unsendable requests reached MS %d times", n)
	}
	if c.BreakerState() != gobreaker.StateClosed {
		t.Fatal("unsendable requests must not count against MS")
	}
}

func TestDoReusesConnections(t *testing.T) {
	t.Parallel()
	u := newUpstream(t, answer(200, `{"message":"ok"}`))
	c := newTestClient(t, Config{BaseURL: u.URL})

	for range 200 {
		if _, err := c.Do(t.Context(), Request{Method: "GET", Path: "/user"}); err != nil {
			t.Fatal(err)
		}
	}
	if n := u.conns.Load(); n != 1 {
		t.Fatalf("200 sequential calls opened %d connections, want 1", n)
	}

	const workers, rounds = 32, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for range workers {
		wg.Go(func() {
			for range rounds {
				if _, err := c.Do(t.Context(), Request{Method: "POST", Path: "/user", Body: []byte("{}")}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// net/http's default pool keeps 2 idle connections per host and would open hundreds here. A waiting
	// request may start a dial and then take a connection freed meanwhile, so allow some slack.
	n := u.conns.Load()
	if n > 2*workers {
		t.Fatalf("%d concurrent callers × %d calls opened %d connections, want at most %d", workers, rounds, n, 2*workers)
	}
	for range 100 {
		if _, err := c.Do(t.Context(), Request{Method: "GET", Path: "/user"}); err != nil {
			t.Fatal(err)
		}
	}
	if m := u.conns.Load(); m != n {
		t.Fatalf("sequential calls after the burst opened %d more connections; the pool should hold them", m-n)
	}
}

func TestDoTimeout(t *testing.T) {
	t.Parallel()
	u := newUpstream(t, hang(nil))
	c := newTestClient(t, Config{BaseURL: u.URL, Timeout: 50 * time.Millisecond})
	start := time.Now()
	resp, err := c.Do(t.Context(), Request{Method: "GET", Path: "/user"})
	var ue *UpstreamError
	if resp != nil || !errors.As(err, &ue) || ue.Kind != KindTimeout {
		t.Fatalf("Do = %v, %v; want KindTimeout", resp, err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a timeout should wrap context.DeadlineExceeded: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("timeout took %v", d)
	}
	if c.breaker.Counts().TotalFailures != 1 {
		t.Fatal("a timeout is a breaker failure")
	}
}

func TestDoTimeoutWhileReadingBody(t *testing.T) {
	t.Parallel()
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(200)
		_, _ = io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	c := newTestClient(t, Config{BaseURL: u.URL, Timeout: 50 * time.Millisecond})
	_, err := c.Do(t.Context(), Request{Method: "GET", Path: "/user"})
	var ue *UpstreamError
	if !errors.As(err, &ue) || ue.Kind != KindTimeout {
		t.Fatalf("err = %v, want KindTimeout", err)
	}
}

// closedPort returns a loopback address nobody listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

func TestDoUnreachable(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, Config{BaseURL: "http://" + closedPort(t), BreakerFailures: 100})
	_, err := c.Do(t.Context(), Request{Method: "GET", Path: "/user/confirm_email/SECRETCONFIRMTOKEN"})
	var ue *UpstreamError
	if !errors.As(err, &ue) || ue.Kind != KindUnreachable {
		t.Fatalf("err = %v, want KindUnreachable", err)
	}
	var oe *net.OpError
	if !errors.As(err, &oe) {
		t.Fatalf("the network cause should be reachable with errors.As: %v", err)
	}
	if strings.Contains(err.Error(), "SECRETCONFIRMTOKEN") || strings.Contains(err.Error(), "confirm_email") {
		t.Fatalf("error names the URL: %v", err)
	}
	if err := c.Ping(t.Context()); err == nil {
		t.Fatal("Ping of a closed port succeeded")
	}
}

func TestDoUnreachableWhenConnectionReset(t *testing.T) {
	t.Parallel()
	u := newUpstream(t, func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.(*net.TCPConn).SetLinger(0)
			_ = conn.Close()
		}
	})
	c := newTestClient(t, Config{BaseURL: u.URL})
	_, err := c.Do(t.Context(), Request{Method: "GET", Path: "/user"})
	var ue *UpstreamError
	if !errors.As(err, &ue) || ue.Kind != KindUnreachable {
		t.Fatalf("err = %v, want KindUnreachable", err)
	}
}

func TestDoCallerCancelIsNotCounted(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{}, 1)
	u := newUpstream(t, hang(arrived))
	c := newTestClient(t, Config{BaseURL: u.URL, BreakerFailures: 1})

	for range 3 {
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() {
			_, err := c.Do(ctx, Request{Method: "GET", Path: "/user"})
			done <- err
		}()
		<-arrived
		cancel()
		err := <-done
		var ue *UpstreamError
		if !errors.As(err, &ue) || ue.Kind != KindCanceled || !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want KindCanceled wrapping context.Canceled", err)
		}
	}
	if c.BreakerState() != gobreaker.StateClosed {
		t.Fatal("the caller's own cancellations opened the breaker")
	}
	if cnt := c.breaker.Counts(); cnt.TotalFailures != 0 || cnt.TotalExclusions != 3 {
		t.Fatalf("counts = %+v, want 3 exclusions and no failure", cnt)
	}

	// A caller deadline shorter than Timeout is the caller's too: a timeout, but not MS's fault.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel()
	_, err := c.Do(ctx, Request{Method: "GET", Path: "/user"})
	var ue *UpstreamError
	if !errors.As(err, &ue) || ue.Kind != KindTimeout {
		t.Fatalf("err = %v, want KindTimeout", err)
	}
	if c.BreakerState() != gobreaker.StateClosed {
		t.Fatal("a caller deadline opened the breaker")
	}

	// A context canceled before the call never reaches MS.
	ctx, cancel = context.WithCancel(t.Context())
	cancel()
	before := u.calls.Load()
	if _, err := c.Do(ctx, Request{Method: "GET", Path: "/user"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if u.calls.Load() != before {
		t.Fatal("a dead caller's request reached MS")
	}
}

func TestDoBodyLimit(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 2048)
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/chunked" {
			w.WriteHeader(200)
			for range 4 {
				_, _ = io.WriteString(w, big[:512])
				w.(http.Flusher).Flush()
			}
			_, _ = io.WriteString(w, "y")
			return
		}
		_, _ = io.WriteString(w, big)
	})
	c := newTestClient(t, Config{BaseURL: u.URL, MaxBodyBytes: 2048})
	resp, err := c.Do(t.Context(), Request{Method: "GET", Path: "/exact"})
	if err != nil || len(resp.Body) != 2048 {
		t.Fatalf("a body of exactly the limit: %v, %v", resp, err)
	}
	_, err = c.Do(t.Context(), Request{Method: "GET", Path: "/chunked"})
	var ue *UpstreamError
	if !errors.As(err, &ue) || ue.Kind != KindBadAnswer || !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("chunked oversize: err = %v, want KindBadAnswer/ErrBodyTooLarge", err)
	}

	c2 := newTestClient(t, Config{BaseURL: u.URL, MaxBodyBytes: 2047})
	if _, err := c2.Do(t.Context(), Request{Method: "GET", Path: "/exact"}); !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("declared oversize: err = %v", err)
	}
}

func TestDoDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://evil.example/steal", http.StatusFound)
	})
	c := newTestClient(t, Config{BaseURL: u.URL})
	resp, err := c.Do(t.Context(), Request{Method: "GET", Path: "/user", Authorization: "Bearer x"})
	if err != nil || resp.Status != http.StatusFound {
		t.Fatalf("Do = %+v, %v; want the 302 passed through", resp, err)
	}
	if u.calls.Load() != 1 {
		t.Fatal("redirect followed")
	}
}

func TestPing(t *testing.T) {
	t.Parallel()
	var method, path string
	var mu sync.Mutex
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		method, path = r.Method, r.URL.Path
		mu.Unlock()
		w.WriteHeader(http.StatusMethodNotAllowed)
	})
	c := newTestClient(t, Config{BaseURL: u.URL, BreakerFailures: 1, BreakerOpenFor: time.Hour})
	if err := c.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	mu.Lock()
	if method != http.MethodHead || path != "/login" {
		t.Fatalf("Ping sent %s %s", method, path)
	}
	mu.Unlock()

	// Ping bypasses an open breaker: readiness sees MS itself.
	u.set(answer(503, `{"message": "Service Unavailable"}`))
	_, _ = c.Do(t.Context(), Request{Method: "GET", Path: "/user"})
	if c.BreakerState() != gobreaker.StateOpen {
		t.Fatal("breaker should be open")
	}
	before := u.calls.Load()
	if err := c.Ping(t.Context()); err != nil {
		t.Fatalf("Ping with an open breaker: %v", err)
	}
	if u.calls.Load() != before+1 {
		t.Fatal("Ping did not reach MS")
	}

	u.set(hang(nil))
	c2 := newTestClient(t, Config{BaseURL: u.URL, Timeout: 50 * time.Millisecond})
	var ue *UpstreamError
	if err := c2.Ping(t.Context()); !errors.As(err, &ue) || ue.Kind != KindTimeout {
		t.Fatalf("Ping of a hanging MS: %v", err)
	}
}

func TestOnCallHook(t *testing.T) {
	t.Parallel()
	type call struct{ route, outcome string }
	var mu sync.Mutex
	var calls []call
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/users/7":
			w.WriteHeader(404)
		case "/home":
			w.WriteHeader(500)
		default:
			w.WriteHeader(200)
		}
	})
	c := newTestClient(t, Config{BaseURL: u.URL, OnCall: func(route, outcome string, d time.Duration) {
		if d <= 0 {
			t.Errorf("duration %v", d)
		}
		mu.Lock()
		calls = append(calls, call{route, outcome})
		mu.Unlock()
	}})
	_, _ = c.Do(t.Context(), Request{Method: "GET", Path: "/users/7"})
	_, _ = c.Do(t.Context(), Request{Method: "GET", Path: "/home"})
	_, _ = c.Do(t.Context(), Request{Method: "PUT", Path: "/mentorship_relation/12/task/3/complete"})
	_, _ = c.Do(t.Context(), Request{Method: "GET", Path: "/user/confirm_email/abc.def"})
	_, _ = c.Do(t.Context(), Request{Method: "GET", Path: "/users/7", Route: "GET /users/{id}"})
	_, _ = c.Do(t.Context(), Request{Method: "GET", Path: "nope"})
	want := []call{
		{"GET /users/:id", Outcome4xx},
		{"GET /home", Outcome5xx},
		{"PUT /mentorship_relation/:id/task/:id/complete", Outcome2xx},
		{"GET /user/confirm_email/:token", Outcome2xx},
		{"GET /users/{id}", Outcome4xx},
		{"GET /:param", string(KindInvalidRequest)},
	}
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != len(want) {
		t.Fatalf("calls = %v", calls)
	}
	for i := range want {
		if calls[i] != want[i] {
			t.Errorf("call %d = %v, want %v", i, calls[i], want[i])
		}
	}
}

func TestRouteOf(t *testing.T) {
	t.Parallel()
	cases := map[[2]string]string{
		{"GET", "/user"}:                                  "GET /user",
		{"GET", "/user/"}:                                 "GET /user",
		{"GET", "/"}:                                      "GET /",
		{"DELETE", "/mentorship_relation/4"}:              "DELETE /mentorship_relation/:id",
		{"GET", "/users/abc"}:                             "GET /users/:param",
		{"GET", "/users/Robert%20Drop"}:                   "GET /users/:param",
		{"GET", "/user/confirm_email/x.y-z"}:              "GET /user/confirm_email/:token",
		{"GET", "/mentorship_relations/past"}:             "GET /mentorship_relations/past",
		{"POST", "/mentorship_relation/1/task/2/comment"}: "POST /mentorship_relation/:id/task/:id/comment",
	}
	for in, want := range cases {
		if got := RouteOf(in[0], in[1]); got != want {
			t.Errorf("RouteOf(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
	if RedactPath("/user/confirm_email/tok") != "/user/confirm_email/[REDACTED]" || RedactPath("/users/3") != "/users/3" {
		t.Fatal("RedactPath")
	}
}

// TestSecretsNeverLeak drives every failure path with a token, a password and a confirmation token and
// searches every error message and log line for them.
func TestSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	const (
		token    = "eyJhbGciOiJIUzI1NiJ9.eyJpZGVudGl0eSI6MSwiTEVBSyI6MX0.LEAKSIGNATURE"
		password = "hunter2-LEAKPASSWORD"
		confirm  = "LEAKCONFIRMTOKEN.abc"
	)
	var logs logBuffer
	u := newUpstream(t, hang(nil))
	var errs []error
	collect := func(_ any, err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	collect3 := func(_, _ any, err error) { collect(nil, err) }

	// Timeouts, then an open breaker.
	c := newTestClient(t, Config{BaseURL: u.URL, Timeout: 30 * time.Millisecond, BreakerFailures: 3,
		BreakerOpenFor: time.Hour, Logger: logs.logger()})
	collect(c.Do(t.Context(), Request{Method: "GET", Path: "/user", Authorization: AuthorizationBearer(token), RequestID: "r1"}))
	collect(c.Do(t.Context(), Request{Method: "GET", Path: "/user/confirm_email/" + confirm, RequestID: "r2"}))
	collect3(c.Login(t.Context(), "alice", password, "r3"))
	collect3(c.Refresh(t.Context(), token, "r4"))
	collect3(c.Login(t.Context(), "alice", password, "r5"))

	// Unreachable.
	c2 := newTestClient(t, Config{BaseURL: "http://" + closedPort(t), Logger: logs.logger()})
	collect3(c2.Login(t.Context(), "alice", password, "r6"))
	collect3(c2.Refresh(t.Context(), token, "r7"))
	collect(c2.Do(t.Context(), Request{Method: "GET", Path: "/user/confirm_email/" + confirm}))

	// Bad answers: tokens that fail verification, and a 5xx.
	u2 := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/home" {
			w.WriteHeader(500)
			_, _ = io.WriteString(w, `{"message":"`+token+`"}`)
			return
		}
		_, _ = io.WriteString(w, `{"access_token":"`+token+`","refresh_token":"`+token+`"}`)
	})
	c3 := newTestClient(t, Config{BaseURL: u2.URL, JWTSecret: testKey, Logger: logs.logger()})
	collect3(c3.Login(t.Context(), "alice", password, "r8"))
	collect3(c3.Refresh(t.Context(), token, "r9"))
	collect(c3.Do(t.Context(), Request{Method: "GET", Path: "/home", Authorization: AuthorizationBearer(token)}))
	collect(c3.ParseToken(token, TokenAccess))
	collect(c3.Do(t.Context(), Request{Method: "GET", Path: "/user", Authorization: "Bearer " + token + "\n"}))

	if len(errs) < 12 {
		t.Fatalf("only %d errors collected", len(errs))
	}
	kinds := map[Kind]bool{}
	for _, err := range errs {
		var ue *UpstreamError
		if errors.As(err, &ue) {
			kinds[ue.Kind] = true
		}
		for _, s := range []string{token, "LEAK", password, confirm} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("error %q contains %q", err.Error(), s)
			}
		}
	}
	for _, k := range []Kind{KindTimeout, KindBreakerOpen, KindUnreachable, KindBadAnswer, KindInvalidRequest} {
		if !kinds[k] {
			t.Errorf("no %s error exercised", k)
		}
	}
	out := logs.String()
	if !strings.Contains(out, `"request_id":"r1"`) || !strings.Contains(out, `"kind":"timeout"`) ||
		!strings.Contains(out, `"path":"/user/confirm_email/[REDACTED]"`) || !strings.Contains(out, "state changed") {
		t.Errorf("logs lack the expected fields:\n%s", out)
	}
	for _, s := range []string{"LEAK", password, confirm, "Bearer"} {
		if strings.Contains(out, s) {
			t.Errorf("logs contain %q:\n%s", s, out)
		}
	}
}

func TestDoKeepsEscapedPaths(t *testing.T) {
	t.Parallel()
	got := make(chan string, 1)
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		got <- r.RequestURI
		w.WriteHeader(http.StatusNoContent)
	})
	c := newTestClient(t, Config{BaseURL: u.URL})
	resp, err := c.Do(t.Context(), Request{Method: "GET", Path: "/users/a%2Fb%20c", RawQuery: "search=a%26b&page=2"})
	if err != nil || resp.Status != http.StatusNoContent || len(resp.Body) != 0 {
		t.Fatalf("Do = %+v, %v", resp, err)
	}
	if uri := <-got; uri != "/users/a%2Fb%20c?search=a%26b&page=2" {
		t.Fatalf("MS saw %q", uri)
	}
}

func BenchmarkDo(b *testing.B) {
	u := newUpstream(b, answer(200, `{"id": 1, "name": "Alice"}`))
	c := newTestClient(b, Config{BaseURL: u.URL})
	r := Request{Method: "GET", Path: "/user", Authorization: "Bearer abc.def.ghi", RequestID: "rid"}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Do(context.Background(), r); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// TestClassifyTimeoutBeforeContextIsMarked covers a race CI once hit: the dial's socket deadline (the call's
// own deadline) fires a moment before the context's timer marks the context done. Such a dial ran out of
// time, so it is a timeout (504), not "unreachable" (502); only a failed dial is unreachable.
func TestClassifyTimeoutBeforeContextIsMarked(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, Config{BaseURL: "http://127.0.0.1:1"})
	live := context.Background() // neither the caller's nor the call's context is done yet
	dialTimeout := &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	readTimeout := &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	for _, tc := range []struct {
		name  string
		err   error
		want  Kind
		cause error
	}{
		{"dial timed out", &url.Error{Op: "Get", URL: "http://ms/user", Err: dialTimeout}, KindTimeout, os.ErrDeadlineExceeded},
		{"read timed out", readTimeout, KindTimeout, os.ErrDeadlineExceeded},
		{"deadline error", fmt.Errorf("read body: %w", context.DeadlineExceeded), KindTimeout, context.DeadlineExceeded},
		{"dial refused", &url.Error{Op: "Get", URL: "http://ms/user", Err: refused}, KindUnreachable, syscall.ECONNREFUSED},
		{"other", io.ErrUnexpectedEOF, KindBadAnswer, io.ErrUnexpectedEOF},
	} {
		ue := c.classify(live, time.Now().Add(time.Hour), tc.err) // the call's own deadline is far off
		if ue.Kind != tc.want {
			t.Errorf("%s: kind %v, want %v", tc.name, ue.Kind, tc.want)
		}
		if tc.want == KindTimeout && !errors.Is(ue, context.DeadlineExceeded) {
			t.Errorf("%s: a timeout should wrap context.DeadlineExceeded: %v", tc.name, ue)
		}
		if !errors.Is(ue, tc.cause) {
			t.Errorf("%s: cause lost: %v", tc.name, ue)
		}
		if ue.callerDone {
			t.Errorf("%s: marked as the caller's doing", tc.name)
		}
	}
}

// A query MS could not parse raw (a space would split the request line) is percent-encoded as a browser would,
// so MS decodes the arguments the client meant; a well-formed query goes out byte for byte.
func TestDoEscapesTheQueryAsABrowserWould(t *testing.T) {
	t.Parallel()
	type seen struct {
		rawQuery string
		query    map[string][]string
	}
	got := make(chan seen, 1)
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		got <- seen{r.URL.RawQuery, r.URL.Query()}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	})
	c := newTestClient(t, Config{BaseURL: u.URL})
	for _, tc := range []struct {
		query, wantRaw string
		want           map[string][]string
	}{
		{"search=ada lovelace&page=2", "search=ada%20lovelace&page=2", map[string][]string{"search": {"ada lovelace"}, "page": {"2"}}},
		{"search=Jos\u00e9", "search=Jos%C3%A9", map[string][]string{"search": {"Jos\u00e9"}}},
		{"a=\t\"<>{|}^`\\#", "a=%09%22%3C%3E%7B%7C%7D%5E%60%5C%23", map[string][]string{"a": {"\t\"<>{|}^`\\#"}}},
		{"a=\x00&b=\x7f", "a=%00&b=%7F", map[string][]string{"a": {"\x00"}, "b": {"\x7f"}}},
		{"search=%41+b&x=1;y", "search=%41+b&x=1;y", nil}, // untouched, '%', '+' and ';' included
		{"a=% ", "a=%%20", nil}, // a stray '%' stays MS's to judge
		{" ", "%20", map[string][]string{" ": {""}}},
	} {
		resp, err := c.Do(t.Context(), Request{Method: "GET", Path: "/users", RawQuery: tc.query})
		if err != nil || resp.Status != 200 {
			t.Fatalf("%q: %+v, %v", tc.query, resp, err)
		}
		s := <-got
		if s.rawQuery != tc.wantRaw {
			t.Errorf("%q reached MS as %q, want %q", tc.query, s.rawQuery, tc.wantRaw)
		}
		if tc.want != nil && fmt.Sprint(s.query) != fmt.Sprint(tc.want) {
			t.Errorf("%q decoded to %v, want %v", tc.query, s.query, tc.want)
		}
	}
}
