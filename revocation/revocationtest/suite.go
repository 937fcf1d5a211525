// Package revocationtest is the contract every revocation.Store passes, written once and run against SQLite
// (bit/sqlitestore's tests), PostgreSQL (bit/pgstore's tests) and MemStore, the in-memory Store this package
// also offers for unit tests of the Store's callers.
package revocationtest

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/revocation"
)

// Opener opens a store on one database; each call returns a new store (another instance) on the same database.
type Opener func(ctx context.Context) (revocation.Store, error)

// Harness is what the suite needs of one kind of store.
type Harness struct {
	// NewDatabase returns an Opener of a fresh, empty database for one test (removed at its cleanup).
	NewDatabase func(tb testing.TB) Opener
	// BreakWatch makes st's running WatchRevocations lose its connection (PostgreSQL: terminate the listening
	// backend; SQLite: close the store). It is called once the watch has woken for the first time.
	BreakWatch func(tb testing.TB, st revocation.Store)
}

// wait bounds every wait for a wake in the suite: generous on a busy machine, short enough to fail clearly.
const wait = 10 * time.Second

// Run runs the whole contract. Subtests run in parallel, each on its own database.
func Run(t *testing.T, h Harness) {
	for _, tc := range []struct {
		name string
		test func(t *testing.T, h Harness)
	}{
		{"revoked sessions and cutoffs load back whole with a cursor", testRevokeAndLoad},
		{"since a cursor gives only what was stored after it, expired or not, and a new cursor", testSince},
		{"storing an entry twice keeps one, and a later end replaces it with a new cursor", testIdempotent},
		{"entries past their end are not loaded", testUntilFilter},
		{"purge forgets ended revocations, logins and failure windows and keeps the rest", testPurge},
		{"parallel revocations from two instances are all seen by a reader following the cursor", testParallelCursor},
		{"a watch wakes when another instance stores a revocation", testWatchWakesOtherInstance},
		{"a watch returns an error when its connection is lost", testWatchLost},
		{"a watch returns when its context ends", testWatchContextEnds},
		{"logins list the user's live sessions, newest first", testLogins},
		{"login failures count within a window and start again after it", testLoginFailureWindow},
		{"parallel login failures of one key count 1 to 100 with no duplicates", testParallelLoginFailures},
		{"an ended context makes calls fail", testContextEnded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, h)
		})
	}
}

// open opens one more store on the database opener names, closed at cleanup.
func open(tb testing.TB, o Opener) revocation.Store {
	tb.Helper()
	s, err := o(context.Background())
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	if c, ok := s.(io.Closer); ok {
		tb.Cleanup(func() { _ = c.Close() })
	}
	return s
}

// base is the fixed "now" of the suite: whole seconds, UTC.
var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func sid(b byte) revocation.SessionID {
	var id revocation.SessionID
	for i := range id {
		id[i] = b + byte(i)
	}
	return id
}

func sessionEntry(id byte, user int64, until time.Duration) revocation.Entry {
	return revocation.Entry{SessionID: sid(id), UserID: user, Until: base.Add(until)}
}

func cutoffEntry(user int64, before, until time.Duration) revocation.Entry {
	return revocation.Entry{UserID: user, Before: base.Add(before), Until: base.Add(until)}
}

func mustRevoke(t *testing.T, s revocation.Store, entries ...revocation.Entry) {
	t.Helper()
	for _, e := range entries {
		if err := s.Revoke(t.Context(), e); err != nil {
			t.Fatalf("revoke %+v: %v", e, err)
		}
	}
}

// key orders entries for comparison.
func key(e revocation.Entry) string {
	return fmt.Sprintf("%x/%d/%d/%d", e.SessionID, e.UserID, e.Before.Unix(), e.Until.Unix())
}

