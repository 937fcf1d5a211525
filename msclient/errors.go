package msclient

import (
	"strconv"
	"time"
)

// Kind says why MS gave no usable answer; the handler maps it to a status (503, 504, 502...).
type Kind string

// The kinds of UpstreamError. The strings double as metric labels.
const (
	// KindBreakerOpen: the circuit breaker is open (or its half-open probes are taken); MS was not called.
	KindBreakerOpen Kind = "breaker_open"
	// KindTimeout: MS did not answer within Config.Timeout.
	KindTimeout Kind = "timeout"
	// KindUnreachable: no connection to MS (refused, DNS, reset, TLS...).
	KindUnreachable Kind = "unreachable"
	// KindCanceled: the caller's own context ended first (the client went away); not counted by the breaker.
	KindCanceled Kind = "canceled"
	// KindBadAnswer: MS answered something unusable: an oversized or unreadable body, or a 2xx login/refresh
	// answer without valid tokens.
	KindBadAnswer Kind = "bad_answer"
	// KindInvalidRequest: the request cannot be sent as given (a header value with control characters, a path
	// without a leading "/"); MS was not called and the breaker did not count it. Maps to 400.
	KindInvalidRequest Kind = "invalid_request"
)

// UpstreamError is the error of a call to which MS gave no usable answer. Its message names the kind and
// the cause, never a token, password, body or URL.
type UpstreamError struct {
	Kind Kind
	Err  error
	// RetryAfter is set for KindBreakerOpen: the time until the breaker lets a probe through, at least 1s,
	// in whole seconds (for the Retry-After header).
	RetryAfter time.Duration

	callerDone bool // the caller's context ended: excluded from the breaker's counts
}

// Error describes the failure without any credential.
func (e *UpstreamError) Error() string {
	msg := "msclient: MS " + e.Kind.describe()
	if e.Kind == KindBreakerOpen {
		msg += " (retry after " + strconv.Itoa(int(e.RetryAfter/time.Second)) + "s)"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause, for errors.Is and errors.As (context.DeadlineExceeded, *net.OpError,
// gobreaker.ErrOpenState, ErrTokenInvalid...).
func (e *UpstreamError) Unwrap() error { return e.Err }

func (k Kind) describe() string {
	switch k {
	case KindBreakerOpen:
		return "circuit breaker is open"
	case KindTimeout:
		return "timed out"
	case KindUnreachable:
		return "unreachable"
	case KindCanceled:
		return "call canceled by the caller"
	case KindBadAnswer:
		return "gave an unusable answer"
	case KindInvalidRequest:
		return "request cannot be sent"
	default:
		return "call failed (" + string(k) + ")"
	}
}

// Outcome labels for Config.OnCall: the status class of an answer, or the Kind of an UpstreamError.
const (
	Outcome2xx = "2xx"
	Outcome3xx = "3xx"
	Outcome4xx = "4xx"
	Outcome5xx = "5xx"
)

// OutcomeOf gives the OnCall outcome label for a Do result: "2xx".."5xx" for an answer, else the error's Kind.
func OutcomeOf(resp *Response, err error) string {
	if err != nil {
		if ue, ok := err.(*UpstreamError); ok {
			return string(ue.Kind)
		}
		return "error"
	}
	switch {
	case resp == nil:
		return "error"
	case resp.Status >= 500:
		return Outcome5xx
	case resp.Status >= 400:
		return Outcome4xx
	case resp.Status >= 300:
		return Outcome3xx
	default:
		return Outcome2xx
	}
}
