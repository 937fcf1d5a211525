package handlers

import (
	"net/http"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

// benchRequest runs one request through the Fiber handler in memory (no client, no socket on the BFF side), so
// the figures are the BFF's own work plus the upstream call.
func benchRequest(b *testing.B, h fasthttp.RequestHandler, method, path, cookie string) int {
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod(method)
	ctx.Request.SetRequestURI(path)
	ctx.Request.Header.Set("Host", "127.0.0.1")
	if cookie != "" {
		ctx.Request.Header.Set("Cookie", "bit_session="+cookie)
	}
	h(&ctx)
	return ctx.Response.StatusCode()
}

// BenchmarkAuthenticatedGET is the hot path: open the cookie, forward GET /user to an in-process upstream
// (the emulator on loopback), pass the answer through.
func BenchmarkAuthenticatedGET(b *testing.B) {
	s := newStack(b, stackOpts{})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	cookie := c.cookieValue()
	h := s.bff.App().Handler()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if st := benchRequest(b, h, http.MethodGet, "/api/user", cookie); st != http.StatusOK {
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
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if st := benchRequest(b, h, http.MethodGet, "/api/user", cookie); st != http.StatusServiceUnavailable {
			b.Fatalf("status %d", st)
		}
	}
}
