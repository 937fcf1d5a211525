package bit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // the 591 Timezone values load even where the system has no zoneinfo (e.g. a slim image)
)

// Service implements the rules of BridgeInTech's own endpoints (#5–#8, #11–#19 of docs/BRIDGEINTECH.md) over a Store.
// Every method takes the *verified* MS user id of the caller; it never sees a token. Methods that show a
// representative's name take a Members, built by the HTTP side for this request with the caller's own token.
//
// Errors are *Error (use ErrorStatus / e.Status() and e.Message), except errors a Members returned, which come
// back unchanged (wrapped only by nothing) for the HTTP side to map (e.g. MS's own 404 "User does not exist.").
type Service struct {
	store        Store
	now          func() time.Time
	zones        sync.Map   // timezone value → *time.Location (a cache of time.LoadLocation, per Service)
	bound        boundCache // bindings this Service has confirmed (service_account.go)
	programLimit int
	creates      *windowLimiter // program creations per representative
}

// Options tune a Service; the zero value is fine.
type Options struct {
	Now func() time.Time // the clock for join_date / creation_date and the creation rate; default time.Now
	// ProgramsPerOrganization caps an organization's programs (403 beyond it); 0 means
	// DefaultProgramsPerOrganization, negative means no cap.
	ProgramsPerOrganization int
	// ProgramCreates is how many programs one representative may create per ProgramCreateWindow on this instance
	// (429 beyond it); 0 means DefaultProgramCreates, negative means no limit. ProgramCreateWindow defaults to a
	// minute.
	ProgramCreates      int
	ProgramCreateWindow time.Duration
}

// The defaults of Options (docs/CONFIGURATION.md).
const (
	DefaultProgramsPerOrganization = 50
	DefaultProgramCreates          = 10
)

// NewService returns a Service over store.
func NewService(store Store, opts Options) *Service {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	limit := opts.ProgramsPerOrganization
	if limit == 0 {
		limit = DefaultProgramsPerOrganization
	}
	creates := opts.ProgramCreates
	if creates == 0 {
		creates = DefaultProgramCreates
	}
	return &Service{store: store, now: now, programLimit: max(limit, 0),
		creates: newWindowLimiter(creates, opts.ProgramCreateWindow)}
}

// Ping checks that the Service's database answers (for /readyz); the error wraps ErrUnavailable when it does not.
// The HTTP side asks the Service, never its store directly.
func (s *Service) Ping(ctx context.Context) error {
	if err := s.store.Ping(ctx); err != nil {
		return fmt.Errorf("bit: database ping: %w", err)
	}
	return nil
}

// DateLayout is the old API's formatted date: "2021-06-01 10:00 GMT+0000", "… 15:00 +05+0500".
const DateLayout = "2006-01-02 15:04 MST-0700"

// InputDateLayout is the program dates' input form, in the caller's timezone.
const InputDateLayout = "2006-01-02 15:04"

// defaultTimezone is used for a caller who has saved no additional info (as the old API).
const defaultTimezone = "GMT0"

// location returns the *time.Location of a Timezone value (UTC if it does not load, which the 591 values all do).
func (s *Service) location(tz string) *time.Location {
	if l, ok := s.zones.Load(tz); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(tz)
	if err != nil || !IsTimezone(tz) {
		return time.UTC
	}
	s.zones.Store(tz, l)
	return l
}

// callerZone returns the caller's timezone from their additional info, GMT0 when they have none.
func (s *Service) callerZone(ctx context.Context, caller int64) (*time.Location, error) {
	info, err := s.store.AdditionalInfo(ctx, caller)
	switch {
	case errors.Is(err, ErrNotFound):
		return s.location(defaultTimezone), nil
	case err != nil:
		return nil, storeError("read caller's timezone", err)
	}
	return s.location(info.Timezone), nil
}

func formatDate(t time.Time, loc *time.Location) string { return t.In(loc).Format(DateLayout) }

// requireRep returns the caller's additional info when they have declared is_organization_rep, else 403
// MsgNotOrganizationRep.
func (s *Service) requireRep(ctx context.Context, caller int64) (AdditionalInfo, error) {
	info, err := s.store.AdditionalInfo(ctx, caller)
	switch {
	case errors.Is(err, ErrNotFound):
		return AdditionalInfo{}, newError(Forbidden, MsgNotOrganizationRep)
	case err != nil:
		return AdditionalInfo{}, storeError("read additional info", err)
	case !info.IsOrganizationRep:
		return AdditionalInfo{}, newError(Forbidden, MsgNotOrganizationRep)
	}
	return info, nil
}

// StoreUp reports whether the database answered its last call (true when the store does not say): a caller
// skips optional database work while it is down.
func (s *Service) StoreUp() bool {
	if st, ok := s.store.(interface{ Up() bool }); ok {
		return st.Up()
	}
	return true
}

// StoreOpened reports whether the database has been opened yet (true when the store does not say: it was opened
// before the Service was made).
func (s *Service) StoreOpened() bool {
	if st, ok := s.store.(interface{ IsOpen() bool }); ok {
		return st.IsOpen()
	}
	return true
}
