package handlers

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/anitab-org/bridge-in-tech-bff/authn"
	"github.com/anitab-org/bridge-in-tech-bff/msclient"
	"github.com/anitab-org/bridge-in-tech-bff/secret"
)

// bearerSessionInfo answers GET /api/session for a request with its own Authorization header. It says
// authenticated only for a token that is known good: verified here with MS_JWT_SECRET, or, without the secret,
// accepted by MS itself (GET /user answered 200 for it, naming the user). A token whose header names another
// algorithm than MS's HS256 (alg "none" above all) is refused before anything else. The user id is logged only
// once it is verified.
func (s *Server) bearerSessionInfo(c *fiber.Ctx, h secret.String) error {
	tok, ok := authn.BearerToken(h)
	if !ok || !isHS256Header(tok) {
		return s.fail(c, fiber.StatusUnauthorized, msgTokenInvalid)
	}
	if !s.cfg.MSJWTSecret.Empty() {
		res := s.auth.Bearer(h, msclient.TokenAccess, true) // verifies signature and expiry
		if !res.OK() {
			return s.refuse(c, &res)
		}
		c.Locals(localUserID, res.UserID)
		return c.JSON(sessionAnswer{Authenticated: true, UserID: res.UserID, AccessExpiresAt: res.Claims.Expires.Unix()})
	}
	claims, err := s.ms.ParseToken(tok, msclient.TokenAccess) // only read: MS judges it next
	if err != nil {
		return s.fail(c, fiber.StatusUnauthorized, msgTokenInvalid)
	}
	resp, err := s.ms.Do(c.UserContext(), msclient.Request{
		Method: fiber.MethodGet, Path: "/user", RequestID: requestIDOf(c), Authorization: h,
	})
	if err != nil {
		return s.upstreamFailure(c, err)
	}
	if resp.Status != fiber.StatusOK {
		return s.passThrough(c, resp) // MS's own 401 (invalid, expired) or 404 (user gone)
	}
	var who struct {
		ID *int64 `json:"id"`
	}
	if json.Unmarshal(resp.Body, &who) != nil || who.ID == nil || *who.ID != claims.Identity {
		s.log.Error("MS /user named no user or another user than the Bearer token", "request_id", requestIDOf(c))
		return s.fail(c, fiber.StatusBadGateway, msgMSBadAnswer)
	}
	c.Locals(localUserID, *who.ID)
	return c.JSON(sessionAnswer{Authenticated: true, UserID: *who.ID, AccessExpiresAt: claims.Expires.Unix()})
}

// isHS256Header reports whether a JWT's protected header is JSON whose alg is exactly "HS256", the only
// algorithm MS signs and accepts.
func isHS256Header(tok secret.String) bool {
	head, _, found := strings.Cut(tok.Reveal(), ".")
	if !found {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return false
	}
	var h struct {
		Alg *string `json:"alg"`
	}
	return json.Unmarshal(raw, &h) == nil && h.Alg != nil && *h.Alg == "HS256"
}