// sameEntries compares entries as sets, times by instant.
func sameEntries(t *testing.T, what string, got, want []revocation.Entry) {
	t.Helper()
	g := make([]string, len(got))
	for i, e := range got {
		g[i] = key(e)
		if !e.Before.IsZero() && e.Before.Location() != time.UTC || e.Until.Location() != time.UTC {
			t.Errorf("%s: times are not UTC: %+v", what, e)
		}
	}
	w := make([]string, len(want))
	for i, e := range want {
		w[i] = key(e)
	}
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Errorf("%s:\n got %v\nwant %v", what, g, w)
	}
}

func testRevokeAndLoad(t *testing.T, h Harness) {
	s := open(t, h.NewDatabase(t))
	entries, cursor, err := s.Revocations(t.Context(), base)
	if err != nil || len(entries) != 0 || cursor != 0 {
		t.Fatalf("empty database: %v, cursor %d, %v", entries, cursor, err)
	}
	a := sessionEntry(1, 7, time.Hour)
	b := cutoffEntry(7, -time.Minute, 2*time.Hour)
	c := revocation.Entry{SessionID: sid(40), UserID: 1<<63 - 1, Until: base.Add(time.Hour)}
	mustRevoke(t, s, a, b, c)
	entries, cursor, err = s.Revocations(t.Context(), base)
	if err != nil {
		t.Fatal(err)
	}
	sameEntries(t, "loaded", entries, []revocation.Entry{a, b, c})
	if cursor <= 0 {
		t.Errorf("cursor = %d, want > 0", cursor)
	}
	next, after, err := s.RevocationsSince(t.Context(), cursor)
	if err != nil || len(next) != 0 || after != cursor {
		t.Errorf("since the load's cursor: %v, %d, %v; want nothing and the same cursor", next, after, err)
	}
	if err := s.Revoke(t.Context(), revocation.Entry{UserID: 7}); err == nil {
		t.Error("an invalid entry was stored")
	}
}

