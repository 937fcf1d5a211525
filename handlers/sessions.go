package handlers

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/anitab-org/bridge-in-tech-bff/authn"
	"github.com/anitab-org/bridge-in-tech-bff/msclient"
	"github.com/anitab-org/bridge-in-tech-bff/revocation"
	"github.com/anitab-org/bridge-in-tech-bff/secret"
	"github.com/anitab-org/bridge-in-tech-bff/session"
)

// Messages of the sessions routes.
const (
	msgSessionsUnavailable = "The list of sessions is unavailable right now. Please try again later."
	msgNoSuchSession       = "There is no such session of yours."
	msgPasswordNeeded      = "Ending your other sessions needs your current password: send {\"password\": \"...\"}."
	msgPasswordWrong       = "The password is not correct."
	msgBadSessionID        = "There is no such API route: a session id is 32 hexadecimal digits."
)

// recordTimeout bounds the login record's write: a slow database must not hold up a login.
const recordTimeout = 2 * time.Second

// openedSession opens the request's cookie, whatever its state (expired, revoked): logout needs only its id.
func (s *Server) openedSession(c *fiber.Ctx) (session.Session, bool) {
	raw, state := s.sessionCookie(c)
	if state != cookiePresent || raw == "" {
		return session.Session{}, false
	}
	sess, _, err := s.codec.Open(raw)
	return sess, err == nil
}

// endSession ends one session everywhere.
func (s *Server) endSession(c *fiber.Ctx, userID int64, id revocation.SessionID, until time.Time) {
	s.revoke(c, revocation.Entry{SessionID: id, UserID: userID, Until: until})
}

// endUserSessions ends every session of userID that logged in before before.
func (s *Server) endUserSessions(c *fiber.Ctx, userID int64, before time.Time) {
	s.revoke(c, revocation.Entry{UserID: userID, Before: before, Until: before.Add(s.cfg.SessionAbsoluteTimeout)})
}

// revoke hands e to the Revoker, which applies it here at once and stores it with retries: an error is only
// logged (the revocation is not dropped).
func (s *Server) revoke(c *fiber.Ctx, e revocation.Entry) {
	if s.revoker == nil {
		return
	}
	if err := s.revoker.Revoke(context.WithoutCancel(c.UserContext()), e); err != nil {
		s.log.Warn("a revocation is applied here and not yet stored; it is retried", "request_id", requestIDOf(c), "error", err)
	}
}

// recordLogin writes the login record the sessions list shows. A failed write is logged; the login stands.
func (s *Server) recordLogin(c *fiber.Ctx, sess session.Session) {
	if s.sessions == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.UserContext()), recordTimeout)
	defer cancel()
	r := revocation.Record{SessionID: sess.ID, UserID: sess.UserID, LoginAt: sess.LoginAt, Until: s.auth.End(sess),
		Device: deviceOf(c.Get(fiber.HeaderUserAgent))}
	if err := s.sessions.RecordLogin(ctx, r); err != nil {
		s.log.Warn("the login record was not written; the session works but is missing from its list",
			"request_id", requestIDOf(c), "error", err)
	}
}

// afterMS ends sessions when MS has accepted a change that should end them: a password change ends every other
// session of the user (the current one is re-sealed with a new id and login time so it stays), an account
// deletion ends them all.
func (s *Server) afterMS(c *fiber.Ctx, r msRoute, res *authn.Result, resp *msclient.Response) {
	pw := r.method == fiber.MethodPut && r.path == "/user/change_password"
	del := r.method == fiber.MethodDelete && r.path == "/user"
	if resp.Status < 200 || resp.Status > 299 || !pw && !del {
		return
	}
	user := res.UserID
	if res.ViaCookie {
		user = res.Session.UserID
	} else if user == 0 {
		// A Bearer caller without MS_JWT_SECRET: MS has just accepted its token, so the token's identity is
		// genuine even though the BFF cannot check its signature.
		if b := s.auth.Bearer(res.Authorization, msclient.TokenAccess, true); b.OK() && b.Claims.Identity > 0 {
			user = b.Claims.Identity
		}
	}
	if user == 0 {
		return
	}
	switch {
	case pw:
		before := s.auth.Cutoff()
		s.endUserSessions(c, user, before)
		if res.ViaCookie {
			res.Session.ID, res.Session.LoginAt, res.Session.ActiveAt = session.NewID(), before, before
			res.Session.MSCheckedAt = before
			res.Reseal, res.Clear = true, false
			s.recordLogin(c, res.Session)
		}
	case del:
		s.endUserSessions(c, user, s.auth.Cutoff())
		if res.ViaCookie {
			res.Clear, res.Reseal = true, false
		}
	}
}

