package handlers

import (
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/anitab-org/bridge-in-tech-bff/authn"
	"github.com/anitab-org/bridge-in-tech-bff/secret"
	"github.com/anitab-org/bridge-in-tech-bff/session"
)

// Messages of the session refusals the resolver gives (docs/SESSIONS.md).
const (
	msgSessionIdle     = "Your session ended after a time without activity. Please log in again."
	msgSessionTooLong  = "Your session has reached its maximum length. Please log in again."
	msgSessionRevoked  = "This session has been ended (logged out, password changed or signed out everywhere). Please log in again."
	msgSessionUnsure   = "Your session cannot be checked right now. Please try again shortly."
	retryAfterUnloaded = 2 // seconds a client waits while the revocations are being loaded
)

// authRequest is what the resolver needs of this request: the session cookie (read by sessionCookie, as the
// CSRF check reads it) and the Authorization header.
func (s *Server) authRequest(c *fiber.Ctx) authn.Request {
	raw, state := s.sessionCookie(c)
	return authn.Request{
		Cookie: raw, CookieNamed: state != cookieAbsent,
		Authorization: secret.String(c.Get(fiber.HeaderAuthorization)), RequestID: requestIDOf(c),
	}
}

// resolve asks the resolver who the request acts for and notes the user id for the log line once it is verified.
func (s *Server) resolve(c *fiber.Ctx, q authn.Request) authn.Result {
	res := s.auth.Resolve(c.UserContext(), q)
	if res.OK() && res.UserID != 0 {
		c.Locals(localUserID, res.UserID)
	}
	return res
}

// settle writes what the result says of the cookie: cleared, or re-sealed.
func (s *Server) settle(c *fiber.Ctx, res *authn.Result) {
	switch {
	case res.Clear:
		s.clearSession(c)
	case res.Reseal:
		s.writeSession(c, res.Session)
	}
}

// refuse answers a refused result: the cookie settled, then the status and message of its refusal.
func (s *Server) refuse(c *fiber.Ctx, res *authn.Result) error {
	s.settle(c, res)
	r := res.Refusal
	switch r.Kind {
	case authn.NoSession:
		return s.fail(c, fiber.StatusUnauthorized, msgNoSession)
	case authn.BadSession:
		return s.fail(c, fiber.StatusUnauthorized, msgBadSession)
	case authn.Expired:
		return s.fail(c, fiber.StatusUnauthorized, msgSessionExpired)
	case authn.IdleTimeout:
		return s.fail(c, fiber.StatusUnauthorized, msgSessionIdle)
	case authn.AbsoluteTimeout:
		return s.fail(c, fiber.StatusUnauthorized, msgSessionTooLong)
	case authn.Revoked:
		return s.fail(c, fiber.StatusUnauthorized, msgSessionRevoked)
	case authn.NotLoaded:
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(retryAfterUnloaded))
		return s.fail(c, fiber.StatusServiceUnavailable, msgSessionUnsure)
	case authn.TokenInvalid:
		return s.fail(c, fiber.StatusUnauthorized, msgTokenInvalid)
	case authn.TokenExpired:
		return s.fail(c, fiber.StatusUnauthorized, msgTokenExpired)
	case authn.MSRefused:
		return s.passThrough(c, r.MS)
	case authn.Upstream:
		return s.upstreamFailure(c, r.Err)
	default:
		return s.fail(c, fiber.StatusBadGateway, msgMSBadAnswer)
	}
}

// writeSession seals the session into the cookie of this response. The cookie lives until the session's end
// (its refresh token's expiry or the absolute timeout, whichever comes first).
func (s *Server) writeSession(c *fiber.Ctx, sess session.Session) {
	value, err := s.codec.Seal(sess)
	if err != nil {
		// Sealing only fails on a broken key or an impossible session; the request still gets its answer.
		s.log.Error("sealing the session cookie failed", "request_id", requestIDOf(c), "error", err)
		return
	}
	end := s.auth.End(sess)
	maxAge := int(end.Sub(s.now()).Seconds())
	if maxAge < 1 {
		maxAge = 1
	}
	ck := s.baseCookie()
	ck.Value, ck.MaxAge, ck.Expires = value, maxAge, end.UTC()
	c.Response().Header.Add(fiber.HeaderSetCookie, ck.String())
}

// clearSession tells the browser to drop the cookie (Max-Age=0).
func (s *Server) clearSession(c *fiber.Ctx) {
	ck := s.baseCookie()
	ck.MaxAge = -1 // net/http writes Max-Age=0
	c.Response().Header.Add(fiber.HeaderSetCookie, ck.String())
}

// baseCookie is the cookie's fixed attributes (docs/SESSIONS.md#cookie): HttpOnly, Path /, Secure and SameSite per config.
func (s *Server) baseCookie() *http.Cookie {
	ck := &http.Cookie{Name: s.codec.Name(), Path: "/", HttpOnly: true, Secure: s.cfg.CookieSecure}
	switch s.cfg.CookieSameSite {
	case "Strict":
		ck.SameSite = http.SameSiteStrictMode
	case "None":
		ck.SameSite = http.SameSiteNoneMode
	default:
		ck.SameSite = http.SameSiteLaxMode
	}
	return ck
}
