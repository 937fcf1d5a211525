// Package storewatch stands between the running BFF and its bit.Store. Lazy opens the database in the background
// (the BFF starts and serves MS routes while its database is down; BridgeInTech routes answer 503 until it opens)
// and tells other components when it has opened. Store (Wrap) gives every call a short deadline of its own (a
// slow or down database makes a BridgeInTech route answer at once, never hang), times and counts it by operation
// and outcome, and moves the store's up/down state that /readyz and /metrics show.
package storewatch

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

// Observer receives what the wrapper sees (metrics.Metrics implements it).
type Observer interface {
	// StoreCall records one call: a fixed operation name and its outcome (see Outcome).
	StoreCall(operation, outcome string, d time.Duration)
	// StoreUp records whether the database answered the last call or ping.
	StoreUp(up bool)
}

// Outcomes of a call, as metric label values.
const (
	OutcomeOK          = "ok"          // answered: a row, no row (not found) or a taken unique key are all answers
	OutcomeUnavailable = "unavailable" // the database did not answer
	OutcomeUnknown     = "unknown"     // a write's commit was sent but not answered: it may have been applied
	OutcomeTimeout     = "timeout"     // the call's own deadline passed
	OutcomeCanceled    = "canceled"    // the request's context ended (the client left)
	OutcomeError       = "error"       // anything else: a bug or a broken row
)

// Outcomes lists every outcome a call can have, in the order the metric's help text names them.
func Outcomes() []string {
	return []string{OutcomeOK, OutcomeUnavailable, OutcomeUnknown, OutcomeTimeout, OutcomeCanceled, OutcomeError}
}

// Store is a bit.Store with deadlines and observation. Up reports the last known state.
type Store struct {
	next    bit.Store
	timeout time.Duration
	obs     Observer
	up      atomic.Bool
}

// Wrap returns next with a per-call timeout (> 0) and observer (nil: none). The store starts as up (the caller
// has just opened it and run its migrations), or as down when next is a Lazy that has not opened yet.
func Wrap(next bit.Store, timeout time.Duration, obs Observer) *Store {
	if obs == nil {
		obs = nopObserver{}
	}
	s := &Store{next: next, timeout: timeout, obs: obs}
	up := s.IsOpen()
	s.up.Store(up)
	obs.StoreUp(up)
	return s
}

// IsOpen reports whether the wrapped store is open: false while a wrapped Lazy has not opened its database yet
// (/readyz says so), true for any other store.
func (s *Store) IsOpen() bool {
	if l, ok := s.next.(interface{ IsOpen() bool }); ok {
		return l.IsOpen()
	}
	return true
}

type nopObserver struct{}

func (nopObserver) StoreCall(string, string, time.Duration) {}
func (nopObserver) StoreUp(bool)                            {}

// Up reports whether the database answered the last call or ping.
func (s *Store) Up() bool { return s.up.Load() }

// call runs fn with the call's deadline, classifies and records its outcome. A failure caused by the deadline or
// a dead connection wraps bit.ErrUnavailable, whatever the driver said, so the route answers 503, except a write
// whose outcome the store reported unknown (bit.ErrOutcomeUnknown: 504), which is passed on as it is.
func call[T any](s *Store, ctx context.Context, op string, fn func(context.Context) (T, error)) (T, error) {
	start := time.Now()
	cctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	v, err := fn(cctx)
	outcome := classify(ctx, cctx, err)
	if outcome != OutcomeOK && outcome != OutcomeError && outcome != OutcomeUnknown && !errors.Is(err, bit.ErrUnavailable) {
		err = fmt.Errorf("%s: %w: %w", op, bit.ErrUnavailable, err)
	}
	s.obs.StoreCall(op, outcome, time.Since(start))
	switch outcome {
	case OutcomeOK:
		s.setUp(true)
	case OutcomeUnavailable, OutcomeTimeout, OutcomeUnknown:
		s.setUp(false)
	}
	return v, err
}

func (s *Store) setUp(up bool) {
	if s.up.Swap(up) != up {
		s.obs.StoreUp(up)
	}
}

