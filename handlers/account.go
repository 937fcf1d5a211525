package handlers

import (
	"encoding/json"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/anitab-org/bridge-in-tech-bff/authn"
	"github.com/anitab-org/bridge-in-tech-bff/msclient"
	"github.com/anitab-org/bridge-in-tech-bff/secret"
)

// loginAnswer is the body of a successful POST /api/login (docs/API.md#the-session-routes).
type loginAnswer struct {
	User             json.RawMessage `json:"user"`
	AccessExpiresAt  int64           `json:"access_expires_at"`
	SessionExpiresAt int64           `json:"session_expires_at"`
	// Legacy fields, only with EXPOSE_TOKENS=true (the old React client reads them): a handle bound to this
	// session (docs/SESSIONS.md#legacy-clients-and-handles) and the session's end; with EXPOSE_MS_TOKENS=true
	// the MS access token itself and its expiry.
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
	if !s.sharedSlot(ctx, attempt, reqID) {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(s.cfg.LoginWindow.Seconds()+0.999)))
		return s.fail(c, fiber.StatusTooManyRequests, msgTooManyLogins)
	}
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
	access := tokens.AccessClaims
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
	s.sharedSuccess(ctx, attempt, reqID)
	s.bindAccount(c, userResp.Body)
	sess := s.auth.NewSession(access.Identity, tokens)
	c.Locals(localUserID, sess.UserID)
	s.writeSession(c, sess)
	s.recordLogin(c, sess)
	ans := loginAnswer{User: userResp.Body, AccessExpiresAt: sess.AccessExp.Unix(), SessionExpiresAt: s.auth.End(sess).Unix()}
	switch {
	case s.cfg.ExposeMSTokens:
		exp := float64(sess.AccessExp.Unix())
		ans.AccessToken, ans.AccessExpiry = tokens.Access.Reveal(), &exp
	case s.cfg.ExposeTokens:
		// The handle lives as long as the session: its expiry is the session's end, so the app never logs the
		// user out while the session lives.
		exp := float64(s.auth.End(sess).Unix())
		ans.AccessToken, ans.AccessExpiry = s.auth.Handle(sess), &exp
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

// logout ends the request's session, on every instance (through the Revoker), and clears the cookie. It always
// answers 204 and clears the cookie, with or without a session, even when the database cannot be written (the
// Revoker keeps the revocation and retries it).
func (s *Server) logout(c *fiber.Ctx) error {
	if sess, ok := s.openedSession(c); ok {
		s.endSession(c, sess.UserID, authn.IDOf(sess), s.auth.End(sess))
	}
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
	if h := c.Get(fiber.HeaderAuthorization); h != "" && !isHandle(h) {
		return s.bearerSessionInfo(c, secret.String(h)) // sessioninfo.go: verified, or accepted by MS
	}
	q := s.authRequest(c)
	q.CallsMS = true
	res := s.resolve(c, q)
	if !res.OK() {
		return s.refuse(c, &res)
	}
	s.settle(c, &res)
	exp := s.auth.End(res.Session).Unix()
	return c.JSON(sessionAnswer{Authenticated: true, UserID: res.UserID, AccessExpiresAt: res.Session.AccessExp.Unix(), SessionExpiresAt: &exp})
}

// isHandle reports whether an Authorization header carries a legacy client's handle, which stands for its session
// cookie: such a request is answered as the cookie's.
func isHandle(h string) bool {
	_, ok := authn.HandleOf(secret.String(h))
	return ok
}

// refreshAnswer is the body of POST /api/refresh.
type refreshAnswer struct {
	AccessExpiresAt  int64 `json:"access_expires_at"`
	SessionExpiresAt int64 `json:"session_expires_at"`
}

// refreshNow refreshes the session's access token at once. A Bearer caller's own refresh token goes to MS as-is.
func (s *Server) refreshNow(c *fiber.Ctx) error {
	if h := c.Get(fiber.HeaderAuthorization); h != "" && !isHandle(h) {
		res := s.auth.Bearer(secret.String(h), msclient.TokenRefresh, false)
		if !res.OK() {
			return s.refuse(c, &res)
		}
		resp, err := s.ms.Do(c.UserContext(), msclient.Request{
			Method: fiber.MethodPost, Path: "/refresh", RequestID: requestIDOf(c), Authorization: res.Authorization,
		})
		if err != nil {
			return s.upstreamFailure(c, err)
		}
		return s.passThrough(c, resp)
	}
	res := s.resolve(c, s.authRequest(c))
	if !res.OK() {
		return s.refuse(c, &res)
	}
	if s.auth.Refresh(c.UserContext(), &res, requestIDOf(c)); !res.OK() {
		return s.refuse(c, &res)
	}
	s.settle(c, &res)
	return c.JSON(refreshAnswer{AccessExpiresAt: res.Session.AccessExp.Unix(), SessionExpiresAt: s.auth.End(res.Session).Unix()})
}
