package msclient

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/sony/gobreaker/v2"
)

const msError = `{"message": "Internal Server Error"}`

func get(c *Client) (*Response, error) {
	return c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/user", RequestID: "rid"})
}

func TestBreakerOpensAfterConsecutive5xxAndPassesThemThrough(t *testing.T) {
	t.Parallel()
	u := newUpstream(t, answer(http.StatusInternalServerError, msError))
	var mu sync.Mutex
	var changes [][2]gobreaker.State
	c := newTestClient(t, Config{BaseURL: u.URL, BreakerFailures: 3, BreakerOpenFor: time.Hour,
		OnBreakerChange: func(from, to gobreaker.State) {
			mu.Lock()
			changes = append(changes, [2]gobreaker.State{from, to})
			mu.Unlock()
		}})

	for i := range 3 {
		resp, err := get(c)
		if err != nil || resp.Status != 500 || string(resp.Body) != msError || resp.ContentType != "application/json" {
			t.Fatalf("call %d: MS's 500 should pass through: %+v, %v", i, resp, err)
		}
		want := gobreaker.StateClosed
		if i == 2 {
			want = gobreaker.StateOpen
		}
		if s := c.BreakerState(); s != want {
			t.Fatalf("after %d failures the breaker is %v, want %v", i+1, s, want)
		}
	}

	before := u.calls.Load()
	for range 50 {
		resp, err := get(c)
		var ue *UpstreamError
		if resp != nil || !errors.As(err, &ue) || ue.Kind != KindBreakerOpen || !errors.Is(err, gobreaker.ErrOpenState) {
			t.Fatalf("open breaker: %+v, %v", resp, err)
		}
		if ue.RetryAfter < 59*time.Minute || ue.RetryAfter > time.Hour || ue.RetryAfter%time.Second != 0 {
			t.Fatalf("RetryAfter = %v, want about an hour in whole seconds", ue.RetryAfter)
		}
	}
	if n := u.calls.Load() - before; n != 0 {
		t.Fatalf("an open breaker let %d calls reach MS", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(changes) != 1 || changes[0] != [2]gobreaker.State{gobreaker.StateClosed, gobreaker.StateOpen} {
		t.Fatalf("OnBreakerChange saw %v", changes)
	}
}

func TestBreakerOpensAfterConsecutiveTimeouts(t *testing.T) {
	t.Parallel()
	u := newUpstream(t, hang(nil))
	c := newTestClient(t, Config{BaseURL: u.URL, Timeout: 20 * time.Millisecond, BreakerFailures: 2, BreakerOpenFor: time.Hour})
	for range 2 {
		if _, err := get(c); !isKind(err, KindTimeout) {
			t.Fatalf("err = %v, want timeout", err)
		}
	}
	if _, err := get(c); !isKind(err, KindBreakerOpen) {
		t.Fatalf("err = %v, want breaker open", err)
	}
}

func TestBreakerOpensWhenUnreachable(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, Config{BaseURL: "http://" + closedPort(t), BreakerFailures: 2, BreakerOpenFor: time.Hour})
	for range 2 {
		if _, err := get(c); !isKind(err, KindUnreachable) {
			t.Fatalf("err = %v", err)
		}
	}
	if _, err := get(c); !isKind(err, KindBreakerOpen) {
		t.Fatalf("err = %v, want breaker open", err)
	}
}

func TestBreakerNeverOpensOn4xx(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404, 405, 409, 422, 429} {
		u := newUpstream(t, answer(status, `{"message": "The token has expired! Please, login again or refresh it."}`))
		c := newTestClient(t, Config{BaseURL: u.URL, BreakerFailures: 1})
		for range 50 {
			resp, err := get(c)
			if err != nil || resp.Status != status {
				t.Fatalf("%d: %+v, %v", status, resp, err)
			}
		}
		if s := c.BreakerState(); s != gobreaker.StateClosed {
			t.Fatalf("50 answers of %d left the breaker %v", status, s)
		}
	}
}

func TestBreaker4xxBreaksAFailureRun(t *testing.T) {
	t.Parallel()
	u := newUpstream(t, answer(500, msError))
	c := newTestClient(t, Config{BaseURL: u.URL, BreakerFailures: 3, BreakerOpenFor: time.Hour})
	for round := range 5 {
		u.set(answer(500, msError))
		_, _ = get(c)
		_, _ = get(c)
		u.set(answer(404, `{"message": "User does not exist."}`))
		_, _ = get(c)
		if s := c.BreakerState(); s != gobreaker.StateClosed {
			t.Fatalf("round %d: breaker %v; a 4xx answer shows MS is up", round, s)
		}
	}
}

