package pgstore_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/bit/pgstore"
)

// hangAt is a pgx tracer that, once armed, hangs (SIGSTOP) the backend of the first statement whose SQL starts
// with prefix, just before the statement is sent: the statement then waits in the socket, as it does when
// PostgreSQL hangs under it.
type hangAt struct {
	prefix string
	armed  atomic.Bool
	pid    atomic.Int64
}

func (h *hangAt) TraceQueryStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(data.SQL)), h.prefix) && h.armed.CompareAndSwap(true, false) {
		pid := int(conn.PgConn().PID())
		h.pid.Store(int64(pid))
		if err := cluster.Hang(pid); err != nil {
			panic(err)
		}
	}
	return ctx
}

func (*hangAt) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TestAWriteHungInPostgreSQLIsAnsweredTruthfullyAndNeverOverwritesANewerOne: store A's write of a user's row hangs
// (its backend stopped) at a chosen statement while store B (another instance) writes the same row; then the
// backend resumes and its session ends.
func TestAWriteHungInPostgreSQLIsAnsweredTruthfullyAndNeverOverwritesANewerOne(t *testing.T) {
	for _, tc := range []struct {
		name   string
		prefix string
		// what A is told, and whether B's write during the hang is acknowledged
		wantA     error
		bAccepted bool
	}{
		{"a write whose statement hangs is answered unavailable, never applied, and the other instance's write stays",
			"insert", bit.ErrUnavailable, true},
		{"a write whose COMMIT hangs is answered unknown, and no other write of that row is acknowledged meanwhile",
			"commit", bit.ErrOutcomeUnknown, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := cluster.NewDatabase(t)
			name := url[strings.LastIndex(url, "/")+1 : strings.Index(url, "?")]
			hang := &hangAt{prefix: tc.prefix}
			// One connection, so the write below runs on the connection the first write prepared its statement
			// on: the statement then goes out as one Bind/Execute, as on any warm connection.
			a, err := pgstore.Open(t.Context(), url, pgstore.Options{MaxConns: 1, Tracer: hang})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = a.Close() }()
			b, err := pgstore.Open(t.Context(), url, pgstore.Options{MaxConns: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = b.Close() }()
			defer func() { _ = cluster.Resume() }()
			put := func(s *pgstore.Store, phone string, within time.Duration) error {
				ctx, cancel := context.WithTimeout(t.Context(), within)
				defer cancel()
				_, err := s.PutAdditionalInfo(ctx, bit.AdditionalInfo{UserID: 7, Timezone: "UTC", Phone: phone})
				return err
			}
			if err := put(a, "99", 5*time.Second); err != nil {
				t.Fatal(err)
			}
			if err := put(b, "100", 5*time.Second); err != nil {
				t.Fatal(err)
			}

			hang.armed.Store(true)
			errA := put(a, "101", 500*time.Millisecond)
			if !errors.Is(errA, tc.wantA) || errors.Is(errA, bit.ErrUnavailable) == errors.Is(errA, bit.ErrOutcomeUnknown) {
				t.Fatalf("A was told %v, want %v (and not the other)", errA, tc.wantA)
			}
			errB := put(b, "102", time.Second)
			if (errB == nil) != tc.bAccepted {
				t.Fatalf("B's write during the hang: %v, want accepted=%v", errB, tc.bAccepted)
			}
			if errB != nil && !errors.Is(errB, bit.ErrUnavailable) {
				t.Errorf("B's refused write is not \"unavailable\" (not applied): %v", errB)
			}

			if err := cluster.Resume(); err != nil {
				t.Fatal(err)
			}
			hung := int(hang.pid.Load())
			deadline := time.Now().Add(10 * time.Second)
			for {
				pids, err := cluster.Backends(name)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Contains(pids, hung) {
					break // its session is over: whatever it would apply is applied
				}
				if time.Now().After(deadline) {
					t.Fatalf("the resumed backend %d did not end", hung)
				}
				time.Sleep(20 * time.Millisecond)
			}
			got, err := b.AdditionalInfo(t.Context(), 7)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.bAccepted && got.Phone != "102":
				t.Errorf("the row holds %q after the hang; B's acknowledged %q was overwritten", got.Phone, "102")
			case !tc.bAccepted && got.Phone == "102":
				t.Errorf("B's refused write %q was applied", got.Phone)
			case !tc.bAccepted && got.Phone != "100" && got.Phone != "101":
				t.Errorf("the row holds %q", got.Phone)
			}
			if err := put(b, "103", 5*time.Second); err != nil {
				t.Fatalf("a write after the hang: %v", err)
			}
		})
	}
}