func testSince(t *testing.T, h Harness) {
	s := open(t, h.NewDatabase(t))
	a := sessionEntry(1, 7, time.Hour)
	mustRevoke(t, s, a)
	got, c1, err := s.RevocationsSince(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	sameEntries(t, "since 0", got, []revocation.Entry{a})
	expired := sessionEntry(2, 8, -time.Hour) // Since gives it; the reader decides
	b := cutoffEntry(9, 0, time.Hour)
	mustRevoke(t, s, expired, b)
	got, c2, err := s.RevocationsSince(t.Context(), c1)
	if err != nil {
		t.Fatal(err)
	}
	sameEntries(t, "since the first cursor", got, []revocation.Entry{expired, b})
	if c2 <= c1 {
		t.Errorf("cursor went from %d to %d, want it to grow", c1, c2)
	}
	got, c3, err := s.RevocationsSince(t.Context(), c2)
	if err != nil || len(got) != 0 || c3 != c2 {
		t.Errorf("since the last cursor: %v, %d, %v; want nothing and the same cursor %d", got, c3, err, c2)
	}
	_, loadCursor, err := s.Revocations(t.Context(), base)
	if err != nil || loadCursor != c2 {
		t.Errorf("load cursor = %d (%v), want the last cursor %d", loadCursor, err, c2)
	}
}

func testIdempotent(t *testing.T, h Harness) {
	s := open(t, h.NewDatabase(t))
	a := sessionEntry(1, 7, time.Hour)
	b := cutoffEntry(7, 0, time.Hour)
	mustRevoke(t, s, a, b)
	_, c1, err := s.RevocationsSince(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	mustRevoke(t, s, a, b, sessionEntry(1, 7, time.Minute)) // the same again, and an earlier end
	got, c2, err := s.RevocationsSince(t.Context(), c1)
	if err != nil || len(got) != 0 || c2 != c1 {
		t.Errorf("after storing the same entries again: %v, cursor %d→%d, %v; want nothing new", got, c1, c2, err)
	}
	later := sessionEntry(1, 7, 3*time.Hour)
	mustRevoke(t, s, later)
	got, c3, err := s.RevocationsSince(t.Context(), c2)
	if err != nil {
		t.Fatal(err)
	}
	sameEntries(t, "after a later end", got, []revocation.Entry{later})
	if c3 <= c2 {
		t.Errorf("cursor %d→%d, want it to grow", c2, c3)
	}
	all, _, err := s.Revocations(t.Context(), base)
	if err != nil {
		t.Fatal(err)
	}
	sameEntries(t, "loaded", all, []revocation.Entry{later, b})
}

func testUntilFilter(t *testing.T, h Harness) {
	s := open(t, h.NewDatabase(t))
	live := sessionEntry(1, 7, time.Second)
	endsNow := sessionEntry(2, 7, 0)
	past := cutoffEntry(8, -2*time.Hour, -time.Hour)
	mustRevoke(t, s, live, endsNow, past)
	got, _, err := s.Revocations(t.Context(), base)
	if err != nil {
		t.Fatal(err)
	}
	sameEntries(t, "loaded at base", got, []revocation.Entry{live})
	got, _, err = s.Revocations(t.Context(), base.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	sameEntries(t, "loaded a second later", got, nil)
}

func testPurge(t *testing.T, h Harness) {
	s := open(t, h.NewDatabase(t))
	live := sessionEntry(1, 7, time.Hour)
	over := cutoffEntry(7, -time.Hour, -time.Minute)
	mustRevoke(t, s, live, over)
	for _, r := range []revocation.Record{
		{SessionID: sid(1), UserID: 7, LoginAt: base.Add(-time.Hour), Until: base.Add(time.Hour), Device: "live"},
		{SessionID: sid(2), UserID: 7, LoginAt: base.Add(-2 * time.Hour), Until: base.Add(-time.Second), Device: "over"},
	} {
		if err := s.RecordLogin(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
	for _, at := range []time.Time{base.Add(-time.Hour), base} {
		if _, err := s.AddLoginFailure(t.Context(), fmt.Sprint("key", at.Unix()), at, 30*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PurgeRevocations(t.Context(), base); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.RevocationsSince(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	sameEntries(t, "every stored entry after the purge", got, []revocation.Entry{live})
	// Logins filters by now itself; read at a time before both ends to see what the purge left.
	recs, err := s.Logins(t.Context(), 7, base.Add(-3*time.Hour))
	if err != nil || len(recs) != 1 || recs[0].Device != "live" {
		t.Errorf("records after the purge: %+v, %v; want the live one", recs, err)
	}
	old := fmt.Sprint("key", base.Add(-time.Hour).Unix())
	// Read at the old key's first failure: only a purge can have made it 0.
	if n, err := s.LoginFailures(t.Context(), old, base.Add(-time.Hour), 30*time.Minute); err != nil || n != 0 {
		t.Errorf("failures of a purged window = %d, %v; want 0", n, err)
	}
	if n, err := s.LoginFailures(t.Context(), fmt.Sprint("key", base.Unix()), base, 30*time.Minute); err != nil || n != 1 {
		t.Errorf("failures of a live window = %d, %v; want 1", n, err)
	}
}

func testParallelCursor(t *testing.T, h Harness) {
	o := h.NewDatabase(t)
	writers := []revocation.Store{open(t, o), open(t, o)}
	reader := open(t, o)
	const n = 60
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- writers[i%2].Revoke(t.Context(), sessionEntry(byte(i), int64(i+1), time.Hour))
		})
	}
	seen := map[revocation.SessionID]bool{}
	cursor := int64(0)
	follow := func() {
		got, next, err := reader.RevocationsSince(t.Context(), cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range got {
			seen[e.SessionID] = true
		}
		cursor = next
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
			follow()
		}
	}
	follow() // once more after every write returned
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != n {
		t.Errorf("a reader following the cursor saw %d of %d entries: a later cursor overtook an entry", len(seen), n)
	}
}

// watch runs st's watch in the background and returns its wakes, its result and a stop that waits for it.
func watch(t *testing.T, st revocation.Store) (wakes <-chan struct{}, done <-chan error, stop func()) {
	ctx, cancel := context.WithCancel(t.Context())
	w := make(chan struct{}, 1)
	d := make(chan error, 1)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		d <- st.WatchRevocations(ctx, func() {
			select {
			case w <- struct{}{}:
			default:
			}
		})
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-finished }) }
	t.Cleanup(stop)
	return w, d, stop
}

func waitWake(t *testing.T, wakes <-chan struct{}, done <-chan error, what string) {
	t.Helper()
	select {
	case <-wakes:
	case err := <-done:
		t.Fatalf("%s: the watch returned instead: %v", what, err)
	case <-time.After(wait):
		t.Fatalf("%s: no wake within %v", what, wait)
	}
}

func testWatchWakesOtherInstance(t *testing.T, h Harness) {
	o := h.NewDatabase(t)
	writer, watcher := open(t, o), open(t, o)
	wakes, done, _ := watch(t, watcher)
	waitWake(t, wakes, done, "the watch's start")
	_, cursor, err := watcher.Revocations(t.Context(), base)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		e := sessionEntry(byte(10*i), 7, time.Hour)
		mustRevoke(t, writer, e)
		waitWake(t, wakes, done, fmt.Sprintf("revocation %d by another instance", i+1))
		got, next, err := watcher.RevocationsSince(t.Context(), cursor)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(got, func(g revocation.Entry) bool { return g.SessionID == e.SessionID }) {
			t.Fatalf("after the wake, since %d gave %v without the new entry", cursor, got)
		}
		cursor = next
	}
}

func testWatchLost(t *testing.T, h Harness) {
	st := open(t, h.NewDatabase(t))
	wakes, done, _ := watch(t, st)
	waitWake(t, wakes, done, "the watch's start")
	h.BreakWatch(t, st)
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the watch returned nil after losing its connection; want an error")
		}
	case <-time.After(wait):
		t.Fatalf("the watch did not return within %v of losing its connection", wait)
	}
}

