package handlers

import (
	"bufio"
	"bytes"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
	"github.com/anitab-org/bridge-in-tech-bff/revocation"
	"github.com/anitab-org/bridge-in-tech-bff/secret"
	"github.com/anitab-org/bridge-in-tech-bff/session"
)

// benchClient runs requests through the Fiber handler in memory (no client, no socket on the BFF side), so the
// figures are the BFF's own work plus the upstream call. It reuses one fasthttp.RequestCtx, reset between
// requests, as fasthttp's server reuses its pooled ones: a fresh RequestCtx per request would count fasthttp's
// first-use buffers (URI, headers, cookies, user values) as the BFF's allocations.
type benchClient struct {
	ctx fasthttp.RequestCtx
	raw bytes.Reader
	br  *bufio.Reader
	req []byte // the last request's bytes, kept while the same request repeats

	method, path, cookie string // what req was built from
}

// do parses the request from its bytes, as fasthttp's server does with what it reads from a connection (a header
// set through the API would be stored another way: Set("Cookie", …) parses the cookies at once, and reading them
// back then rebuilds the header, which a server's request never does), and runs it through h.
func (bc *benchClient) do(h fasthttp.RequestHandler, method, path, cookie string) int {
	if bc.req == nil || method != bc.method || path != bc.path || cookie != bc.cookie {
		bc.method, bc.path, bc.cookie = method, path, cookie
		bc.req = []byte(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n")
		if cookie != "" {
			bc.req = append(bc.req, "Cookie: bit_session="+cookie+"\r\n"...)
		}
		bc.req = append(bc.req, "\r\n"...)
	}
	if bc.br == nil {
		bc.br = bufio.NewReader(&bc.raw)
	}
	ctx := &bc.ctx
	ctx.Request.Reset()
	ctx.Response.Reset()
	ctx.ResetUserValues()
	bc.raw.Reset(bc.req)
	bc.br.Reset(&bc.raw)
	if err := ctx.Request.Read(bc.br); err != nil {
		panic("benchClient: reading the request: " + err.Error())
	}
	h(ctx)
	return ctx.Response.StatusCode()
}

// benchRequest runs one request on a fresh benchClient (for one-off requests).
func benchRequest(_ *testing.B, h fasthttp.RequestHandler, method, path, cookie string) int {
	var bc benchClient
	return bc.do(h, method, path, cookie)
}

// BenchmarkAuthenticatedGET is the hot path: open the cookie, forward GET /user to an in-process upstream
// (the emulator on loopback), pass the answer through.
func BenchmarkAuthenticatedGET(b *testing.B) {
	s := newStack(b, stackOpts{})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	cookie := c.cookieValue()
	h := s.bff.App().Handler()
	var bc benchClient
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if st := bc.do(h, http.MethodGet, "/api/user", cookie); st != http.StatusOK {
			b.Fatalf("status %d", st)
		}
	}
}

// BenchmarkOpenBreakerAnswer measures the BFF's whole work for a request while the breaker is open: the 503
// comes without any upstream call.
func BenchmarkOpenBreakerAnswer(b *testing.B) {
	s := newStack(b, stackOpts{breakerFails: 1, breakerOpen: time.Hour})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	cookie := c.cookieValue()
	s.ms.SetFault(emulator.Fault{Status: http.StatusServiceUnavailable})
	h := s.bff.App().Handler()
	benchRequest(b, h, http.MethodGet, "/api/user", cookie) // trips the breaker
	var bc benchClient
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if st := bc.do(h, http.MethodGet, "/api/user", cookie); st != http.StatusServiceUnavailable {
			b.Fatalf("status %d", st)
		}
	}
}

// fixedUpstream is a keep-alive HTTP/1.1 server that answers every bodiless request with the same bytes and
// allocates nothing per request, so a benchmark against it shows the BFF's own work.
func fixedUpstream(b testing.TB, body string) string {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = l.Close() })
	answer := []byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n" + body)
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				br := bufio.NewReader(conn)
				for {
					line, err := br.ReadSlice('\n')
					if err != nil {
						return
					}
					if len(bytes.TrimSpace(line)) == 0 { // the blank line that ends a request's headers
						if _, err := conn.Write(answer); err != nil {
							return
						}
					}
				}
			}()
		}
	}()
	return "http://" + l.Addr().String()
}

// BenchmarkAuthenticatedGETFixedUpstream is BenchmarkAuthenticatedGET without the emulator's work: the same
// handler against an upstream that answers fixed bytes, so allocs/op and ns/op are the BFF's own. The session
// has an id and its times (a cookie sealed at login today); the sub-benchmarks differ in the revocations this
// instance holds in memory: none kept, none live, or 100,000 live (half session ids, half per-user cutoffs, none
// of which ends the session measured), so the cost of the check on the hot path shows beside the rest; they log
// at warn, as bench/run.sh runs the BFF, and the last one at info (LOG_LEVEL's default: the access log line).
func BenchmarkAuthenticatedGETFixedUpstream(b *testing.B) {
	for _, bc := range []struct {
		name    string
		entries int        // -1: no revocations kept at all (no Mirror)
		level   slog.Level // the log level: warn as bench/run.sh runs the BFF, info as LOG_LEVEL's default
	}{
		{"no-mirror", -1, slog.LevelWarn}, {"revocations=0", 0, slog.LevelWarn},
		{"revocations=100000", 100_000, slog.LevelWarn}, {"revocations=0,log=info", 0, slog.LevelInfo},
	} {
		b.Run(bc.name, func(b *testing.B) {
			clock := newClock()
			opts := stackOpts{clock: clock, logLevel: &bc.level, msURL: fixedUpstream(b, `{"id": 1, "username": "loaduser1", "name": "Load User"}`)}
			if bc.entries >= 0 {
				opts.sessions = &fakeSessions{entries: liveRevocations(bc.entries, clock.Now())}
			}
			s := newStack(b, opts)
			now := clock.Now().UTC().Truncate(time.Second)
			cookie, err := s.codec.Seal(session.Session{
				UserID: 1, AccessToken: secret.String("header.payload.signature"), RefreshToken: secret.String("header.payload.refresh"),
				AccessExp: now.Add(time.Hour), RefreshExp: now.Add(24 * time.Hour),
				ID: session.NewID(), LoginAt: now, MSCheckedAt: now, ActiveAt: now,
			})
			if err != nil {
				b.Fatal(err)
			}
			h := s.bff.App().Handler()
			var bc benchClient
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if st := bc.do(h, http.MethodGet, "/api/user", cookie); st != http.StatusOK {
					b.Fatalf("status %d", st)
				}
			}
		})
	}
}

// liveRevocations is n revocations live at now: half single sessions (random ids), half per-user cutoffs of
// users 2 and up, so none ends user 1's session.
func liveRevocations(n int, now time.Time) []revocation.Entry {
	out := make([]revocation.Entry, 0, n)
	until := now.Add(30 * 24 * time.Hour)
	for i := range n {
		if i%2 == 0 {
			out = append(out, revocation.Entry{SessionID: session.NewID(), UserID: int64(2 + i), Until: until})
		} else {
			out = append(out, revocation.Entry{UserID: int64(2 + i), Before: now, Until: until})
		}
	}
	return out
}
