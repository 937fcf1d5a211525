package authn

import (
	"context"
	"errors"

	"github.com/anitab-org/bridge-in-tech-bff/secret"
	"github.com/anitab-org/bridge-in-tech-bff/session"
)

// A legacy client (the unmodified web app) keeps its "access token" where JavaScript can read it and sends it as
// Authorization: Bearer. With EXPOSE_TOKENS=true it is given a handle (session.Codec.Handle) instead of an MS
// token: the handle stands for the session cookie it is bound to and is worth nothing without it
// (docs/SESSIONS.md#legacy-clients-and-handles).

// HandleOf returns the handle an Authorization header carries, when its Bearer value has a handle's form.
func HandleOf(h secret.String) (string, bool) {
	tok, ok := BearerToken(h)
	if !ok || !session.IsHandle(tok.Reveal()) {
		return "", false
	}
	return tok.Reveal(), true
}

// handled resolves a request whose Bearer value is a handle: it is served by the session of the request's
// cookie, exactly as a cookie request (refresh, timeouts, revocations), when the handle belongs to that session.
// The handle alone, or beside another session's cookie, is refused as an invalid token; the cookie is left
// alone then (it may be a good session of its own).
func (r *Resolver) handled(ctx context.Context, q Request, handle string) Result {
	if q.Cookie == "" {
		return Result{Refusal: refuse(TokenInvalid)}
	}
	sess, stale, err := r.cfg.Codec.Open(q.Cookie)
	if err != nil {
		reason := "unknown"
		var oe *session.OpenError
		if errors.As(err, &oe) {
			reason = string(oe.Reason)
		}
		r.cfg.Observer.CookieRejected(reason)
		return Result{Clear: true, Refusal: &Refusal{Kind: BadSession, Reason: reason}}
	}
	if !r.cfg.Codec.HandleMatches(handle, sess.ID) {
		r.cfg.Logger.Info("a handle was sent with a cookie of another session", "request_id", q.RequestID)
		return Result{Refusal: refuse(TokenInvalid)}
	}
	res := r.cookieSession(ctx, q, sess, stale)
	res.ViaHandle = true
	return res
}

// Handle is the handle a legacy client gets at login for this session ("" for a session without an id).
func (r *Resolver) Handle(s session.Session) string {
	h, _ := r.cfg.Codec.Handle(s.ID)
	return h
}
