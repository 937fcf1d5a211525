package bit

import (
	"errors"
	"fmt"
	"net/http"
)

// Code classifies a domain error. Status is the one place that turns a Code into an HTTP status.
type Code string

// The codes of the domain errors.
const (
	Invalid     Code = "invalid"     // 400: the request body or a value in it is not acceptable
	Forbidden   Code = "forbidden"   // 403: the caller may not do this
	NotFound    Code = "not_found"   // 404: the thing asked for does not exist (or is hidden from the caller)
	Conflict    Code = "conflict"    // 409: a unique name or email is taken
	TooMany     Code = "too_many"    // 429: the caller did this too often; try again later
	Unavailable Code = "unavailable" // 503: the store did not answer in time or is down; nothing was changed
	Unknown     Code = "unknown"     // 504: a write reached the database but its end was not confirmed in time
	Internal    Code = "internal"    // 500: a bug; the message says nothing about it
)

// Status returns the HTTP status of a Code (500 for an unknown one).
func (c Code) Status() int {
	switch c {
	case Invalid:
		return http.StatusBadRequest
	case Forbidden:
		return http.StatusForbidden
	case NotFound:
		return http.StatusNotFound
	case Conflict:
		return http.StatusConflict
	case TooMany:
		return http.StatusTooManyRequests
	case Unavailable:
		return http.StatusServiceUnavailable
	case Unknown:
		return http.StatusGatewayTimeout
	default:
		return http.StatusInternalServerError
	}
}

// Error is what the Service and the decoders return for every refusal: the HTTP side answers
// Code.Status() with the JSON body {"message": Message} and, when Fields is not empty, {"errors": Fields} too
// (the old API's schema-check shape: {"errors": {"<key>": "<text>"}, "message": "Input payload validation failed"}).
// Message never contains a token, a password or a stored value other than what the client itself sent.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string // per-key texts of a schema failure; nil otherwise
	Err     error             // the cause, for logs (e.g. a store error); never shown to the client
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("bit %s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("bit %s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Status is e.Code.Status().
func (e *Error) Status() int { return e.Code.Status() }

// ErrorStatus returns the HTTP status for err: a *Error's status, 504 for ErrOutcomeUnknown, 503 for
// ErrUnavailable, else 500.
func ErrorStatus(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status()
	}
	if errors.Is(err, ErrOutcomeUnknown) {
		return http.StatusGatewayTimeout
	}
	if errors.Is(err, ErrUnavailable) {
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func newError(code Code, msg string) *Error { return &Error{Code: code, Message: msg} }

// Errors a Store returns (wrapped with context; test with errors.Is).
var (
	// ErrNotFound: no row matches.
	ErrNotFound = errors.New("not found")
	// ErrUnavailable: the database did not answer (down, unreachable, overloaded, the call's deadline passed) and,
	// for a write, certainly changed nothing (docs/DATABASE.md). The HTTP side answers 503
	// {"message": MsgStoreUnavailable}.
	ErrUnavailable = errors.New("store unavailable")
	// ErrOutcomeUnknown: a write's commit was sent to the database but its answer did not come in time (or the
	// connection broke meanwhile), so the write may or may not have been applied. The HTTP side answers 504
	// {"message": MsgStoreOutcomeUnknown}. A write never wraps both this and ErrUnavailable.
	ErrOutcomeUnknown = errors.New("store write outcome unknown")
	// ErrDuplicateOrganizationName / ErrDuplicateOrganizationEmail / ErrDuplicateProgramName: a unique key is taken.
	ErrDuplicateOrganizationName  = errors.New("organization name taken")
	ErrDuplicateOrganizationEmail = errors.New("organization email taken")
	ErrDuplicateProgramName       = errors.New("program name taken")
	// ErrProgramLimit: the organization already has as many programs as CreateProgram's limit allows.
	ErrProgramLimit = errors.New("organization's program limit reached")
	// ErrNoSuchMember is what a Members implementation returns (wrapped) when MS says the user does not exist or is
	// not verified (MS 404 or 403).
	ErrNoSuchMember = errors.New("no such member")
	// ErrNameUnknown is what a Members implementation returns when it cannot learn a name in this request without
	// more calls to MS than it allows itself (one per request): a list then shows that representative without a
	// name, and a later request learns it.
	ErrNameUnknown = errors.New("member name not known yet")
)

// storeError turns a Store error into the domain error the Service returns. Store errors other than the
// sentinels above become Internal (500, "Internal Server Error"): they are bugs, not client input.
func storeError(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrOutcomeUnknown):
		return &Error{Code: Unknown, Message: MsgStoreOutcomeUnknown, Err: fmt.Errorf("%s: %w", op, err)}
	case errors.Is(err, ErrUnavailable):
		return &Error{Code: Unavailable, Message: MsgStoreUnavailable, Err: fmt.Errorf("%s: %w", op, err)}
	case errors.Is(err, ErrDuplicateOrganizationName):
		return &Error{Code: Conflict, Message: MsgOrganizationNameTaken, Err: err}
	case errors.Is(err, ErrDuplicateOrganizationEmail):
		return &Error{Code: Conflict, Message: MsgOrganizationEmailTaken, Err: err}
	case errors.Is(err, ErrDuplicateProgramName):
		return &Error{Code: Conflict, Message: MsgProgramNameTaken, Err: err}
	default:
		return &Error{Code: Internal, Message: MsgInternal, Err: fmt.Errorf("%s: %w", op, err)}
	}
}
