package handlers

import (
	"github.com/gofiber/fiber/v2"

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

// resolveBITCaller authenticates a BridgeInTech request through the resolver. needMS says the route will call MS
// with the caller's token (representatives' names): a cookie session is then refreshed first when its access
// token is about to expire; a route that needs no MS call re-asks MS about a session it has trusted for longer
// than SESSION_MS_RECHECK. A Bearer write is confirmed with MS first. When it returns nil it has already
// answered (401, 503, or MS's own answer) and its error is what the handler returns.
func (s *Server) resolveBITCaller(c *fiber.Ctx, needMS bool) (*bitCaller, error) {
	q := s.authRequest(c)
	q.Identity, q.CallsMS, q.Recheck = true, needMS, !needMS
	q.Write = c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead
	res := s.resolve(c, q)
	if !res.OK() {
		return nil, s.refuse(c, &res)
	}
	if res.UserBody != nil {
		s.bindAccount(c, res.UserBody) // MS was asked about the caller on the way
	}
	s.settle(c, &res)
	return &bitCaller{id: res.UserID, authorization: res.Authorization, viaCookie: res.ViaCookie, name: res.Name}, nil
}
