//go:build !race

// The race detector changes what allocates (sync.Pool drops items at random under it), so this budget is checked
// by a run without it: scripts/test.sh runs it on its own after the race run.

package handlers

import (
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/secret"
	"github.com/anitab-org/bridge-in-tech-bff/session"
)

// allocBudget is what an authenticated cookie GET forwarded to MS may allocate in the BFF's own work (issue 18):
// open the cookie, check the session, forward, answer, metrics and the log at either level.
const allocBudget = 20

// TestAuthenticatedGETAllocationBudget guards the hot path's allocations: the same request as
// BenchmarkAuthenticatedGETFixedUpstream (a cookie session, 100 live revocations kept, GET /api/user against an
// upstream that answers fixed bytes), at LOG_LEVEL=warn and at info (the access log line).
func TestAuthenticatedGETAllocationBudget(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelWarn, slog.LevelInfo} {
		t.Run(level.String(), func(t *testing.T) {
			clock := newClock()
			s := newStack(t, stackOpts{clock: clock, logLevel: &level, sessions: &fakeSessions{entries: liveRevocations(100, clock.Now())},
				msURL: fixedUpstream(t, `{"id": 1, "username": "loaduser1", "name": "Load User"}`)})
			now := clock.Now().UTC().Truncate(time.Second)
			cookie, err := s.codec.Seal(session.Session{
				UserID: 1, AccessToken: secret.String("header.payload.signature"), RefreshToken: secret.String("header.payload.refresh"),
				AccessExp: now.Add(time.Hour), RefreshExp: now.Add(24 * time.Hour),
				ID: session.NewID(), LoginAt: now, MSCheckedAt: now, ActiveAt: now,
			})
			if err != nil {
				t.Fatal(err)
			}
			h := s.bff.App().Handler()
			var bc benchClient
			for range 50 { // warm: pools, the upstream connection, metric children
				if st := bc.do(h, http.MethodGet, "/api/user", cookie); st != http.StatusOK {
					t.Fatalf("status %d", st)
				}
			}
			n := testing.AllocsPerRun(500, func() {
				if st := bc.do(h, http.MethodGet, "/api/user", cookie); st != http.StatusOK {
					t.Fatalf("status %d", st)
				}
			})
			t.Logf("%v allocations per authenticated GET at %s (budget %d)", n, level, allocBudget)
			if n > allocBudget {
				t.Errorf("an authenticated GET allocates %v times at %s; the budget is %d (profile it: go test -bench "+
					"AuthenticatedGETFixedUpstream -memprofile m.out ./handlers/)", n, level, allocBudget)
			}
		})
	}
}
