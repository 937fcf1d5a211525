package handlers

import (
	"encoding/json"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/anitab-org/bridge-in-tech-bff/msclient"
	"github.com/anitab-org/bridge-in-tech-bff/secret"
	"github.com/anitab-org/bridge-in-tech-bff/session"
)

// loginAnswer is the body of a successful POST /api/login (docs/API.md#the-session-routes).
type loginAnswer struct {
	User             json.RawMessage `json:"user"`
	AccessExpiresAt  int64           `json:"access_expires_at"`
	SessionExpiresAt int64           `json:"session_expires_at"`
	// Legacy fields, only with EXPOSE_TOKENS=true (the old React client reads them).
	AccessToken  string   `json:"access_token,omitempty"`
	AccessExpiry *float64 `json:"access_expiry,omitempty"`
}

// login signs in at MS, reads the user with the new token, and seals both tokens into the cookie.
// MS refusals pass through and set no cookie.
func (s *Server) login(c *fiber.Ctx) error {
	username, password, ok := loginFields(c.Request().Body()) // raw, as gateBody read it: never decoded
	if !ok {
		return s.fail(c, fiber.StatusBadRequest, msgLoginFieldsType)
	}
	attempt, wait := s.logins.begin(s.clientIP(c), username.Reveal())
	if attempt == nil {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds()+0.999)))
		return s.fail(c, fiber.StatusTooManyRequests, msgTooManyLogins)
	}
	defer attempt.abandoned() // every way out without MS's verdict on the password gives the slot back
	ctx, reqID := c.UserContext(), requestIDOf(c)
	tokens, refused, err := s.ms.Login(ctx, username, password, reqID)
	if err != nil {
		return s.upstreamFailure(c, err)
	}
	if refused != nil {
		if refused.Status == fiber.StatusUnauthorized {
			attempt.failed()
		}
		return s.passThrough(c, refused)
	}
	// msclient.Login has checked both tokens (types, same user, signatures when MS_JWT_SECRET is set).
	access, refresh := tokens.AccessClaims, tokens.RefreshClaims
	userResp, err := s.ms.Do(ctx, msclient.Request{
		Method: fiber.MethodGet, Path: "/user", RequestID: reqID,
		Authorization: msclient.AuthorizationBearer(tokens.Access),
	})
	if err != nil {
		return s.upstreamFailure(c, err)
	}
	if userResp.Status != fiber.StatusOK {
		return s.passThrough(c, userResp)
	}
	var who struct {
		ID int64 `json:"id"`
	}
	if json.Unmarshal(userResp.Body, &who) != nil || who.ID != access.Identity {
		s.log.Error("MS /user names another user than the login token", "request_id", reqID)
		return s.fail(c, fiber.StatusBadGateway, msgMSBadAnswer)
	}
	attempt.succeeded()
	s.bindAccount(c, userResp.Body)
	sess := session.Session{
		UserID:       access.Identity,
		AccessToken:  tokens.Access,
		RefreshToken: tokens.Refresh,
		AccessExp:    access.Expires,
		RefreshExp:   refresh.Expires,
	}
	c.Locals(localUserID, sess.UserID)
	s.writeSession(c, sess)
	ans := loginAnswer{User: userResp.Body, AccessExpiresAt: sess.AccessExp.Unix(), SessionExpiresAt: sess.RefreshExp.Unix()}
	if s.cfg.ExposeTokens {
		exp := float64(sess.AccessExp.Unix())
		ans.AccessToken, ans.AccessExpiry = tokens.Access.Reveal(), &exp
	}
	return c.Status(fiber.StatusOK).JSON(ans)
}

// loginFields reads username and password from the body. Absent or null fields become "" so MS gives its own
// "missing" message; anything but a JSON object, or a field of another type, is refused here.
func loginFields(body []byte) (username, password secret.String, ok bool) {
	if !isJSONObject(body) {
		return "", "", false
	}
	var f struct {
		Username *string `json:"username"`
		Password *string `json:"password"`
	}
	if err := json.Unmarshal(body, &f); err != nil {
		return "", "", false
	}
	if f.Username != nil {
		username = secret.String(*f.Username)
	}
	if f.Password != nil {
		password = secret.String(*f.Password)
	}
	return username, password, true
}

// logout clears the cookie; it works with or without a session (there is nothing to revoke at MS).
func (s *Server) logout(c *fiber.Ctx) error {
	s.clearSession(c)
	c.Set("Clear-Site-Data", `"cookies"`)
	return c.SendStatus(fiber.StatusNoContent)
}

// sessionAnswer is the body of GET /api/session.
type sessionAnswer struct {
	Authenticated    bool   `json:"authenticated"`
	UserID           int64  `json:"user_id"`
	AccessExpiresAt  int64  `json:"access_expires_at"`
	SessionExpiresAt *int64 `json:"session_expires_at,omitempty"`
}

// sessionInfo tells the app who is logged in, refreshing silently like any other call.
func (s *Server) sessionInfo(c *fiber.Ctx) error {
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		return s.bearerSessionInfo(c, secret.String(h)) // sessioninfo.go: verified, or accepted by MS
	}
	p, err := s.authenticate(c, true)
	if p == nil {
		return err
	}
	if p.dirty {
		s.writeSession(c, p.sess)
	}
	exp := p.sess.RefreshExp.Unix()
	return c.JSON(sessionAnswer{Authenticated: true, UserID: p.sess.UserID, AccessExpiresAt: p.sess.AccessExp.Unix(), SessionExpiresAt: &exp})
}

// refreshAnswer is the body of POST /api/refresh.
type refreshAnswer struct {
	AccessExpiresAt  int64 `json:"access_expires_at"`
	SessionExpiresAt int64 `json:"session_expires_at"`
}

// refreshNow refreshes the session's access token at once. A Bearer caller's own refresh token goes to MS as-is.
func (s *Server) refreshNow(c *fiber.Ctx) error {
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		p, err := s.bearerPrincipal(c, secret.String(h), msclient.TokenRefresh, false)
		if p == nil {
			return err
		}
		resp, err := s.ms.Do(c.UserContext(), msclient.Request{
			Method: fiber.MethodPost, Path: "/refresh", RequestID: requestIDOf(c), Authorization: p.authorization,
		})
		if err != nil {
			return s.upstreamFailure(c, err)
		}
		return s.passThrough(c, resp)
	}
	p, err := s.authenticate(c, false)
	if p == nil {
		return err
	}
	if answered, err := s.refreshPrincipal(c, p); answered {
		return err
	}
	s.writeSession(c, p.sess)
	return c.JSON(refreshAnswer{AccessExpiresAt: p.sess.AccessExp.Unix(), SessionExpiresAt: p.sess.RefreshExp.Unix()})
}
