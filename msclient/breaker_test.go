package msclient

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sony/gobreaker/v2"
)

const (
	msError       = `{"message": "Internal Server Error"}`
	msUnavailable = `{"message": "Service Unavailable"}`
)

func get(c *Client) (*Response, error) {
	return c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/user", RequestID: "rid"})
}

func TestBreakerOpensAfterConsecutiveGatewayAnswersAndPassesThemThrough(t *testing.T) {
	t.Parallel()
	u := newUpstream(t, answer(http.StatusServiceUnavailable, msUnavailable))
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
		if err != nil || resp.Status != 503 || string(resp.Body) != msUnavailable || resp.ContentType != "application/json" {
			t.Fatalf("call %d: MS's 503 should pass through: %+v, %v", i, resp, err)
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

func TestBreakerNeverOpensOn4xxNorOnMSs500(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404, 405, 409, 422, 429, 500, 501} {
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
	u := newUpstream(t, answer(503, msUnavailable))
	c := newTestClient(t, Config{BaseURL: u.URL, BreakerFailures: 3, BreakerOpenFor: time.Hour})
	for round := range 5 {
		u.set(answer(503, msUnavailable))
		_, _ = get(c)
		_, _ = get(c)
		u.set(answer(404, `{"message": "User does not exist."}`))
		_, _ = get(c)
		if s := c.BreakerState(); s != gobreaker.StateClosed {
			t.Fatalf("round %d: breaker %v; a 4xx answer shows MS is up", round, s)
		}
	}
}

// The open time is short so the test sees the half-open state, which means State() may move on from "open"
// at any moment on a busy machine: the checks read the transitions the breaker reported, never the clock.
func TestBreakerHalfOpenProbeClosesWhenMSRecovers(t *testing.T) {
	t.Parallel()
	u := newUpstream(t, answer(503, msError))
	var mu sync.Mutex
	var changes []gobreaker.State
	seen := func() []gobreaker.State {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(changes)
	}
	c := newTestClient(t, Config{BaseURL: u.URL, BreakerFailures: 2, BreakerOpenFor: 100 * time.Millisecond,
		OnBreakerChange: func(_, to gobreaker.State) {
			mu.Lock()
			changes = append(changes, to)
			mu.Unlock()
		}})
	_, _ = get(c)
	_, _ = get(c)
	if got := seen(); !slices.Equal(got, []gobreaker.State{gobreaker.StateOpen}) {
		t.Fatalf("after two failures the breaker went %v, want [open]", got)
	}

	// Still failing: the half-open probe reaches MS, fails, and the breaker opens again.
	eventually(t, 5*time.Second, func() bool { return c.BreakerState() == gobreaker.StateHalfOpen })
	before := u.calls.Load()
	if resp, err := get(c); err != nil || resp.Status != 503 {
		t.Fatalf("probe: %+v, %v", resp, err)
	}
	if u.calls.Load() != before+1 {
		t.Fatal("the probe did not reach MS")
	}
	if got := seen(); !slices.Equal(got, []gobreaker.State{gobreaker.StateOpen, gobreaker.StateHalfOpen, gobreaker.StateOpen}) {
		t.Fatalf("a failed probe should reopen the breaker: %v", got)
	}

	// MS recovers: the next probe closes the breaker.
	u.set(answer(200, `{"id": 1}`))
	eventually(t, 5*time.Second, func() bool { return c.BreakerState() == gobreaker.StateHalfOpen })
	if resp, err := get(c); err != nil || resp.Status != 200 {
		t.Fatalf("probe: %+v, %v", resp, err)
	}
	if s := c.BreakerState(); s != gobreaker.StateClosed {
		t.Fatalf("breaker %v after a good probe", s) // closed has no timer: this cannot move on by itself
	}
	want := []gobreaker.State{gobreaker.StateOpen, gobreaker.StateHalfOpen, gobreaker.StateOpen, gobreaker.StateHalfOpen, gobreaker.StateClosed}
	if got := seen(); !slices.Equal(got, want) {
		t.Fatalf("changes %v, want %v", got, want)
	}
}

// TestRetryAfterRoundsUp: while the breaker is open, Retry-After is the time left until the probe, rounded
// up to whole seconds and never below one second (it is read from the opening time, not from a clock race).
func TestRetryAfterRoundsUp(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, Config{BaseURL: "http://127.0.0.1:1", BreakerOpenFor: 90 * time.Second})
	for _, tc := range []struct {
		openedAgo time.Duration
		want      time.Duration
	}{
		{0, 90 * time.Second},
		{500 * time.Millisecond, 90 * time.Second},
		{30*time.Second + time.Millisecond, 60 * time.Second},
		{89*time.Second + 900*time.Millisecond, time.Second},
		{2 * time.Minute, time.Second}, // overdue: the probe is next, still at least a second
	} {
		c.openedAt.Store(time.Now().Add(-tc.openedAgo).UnixNano())
		if got := c.retryAfter(gobreaker.ErrOpenState); got != tc.want {
			t.Errorf("opened %v ago: Retry-After %v, want %v", tc.openedAgo, got, tc.want)
		}
	}
	if got := c.retryAfter(gobreaker.ErrTooManyRequests); got != time.Second {
		t.Errorf("half-open refusal: Retry-After %v, want 1s", got)
	}
}

func TestBreakerHalfOpenAdmitsOnlyTheProbes(t *testing.T) {
	t.Parallel()
	u := newUpstream(t, answer(503, msUnavailable))
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
	u := newUpstream(t, answer(503, msUnavailable))
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
