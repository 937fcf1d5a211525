package storewatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

// ErrNotOpen is what a Lazy answers before its database is open: it wraps bit.ErrUnavailable (a BridgeInTech
// route answers 503) and says why.
var ErrNotOpen = fmt.Errorf("%w: the database has not been opened yet", bit.ErrUnavailable)

// OpenFunc opens the concrete store and applies its migrations; Lazy calls it until it succeeds.
type OpenFunc func(ctx context.Context) (bit.Store, error)

// Backoff between opening attempts: the first wait, doubled after each failure up to the last.
const (
	firstBackoff = 250 * time.Millisecond
	maxBackoff   = 4 * time.Second
)

// Lazy is a bit.Store whose database is opened in the background, so the process can serve everything that
// does not need it while the database is down at start. Until Run has opened the store, every call answers an
// error wrapping ErrNotOpen (so bit.ErrUnavailable); afterwards every call goes to the opened store.
//
// Other components that need the database start from it: OnOpen registers a function called once with the
// opened store itself (the concrete value OpenFunc returned, e.g. a *pgstore.Store, so a caller can assert a
// second interface it implements, such as revocation.Store), and Ready returns a channel closed at that moment.
type Lazy struct {
	open   OpenFunc
	logger *slog.Logger

	store atomic.Pointer[bit.Store]
	ready chan struct{}

	mu      sync.Mutex
	hooks   []func(context.Context, bit.Store)
	openCtx context.Context // the context the store was opened with, for OnOpen functions registered later
	closed  bool
}

// NewLazy returns a Lazy that will open its store with open once Run is called. logger (nil: none) receives one
// warning per failed attempt.
func NewLazy(open OpenFunc, logger *slog.Logger) *Lazy {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Lazy{open: open, logger: logger, ready: make(chan struct{})}
}

// OnOpen registers f, called once with the context given to TryOpen or Run (keep it for work that lasts as long
// as the store: it ends when the caller stops the store) and the opened store, before the store is put in use and
// Ready is closed: what f prepares (demo data, a loaded copy of a table) is there before the first call reaches
// the store. Functions run one after the other in Run's goroutine, in registration order, and delay the opening
// while they run: one that has long work to do (e.g. keeping a copy of a table current) starts its own goroutine.
// A function registered after the store opened is called at once, in the caller's goroutine, with the context
// the store was opened with.
func (l *Lazy) OnOpen(f func(ctx context.Context, st bit.Store)) {
	l.mu.Lock()
	if st := l.store.Load(); st != nil {
		ctx := l.openCtx
		l.mu.Unlock()
		f(ctx, *st)
		return
	}
	l.hooks = append(l.hooks, f)
	l.mu.Unlock()
}

// Ready returns a channel closed once the store is open.
func (l *Lazy) Ready() <-chan struct{} { return l.ready }

// IsOpen reports whether the store is open.
func (l *Lazy) IsOpen() bool { return l.store.Load() != nil }

// Opened returns the opened store (the value OpenFunc returned), or nil before it is open.
func (l *Lazy) Opened() bit.Store {
	if st := l.store.Load(); st != nil {
		return *st
	}
	return nil
}

// TryOpen makes one attempt at opening the store, bounded by within (0: by ctx only); on success it runs the
// OnOpen functions with ctx (not bounded by within, so a function may keep it for work that lasts) and puts the
// store in use. It returns the attempt's error (nil once the store is open).
func (l *Lazy) TryOpen(ctx context.Context, within time.Duration) error {
	if l.IsOpen() {
		return nil
	}
	actx, cancel := ctx, context.CancelFunc(func() {})
	if within > 0 {
		actx, cancel = context.WithTimeout(ctx, within)
	}
	st, err := l.open(actx)
	cancel()
	if err != nil {
		return err
	}
	return l.opened(ctx, st)
}

// Run opens the store, trying again with a growing pause (250 ms doubling up to 4 s) until it opens or ctx ends
// (then it returns ctx's error). Then it runs the OnOpen functions, puts the store in use and returns nil. A URL
// that can never work is the caller's to refuse before (bit/storeopen.Check): here every failure is tried again.
func (l *Lazy) Run(ctx context.Context) error {
	wait := firstBackoff
	for attempt := 1; ; attempt++ {
		err := l.TryOpen(ctx, 0)
		if err == nil || errors.Is(err, ErrNotOpen) { // open, or closed meanwhile
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		l.logger.Warn("database not open yet; BridgeInTech routes answer 503 until it is", "attempt", attempt,
			"retry_in_ms", wait.Milliseconds(), "error", err.Error())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, maxBackoff)
	}
}

