package storewatch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

// TestEveryOutcomeIsListed: whatever a call ends with, its outcome is one of Outcomes (the list the metric's
// help text is made from), and every listed outcome can happen.
func TestEveryOutcomeIsListed(t *testing.T) {
	t.Parallel()
	live := context.Background()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name         string
		parent, call context.Context
		err          error
		want         string
	}{
		{"an answer is ok", live, live, nil, OutcomeOK},
		{"no row is an answer too", live, live, fmt.Errorf("x: %w", bit.ErrNotFound), OutcomeOK},
		{"a taken name is an answer too", live, live, bit.ErrDuplicateProgramName, OutcomeOK},
		{"a client that left is canceled", done, done, errors.New("context canceled"), OutcomeCanceled},
		{"the call's own deadline is a timeout", live, done, errors.New("deadline"), OutcomeTimeout},
		{"no answer is unavailable", live, live, fmt.Errorf("x: %w", bit.ErrUnavailable), OutcomeUnavailable},
		{"a commit with no answer is unknown", live, live, fmt.Errorf("x: %w", bit.ErrOutcomeUnknown), OutcomeUnknown},
		{"anything else is an error", live, live, errors.New("broken row"), OutcomeError},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		got := classify(c.parent, c.call, c.err)
		if got != c.want {
			t.Errorf("%s: classify = %q, want %q", c.name, got, c.want)
		}
		if !slices.Contains(Outcomes(), got) {
			t.Errorf("%s: outcome %q is not in Outcomes() %v", c.name, got, Outcomes())
		}
		seen[got] = true
	}
	for _, o := range Outcomes() {
		if !seen[o] {
			t.Errorf("Outcomes() lists %q, which no case produced", o)
		}
	}
}
