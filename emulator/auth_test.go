package emulator

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	register(t, h, "unverified", "unverified@example.org")
	cases := []struct {
		name    string
		body    any
		status  int
		message string
	}{
		{"a body without username is refused", map[string]any{"password": "x"}, 400, "The field username is missing."},
		{"an empty username is refused", map[string]any{"username": "", "password": "x"}, 400, "The field username is missing."},
		{"a null username is refused", map[string]any{"username": nil, "password": "x"}, 400, "The field username is missing."},
		{"a body without password is refused", map[string]any{"username": "mentoruser"}, 400, "Password field is missing."},
		{"a wrong password is a 401", map[string]any{"username": "mentoruser", "password": "nope"}, 401, "Username or password is wrong."},
		{"an unknown user is a 401", map[string]any{"username": "nobody", "password": "nope"}, 401, "Username or password is wrong."},
		{"an unverified user is a 403", map[string]any{"username": "unverified", "password": "unverified-pass"}, 403, "Please verify your email before login."},
		{"a body that is not JSON is a bad request", raw("{"), 400, msgBadRequest},
		{"a body MS cannot read crashes MS", noJSON(`{"username":"x"}`), 500, msgInternal},
		{"a numeric username crashes MS", map[string]any{"username": 5, "password": "x"}, 500, msgInternal},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { expect(t, h.do("POST", "/login", "", tc.body), tc.status, tc.message) })
	}
	t.Run("login by email answers exactly two tokens", func(t *testing.T) {
		r := h.do("POST", "/login", "", map[string]any{"username": "mentor@example.org", "password": "mentorpass1"})
		expectStatus(t, r, 200)
		if b := r.object(t); len(b) != 2 || b["access_token"] == nil || b["refresh_token"] == nil {
			t.Fatalf("login body %s", r.body)
		}
	})
}

// register creates a user whose password is username+"-pass" and checks the 201.
func register(t *testing.T, h *harness, username, email string) {
	t.Helper()
	expect(t, h.do("POST", "/register", "", registration(username, email)), http.StatusCreated, msgRegistered)
}

func registration(username, email string) map[string]any {
	return map[string]any{
		"name": "New Person", "username": username, "password": username + "-pass", "email": email,
		"terms_and_conditions_checked": true, "need_mentoring": true,
	}
}

func TestRegisterRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	with := func(k string, v any) map[string]any {
		b := registration("newperson", "new@example.org")
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	cases := []struct {
		name    string
		body    any
		status  int
		message string
	}{
		{"a misspelt password is refused for spaces", with("password", "has space1"), 400, "Password shouldn't contain spaces."},
		{"a one-letter name is too short", with("name", "A"), 400, "The name field has to be longer than 1 characters and shorter than 31 characters."},
		{"a name of spaces counts no characters", with("name", "A        "), 400, "The name field has to be longer than 1 characters and shorter than 31 characters."},
		{"a four-letter username is too short", with("username", "abcd"), 400, "The username field has to be longer than 4 characters and shorter than 26 characters."},
		{"a seven-letter password is too short", with("password", "abcdefg"), 400, "The password field has to be longer than 7 characters and shorter than 65 characters."},
		{"unchecked terms are refused", with("terms_and_conditions_checked", false), 400, "Terms and conditions are not checked."},
		{"a name with digits is invalid", with("name", "R2 D2"), 400, "Your name is invalid."},
		{"an email without a dot is invalid", with("email", "new@example"), 400, "Your email is invalid."},
		{"a username with a dash is invalid", with("username", "new-person"), 400, "Your username is invalid."},
		{"a taken username conflicts", with("username", "mentoruser"), 409, "A user with that username already exists."},
		{"a taken email conflicts", with("email", "mentor@example.org"), 409, "A user with that email already exists."},
		{"a body that is not JSON is a bad request", raw("nope"), 400, msgBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { expect(t, h.do("POST", "/register", "", tc.body), tc.status, tc.message) })
	}

	schemaCases := []struct {
		name   string
		body   any
		errors map[string]any
	}{
		{"a missing name is a required property", with("name", nil), map[string]any{"name": "'name' is a required property"}},
		{"a numeric name is not a string", with("name", 5), map[string]any{"name": "5 is not of type 'string'"}},
		{"a string flag is not a boolean", with("need_mentoring", "yes"), map[string]any{"need_mentoring": "'yes' is not of type 'boolean'"}},
		{"no body at all is None", nil, map[string]any{"": "None is not of type 'object'"}},
		{"several problems are reported together", map[string]any{"name": true, "username": "abcde"},
			map[string]any{"name": "True is not of type 'string'", "password": "'password' is a required property",
				"email": "'email' is a required property", "terms_and_conditions_checked": "'terms_and_conditions_checked' is a required property"}},
	}
	for _, tc := range schemaCases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do("POST", "/register", "", tc.body)
			expect(t, r, 400, "Input payload validation failed")
			if got := r.object(t)["errors"].(map[string]any); !equalJSON(got, tc.errors) {
				t.Fatalf("errors %v, want %v", got, tc.errors)
			}
		})
	}
}

