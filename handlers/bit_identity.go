package handlers

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/anitab-org/bridge-in-tech-bff/msclient"
	"github.com/anitab-org/bridge-in-tech-bff/secret"
)

// bitCaller is who a BridgeInTech route acts for. id comes only from what was verified: the user id sealed in the
// session cookie (AEAD: nobody can forge or alter it), the identity of a Bearer token whose HS256 signature and
// expiry were checked with MS_JWT_SECRET, or, without that secret, the id MS itself answers for the token at
// GET /user. An unverified claim is never used.
type bitCaller struct {
	id            int64
	authorization secret.String // what MS gets for the representatives' names
	viaCookie     bool
	name          string // the caller's MS name, when GET /user was already asked
}

// resolveBITCaller authenticates a BridgeInTech request. needMS says the route will call MS with the caller's token
// (representatives' names): a cookie session is then refreshed first when its access token is about to expire.
// When it returns nil it has already answered (401, or MS's own answer to GET /user) and its error is what the
// handler returns.
func (s *Server) resolveBITCaller(c *fiber.Ctx, needMS bool) (*bitCaller, error) {
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		// A legacy client's expired token with a live cookie of its user: the cookie's session acts, as on every
		// other route (bearer_fallback.go).
		if p, ok, err := s.cookieForExpiredBearer(c, false, needMS); ok {
			return s.sessionCaller(c, p, err)
		}
		header := secret.String(h)
		if !s.cfg.MSJWTSecret.Empty() {
			// Signature (HS256 only) and expiry are checked here; the claims of a token that fails are not read.
			p, err := s.bearerPrincipal(c, header, msclient.TokenAccess, true)
			if p == nil {
				return nil, err
			}
			return &bitCaller{id: p.claims.Identity, authorization: header}, nil
		}
		return s.callerFromMS(c, header)
	}
	p, err := s.authenticate(c, needMS)
	return s.sessionCaller(c, p, err)
}

// sessionCaller is the caller of a cookie session principal (nil: authentication has answered with err).
func (s *Server) sessionCaller(c *fiber.Ctx, p *principal, err error) (*bitCaller, error) {
	if p == nil {
		return nil, err
	}
	if p.dirty {
		s.writeSession(c, p.sess) // refreshed or re-sealed with the primary key
	}
	return &bitCaller{id: p.sess.UserID, authorization: p.authorization, viaCookie: true}, nil
}

// callerFromMS asks MS who the token belongs to (GET /user with the caller's own header): the BFF has no secret
// to check the token with, so MS judges it. MS's refusals (401 with its texts) pass through.
func (s *Server) callerFromMS(c *fiber.Ctx, header secret.String) (*bitCaller, error) {
	resp, err := s.ms.Do(c.UserContext(), msclient.Request{
		Method: fiber.MethodGet, Path: "/user", Authorization: header, RequestID: requestIDOf(c), Route: "GET /user",
	})
	if err != nil {
		return nil, s.upstreamFailure(c, err)
	}
	if resp.Status != fiber.StatusOK {
		return nil, s.passThrough(c, resp)
	}
	var who struct {
		ID   *int64 `json:"id"`
		Name string `json:"name"`
	}
	if json.Unmarshal(resp.Body, &who) != nil || who.ID == nil {
		s.log.Error("MS /user answered without a user id", "request_id", requestIDOf(c))
		return nil, s.fail(c, fiber.StatusBadGateway, msgMSBadAnswer)
	}
	c.Locals(localUserID, *who.ID)
	s.bindAccount(c, resp.Body)
	return &bitCaller{id: *who.ID, authorization: header, name: who.Name}, nil
}