func TestBreakerHalfOpenProbeClosesWhenMSRecovers(t *testing.T) {
	t.Parallel()
	u := newUpstream(t, answer(503, msError))
	var mu sync.Mutex
	var changes []gobreaker.State
	c := newTestClient(t, Config{BaseURL: u.URL, BreakerFailures: 2, BreakerOpenFor: 100 * time.Millisecond,
		OnBreakerChange: func(_, to gobreaker.State) {
			mu.Lock()
			changes = append(changes, to)
			mu.Unlock()
		}})
	_, _ = get(c)
	_, _ = get(c)
	if c.BreakerState() != gobreaker.StateOpen {
		t.Fatal("breaker should be open")
	}
	_, err := get(c)
	var ue *UpstreamError
	if !errors.As(err, &ue) || ue.Kind != KindBreakerOpen || ue.RetryAfter != time.Second {
		t.Fatalf("err = %v; RetryAfter rounds up to at least 1s", err)
	}

	// Still failing: the half-open probe fails and the breaker opens again.
	eventually(t, 5*time.Second, func() bool { return c.BreakerState() == gobreaker.StateHalfOpen })
	if resp, err := get(c); err != nil || resp.Status != 503 {
		t.Fatalf("probe: %+v, %v", resp, err)
	}
	if c.BreakerState() != gobreaker.StateOpen {
		t.Fatal("a failed probe should reopen the breaker")
	}

	// MS recovers: the next probe closes the breaker.
	u.set(answer(200, `{"id": 1}`))
	eventually(t, 5*time.Second, func() bool { return c.BreakerState() == gobreaker.StateHalfOpen })
	if resp, err := get(c); err != nil || resp.Status != 200 {
		t.Fatalf("probe: %+v, %v", resp, err)
	}
	if s := c.BreakerState(); s != gobreaker.StateClosed {
		t.Fatalf("breaker %v after a good probe", s)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []gobreaker.State{gobreaker.StateOpen, gobreaker.StateHalfOpen, gobreaker.StateOpen, gobreaker.StateHalfOpen, gobreaker.StateClosed}
	if len(changes) != len(want) {
		t.Fatalf("changes %v, want %v", changes, want)
	}
	for i := range want {
		if changes[i] != want[i] {
			t.Fatalf("changes %v, want %v", changes, want)
		}
	}
}

func TestBreakerHalfOpenAdmitsOnlyTheProbes(t *testing.T) {
	t.Parallel()
	u := newUpstream(t, answer(500, msError))
	c := newTestClient(t, Config{BaseURL: u.URL, BreakerFailures: 1, BreakerOpenFor: 50 * time.Millisecond})
	_, _ = get(c)
	eventually(t, 5*time.Second, func() bool { return c.BreakerState() == gobreaker.StateHalfOpen })

	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	u.set(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		w.WriteHeader(200)
	})
	probe := make(chan error, 1)
	go func() {
		_, err := get(c)
		probe <- err
	}()
	<-arrived
	before := u.calls.Load()
	if _, err := get(c); !isKind(err, KindBreakerOpen) || !errors.Is(err, gobreaker.ErrTooManyRequests) {
		t.Fatalf("second request while the probe runs: %v", err)
	}
	if u.calls.Load() != before {
		t.Fatal("a non-probe request reached MS")
	}
	close(release)
	if err := <-probe; err != nil {
		t.Fatal(err)
	}
	if c.BreakerState() != gobreaker.StateClosed {
		t.Fatal("a good probe should close the breaker")
	}
}

func TestBreakerCanceledProbeFreesTheSlot(t *testing.T) {
	t.Parallel()
	u := newUpstream(t, answer(500, msError))
	c := newTestClient(t, Config{BaseURL: u.URL, BreakerFailures: 1, BreakerOpenFor: 50 * time.Millisecond})
	_, _ = get(c)
	eventually(t, 5*time.Second, func() bool { return c.BreakerState() == gobreaker.StateHalfOpen })

	arrived := make(chan struct{}, 1)
	u.set(hang(arrived))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := c.Do(ctx, Request{Method: "GET", Path: "/user"})
		done <- err
	}()
	<-arrived
	cancel()
	if err := <-done; !isKind(err, KindCanceled) {
		t.Fatalf("err = %v", err)
	}
	u.set(answer(200, `{}`))
	if resp, err := get(c); err != nil || resp.Status != 200 {
		t.Fatalf("after a canceled probe the next one should go through: %+v, %v", resp, err)
	}
	if c.BreakerState() != gobreaker.StateClosed {
		t.Fatal("breaker should close")
	}
}

func isKind(err error, k Kind) bool {
	var ue *UpstreamError
	return errors.As(err, &ue) && ue.Kind == k
}