func equalJSON(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestRegisterConfirmAndLogin(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	expect(t, h.do("POST", "/register", "", registration("newperson", "new@example.org")), http.StatusCreated,
		"User was created successfully.A confirmation email has been sent via email. After confirming your email you can login.")
	expect(t, h.do("POST", "/login", "", map[string]any{"username": "newperson", "password": "newperson-pass"}),
		403, "Please verify your email before login.")

	out := h.srv.Outbox()
	if len(out) != 1 || out[0].To != "new@example.org" || out[0].Kind != EmailConfirmation || out[0].Token == "" {
		t.Fatalf("outbox %+v", out)
	}
	token := out[0].Token
	expect(t, h.do("GET", "/user/confirm_email/"+token, "", nil), 200, "You have confirmed your account. Thanks!")
	expect(t, h.do("GET", "/user/confirm_email/"+token, "", nil), 200, "Account already confirmed.")
	h.login("newperson", "newperson-pass")

	r := h.do("GET", "/user", "", nil)
	expect(t, r, 401, msgTokenMissing)
	a, _ := h.login("newperson", "newperson-pass")
	u := h.doHeader("GET", "/user", "Bearer "+a, nil).object(t)
	if u["is_admin"] != false || u["is_email_verified"] != true || u["need_mentoring"] != true || u["email_verification_date"] != "2024-03-01T12:00:00" {
		t.Fatalf("user %v", u)
	}
}

func TestConfirmEmailRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	register(t, h, "newperson", "new@example.org")
	good := h.srv.ConfirmationToken("new@example.org")
	other := New(Options{Secret: []byte("another secret")}).ConfirmationToken("new@example.org")
	const invalid = "The confirmation link is invalid or the token has expired."
	for _, tc := range []struct{ name, token string }{
		{"garbage is invalid", "garbage"},
		{"a token signed with another secret is invalid", other},
		{"a truncated token is invalid", good[:len(good)-2]},
	} {
		t.Run(tc.name, func(t *testing.T) { expect(t, h.do("GET", "/user/confirm_email/"+tc.token, "", nil), 400, invalid) })
	}
	t.Run("a token older than 30 days has expired", func(t *testing.T) {
		h := newHarness(t)
		register(t, h, "newperson", "new@example.org")
		tok := h.srv.ConfirmationToken("new@example.org")
		h.clock.Advance(30*24*time.Hour + time.Second)
		expect(t, h.do("GET", "/user/confirm_email/"+tok, "", nil), 400, invalid)
	})
	t.Run("a valid token for a deleted user crashes MS", func(t *testing.T) {
		expect(t, h.do("GET", "/user/confirm_email/"+h.srv.ConfirmationToken("gone@example.org"), "", nil), 500, msgInternal)
	})
}

func TestFirstRegisteredUserBecomesAdmin(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *Options) { o.SeedUsers = nil; o.AutoVerify = true })
	register(t, h, "firstuser", "first@example.org")
	register(t, h, "seconduser", "second@example.org")
	for name, admin := range map[string]bool{"firstuser": true, "seconduser": false} {
		a, _ := h.login(name, name+"-pass") // AutoVerify: no confirmation needed
		if got := h.doHeader("GET", "/user", "Bearer "+a, nil).object(t)["is_admin"]; got != admin {
			t.Errorf("%s is_admin = %v", name, got)
		}
	}
}

func TestSeedUsersWithoutAdminMakeTheFirstAdmin(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *Options) { o.SeedUsers = LoadUsers(3) })
	a, _ := h.login("loaduser1", "loadpass1")
	if got := h.doHeader("GET", "/user", "Bearer "+a, nil).object(t); got["is_admin"] != true || got["email"] != "loaduser1@example.org" || got["name"] != "Load User" {
		t.Fatalf("loaduser1 %v", got)
	}
	a, _ = h.login("loaduser3@example.org", "loadpass3")
	if got := h.doHeader("GET", "/user", "Bearer "+a, nil).object(t)["is_admin"]; got != false {
		t.Fatalf("loaduser3 is_admin %v", got)
	}
}

func TestResendEmail(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	register(t, h, "newperson", "new@example.org")
	cases := []struct {
		name    string
		body    any
		status  int
		message string
	}{
		{"a body without email is refused", map[string]any{}, 400, "Email field is missing."},
		{"a malformed email is refused", map[string]any{"email": "nope"}, 400, "Your email is invalid."},
		{"an unknown email is not registered", map[string]any{"email": "who@example.org"}, 404, "You are not registered in the system."},
		{"a verified user is told so", map[string]any{"email": "mentor@example.org"}, 409, "You already confirm your email."},
		{"no JSON body crashes MS", nil, 500, msgInternal},
		{"an unverified user gets a new email", map[string]any{"email": "new@example.org"}, 200, "Check your email, a new verification email was sent."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { expect(t, h.do("POST", "/user/resend_email", "", tc.body), tc.status, tc.message) })
	}
	if out := h.srv.Outbox(); len(out) != 2 || out[1].Kind != EmailConfirmation || !strings.Contains(out[1].To, "new@") {
		t.Fatalf("outbox %+v", out)
	}
}
