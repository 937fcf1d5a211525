package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/anitab-org/bridge-in-tech-bff/msclient"
	"github.com/anitab-org/bridge-in-tech-bff/secret"
)

// cookieForExpiredBearer keeps legacy Bearer clients logged in (docs/SESSIONS.md#legacy-fallback). The old React app keeps the
// access token from its login answer and sends it as Authorization: Bearer for ever, but its requests also carry
// the session cookie. When the header's token has expired (by its own exp, or because MS just said so:
// msSaysExpired) and the cookie opens, is live and belongs to the same user as the token's identity, the
// request is served with the cookie's session, refreshed as usual, and the answer carries the renewed cookie.
//
// ok is false when there is no such cookie or the token is not an expired access token of the cookie's user:
// then the header's user acts, as for every Bearer request. ok with a nil principal means it has answered (a
// refused refresh, MS trouble) and err is what the handler returns.
//
// Without MS_JWT_SECRET the token's identity is read unverified. That grants nothing: the request then acts
// with the cookie's own session, which the same browser already holds; the token only decides whether it may.
func (s *Server) cookieForExpiredBearer(c *fiber.Ctx, msSaysExpired, autoRefresh bool) (p *principal, ok bool, err error) {
	raw, state := s.sessionCookie(c)
	if state != cookiePresent || raw == "" {
		return nil, false, nil
	}
	identity, expired := s.expiredBearerIdentity(secret.String(c.Get(fiber.HeaderAuthorization)))
	if !expired && !msSaysExpired {
		return nil, false, nil
	}
	sess, stale, err := s.codec.Open(raw)
	if err != nil || sess.UserID != identity || !sess.RefreshExp.After(s.now()) {
		return nil, false, nil
	}
	s.log.Debug("an expired Bearer token is served with its user's session cookie", "request_id", requestIDOf(c))
	p, err = s.sessionPrincipal(c, sess, stale, autoRefresh)
	return p, true, err
}

// expiredBearerIdentity reads an access token's identity from an Authorization header and whether the token
// has expired by the BFF's clock. A token that is not a well-formed MS access token (or, with MS_JWT_SECRET,
// not genuine) has no identity: 0.
func (s *Server) expiredBearerIdentity(h secret.String) (identity int64, expired bool) {
	tok, ok := bearerToken(h)
	if !ok {
		return 0, false
	}
	claims, err := s.ms.ParseToken(tok, msclient.TokenAccess)
	switch {
	case errors.Is(err, msclient.ErrTokenExpired) && claims.Type == msclient.TokenAccess:
		return claims.Identity, true
	case err != nil || claims.Type != msclient.TokenAccess:
		return 0, false
	}
	return claims.Identity, !claims.Expires.After(s.now())
}