// opened runs the OnOpen functions (those registered meanwhile too), then publishes st; a store opened after
// Close is closed at once.
func (l *Lazy) opened(ctx context.Context, st bit.Store) error {
	for {
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			_ = st.Close()
			return ErrNotOpen
		}
		hooks := l.hooks
		l.hooks = nil
		if len(hooks) == 0 {
			l.openCtx = ctx
			l.store.Store(&st)
			close(l.ready)
			l.mu.Unlock()
			return nil
		}
		l.mu.Unlock()
		for _, f := range hooks {
			f(ctx, st)
		}
	}
}

// get returns the opened store or ErrNotOpen.
func (l *Lazy) get() (bit.Store, error) {
	if st := l.store.Load(); st != nil {
		return *st, nil
	}
	return nil, ErrNotOpen
}

// Close closes the opened store (once: later calls do nothing); a store Run opens later is closed at once.
func (l *Lazy) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	if st := l.store.Load(); st != nil {
		return (*st).Close()
	}
	return nil
}

// via runs fn on the opened store, or answers ErrNotOpen.
func via[T any](l *Lazy, fn func(bit.Store) (T, error)) (T, error) {
	st, err := l.get()
	if err != nil {
		var zero T
		return zero, err
	}
	return fn(st)
}

func (l *Lazy) AdditionalInfo(ctx context.Context, userID int64) (bit.AdditionalInfo, error) {
	return via(l, func(st bit.Store) (bit.AdditionalInfo, error) { return st.AdditionalInfo(ctx, userID) })
}

func (l *Lazy) PutAdditionalInfo(ctx context.Context, a bit.AdditionalInfo) (bool, error) {
	return via(l, func(st bit.Store) (bool, error) { return st.PutAdditionalInfo(ctx, a) })
}

func (l *Lazy) PersonalBackground(ctx context.Context, userID int64) (bit.PersonalBackground, error) {
	return via(l, func(st bit.Store) (bit.PersonalBackground, error) { return st.PersonalBackground(ctx, userID) })
}

func (l *Lazy) PutPersonalBackground(ctx context.Context, b bit.PersonalBackground) (bool, error) {
	return via(l, func(st bit.Store) (bool, error) { return st.PutPersonalBackground(ctx, b) })
}

func (l *Lazy) Organization(ctx context.Context, id int64) (bit.Organization, error) {
	return via(l, func(st bit.Store) (bit.Organization, error) { return st.Organization(ctx, id) })
}

func (l *Lazy) OrganizationByRep(ctx context.Context, repID int64) (bit.Organization, error) {
	return via(l, func(st bit.Store) (bit.Organization, error) { return st.OrganizationByRep(ctx, repID) })
}

func (l *Lazy) PutOrganization(ctx context.Context, o bit.Organization) (bit.Organization, bool, error) {
	r, err := via(l, func(st bit.Store) (organizationPut, error) {
		stored, created, err := st.PutOrganization(ctx, o)
		return organizationPut{stored, created}, err
	})
	return r.stored, r.created, err
}

func (l *Lazy) ListOrganizations(ctx context.Context, f bit.OrganizationFilter) ([]bit.Organization, error) {
	return via(l, func(st bit.Store) ([]bit.Organization, error) { return st.ListOrganizations(ctx, f) })
}

func (l *Lazy) Programs(ctx context.Context, f bit.ProgramFilter) ([]bit.Program, error) {
	return via(l, func(st bit.Store) ([]bit.Program, error) { return st.Programs(ctx, f) })
}

func (l *Lazy) Program(ctx context.Context, orgID, programID int64) (bit.Program, error) {
	return via(l, func(st bit.Store) (bit.Program, error) { return st.Program(ctx, orgID, programID) })
}

func (l *Lazy) CreateProgram(ctx context.Context, p bit.Program, limit int) (bit.Program, error) {
	return via(l, func(st bit.Store) (bit.Program, error) { return st.CreateProgram(ctx, p, limit) })
}

func (l *Lazy) UpdateProgram(ctx context.Context, p bit.Program) (bit.Program, error) {
	return via(l, func(st bit.Store) (bit.Program, error) { return st.UpdateProgram(ctx, p) })
}

func (l *Lazy) BindAccount(ctx context.Context, userID int64, registered time.Time) (bool, error) {
	return via(l, func(st bit.Store) (bool, error) { return st.BindAccount(ctx, userID, registered) })
}

func (l *Lazy) ForgetAccount(ctx context.Context, userID int64) error {
	_, err := via(l, func(st bit.Store) (struct{}, error) { return struct{}{}, st.ForgetAccount(ctx, userID) })
	return err
}

// Ping answers ErrNotOpen before the store is open, else the store's Ping.
func (l *Lazy) Ping(ctx context.Context) error {
	st, err := l.get()
	if err != nil {
		return err
	}
	return st.Ping(ctx)
}

var _ bit.Store = (*Lazy)(nil)
