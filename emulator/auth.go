package emulator

import (
	"net/http"
)

// Account endpoints that need no access token: login, refresh, register, email confirmation.

// login is POST /login.
func (s *Server) login(c *call) reply {
	body, kind := c.object()
	switch kind {
	case bodyInvalid:
		return errBadJSON()
	case bodyNone, bodyOther:
		return internalError() // MS calls request.json.get on it
	}
	username, password := body["username"], body["password"]
	if !truthy(username) {
		return msg(http.StatusBadRequest, "The field username is missing.")
	}
	if !truthy(password) {
		return msg(http.StatusBadRequest, "Password field is missing.")
	}
	name, isStr := username.(string)
	if !isStr {
		return internalError() // re.match on a non-string
	}
	s.mu.RLock()
	var u *user
	if emailValid(name) {
		u = s.st.userByEmail(name)
	} else {
		u = s.st.userByUsername(name)
	}
	var uid int64
	verified := false
	if u != nil {
		pw, isStr := password.(string)
		if !isStr {
			s.mu.RUnlock()
			return internalError() // werkzeug's check_password_hash on a non-string
		}
		if !checkPassword(u.PasswordHash, pw) {
			u = nil
		} else {
			uid, verified = u.ID, u.IsEmailVerified
		}
	}
	s.mu.RUnlock()
	if u == nil {
		return msg(http.StatusUnauthorized, "Username or password is wrong.")
	}
	if !verified {
		return msg(http.StatusForbidden, "Please verify your email before login.")
	}
	access, err := s.issueToken(uid, tokenAccess, c.now)
	if err != nil {
		return internalError()
	}
	refresh, err := s.issueToken(uid, tokenRefresh, c.now)
	if err != nil {
		return internalError()
	}
	return jsonReply(http.StatusOK, struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}{access, refresh})
}

// refresh is POST /refresh: a new access token for the refresh token's identity.
func (s *Server) refresh(c *call) reply {
	access, err := s.issueToken(c.uid, tokenAccess, c.now)
	if err != nil {
		return internalError()
	}
	return jsonReply(http.StatusOK, struct {
		AccessToken string `json:"access_token"`
	}{access})
}

const msgRegistered = "User was created successfully.A confirmation email has been sent via email. " +
	"After confirming your email you can login."

// register is POST /register (the schema has already been checked).
func (s *Server) register(c *call) reply {
	body, _ := c.object()
	name, _ := body["name"].(string)
	username, _ := body["username"].(string)
	password, _ := body["password"].(string)
	email, _ := body["email"].(string)
	terms, _ := body["terms_and_conditions_checked"].(bool)
	needMentoring, _ := body["need_mentoring"].(bool)
	availableToMentor, _ := body["available_to_mentor"].(bool)

	if containsSpace(password) {
		return msg(http.StatusBadRequest, "Password shouldn't contain spaces.")
	}
	for _, chk := range []struct {
		value, field string
		min, max     int
	}{{name, "name", nameMin, nameMax}, {username, "username", usernameMin, usernameMax}, {password, "password", passwordMin, passwordMax}} {
		if m, ok := checkLength(chk.value, chk.field, chk.min, chk.max); !ok {
			return msg(http.StatusBadRequest, m)
		}
	}
	switch {
	case !terms:
		return msg(http.StatusBadRequest, "Terms and conditions are not checked.")
	case !nameValid(name):
		return msg(http.StatusBadRequest, "Your name is invalid.")
	case !emailValid(email):
		return msg(http.StatusBadRequest, "Your email is invalid.")
	case !usernameValid(username):
		return msg(http.StatusBadRequest, "Your username is invalid.")
	}
	hash := hashPassword(password)
	token := s.makeConfirmToken(email, c.now)

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.userByUsername(username) != nil {
		return msg(http.StatusConflict, "A user with that username already exists.")
	}
	if s.st.userByEmail(email) != nil {
		return msg(http.StatusConflict, "A user with that email already exists.")
	}
	u := &user{
		Name: name, Username: username, Email: email, PasswordHash: hash, TermsAndConditionsChecked: terms,
		IsAdmin:          len(s.st.users) == 0, // MS: UserModel.is_empty()
		RegistrationDate: unixFloat(c.now),
		NeedMentoring:    needMentoring, AvailableToMentor: availableToMentor,
	}
	if s.autoVerify {
		u.IsEmailVerified, u.EmailVerificationDate = true, ptr(isoNaive(c.now))
	}
	s.st.addUser(u)
	s.st.send(Email{To: email, Kind: EmailConfirmation, Token: token, At: c.now})
	return msg(http.StatusCreated, msgRegistered)
}

func containsSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			return true
		}
	}
	return false
}

// confirmEmail is GET /user/confirm_email/{token}.
func (s *Server) confirmEmail(c *call) reply {
	email, err := s.readConfirmToken(c.token, c.now)
	if err != nil || email == "" {
		return msg(http.StatusBadRequest, "The confirmation link is invalid or the token has expired.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.userByEmail(email)
	switch {
	case u == nil:
		return internalError() // MS reads is_email_verified of None
	case u.IsEmailVerified:
		return msg(http.StatusOK, "Account already confirmed.")
	}
	u.IsEmailVerified, u.EmailVerificationDate = true, ptr(isoNaive(c.now))
	return msg(http.StatusOK, "You have confirmed your account. Thanks!")
}

// resendEmail is POST /user/resend_email.
func (s *Server) resendEmail(c *call) reply {
	body, kind := c.object()
	switch kind {
	case bodyInvalid:
		return errBadJSON()
	case bodyNone, bodyOther:
		return internalError()
	}
	v := body["email"]
	if !truthy(v) {
		return msg(http.StatusBadRequest, "Email field is missing.")
	}
	email, isStr := v.(string)
	if !isStr {
		return internalError()
	}
	if !emailValid(email) {
		return msg(http.StatusBadRequest, "Your email is invalid.")
	}
	token := s.makeConfirmToken(email, c.now)
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.userByEmail(email)
	switch {
	case u == nil:
		return msg(http.StatusNotFound, "You are not registered in the system.")
	case u.IsEmailVerified:
		return msg(http.StatusConflict, "You already confirm your email.")
	}
	s.st.send(Email{To: email, Kind: EmailConfirmation, Token: token, At: c.now})
	return msg(http.StatusOK, "Check your email, a new verification email was sent.")
}
