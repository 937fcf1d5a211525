package handlers

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/anitab-org/bridge-in-tech-bff/msclient"
	"github.com/anitab-org/bridge-in-tech-bff/secret"
	"github.com/anitab-org/bridge-in-tech-bff/session"
)

// refreshAhead is how close to expiry an access token is refreshed before use (docs/SESSIONS.md#refresh).
const refreshAhead = 30 * time.Second

// principal is who one request acts for: either the caller's own Bearer header, or the session in its cookie.
type principal struct {
	authorization secret.String   // the Authorization header MS gets
	claims        msclient.Claims // a Bearer token's claims, when they were read
	viaCookie     bool
	sess          session.Session
	dirty         bool // the cookie must be written on this response (refreshed or re-sealed)
	refreshed     bool // a refresh already happened for this request
}

// authenticate resolves the request's principal for a call with an access token. When it returns nil it has
// already answered (401, 502 ...) and its error is what the handler returns. autoRefresh refreshes a cookie
// session whose access token expires within refreshAhead.
func (s *Server) authenticate(c *fiber.Ctx, autoRefresh bool) (*principal, error) {
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		if p, ok, err := s.cookieForExpiredBearer(c, false, autoRefresh); ok {
			return p, err
		}
		return s.bearerPrincipal(c, secret.String(h), msclient.TokenAccess, false)
	}
	raw, state := s.sessionCookie(c) // cookies.go: the same reading as the CSRF check's
	if raw == "" {
		if state != cookieAbsent {
			s.obs.CookieRejected(string(session.ReasonEmpty))
			s.clearSession(c)
			return nil, s.fail(c, fiber.StatusUnauthorized, msgBadSession)
		}
		return nil, s.fail(c, fiber.StatusUnauthorized, msgNoSession)
	}
	sess, stale, err := s.codec.Open(raw)
	if err != nil {
		reason := "unknown"
		var oe *session.OpenError
		if errors.As(err, &oe) {
			reason = string(oe.Reason)
		}
		s.obs.CookieRejected(reason)
		s.log.Info("session cookie rejected", "request_id", requestIDOf(c), "reason", reason)
		s.clearSession(c)
		return nil, s.fail(c, fiber.StatusUnauthorized, msgBadSession)
	}
	now := s.now()
	if !sess.RefreshExp.After(now) {
		s.obs.CookieRejected("expired")
		s.clearSession(c)
		return nil, s.fail(c, fiber.StatusUnauthorized, msgSessionExpired)
	}
	return s.sessionPrincipal(c, sess, stale, autoRefresh)
}

// sessionPrincipal is the principal of an opened, unexpired cookie session, refreshed first when autoRefresh is
// set and its access token expires within refreshAhead.
func (s *Server) sessionPrincipal(c *fiber.Ctx, sess session.Session, stale, autoRefresh bool) (*principal, error) {
	p := &principal{viaCookie: true, sess: sess, dirty: stale}
	c.Locals(localUserID, sess.UserID)
	if autoRefresh && sess.AccessExpiresWithin(s.now(), refreshAhead) {
		if answered, err := s.refreshPrincipal(c, p); answered {
			return nil, err
		}
	}
	p.authorization = msclient.AuthorizationBearer(p.sess.AccessToken)
	return p, nil
}

// bearerPrincipal takes the caller's own Authorization header. With MS_JWT_SECRET set the token is checked here
// first, so forged or expired tokens never reach MS; the answers use MS's own messages. needClaims reads the
// claims even without a secret (unverified then).
func (s *Server) bearerPrincipal(c *fiber.Ctx, h secret.String, wantType string, needClaims bool) (*principal, error) {
	p := &principal{authorization: h}
	if !needClaims && s.cfg.MSJWTSecret.Empty() {
		return p, nil
	}
	tok, ok := bearerToken(h)
	if !ok {
		return nil, s.fail(c, fiber.StatusUnauthorized, msgTokenInvalid)
	}
	claims, err := s.ms.ParseToken(tok, wantType)
	if err != nil {
		if errors.Is(err, msclient.ErrTokenExpired) {
			return nil, s.fail(c, fiber.StatusUnauthorized, msgTokenExpired)
		}
		return nil, s.fail(c, fiber.StatusUnauthorized, msgTokenInvalid)
	}
	p.claims = claims
	if !s.cfg.MSJWTSecret.Empty() { // an unverified id is never logged
		c.Locals(localUserID, claims.Identity)
	}
	return p, nil
}

// bearerToken splits "Bearer <jwt>" the way MS does: exactly two whitespace-separated parts, "Bearer" as written.
func bearerToken(h secret.String) (secret.String, bool) {
	parts := strings.Fields(h.Reveal())
	if len(parts) != 2 || parts[0] != "Bearer" {
		return "", false
	}
	return secret.String(parts[1]), true
}

// refreshResult is what one shared MS refresh produced.
type refreshResult struct {
	access  secret.String
	expires time.Time
	refused *msclient.Response
}

// refreshPrincipal refreshes the cookie session's access token through MS. Concurrent requests of one session
// share one MS call. It reports answered=true when it has written the answer itself (refusal, MS trouble).
func (s *Server) refreshPrincipal(c *fiber.Ctx, p *principal) (answered bool, err error) {
	key := sha256.Sum256([]byte(p.sess.RefreshToken.Reveal()))
	reqID := requestIDOf(c)
	// The shared call must not die with whichever request started it, so it runs detached from that request;
	// msclient still bounds it with MS_TIMEOUT.
	ctx := context.WithoutCancel(c.UserContext())
	v, ferr, _ := s.refresh.Do(string(key[:]), func() (any, error) {
		access, refused, err := s.ms.Refresh(ctx, p.sess.RefreshToken, reqID)
		if err != nil {
			return nil, err
		}
		if refused != nil {
			return refreshResult{refused: refused}, nil
		}
		claims, err := s.ms.ParseToken(access, msclient.TokenAccess)
		if err != nil {
			return nil, &msclient.UpstreamError{Kind: msclient.KindBadAnswer, Err: err}
		}
		if claims.Identity != p.sess.UserID {
			return nil, &msclient.UpstreamError{Kind: msclient.KindBadAnswer, Err: errors.New("refreshed token names another user")}
		}
		return refreshResult{access: access, expires: claims.Expires}, nil
	})
	if ferr != nil {
		s.obs.Refresh("failed")
		if p.dirty {
			s.writeSession(c, p.sess)
		}
		return true, s.upstreamFailure(c, ferr)
	}
	res := v.(refreshResult)
	if res.refused != nil {
		s.obs.Refresh("refused")
		if res.refused.Status == fiber.StatusUnauthorized {
			s.clearSession(c)
		}
		return true, s.passThrough(c, res.refused)
	}
	s.obs.Refresh("done")
	p.sess.AccessToken, p.sess.AccessExp = res.access, res.expires
	p.authorization = msclient.AuthorizationBearer(res.access)
	p.dirty, p.refreshed = true, true
	return false, nil
}

// writeSession seals the session into the cookie of this response.
func (s *Server) writeSession(c *fiber.Ctx, sess session.Session) {
	value, err := s.codec.Seal(sess)
	if err != nil {
		// Sealing only fails on a broken key or an impossible session; the request still gets its answer.
		s.log.Error("sealing the session cookie failed", "request_id", requestIDOf(c), "error", err)
		return
	}
	maxAge := int(sess.MaxAge(s.now()).Seconds())
	if maxAge < 1 {
		maxAge = 1
	}
	ck := s.baseCookie()
	ck.Value, ck.MaxAge, ck.Expires = value, maxAge, sess.RefreshExp.UTC()
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
