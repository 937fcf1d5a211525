package revocation_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/revocation"
	"github.com/anitab-org/bridge-in-tech-bff/revocation/revocationtest"
)

// runRevoker runs r.Run(st) until the returned stop (or the test's cleanup) ends it, and checks it returns nil.
func runRevoker(t *testing.T, r *revocation.Revoker, st revocation.Store) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, st) }()
	stop = sync.OnceFunc(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Revoker.Run returned %v after its context ended, want nil", err)
			}
		case <-time.After(waitFor):
			t.Errorf("Revoker.Run did not return within %s of its context ending", waitFor)
		}
	})
	t.Cleanup(stop)
	return stop
}

// stored reports whether st holds a live entry equal to e (as the store keeps it: whole seconds).
func stored(t *testing.T, st revocation.Store, e revocation.Entry) bool {
	t.Helper()
	entries, _, err := st.Revocations(context.Background(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range entries {
		if got.SessionID == e.SessionID && got.UserID == e.UserID && got.Before.Unix() == e.Before.Unix() &&
			got.Until.Unix() >= e.Until.Unix() {
			return true
		}
	}
	return false
}

func fastRevoker(m *revocation.Mirror, obs revocation.Observer) *revocation.Revoker {
	return revocation.NewRevoker(m, revocation.RevokerOptions{Logger: quiet, Observer: obs,
		RetryMin: time.Millisecond, RetryMax: 4 * time.Millisecond})
}

// storeIsSet makes sure r's Run has taken st: an entry revoked now is stored (directly, or by Run).
func storeIsSet(t *testing.T, r *revocation.Revoker, st *revocationtest.MemStore) {
	t.Helper()
	e := sessionEntry(99, 99, time.Now().Add(time.Hour))
	if err := r.Revoke(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the first entry is stored", func() bool { return r.Pending() == 0 && stored(t, st.Another(), e) })
}

func TestRevokerStoresAtOnceWhenTheStoreIsUp(t *testing.T) {
	t.Parallel()
	st := revocationtest.NewMemStore()
	m := revocation.NewMirror(revocation.MirrorOptions{Logger: quiet})
	obs := newRecorder()
	r := fastRevoker(m, obs)
	runRevoker(t, r, st)
	storeIsSet(t, r, st)

	now := time.Now()
	for _, e := range []revocation.Entry{sessionEntry(1, 1, now.Add(time.Hour)), cutoffEntry(2, now, now.Add(time.Hour))} {
		if err := r.Revoke(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		// Both before Revoke returned: in this instance's Mirror, and in the database.
		if !m.Revoked(e.UserID, e.SessionID, now.Add(-time.Minute)) {
			t.Errorf("%+v: not in the Mirror when Revoke returned", e)
		}
		if !stored(t, st.Another(), e) {
			t.Errorf("%+v: not stored when Revoke returned with the store up", e)
		}
	}
	if r.Pending() != 0 || obs.failed("revoke") != 0 {
		t.Fatalf("Pending %d, revoke failures %d; want 0, 0", r.Pending(), obs.failed("revoke"))
	}
}

func TestRevokerRejectsInvalidEntries(t *testing.T) {
	t.Parallel()
	m := revocation.NewMirror(revocation.MirrorOptions{Logger: quiet})
	r := fastRevoker(m, nil)
	for _, e := range []revocation.Entry{
		{SessionID: sid(1), Until: time.Now().Add(time.Hour)},
		{SessionID: sid(1), UserID: 1},
		{UserID: 1, Until: time.Now().Add(time.Hour)},
		{SessionID: sid(1), UserID: 1, Before: time.Now(), Until: time.Now().Add(time.Hour)},
	} {
		if err := r.Revoke(context.Background(), e); err == nil {
			t.Errorf("%+v: Revoke returned nil for an invalid entry", e)
		}
	}
	if m.Len() != 0 || r.Pending() != 0 {
		t.Fatalf("invalid entries changed something: Mirror %d, Pending %d", m.Len(), r.Pending())
	}
}

// TestRevokerAppliesAtOnceWhileTheStoreIsDown, then stores every waiting entry once the store is back,
// reporting what waits through the Observer.
func TestRevokerAppliesAtOnceWhileTheStoreIsDownAndRetries(t *testing.T) {
	t.Parallel()
	st := revocationtest.NewMemStore()
	st.SetDown(true)
	m := revocation.NewMirror(revocation.MirrorOptions{Logger: quiet})
	obs := newRecorder()
	r := fastRevoker(m, obs)
	runRevoker(t, r, st)

	now := time.Now()
	entries := []revocation.Entry{
		sessionEntry(1, 1, now.Add(time.Hour)),
		sessionEntry(1, 2, now.Add(time.Hour)),
		cutoffEntry(2, now, now.Add(time.Hour)),
	}
	for i, e := range entries {
		if err := r.Revoke(context.Background(), e); err != nil {
			t.Fatalf("Revoke with the store down: %v, want nil", err)
		}
		if !m.Revoked(e.UserID, e.SessionID, now.Add(-time.Minute)) {
			t.Fatalf("%+v: not in the Mirror when Revoke returned", e)
		}
		if r.Pending() != i+1 {
			t.Fatalf("Pending %d after %d revocations with the store down", r.Pending(), i+1)
		}
	}
	if last, _ := obs.lastPending(); last != 3 {
		t.Fatalf("Observer.Pending last %d, want 3", last)
	}
	calls := st.Calls("Revoke")
	eventually(t, "Run retries", func() bool { return st.Calls("Revoke") >= calls+3 && obs.failed("revoke") >= 3 })
	if r.Pending() != 3 {
		t.Fatalf("Pending %d while the store is still down, want 3 (never dropped)", r.Pending())
	}

	st.SetDown(false)
	eventually(t, "every waiting entry is stored", func() bool { return r.Pending() == 0 })
	for _, e := range entries {
		if !stored(t, st.Another(), e) {
			t.Errorf("%+v: Pending is 0 but the entry is not stored", e)
		}
	}
	if last, highest := obs.lastPending(); last != 0 || highest != 3 {
		t.Fatalf("Observer.Pending last %d, highest %d; want 0, 3", last, highest)
	}
}

func TestRevokerWithoutRunKeepsEntriesWaiting(t *testing.T) {
	t.Parallel()
	m := revocation.NewMirror(revocation.MirrorOptions{Logger: quiet})
	obs := newRecorder()
	r := fastRevoker(m, obs)
	now := time.Now()
	e := sessionEntry(1, 1, now.Add(time.Hour))
	if err := r.Revoke(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if !m.Revoked(1, sid(1), now) || r.Pending() != 1 {
		t.Fatalf("without a store: Revoked %v, Pending %d; want true, 1", m.Revoked(1, sid(1), now), r.Pending())
	}
	if obs.failed("revoke") != 0 {
		t.Fatal("no store yet counted as a store failure")
	}
	// Run, even late, stores it.
	st := revocationtest.NewMemStore()
	runRevoker(t, r, st)
	eventually(t, "the waiting entry is stored once Run starts", func() bool { return r.Pending() == 0 })
	if !stored(t, st, e) {
		t.Fatal("Pending is 0 but the entry is not stored")
	}
}

// TestRevokerPendingBoundPerUser: one single-session entry more than MaxPendingPerUser turns the user's waiting
// entries into one cutoff at the next second, in force in the Mirror at once.
func TestRevokerPendingBoundPerUser(t *testing.T) {
	t.Parallel()
	clk := newClock(t0)
	m := revocation.NewMirror(revocation.MirrorOptions{Now: clk.Now, Logger: quiet})
	obs := newRecorder()
	r := revocation.NewRevoker(m, revocation.RevokerOptions{Now: clk.Now, Logger: quiet, Observer: obs,
		MaxPendingPerUser: 2})
	for i := range uint64(2) {
		if err := r.Revoke(context.Background(), sessionEntry(1, i+1, t0.Add(time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Revoke(context.Background(), sessionEntry(2, 10, t0.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if r.Pending() != 3 {
		t.Fatalf("Pending %d, want 3", r.Pending())
	}
	// The same session again waits once.
	if err := r.Revoke(context.Background(), sessionEntry(1, 1, t0.Add(2*time.Hour))); err != nil {
		t.Fatal(err)
	}
	if r.Pending() != 3 {
		t.Fatalf("Pending %d after revoking a waiting session again, want 3", r.Pending())
	}
	if err := r.Revoke(context.Background(), sessionEntry(1, 3, t0.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if r.Pending() != 2 {
		t.Fatalf("Pending %d after one entry too many for user 1, want 2 (its cutoff and user 2's entry)", r.Pending())
	}
	if last, _ := obs.lastPending(); last != 2 {
		t.Fatalf("Observer.Pending last %d, want 2", last)
	}
	// Every session of user 1 that logged in so far (this second included) is over; later ones live.
	if !m.Revoked(1, sid(50), t0) || !m.Revoked(1, revocation.SessionID{}, t0.Add(-time.Hour)) {
		t.Fatal("the collapsed cutoff is not in force in the Mirror")
	}
	if m.Revoked(1, sid(50), t0.Add(time.Second)) || m.Revoked(2, sid(50), t0) {
		t.Fatal("the collapsed cutoff ends a later session or another user's")
	}
	// A session entry revoked before the waiting cutoff's second is covered by it.
	if err := r.Revoke(context.Background(), sessionEntry(1, 4, t0.Add(3*time.Hour))); err != nil {
		t.Fatal(err)
	}
	if r.Pending() != 2 {
		t.Fatalf("Pending %d after a session the waiting cutoff covers, want 2", r.Pending())
	}
	clk.Advance(5 * time.Second)
	if err := r.Revoke(context.Background(), sessionEntry(1, 5, t0.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if r.Pending() != 3 {
		t.Fatalf("Pending %d after a session revoked later than the cutoff, want 3", r.Pending())
	}

	// Once stored, the cutoff carries the latest Until of the sessions it stands for.
	st := revocationtest.NewMemStore()
	if err := r.Flush(context.Background()); err == nil {
		t.Fatal("Flush without a store returned nil")
	}
	runRevoker(t, r, st)
	eventually(t, "everything is stored", func() bool { return r.Pending() == 0 })
	entries, _, err := st.Revocations(context.Background(), t0)
	if err != nil {
		t.Fatal(err)
	}
	var cut *revocation.Entry
	for i, e := range entries {
		if e.UserID == 1 && e.SessionID.IsZero() {
			cut = &entries[i]
		}
	}
	if cut == nil || cut.Before.Unix() != t0.Unix()+1 || cut.Until.Unix() != t0.Add(3*time.Hour).Unix() {
		t.Fatalf("stored cutoff %+v; want Before t0+1s, Until t0+3h", cut)
	}
}

// TestRevokerConcurrentRevokesOfOneUser: many sessions of one user ended at once while the database is
// unreachable (run with -race).
func TestRevokerConcurrentRevokesOfOneUser(t *testing.T) {
	t.Parallel()
	m := revocation.NewMirror(revocation.MirrorOptions{Logger: quiet})
	r := revocation.NewRevoker(m, revocation.RevokerOptions{Logger: quiet, MaxPendingPerUser: 2})
	now := time.Now()
	var wg sync.WaitGroup
	var next atomic.Uint64
	for range 4 {
		wg.Go(func() {
			for range 100 {
				if err := r.Revoke(context.Background(), sessionEntry(1, next.Add(1), now.Add(time.Hour))); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if p := r.Pending(); p < 1 || p > 3 {
		t.Fatalf("Pending %d, want at most one cutoff and 2 sessions", p)
	}
	for i := range next.Load() {
		if !m.Revoked(1, sid(i+1), now) {
			t.Fatalf("session %d is not revoked", i+1)
		}
	}
}

// TestRevokerPendingReportsTheLastChange: as for Mirror's Entries, two Revokes racing to report must leave
// Observer.Pending at the final count.
func TestRevokerPendingReportsTheLastChange(t *testing.T) {
	t.Parallel()
	m := revocation.NewMirror(revocation.MirrorOptions{Logger: quiet})
	obs := newRecorder()
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	obs.hookPending = func(n int) {
		if n == 1 {
			once.Do(func() { close(entered); <-release })
		}
	}
	r := fastRevoker(m, obs)
	now := time.Now()
	first := make(chan struct{})
	go func() { defer close(first); _ = r.Revoke(context.Background(), sessionEntry(1, 1, now.Add(time.Hour))) }()
	<-entered
	second := make(chan struct{})
	go func() {
		defer close(second)
		_ = r.Revoke(context.Background(), sessionEntry(2, 2, now.Add(time.Hour)))
	}()
	select {
	case <-second:
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	<-first
	<-second
	if last, _ := obs.lastPending(); last != r.Pending() {
		t.Fatalf("Observer.Pending last reported %d, but %d wait", last, r.Pending())
	}
}

// hanging is a MemStore whose Revoke, once hang is set, answers only when its context ends (a database that
// accepted the connection and never answers).
type hanging struct {
	*revocationtest.MemStore
	hang atomic.Bool
}

func (h *hanging) Revoke(ctx context.Context, e revocation.Entry) error {
	if h.hang.Load() {
		<-ctx.Done()
		return ctx.Err()
	}
	return h.MemStore.Revoke(ctx, e)
}

// TestRevokeHonoursItsContext: Revoke writes "within ctx and CallTimeout": a caller's deadline shorter than
// CallTimeout bounds the write; the entry then waits and is in force here.
func TestRevokeHonoursItsContext(t *testing.T) {
	t.Parallel()
	mem := revocationtest.NewMemStore()
	st := &hanging{MemStore: mem}
	m := revocation.NewMirror(revocation.MirrorOptions{Logger: quiet})
	r := revocation.NewRevoker(m, revocation.RevokerOptions{Logger: quiet, CallTimeout: time.Hour,
		RetryMin: time.Millisecond, RetryMax: 4 * time.Millisecond})
	runRevoker(t, r, st)
	storeIsSet(t, r, mem)
	st.hang.Store(true)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	now := time.Now()
	done := make(chan error, 1)
	go func() { done <- r.Revoke(ctx, sessionEntry(1, 1, now.Add(time.Hour))) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Revoke: %v, want nil (the entry waits)", err)
		}
	case <-time.After(waitFor):
		t.Fatalf("Revoke with a 20ms context still blocked after %s on a database that never answers", waitFor)
	}
	if !m.Revoked(1, sid(1), now) || r.Pending() != 1 {
		t.Fatalf("Revoked %v, Pending %d; want true, 1", m.Revoked(1, sid(1), now), r.Pending())
	}
}

// TestRevokerFlushStoresWhatWaits: at shutdown Run has stopped; Flush stores what waits within its context.
func TestRevokerFlushStoresWhatWaits(t *testing.T) {
	t.Parallel()
	st := revocationtest.NewMemStore()
	st.SetDown(true)
	m := revocation.NewMirror(revocation.MirrorOptions{Logger: quiet})
	obs := newRecorder()
	r := fastRevoker(m, obs)
	stop := runRevoker(t, r, st)
	now := time.Now()
	entries := []revocation.Entry{sessionEntry(1, 1, now.Add(time.Hour)), cutoffEntry(2, now, now.Add(time.Hour)),
		sessionEntry(3, 3, now.Add(time.Hour))}
	for _, e := range entries {
		if err := r.Revoke(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "Run has the store (it tried to write)", func() bool { return st.Calls("Revoke") >= 1 })
	stop()
	if r.Pending() != 3 {
		t.Fatalf("Pending %d after Run stopped with the store down, want 3", r.Pending())
	}

	// The store stays down: Flush gives up when its context ends, and says how many entries still wait.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	err := r.Flush(ctx)
	cancel()
	if err == nil || !strings.Contains(err.Error(), "3 revocations not stored") {
		t.Fatalf("Flush with the store down: %v; want an error naming 3 revocations", err)
	}
	if r.Pending() != 3 {
		t.Fatalf("Pending %d after a failed Flush, want 3", r.Pending())
	}

	st.SetDown(false)
	ctx, cancel = context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := r.Flush(ctx); err != nil {
		t.Fatalf("Flush with the store back: %v", err)
	}
	if r.Pending() != 0 {
		t.Fatalf("Pending %d after Flush, want 0", r.Pending())
	}
	for _, e := range entries {
		if !stored(t, st.Another(), e) {
			t.Errorf("%+v: not stored by Flush", e)
		}
	}
	if last, _ := obs.lastPending(); last != 0 {
		t.Fatalf("Observer.Pending last %d, want 0", last)
	}
	// Nothing waits: Flush returns nil at once, even with an ended context.
	ended, cancelEnded := context.WithCancel(context.Background())
	cancelEnded()
	if err := r.Flush(ended); err != nil {
		t.Fatalf("Flush with nothing waiting: %v", err)
	}
}

// TestRevokerFlushWithoutStore: Flush "returns an error naming how many entries are still waiting when ctx ends
// first or no Store was ever given": with no Store it cannot store anything, and must say so without waiting
// for a context that may never end.
func TestRevokerFlushWithoutStore(t *testing.T) {
	t.Parallel()
	m := revocation.NewMirror(revocation.MirrorOptions{Logger: quiet})
	r := fastRevoker(m, nil)
	if err := r.Revoke(context.Background(), sessionEntry(1, 1, time.Now().Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- r.Flush(context.Background()) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "1 revocations not stored") {
			t.Fatalf("Flush without a store: %v; want an error naming 1 revocation", err)
		}
	case <-time.After(waitFor):
		t.Fatalf("Flush without a store and with a context that never ends still runs after %s", waitFor)
	}
	if r.Pending() != 1 {
		t.Fatalf("Pending %d, want 1", r.Pending())
	}
}