func testWatchContextEnds(t *testing.T, h Harness) {
	st := open(t, h.NewDatabase(t))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	started := make(chan struct{}, 1)
	go func() {
		done <- st.WatchRevocations(ctx, func() {
			select {
			case started <- struct{}{}:
			default:
			}
		})
	}()
	select {
	case <-started:
	case <-time.After(wait):
		t.Fatal("the watch did not start")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(wait):
		t.Fatalf("the watch did not return within %v of its context ending", wait)
	}
}

func testLogins(t *testing.T, h Harness) {
	s := open(t, h.NewDatabase(t))
	recs := []revocation.Record{
		{SessionID: sid(1), UserID: 7, LoginAt: base.Add(-3 * time.Hour), Until: base.Add(time.Hour), Device: "Firefox on Linux"},
		{SessionID: sid(2), UserID: 7, LoginAt: base.Add(-time.Hour), Until: base.Add(time.Hour), Device: "Safari on iOS — ünïcode"},
		{SessionID: sid(3), UserID: 7, LoginAt: base.Add(-2 * time.Hour), Until: base.Add(time.Hour), Device: ""},
		{SessionID: sid(4), UserID: 7, LoginAt: base.Add(-5 * time.Hour), Until: base, Device: "ended"},
		{SessionID: sid(5), UserID: 8, LoginAt: base.Add(-time.Hour), Until: base.Add(time.Hour), Device: "another user"},
	}
	for _, r := range recs {
		if err := s.RecordLogin(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RecordLogin(t.Context(), recs[0]); err != nil {
		t.Fatalf("recording a login twice: %v", err)
	}
	got, err := s.Logins(t.Context(), 7, base)
	if err != nil {
		t.Fatal(err)
	}
	want := []revocation.Record{recs[1], recs[2], recs[0]}
	if len(got) != len(want) {
		t.Fatalf("logins = %+v, want %+v", got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.SessionID != w.SessionID || g.UserID != w.UserID || !g.LoginAt.Equal(w.LoginAt) ||
			!g.Until.Equal(w.Until) || g.Device != w.Device || g.LoginAt.Location() != time.UTC {
			t.Errorf("login %d = %+v, want %+v", i, g, w)
		}
	}
	if got, err := s.Logins(t.Context(), 9, base); err != nil || len(got) != 0 {
		t.Errorf("logins of a user with none = %v, %v", got, err)
	}
}

func testLoginFailureWindow(t *testing.T, h Harness) {
	s := open(t, h.NewDatabase(t))
	const w = 15 * time.Minute
	steps := []struct {
		name string
		at   time.Duration
		add  bool
		want int
	}{
		{"no failure yet", 0, false, 0},
		{"the first failure opens the window", 0, true, 1},
		{"a second inside the window", 5 * time.Minute, true, 2},
		{"a third just before the window ends", w - time.Second, true, 3},
		{"read inside the window", w - time.Second, false, 3},
		{"read when the window is over", w, false, 0},
		{"a failure after the window starts a new one", w + time.Minute, true, 1},
		{"the new window counts on", w + 2*time.Minute, true, 2},
	}
	for _, st := range steps {
		var n int
		var err error
		if st.add {
			n, err = s.AddLoginFailure(t.Context(), "user:grace", base.Add(st.at), w)
		} else {
			n, err = s.LoginFailures(t.Context(), "user:grace", base.Add(st.at), w)
		}
		if err != nil || n != st.want {
			t.Fatalf("%s: %d, %v; want %d", st.name, n, err, st.want)
		}
	}
	if n, err := s.LoginFailures(t.Context(), "user:other", base, w); err != nil || n != 0 {
		t.Errorf("another key: %d, %v; want 0", n, err)
	}
	if err := s.ClearLoginFailures(t.Context(), "user:grace"); err != nil {
		t.Fatal(err)
	}
	if n, err := s.LoginFailures(t.Context(), "user:grace", base.Add(w+2*time.Minute), w); err != nil || n != 0 {
		t.Errorf("after clearing: %d, %v; want 0", n, err)
	}
	if n, err := s.AddLoginFailure(t.Context(), "user:grace", base.Add(w+3*time.Minute), w); err != nil || n != 1 {
		t.Errorf("first failure after clearing: %d, %v; want 1", n, err)
	}
}

func testParallelLoginFailures(t *testing.T, h Harness) {
	o := h.NewDatabase(t)
	stores := []revocation.Store{open(t, o), open(t, o)}
	const n = 100
	counts := make(chan int, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c, err := stores[i%2].AddLoginFailure(t.Context(), "ip:192.0.2.1", base, time.Hour)
			if err != nil {
				errs <- err
				return
			}
			counts <- c
		})
	}
	wg.Wait()
	close(counts)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var got []int
	for c := range counts {
		got = append(got, c)
	}
	slices.Sort(got)
	for i, c := range got {
		if c != i+1 {
			t.Fatalf("counts = %v, want 1..%d each once", got, n)
		}
	}
	if len(got) != n {
		t.Fatalf("%d counts, want %d", len(got), n)
	}
}

func testContextEnded(t *testing.T, h Harness) {
	s := open(t, h.NewDatabase(t))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for name, call := range map[string]func() error{
		"Revoke":           func() error { return s.Revoke(ctx, sessionEntry(1, 7, time.Hour)) },
		"Revocations":      func() error { _, _, err := s.Revocations(ctx, base); return err },
		"RevocationsSince": func() error { _, _, err := s.RevocationsSince(ctx, 0); return err },
		"Logins":           func() error { _, err := s.Logins(ctx, 7, base); return err },
		"AddLoginFailure":  func() error { _, err := s.AddLoginFailure(ctx, "k", base, time.Minute); return err },
		"WatchRevocations": func() error { return s.WatchRevocations(ctx, func() {}) },
	} {
		if err := call(); err == nil {
			t.Errorf("%s with an ended context: no error", name)
		}
	}
}
