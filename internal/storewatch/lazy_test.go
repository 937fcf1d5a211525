package storewatch

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/bit/sqlitestore"
)

// failingThenOpening returns an OpenFunc that fails fails times (as an unreachable database does) and then opens
// an SQLite store in a fresh folder, counting its calls.
func failingThenOpening(t *testing.T, fails int, calls *atomic.Int64) OpenFunc {
	path := filepath.Join(t.TempDir(), "bit.db")
	return func(ctx context.Context) (bit.Store, error) {
		if calls.Add(1) <= int64(fails) {
			return nil, errors.New("connection refused")
		}
		return sqlitestore.Open(ctx, path)
	}
}

func TestLazyAnswersNotOpenUntilItOpensThenServes(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	l := NewLazy(failingThenOpening(t, 2, &calls), nil)
	t.Cleanup(func() { _ = l.Close() })
	var handed bit.Store
	var servedBeforeHook atomic.Bool
	l.OnOpen(func(ctx context.Context, st bit.Store) {
		handed = st
		servedBeforeHook.Store(l.IsOpen())
	})
	w := Wrap(l, time.Second, nil)
	if w.Up() || w.IsOpen() {
		t.Fatal("a store that has not opened starts up")
	}
	if _, err := w.PutAdditionalInfo(t.Context(), bit.AdditionalInfo{UserID: 1, Timezone: "UTC"}); !errors.Is(err, ErrNotOpen) ||
		!errors.Is(err, bit.ErrUnavailable) {
		t.Fatalf("a write before the store opens: %v", err)
	}
	if err := l.Run(t.Context()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	select {
	case <-l.Ready():
	default:
		t.Fatal("Ready is not closed once the store opened")
	}
	if calls.Load() != 3 {
		t.Errorf("%d attempts, want 3 (two failures, then the opening)", calls.Load())
	}
	if _, ok := handed.(*sqlitestore.Store); !ok || handed != l.Opened() {
		t.Errorf("OnOpen got %T, not the concrete store opened", handed)
	}
	if servedBeforeHook.Load() {
		t.Error("the store was in use before the OnOpen functions ran")
	}
	if _, err := w.PutAdditionalInfo(t.Context(), bit.AdditionalInfo{UserID: 1, Timezone: "UTC"}); err != nil {
		t.Fatalf("a write once open: %v", err)
	}
	if !w.Up() || !w.IsOpen() {
		t.Error("the wrapper does not say up once the store answered")
	}
	var late bit.Store
	var lateCtx context.Context
	l.OnOpen(func(ctx context.Context, st bit.Store) { late, lateCtx = st, ctx })
	if late != l.Opened() {
		t.Error("a function registered after the opening was not called at once")
	}
	if lateCtx == nil || lateCtx.Done() == nil {
		t.Error("a function registered after the opening did not get the opening's context (it could never stop)")
	}
}

func TestLazyRunEndsWithItsContextWhileTheDatabaseStaysDown(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	l := NewLazy(failingThenOpening(t, 1<<30, &calls), nil)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	for calls.Load() < 2 {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want the context's end", err)
	}
	if l.IsOpen() || l.Ping(t.Context()) == nil {
		t.Error("a store that never opened answers")
	}
}

func TestLazyClosedBeforeItOpensClosesWhatItOpensLate(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	l := NewLazy(failingThenOpening(t, 0, &calls), nil)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Run(t.Context()); !errors.Is(err, ErrNotOpen) {
		t.Fatalf("Run after Close = %v, want ErrNotOpen", err)
	}
	if l.IsOpen() {
		t.Error("a closed Lazy put a store in use")
	}
}

// unknownWrites is a store whose every write reports an unknown outcome, as pgstore does for an unanswered COMMIT.
type unknownWrites struct{ bit.Store }

func (unknownWrites) PutAdditionalInfo(context.Context, bit.AdditionalInfo) (bool, error) {
	return false, bit.ErrOutcomeUnknown
}

func TestAWriteOfUnknownOutcomeIsPassedOnNotCalledUnavailable(t *testing.T) {
	t.Parallel()
	st, _ := open(t)
	rec := &recorder{}
	w := Wrap(unknownWrites{st}, time.Second, rec)
	_, err := w.PutAdditionalInfo(t.Context(), bit.AdditionalInfo{UserID: 1, Timezone: "UTC"})
	if !errors.Is(err, bit.ErrOutcomeUnknown) || errors.Is(err, bit.ErrUnavailable) {
		t.Fatalf("err = %v: want ErrOutcomeUnknown and not ErrUnavailable", err)
	}
	if rec.last() != "additional_info_put unknown" {
		t.Errorf("recorded %q", rec.last())
	}
	if bit.ErrorStatus(err) != 504 {
		t.Errorf("status %d, want 504", bit.ErrorStatus(err))
	}
}
