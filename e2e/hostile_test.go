package e2e

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hostileCase is one request a hostile client writes byte for byte, and what the BFF must answer.
type hostileCase struct {
	class, name string
	open        bool   // send to the BFF without MS_JWT_SECRET
	raw         string // the request as written on the wire
	status      int    // the status wanted; 0: any 4xx
	closes      bool   // the connection must end after the answer
	msMayAnswer bool   // the request may reach MS (it is well-formed); else MS must not hear of it
	check       func(t *testing.T, a hostileAnswer)
}

// TestHostileClients attacks a real BFF process (with the emulator behind it) as an outsider would: compressed
// and oversized bodies, ambiguous framing, header smuggling toward MS, path confusion, JWT and JWE header games,
// cookie tricks, CORS reflection, public internals; then floods, guessing races, X-Forwarded-For games,
// slowloris and memory under many maximum-size bodies. Every answer is a 4xx JSON {"message"} (or the route's
// own answer), nothing reaches MS that should not, and other users keep being served.
func TestHostileClients(t *testing.T) {
	t.Parallel()
	ms := startMS(t, "-control")
	// GOMEMLIMIT as the README advises for a dyno: BODY_MEMORY bounds what bodies hold at once, and the soft limit
	// keeps the garbage they leave from piling up while a starved process's collector lags behind (without it,
	// the peak of the 500-body test below varied from 60 to 300 MB with the machine's load).
	bff := startBFF(t, ms, testSessionKey, "LOGIN_MAX_FAILURES=5", "BREAKER_FAILURES=3", "GOMEMLIMIT=160MiB")
	open := startBFF(t, ms, testSessionKey, "MS_JWT_SECRET=")
	user := newBrowser(t)
	user.login(bff.url(), 1)
	var session string
	for _, ck := range user.http.Jar.Cookies(mustParse(t, bff.url())) {
		if ck.Name == "bit_session" {
			session = ck.Value
		}
	}
	if session == "" {
		t.Fatal("no session cookie after login")
	}

	host := "Host: " + bff.addr + "\r\n"
	json := "Content-Type: application/json\r\n"
	req := func(method, target, headers, body string) string {
		if body != "" && !strings.Contains(headers, "Transfer-Encoding") && !strings.Contains(headers, "Content-Length") {
			headers += fmt.Sprintf("Content-Length: %d\r\n", len(body))
		}
		return method + " " + target + " HTTP/1.1\r\n" + host + headers + "\r\n" + body
	}
	bomb2 := string(gzipBomb(t, 256, true))
	email := `{"email":"a@b.co"}`
	b64 := base64.RawURLEncoding.EncodeToString
	jwe := func(header string) string {
		return b64([]byte(header)) + ".." + b64(make([]byte, 12)) + "." + b64([]byte("payload")) + "." + b64(make([]byte, 16))
	}
	noACAO := func(t *testing.T, a hostileAnswer) {
		if v := a.header.Get("Access-Control-Allow-Origin"); v != "" {
			t.Fatalf("Access-Control-Allow-Origin %q for a foreign origin", v)
		}
	}
	clears := func(t *testing.T, a hostileAnswer) {
		if !strings.Contains(strings.Join(a.header.Values("Set-Cookie"), "\n"), "Max-Age=0") {
			t.Fatalf("the bad cookie was not cleared: %q", a.header.Values("Set-Cookie"))
		}
	}
	cases := []hostileCase{
		// Bodies (finding 1): never decoded, refused by their headers.
		{class: "bodies", name: "a gzip-inside-gzip bomb at login is 415 unread", status: 415, closes: true,
			raw: req("POST", "/api/login", json+"Content-Encoding: gzip, gzip\r\n", bomb2)},
		{class: "bodies", name: "a deflate body at register is 415", status: 415, closes: true,
			raw: req("POST", "/api/register", json+"Content-Encoding: deflate\r\n", email)},
		{class: "bodies", name: "an encoding in a second Content-Encoding header is seen", status: 415, closes: true,
			raw: req("POST", "/api/user/resend_email", json+"Content-Encoding: identity\r\nContent-Encoding: br\r\n", email)},
		{class: "bodies", name: "a 1 GiB body under Expect: 100-continue is 413 without 100 Continue", status: 413, closes: true,
			raw: req("POST", "/api/register", json+"Content-Length: 1073741824\r\nExpect: 100-continue\r\n", "")},
		{class: "bodies", name: "a chunked body over the limit is 413", status: 413, closes: true,
			raw: req("POST", "/api/register", json+"Transfer-Encoding: chunked\r\n", "100001\r\n"+strings.Repeat("x", 1<<20+1)+"\r\n0\r\n\r\n")},
		// Framing (finding 7): what a proxy could read otherwise is refused and the connection closed.
		{class: "framing", name: "Content-Length with Transfer-Encoding is 400", status: 400, closes: true,
			raw: req("POST", "/api/user/resend_email", json+"Content-Length: 18\r\nTransfer-Encoding: chunked\r\n", "12\r\n"+email+"\r\n0\r\n\r\n")},
		{class: "framing", name: "two different Content-Lengths are 400", status: 400, closes: true,
			raw: req("POST", "/api/user/resend_email", json+"Content-Length: 18\r\nContent-Length: 4\r\n", email)},
		{class: "framing", name: "Transfer-Encoding chunked, identity is 400", status: 400, closes: true,
			raw: req("POST", "/api/user/resend_email", json+"Transfer-Encoding: chunked, identity\r\n", "12\r\n"+email+"\r\n0\r\n\r\n")},
		{class: "framing", name: "a folded Transfer-Encoding is 400", status: 400, closes: true,
			raw: req("POST", "/api/user/resend_email", json+"Transfer-Encoding:\r\n chunked\r\n", "12\r\n"+email+"\r\n0\r\n\r\n")},
		// Header smuggling toward MS (held before): nothing unchecked is forwarded.
		{class: "smuggling", name: "a bare CR in a header value is 400", status: 400,
			raw: req("GET", "/api/users", "X-Request-ID: a\rInjected: 1\r\n", "")},
		{class: "smuggling", name: "a control character in a Bearer token never reaches MS", status: 400,
			raw: req("GET", "/api/users", "Authorization: Bearer abc\x01def\r\n", "")},
		{class: "smuggling", name: "an X-Request-ID carrying encoded CRLF is replaced", status: 401,
			raw: req("GET", "/api/user", "X-Request-ID: a%0d%0aSet-Cookie:%20x=1\r\n", ""),
			check: func(t *testing.T, a hostileAnswer) {
				if strings.Contains(a.header.Get("X-Request-ID"), "%0d") || a.header.Get("X-Request-ID") == "" {
					t.Fatalf("X-Request-ID %q", a.header.Get("X-Request-ID"))
				}
			}},
		// Path confusion (held before): no path leaves /api's table or reaches another MS endpoint.
		{class: "paths", name: "dot segments toward /metrics", raw: req("GET", "/api/../metrics", "", "")},
		{class: "paths", name: "encoded dot segments toward /metrics", raw: req("GET", "/api/%2e%2e/metrics", "", "")},
		{class: "paths", name: "encoded slashes in an id", raw: req("GET", "/api/users/1%2F..%2F..%2Fadmins", "", "")},
		{class: "paths", name: "a doubled slash", raw: req("GET", "/api//users", "", "")},
		{class: "paths", name: "an absolute-form target naming another host", raw: req("GET", "http://evil.example/api/users", "", "")},
		{class: "paths", name: "a confirmation token with dot segments is one escaped segment at MS", msMayAnswer: true,
			raw: req("GET", "/api/user/confirm_email/..%2f..%2fadmins", "", "")},
		// JWT and JWE header games (held before).
		{class: "tokens", name: "a cookie whose JWE header says alg none", status: 401, check: clears,
			raw: req("GET", "/api/user", "Cookie: bit_session="+jwe(`{"alg":"none","enc":"A256GCM"}`)+"\r\n", "")},
		{class: "tokens", name: "a cookie with a compressed (zip DEF) JWE", status: 401, check: clears,
			raw: req("GET", "/api/user", "Cookie: bit_session="+jwe(`{"alg":"dir","enc":"A256GCM","zip":"DEF","kid":"k1"}`)+"\r\n", "")},
		{class: "tokens", name: "a cookie whose kid walks the file system", status: 401, check: clears,
			raw: req("GET", "/api/user", "Cookie: bit_session="+jwe(`{"alg":"dir","enc":"A256GCM","kid":"../../../../etc/passwd"}`)+"\r\n", "")},
		{class: "tokens", name: "an unsigned Bearer token on a forwarded route", status: 401,
			raw: req("GET", "/api/user", "Authorization: Bearer "+unsignedAccessToken(1)+"\r\n", "")},
		{class: "tokens", name: "an unsigned Bearer token on /api/session, without MS_JWT_SECRET", open: true, status: 401,
			raw: req("GET", "/api/session", "Authorization: Bearer "+unsignedAccessToken(1)+"\r\n", "")},
		{class: "tokens", name: "a lower-case bearer scheme", status: 401,
			raw: req("GET", "/api/user", "Authorization: bearer "+unsignedAccessToken(1)+"\r\n", "")},
		// Cookies (finding 4): one parser for CSRF and authentication.
		{class: "cookies", name: "the session cookie in a second Cookie header still needs X-CSRF", status: 403,
			raw: req("PUT", "/api/user", json+"Cookie: theme=dark\r\nCookie: bit_session="+session+"\r\n", `{"bio":"x"}`)},
		{class: "cookies", name: "the session cookie written with a space before = still needs X-CSRF", status: 403,
			raw: req("PUT", "/api/user", json+"Cookie: bit_session ="+session+"\r\n", `{"bio":"x"}`)},
		{class: "cookies", name: "the session cookie twice is no session", status: 401,
			raw: req("GET", "/api/user", "Cookie: bit_session="+session+"; bit_session="+session+"\r\n", "")},
		// CORS reflection (held before).
		{class: "cors", name: "a foreign Origin gets no CORS grant", status: 401, check: noACAO,
			raw: req("GET", "/api/session", "Origin: https://evil.example\r\n", "")},
		{class: "cors", name: "a foreign preflight gets no CORS grant", check: noACAO,
			raw: req("OPTIONS", "/api/user", "Origin: https://evil.example\r\nAccess-Control-Request-Method: PUT\r\n", "")},
		{class: "cors", name: "an unsafe request from a foreign Origin is 403", status: 403, check: noACAO,
			raw: req("POST", "/api/logout", "Origin: https://evil.example\r\n", "")},
		{class: "cors", name: "an unsafe request from Origin null is 403", status: 403,
			raw: req("POST", "/api/logout", "Origin: null\r\n", "")},
		// Internals (finding 8).
		{class: "internals", name: "metrics without the token", status: 401, raw: req("GET", "/metrics", "", "")},
		{class: "internals", name: "metrics with a wrong token", status: 401,
			raw: req("GET", "/metrics", "Authorization: Bearer "+strings.Repeat("x", len(testMetricsToken))+"\r\n", "")},
	}
	for _, tc := range cases {
		t.Run(tc.class+": "+tc.name, func(t *testing.T) {
			target := bff
			if tc.open {
				target = open
			}
			before := sumCalls(msCalls(t, ms))
			a := hostileExchange(t, target.addr, tc.raw)
			if tc.status != 0 && a.status != tc.status {
				t.Fatalf("status %d %s, want %d", a.status, a.body, tc.status)
			}
			if a.status < 400 || a.status >= 500 {
				if !(tc.class == "cors" && a.status == http.StatusNoContent) {
					t.Fatalf("status %d %s, want a 4xx", a.status, a.body)
				}
			}
			if a.status != http.StatusNoContent && (!strings.HasPrefix(a.header.Get("Content-Type"), "application/json") || a.message() == "") {
				t.Fatalf("not a JSON message: %q %s", a.header.Get("Content-Type"), a.body)
			}
			if a.continued {
				t.Fatal("the BFF said 100 Continue")
			}
			if tc.closes && !a.closed {
				t.Fatal("the connection stayed open")
			}
			if n := sumCalls(msCalls(t, ms)) - before; n != 0 && !tc.msMayAnswer {
				t.Fatalf("MS was called %d times", n)
			}
			if tc.check != nil {
				tc.check(t, a)
			}
		})
	}

	t.Run("limiter: 100 concurrent guesses let at most the limit reach MS", func(t *testing.T) {
		var wg sync.WaitGroup
		var verdicts, limited atomic.Int32
		for range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a, err := newBrowser(t).do(t.Context(), http.MethodPost, bff.url()+"/api/login",
					map[string]string{"username": "loaduser7", "password": "wrong"})
				switch {
				case err != nil:
					t.Error(err)
				case a.status == http.StatusUnauthorized:
					verdicts.Add(1)
				case a.status == http.StatusTooManyRequests:
					limited.Add(1)
				}
			}()
		}
		wg.Wait()
		if verdicts.Load() > 5 || verdicts.Load()+limited.Load() != 100 {
			t.Fatalf("%d guesses got MS's verdict, %d were limited; the limit is 5", verdicts.Load(), limited.Load())
		}
	})

	t.Run("limiter: a client-written X-Forwarded-For neither bypasses the limit nor locks others out", func(t *testing.T) {
		b := newBrowser(t)
		for i := range 6 {
			a := b.must(http.MethodPost, bff.url()+"/api/login", map[string]string{"username": "loaduser8", "password": "wrong"},
				"X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1))
			if want := map[bool]int{true: 401, false: 429}[i < 5]; a.status != want {
				t.Fatalf("guess %d with a new X-Forwarded-For: %d, want %d", i, a.status, want)
			}
		}
		// The addresses the attacker wrote are not locked out: another user from them logs in.
		a := newBrowser(t).must(http.MethodPost, bff.url()+"/api/login", map[string]string{"username": "loaduser9", "password": "loadpass9"},
			"X-Forwarded-For", "198.51.100.1")
		if a.status != http.StatusOK {
			t.Fatalf("another user's login: %d %s", a.status, a.body)
		}
	})

	t.Run("breaker: 300 malformed anonymous requests leave it closed while a user is served", func(t *testing.T) {
		stop := make(chan struct{})
		served := make(chan int)
		go func() {
			n := 0
			defer func() { served <- n }()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, status := user.whoAmI(bff.url()); status != http.StatusOK {
					t.Errorf("the user got %d during the flood", status)
					return
				}
				n++
			}
		}()
		anon := newBrowser(t)
		for i := range 300 {
			body := []any{map[string]any{"email": i}, map[string]any{"email": []int{i}}, []int{i}}[i%3]
			if a := anon.must(http.MethodPost, bff.url()+"/api/user/resend_email", body); a.status != http.StatusBadRequest {
				t.Fatalf("malformed request %d: %d %s", i, a.status, a.body)
			}
		}
		close(stop)
		if n := <-served; n == 0 {
			t.Fatal("the user was not served during the flood")
		}
		if a := newBrowser(t).must(http.MethodGet, bff.url()+"/readyz", nil); a.status != http.StatusOK || !strings.Contains(string(a.body), `"breaker":"closed"`) {
			t.Fatalf("readyz after the flood: %d %s", a.status, a.body)
		}
	})

	t.Run("slowloris: 100 connections trickling headers do not stop others", func(t *testing.T) {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for range 100 {
			c, err := net.Dial("tcp", bff.addr)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
			fmt.Fprintf(c, "GET /api/users HTTP/1.1\r\nHost: %s\r\nX-Slow: ", bff.addr)
		}
		for i := range 5 {
			for _, c := range conns {
				_, _ = c.Write([]byte("a"))
			}
			if _, status := user.whoAmI(bff.url()); status != http.StatusOK {
				t.Fatalf("round %d: the user got %d", i, status)
			}
		}
	})

	t.Run("memory: gzip bombs do not grow the BFF", func(t *testing.T) {
		before, _ := rssKiB(t, bff)
		raw := req("POST", "/api/login", json+"Content-Encoding: gzip, gzip\r\n", bomb2)
		for range 20 {
			if a := hostileExchange(t, bff.addr, raw); a.status != http.StatusUnsupportedMediaType {
				t.Fatalf("bomb: %d", a.status)
			}
		}
		after, _ := rssKiB(t, bff)
		if grown := after - before; grown > 32<<10 {
			t.Fatalf("20 bombs grew the BFF by %d KiB", grown)
		}
		t.Logf("RSS before %d KiB, after 20 gzip bombs %d KiB", before, after)
	})

	t.Run("memory: 500 connections each sending a maximum-size body", func(t *testing.T) {
		// Each body is read whole and parsed (its wrongly typed field is found at the edge), so the BFF holds it
		// in memory; MS is not involved, the figure is the BFF's own.
		rss0, _ := rssKiB(t, bff)
		head := `{"email":1,"pad":"`
		body := head + strings.Repeat("x", 1<<20-len(head)-2) + `"}`
		raw := req("POST", "/api/user/resend_email", json, body)
		var wg sync.WaitGroup
		var statuses sync.Map
		start := make(chan struct{})
		for range 500 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				// A generous deadline: 500 MiB cross loopback, on a machine that may be running every other test.
				a := hostileExchangeWithin(t, bff.addr, raw, 90*time.Second)
				v, _ := statuses.LoadOrStore(a.status, new(atomic.Int32))
				v.(*atomic.Int32).Add(1)
				if a.status != http.StatusBadRequest && a.status != http.StatusServiceUnavailable {
					t.Errorf("a maximum-size body got %d %s", a.status, a.body)
				}
			}()
		}
		close(start)
		wg.Wait()
		rss1, peak := rssKiB(t, bff)
		var got []string
		statuses.Range(func(k, v any) bool {
			got = append(got, fmt.Sprintf("%d×%d", v.(*atomic.Int32).Load(), k))
			return true
		})
		t.Logf("500 concurrent 1 MiB bodies: RSS %d KiB before, %d KiB after, peak %d KiB; answers %v", rss0, rss1, peak, got)
		if peak > 256<<10 {
			t.Fatalf("peak RSS %d KiB: bodies in memory are not bounded", peak)
		}
	})
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