// sessionItem is one entry of GET /api/sessions.
type sessionItem struct {
	ID        string `json:"id"`
	Device    string `json:"device"`
	LoginAt   int64  `json:"login_at"`
	ExpiresAt int64  `json:"expires_at"`
	Current   bool   `json:"current"`
}

// sessionsList is the body of GET /api/sessions.
type sessionsList struct {
	Sessions []sessionItem `json:"sessions"`
}

// cookieCaller resolves a sessions route's caller: only a cookie session has sessions to list and end.
func (s *Server) cookieCaller(c *fiber.Ctx) authn.Result {
	q := s.authRequest(c)
	q.Authorization = "" // the sessions routes are the cookie's: a Bearer header does not name a session
	return s.resolve(c, q)
}

// listSessions answers the user's live sessions, newest login first, marking the current one.
func (s *Server) listSessions(c *fiber.Ctx) error {
	res := s.cookieCaller(c)
	if !res.OK() {
		return s.refuse(c, &res)
	}
	s.settle(c, &res)
	if s.sessions == nil {
		return s.fail(c, fiber.StatusServiceUnavailable, msgSessionsUnavailable)
	}
	records, err := s.liveRecords(c, res.UserID)
	if err != nil {
		return s.sessionsUnavailable(c, err)
	}
	out := sessionsList{Sessions: make([]sessionItem, 0, len(records))}
	for _, r := range records {
		out.Sessions = append(out.Sessions, sessionItem{ID: hex.EncodeToString(r.SessionID[:]), Device: r.Device,
			LoginAt: r.LoginAt.Unix(), ExpiresAt: r.Until.Unix(), Current: r.SessionID == authn.IDOf(res.Session)})
	}
	return c.JSON(out)
}

// liveRecords is userID's login records that are not ended.
func (s *Server) liveRecords(c *fiber.Ctx, userID int64) ([]revocation.Record, error) {
	now := s.now()
	records, err := s.sessions.Logins(c.UserContext(), userID, now)
	if err != nil {
		return nil, err
	}
	live := records[:0]
	for _, r := range records {
		if !s.auth.IsRevoked(r.UserID, r.SessionID, r.LoginAt) && r.Until.After(now) {
			live = append(live, r)
		}
	}
	return live, nil
}

func (s *Server) sessionsUnavailable(c *fiber.Ctx, err error) error {
	s.log.Warn("reading the login records failed", "request_id", requestIDOf(c), "error", err)
	c.Set(fiber.HeaderRetryAfter, "5")
	return s.fail(c, fiber.StatusServiceUnavailable, msgSessionsUnavailable)
}

// endOneSession ends one session of the caller: its own without more (a logout), another only with the current
// password.
func (s *Server) endOneSession(c *fiber.Ctx) error {
	id, ok := parseSessionID(c.Params("id"))
	if !ok {
		return s.fail(c, fiber.StatusNotFound, msgBadSessionID)
	}
	res := s.cookieCaller(c)
	if !res.OK() {
		return s.refuse(c, &res)
	}
	if id == authn.IDOf(res.Session) {
		s.endSession(c, res.UserID, id, s.auth.End(res.Session))
		s.clearSession(c)
		return c.SendStatus(fiber.StatusNoContent)
	}
	if s.sessions == nil {
		return s.fail(c, fiber.StatusServiceUnavailable, msgSessionsUnavailable)
	}
	records, err := s.liveRecords(c, res.UserID)
	if err != nil {
		return s.sessionsUnavailable(c, err)
	}
	var target *revocation.Record
	for i := range records {
		if records[i].SessionID == id {
			target = &records[i]
		}
	}
	if target == nil {
		s.settle(c, &res)
		return s.fail(c, fiber.StatusNotFound, msgNoSuchSession)
	}
	if refusal := s.checkPassword(c, &res); refusal != nil {
		return refusal()
	}
	s.endSession(c, res.UserID, id, target.Until)
	s.settle(c, &res)
	return c.SendStatus(fiber.StatusNoContent)
}

