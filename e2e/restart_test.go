package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// TestACookieOutlivesTheProcessAndWorksOnEveryInstance is the restart half of the bug this project fixes: a
// session lives in the user's cookie, so a killed and restarted BFF, or a second instance with the same keys,
// serves it; an instance with other keys refuses it.
func TestACookieOutlivesTheProcessAndWorksOnEveryInstance(t *testing.T) {
	ms := startMS(t)
	a := startBFF(t, ms, testSessionKey)
	b := newBrowser(t)
	b.login(a.url(), 7)
	if name, status := b.whoAmI(a.url()); name != "loaduser7" {
		t.Fatalf("before restart: %d %q", status, name)
	}

	second := startBFF(t, ms, testSessionKey)
	b.shareCookies(a.url(), second.url())
	if name, status := b.whoAmI(second.url()); name != "loaduser7" {
		t.Fatalf("on a second instance: %d %q", status, name)
	}

	a.kill() // SIGKILL: nothing is saved anywhere
	restarted := startBFF(t, ms, testSessionKey)
	b.shareCookies(a.url(), restarted.url())
	if name, status := b.whoAmI(restarted.url()); name != "loaduser7" {
		t.Fatalf("after SIGKILL and restart: %d %q", status, name)
	}

	stranger := startBFF(t, ms, otherKey)
	b.shareCookies(a.url(), stranger.url())
	if _, status := b.whoAmI(stranger.url()); status != http.StatusUnauthorized {
		t.Fatalf("an instance with other keys answered %d", status)
	}
}

// TestSIGTERMLetsAnInFlightRequestFinish holds MS's answers for a second, sends SIGTERM to the BFF while a request
// waits on MS, and checks the request still completes with 200 and the process exits 0.
func TestSIGTERMLetsAnInFlightRequestFinish(t *testing.T) {
	ms := startMS(t, "-control")
	bff := startBFF(t, ms, testSessionKey)
	b := newBrowser(t)
	b.login(bff.url(), 3)

	ctl := newBrowser(t)
	if a := ctl.must(http.MethodPost, ms.url()+"/_emulator/fault", map[string]int{"delay_ms": 1500}); a.status != http.StatusOK {
		t.Fatalf("fault: %d %s", a.status, a.body)
	}
	type result struct {
		a   answer
		err error
	}
	res := make(chan result, 1)
	go func() {
		a, err := b.do(context.Background(), http.MethodGet, bff.url()+"/api/user", nil)
		res <- result{a, err}
	}()
	// Wait until the request is inside the BFF (MS has received it), then SIGTERM.
	deadline := time.Now().Add(10 * time.Second)
	for {
		a := ctl.must(http.MethodGet, ms.url()+"/_emulator/calls", nil)
		if calls, _ := a.field(t, "GET /user").(float64); calls >= 2 { // login's own GET /user, then this one
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the request never reached MS: %s", a.body)
		}
		time.Sleep(10 * time.Millisecond)
	}
	exited := make(chan error, 1)
	go func() { exited <- bff.stop(30 * time.Second) }()
	r := <-res
	if r.err != nil || r.a.status != http.StatusOK || r.a.field(t, "username") != "loaduser3" {
		t.Fatalf("in-flight request during SIGTERM: %v %d %s", r.err, r.a.status, r.a.body)
	}
	if err := <-exited; err != nil {
		t.Fatalf("BFF exit after SIGTERM: %v\n%s", err, bff.out.String())
	}
	if !hasLine(bff.out.String(), `"msg":"stopped"`) {
		t.Fatalf("no graceful stop logged:\n%s", bff.out.String())
	}
}