// classify names a call's outcome. parent is the request's context, cctx the call's own.
func classify(parent, cctx context.Context, err error) string {
	switch {
	case err == nil, errors.Is(err, bit.ErrNotFound), errors.Is(err, bit.ErrDuplicateOrganizationName),
		errors.Is(err, bit.ErrDuplicateOrganizationEmail), errors.Is(err, bit.ErrDuplicateProgramName):
		return OutcomeOK
	case errors.Is(err, bit.ErrOutcomeUnknown):
		return OutcomeUnknown
	case parent.Err() != nil:
		return OutcomeCanceled
	case cctx.Err() != nil:
		return OutcomeTimeout
	case errors.Is(err, bit.ErrUnavailable):
		return OutcomeUnavailable
	default:
		return OutcomeError
	}
}

func (s *Store) AdditionalInfo(ctx context.Context, userID int64) (bit.AdditionalInfo, error) {
	return call(s, ctx, "additional_info_get", func(c context.Context) (bit.AdditionalInfo, error) { return s.next.AdditionalInfo(c, userID) })
}

func (s *Store) PutAdditionalInfo(ctx context.Context, a bit.AdditionalInfo) (bool, error) {
	return call(s, ctx, "additional_info_put", func(c context.Context) (bool, error) { return s.next.PutAdditionalInfo(c, a) })
}

func (s *Store) PersonalBackground(ctx context.Context, userID int64) (bit.PersonalBackground, error) {
	return call(s, ctx, "personal_background_get", func(c context.Context) (bit.PersonalBackground, error) {
		return s.next.PersonalBackground(c, userID)
	})
}

func (s *Store) PutPersonalBackground(ctx context.Context, b bit.PersonalBackground) (bool, error) {
	return call(s, ctx, "personal_background_put", func(c context.Context) (bool, error) { return s.next.PutPersonalBackground(c, b) })
}

func (s *Store) Organization(ctx context.Context, id int64) (bit.Organization, error) {
	return call(s, ctx, "organization_get", func(c context.Context) (bit.Organization, error) { return s.next.Organization(c, id) })
}

func (s *Store) OrganizationByRep(ctx context.Context, repID int64) (bit.Organization, error) {
	return call(s, ctx, "organization_by_rep", func(c context.Context) (bit.Organization, error) { return s.next.OrganizationByRep(c, repID) })
}

// organizationPut is PutOrganization's two results, for call.
type organizationPut struct {
	stored  bit.Organization
	created bool
}

func (s *Store) PutOrganization(ctx context.Context, o bit.Organization) (bit.Organization, bool, error) {
	r, err := call(s, ctx, "organization_put", func(c context.Context) (organizationPut, error) {
		stored, created, err := s.next.PutOrganization(c, o)
		return organizationPut{stored, created}, err
	})
	return r.stored, r.created, err
}

func (s *Store) ListOrganizations(ctx context.Context, f bit.OrganizationFilter) ([]bit.Organization, error) {
	return call(s, ctx, "organizations_list", func(c context.Context) ([]bit.Organization, error) { return s.next.ListOrganizations(c, f) })
}

func (s *Store) Programs(ctx context.Context, f bit.ProgramFilter) ([]bit.Program, error) {
	return call(s, ctx, "programs_list", func(c context.Context) ([]bit.Program, error) { return s.next.Programs(c, f) })
}

func (s *Store) Program(ctx context.Context, orgID, programID int64) (bit.Program, error) {
	return call(s, ctx, "program_get", func(c context.Context) (bit.Program, error) { return s.next.Program(c, orgID, programID) })
}

func (s *Store) CreateProgram(ctx context.Context, p bit.Program, limit int) (bit.Program, error) {
	return call(s, ctx, "program_create", func(c context.Context) (bit.Program, error) { return s.next.CreateProgram(c, p, limit) })
}

func (s *Store) UpdateProgram(ctx context.Context, p bit.Program) (bit.Program, error) {
	return call(s, ctx, "program_update", func(c context.Context) (bit.Program, error) { return s.next.UpdateProgram(c, p) })
}

// Ping checks the database with the call deadline and moves the up/down state.
func (s *Store) Ping(ctx context.Context) error {
	_, err := call(s, ctx, "ping", func(c context.Context) (struct{}, error) { return struct{}{}, s.next.Ping(c) })
	return err
}

// Close closes the wrapped store.
func (s *Store) Close() error { return s.next.Close() }

var _ bit.Store = (*Store)(nil)
