package handlers

import (
	"context"
	"time"
)

// sharedLoginTimeout bounds the shared budget's database call: a slow database falls back to the local limiter.
const sharedLoginTimeout = time.Second

// sharedSlot takes a slot of the login budget every instance shares (counted in the database), after the local
// limiter's slot and before MS is asked, so N instances together let at most LOGIN_MAX_FAILURES guesses of one
// (address, username) pair reach MS within a window. The slot is counted as a failure at once (the count is
// atomic in the database, so concurrent guesses on several instances cannot pass it); a success clears it. ok is
// false when the budget is spent. A database that does not answer leaves the local limiter alone in charge: the
// login goes on (logged).
func (s *Server) sharedSlot(ctx context.Context, a *loginAttempt, reqID string) (ok bool) {
	if s.sessions == nil {
		return true
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sharedLoginTimeout)
	defer cancel()
	n, err := s.sessions.AddLoginFailure(ctx, a.pairKey, s.now(), s.cfg.LoginWindow)
	if err != nil {
		s.log.Warn("the shared login budget is unavailable; the local limiter alone applies", "request_id", reqID, "error", err)
		return true
	}
	return n <= s.cfg.LoginMaxFailures
}

// sharedSuccess clears the pair's shared count after a successful login.
func (s *Server) sharedSuccess(ctx context.Context, a *loginAttempt, reqID string) {
	if s.sessions == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sharedLoginTimeout)
	defer cancel()
	if err := s.sessions.ClearLoginFailures(ctx, a.pairKey); err != nil {
		s.log.Warn("clearing the shared login budget failed", "request_id", reqID, "error", err)
	}
}