// endAllSessions is "sign out everywhere": every session of the user, this one included, after the current
// password is checked. The cookie is cleared.
func (s *Server) endAllSessions(c *fiber.Ctx) error {
	res := s.cookieCaller(c)
	if !res.OK() {
		return s.refuse(c, &res)
	}
	if refusal := s.checkPassword(c, &res); refusal != nil {
		return refusal()
	}
	s.endUserSessions(c, res.UserID, s.auth.Cutoff())
	s.clearSession(c)
	c.Set("Clear-Site-Data", `"cookies"`)
	return c.SendStatus(fiber.StatusNoContent)
}

// checkPassword checks the body's "password" with MS: GET /user names the user, and a login with that username
// and the password must succeed (its tokens are dropped). It counts against the login limiters like a login. It
// returns nil when the password is right, or the refusal to answer with (the cookie settled first).
func (s *Server) checkPassword(c *fiber.Ctx, res *authn.Result) (refusal func() error) {
	refuse := func(answer func() error) func() error {
		return func() error {
			s.settle(c, res)
			return answer()
		}
	}
	var body struct {
		Password *string `json:"password"`
	}
	raw := c.Request().Body()
	if !isJSONObject(raw) || json.Unmarshal(raw, &body) != nil || body.Password == nil || *body.Password == "" {
		return refuse(func() error { return s.fail(c, fiber.StatusBadRequest, msgPasswordNeeded) })
	}
	ctx, reqID := c.UserContext(), requestIDOf(c)
	resp, err := s.ms.Do(ctx, msclient.Request{Method: fiber.MethodGet, Path: "/user", RequestID: reqID,
		Route: "GET /user", Authorization: res.Authorization})
	if err != nil {
		return refuse(func() error { return s.upstreamFailure(c, err) })
	}
	if resp.Status != fiber.StatusOK {
		if resp.AuthFailure() != msclient.AuthNone {
			s.auth.Refused(ctx, res, reqID)
		}
		return refuse(func() error { return s.passThrough(c, resp) })
	}
	var who struct {
		ID       int64  `json:"id"`
		Username string `json:"username"`
	}
	if json.Unmarshal(resp.Body, &who) != nil || who.ID != res.UserID || who.Username == "" {
		return refuse(func() error { return s.fail(c, fiber.StatusBadGateway, msgMSBadAnswer) })
	}
	tooMany := func(wait time.Duration) func() error {
		return refuse(func() error {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds()+0.999)))
			return s.fail(c, fiber.StatusTooManyRequests, msgTooManyLogins)
		})
	}
	attempt, wait := s.logins.begin(s.clientIP(c), who.Username)
	if attempt == nil {
		return tooMany(wait)
	}
	defer attempt.abandoned()
	if !s.sharedSlot(ctx, attempt, reqID) {
		return tooMany(s.cfg.LoginWindow)
	}
	_, refused, err := s.ms.Login(ctx, secret.String(who.Username), secret.String(*body.Password), reqID)
	if err != nil {
		return refuse(func() error { return s.upstreamFailure(c, err) })
	}
	if refused != nil {
		if refused.Status == fiber.StatusUnauthorized {
			attempt.failed()
		}
		return refuse(func() error { return s.fail(c, fiber.StatusForbidden, msgPasswordWrong) })
	}
	attempt.succeeded()
	s.sharedSuccess(ctx, attempt, reqID)
	return nil
}

// parseSessionID reads a session id as the sessions list writes it: 32 lowercase hex digits.
func parseSessionID(v string) (revocation.SessionID, bool) {
	var id revocation.SessionID
	if len(v) != 2*len(id) {
		return id, false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return id, false
		}
	}
	_, err := hex.Decode(id[:], []byte(v))
	return id, err == nil && !id.IsZero()
}

// deviceOf is a coarse description of a User-Agent ("Firefox on Linux"): a browser family and an operating system
// family, never the string itself, so the record says which device without fingerprinting it.
func deviceOf(ua string) string {
	browser := "A browser"
	for _, b := range [...]struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"},
		{"curl/", "curl"},
	} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	for _, o := range [...]struct{ token, name string }{
		{"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iOS"}, {"Windows", "Windows"}, {"Mac OS X", "macOS"},
		{"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, o.token) {
			return browser + " on " + o.name
		}
	}
	return browser
}
