package msclient

import (
	"net/http"
	"testing"

	"github.com/sony/gobreaker/v2"
)

func TestOnlyGatewayAnswersCountAsMSUnavailable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		status int
		counts bool
	}{
		{"a 200 is MS answering", 200, false},
		{"a 400 is MS refusing the input", 400, false},
		{"a 401 is about the token", 401, false},
		{"a 500 is MS crashing on that one request", 500, false},
		{"a 501 is MS's answer about the method", 501, false},
		{"a 502 says the gateway could not reach MS", 502, true},
		{"a 503 says MS is unavailable", 503, true},
		{"a 504 says the gateway timed out waiting for MS", 504, true},
		{"a 505 is an answer about the protocol", 505, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := countsAsUnavailable(tc.status); got != tc.counts {
				t.Fatalf("countsAsUnavailable(%d) = %v, want %v", tc.status, got, tc.counts)
			}
		})
	}
}

// Bad input that crashes MS (docs/MS.md#known-500s-and-the-edge-checks) must never open the breaker for everyone else.
func TestManyMS500sLeaveTheBreakerClosed(t *testing.T) {
	t.Parallel()
	u := newUpstream(t, answer(http.StatusInternalServerError, msError))
	c := newTestClient(t, Config{BaseURL: u.URL, BreakerFailures: 2})
	for i := range 100 {
		resp, err := get(c)
		if err != nil || resp.Status != 500 || string(resp.Body) != msError {
			t.Fatalf("call %d: MS's 500 should pass through: %+v, %v", i, resp, err)
		}
	}
	if s := c.BreakerState(); s != gobreaker.StateClosed {
		t.Fatalf("100 MS 500s left the breaker %v", s)
	}
}
