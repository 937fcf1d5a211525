package revocation_test

import (
	"context"
	"maps"
	"runtime"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/revocation"
	"github.com/anitab-org/bridge-in-tech-bff/revocation/revocationtest"
)

// benchEntries is the benchmarks' population: half revoked session ids (users 1..n/2), half per-user cutoffs
// (users n/2+1..n), all live for an hour after now.
func benchEntries(n int, now time.Time) []revocation.Entry {
	out := make([]revocation.Entry, 0, n)
	for i := range n / 2 {
		out = append(out, sessionEntry(int64(i+1), uint64(i+1), now.Add(time.Hour)))
	}
	for i := n / 2; i < n; i++ {
		out = append(out, cutoffEntry(int64(i+1), now.Add(-time.Minute), now.Add(time.Hour)))
	}
	return out
}

// BenchmarkMirrorRevoked is the check on every request, with 100,000 live entries (50,000 session ids and
// 50,000 per-user cutoffs).
func BenchmarkMirrorRevoked(b *testing.B) {
	const n = 100_000
	m := revocation.NewMirror(revocation.MirrorOptions{Logger: quiet})
	now := time.Now()
	for _, e := range benchEntries(n, now) {
		m.Add(e)
	}
	if m.Len() != n {
		b.Fatalf("Len %d, want %d", m.Len(), n)
	}
	loginAt := now.Add(-time.Hour)
	for _, bc := range []struct {
		name string
		user func(i int) int64
		id   func(i int) revocation.SessionID
		want bool
	}{
		{"revoked_id", func(i int) int64 { return int64(i%(n/2) + 1) }, func(i int) revocation.SessionID { return sid(uint64(i%(n/2) + 1)) }, true},
		{"cutoff", func(i int) int64 { return int64(n/2 + i%(n/2) + 1) }, func(i int) revocation.SessionID { return sid(uint64(n + i%(n/2) + 1)) }, true},
		{"live", func(i int) int64 { return int64(n + i%(n/2) + 1) }, func(i int) revocation.SessionID { return sid(uint64(2*n + i%(n/2) + 1)) }, false},
	} {
		// Keys are made before the loop so that the loop measures Revoked alone.
		users := make([]int64, 4096)
		ids := make([]revocation.SessionID, 4096)
		for i := range users {
			users[i], ids[i] = bc.user(i*12+7), bc.id(i*12+7)
			if m.Revoked(users[i], ids[i], loginAt) != bc.want {
				b.Fatalf("%s: Revoked(%d) = %v, want %v", bc.name, users[i], !bc.want, bc.want)
			}
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				k := i & 4095
				m.Revoked(users[k], ids[k], loginAt)
				i++
			}
		})
		b.Run(bc.name+"_parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					k := i & 4095
					m.Revoked(users[k], ids[k], loginAt)
					i++
				}
			})
		})
	}
}

// BenchmarkMirrorSnapshotClone measures the alternative Mirror's comment turns down: an atomic snapshot, copied
// for every revocation. It clones maps of the Mirror's shapes (50,000 session ids, 50,000 cutoffs).
func BenchmarkMirrorSnapshotClone(b *testing.B) {
	const n = 100_000
	sessions := make(map[revocation.SessionID]int64, n/2)
	users := make(map[int64][2]int64, n/2)
	for i := range n / 2 {
		sessions[sid(uint64(i+1))] = int64(i)
		users[int64(i+1)] = [2]int64{int64(i), int64(i)}
	}
	b.ReportAllocs()
	for b.Loop() {
		s, u := maps.Clone(sessions), maps.Clone(users)
		s[sid(0)] = 0
		_ = u
	}
}

// preloaded is a MemStore whose Revocations answers from rows prepared once, exactly as MemStore.Revocations
// does (it filters its rows by Until into a new slice; times in whole seconds, UTC). Filling a real MemStore
// with 100,000 entries takes about a minute (its Revoke looks for the entry's key among every stored row), too
// long to pay at every benchmark run; the other calls (watch, catch-up, purge) are the embedded MemStore's.
type preloaded struct {
	*revocationtest.MemStore
	rows []revocation.Entry
}

func (p *preloaded) Revocations(ctx context.Context, now time.Time) ([]revocation.Entry, int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	var out []revocation.Entry
	for _, e := range p.rows {
		if e.Until.Unix() > now.Unix() {
			out = append(out, e)
		}
	}
	return out, 0, nil
}

// BenchmarkMirrorLoad100k is an instance's start: Run loads 100,000 live entries (50,000 session ids, 50,000
// per-user cutoffs) from the store until Ready. heap-B/entry is the Mirror's retained heap per entry once loaded
// (the store's answer collected).
func BenchmarkMirrorLoad100k(b *testing.B) {
	const n = 100_000
	now := time.Now()
	ctx := context.Background()
	st := &preloaded{MemStore: revocationtest.NewMemStore()}
	for _, e := range benchEntries(n, now) {
		e.Until = time.Unix(e.Until.Unix()+1, 0).UTC() // as a database gives it back
		if e.SessionID.IsZero() {
			e.Before = time.Unix(e.Before.Unix(), 0).UTC()
		}
		st.rows = append(st.rows, e)
	}
	load := func() (*revocation.Mirror, func()) {
		m := revocation.NewMirror(revocation.MirrorOptions{Logger: quiet, CatchUpEvery: time.Hour})
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- m.Run(rctx, st) }()
		for !m.Ready() {
			runtime.Gosched()
		}
		return m, func() {
			cancel()
			if err := <-done; err != nil {
				b.Error(err)
			}
		}
	}

	// Retained heap per entry, measured once.
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m, stop := load()
	stop()
	runtime.GC()
	runtime.ReadMemStats(&after)
	if m.Len() != n {
		b.Fatalf("Len %d after load, want %d", m.Len(), n)
	}
	perEntry := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n
	runtime.KeepAlive(m)

	b.ReportAllocs()
	for b.Loop() {
		_, stop := load()
		b.StopTimer()
		stop()
		b.StartTimer()
	}
	b.ReportMetric(perEntry, "heap-B/entry")
}
