package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

const ctMsgRegistered = "User was created successfully.A confirmation email has been sent via email. After confirming your email you can login."

// ctRegistration is a valid POST /register body for uma, with changes applied (a nil value removes the key).
func ctRegistration(changes map[string]any) map[string]any {
	b := map[string]any{"name": "Uma Unverified", "username": "uma_unverified", "password": "uma-pass-123",
		"email": "uma@example.org", "terms_and_conditions_checked": true}
	for k, v := range changes {
		if v == nil {
			delete(b, k)
			continue
		}
		b[k] = v
	}
	return b
}

// ctSchemaError checks MS's payload-validation answer: the message and exactly one error, field: text.
func ctSchemaError(field, text string) func(t *testing.T, a ctAnswer) {
	return func(t *testing.T, a ctAnswer) {
		t.Helper()
		m := a.object(t)
		if m["message"] != "Input payload validation failed" {
			t.Errorf("message %v, want %q", m["message"], "Input payload validation failed")
		}
		errs, _ := m["errors"].(map[string]any)
		if len(errs) != 1 || errs[field] != text {
			t.Errorf("errors %v, want {%q: %q}", m["errors"], field, text)
		}
		ctKeys(t, "schema answer", m, []string{"message", "errors"})
		if !a.msCalled {
			t.Errorf("the emulator was not called")
		}
	}
}

// ctAuthTable is docs/MS.md#auth-and-account and docs/MS.md#the-three-token-refusals through the BFF.
func ctAuthTable(t *testing.T) {
	s := newCtStack(t,
		ctSeed("ada_admin", "Ada Admin", "admin", "mentor", "mentee"),
		ctSeed("bob_builder", "Bob Builder", "mentor"),
		ctSeed("cal_caller", "Cal Caller", "mentee"),
		ctSeed("dee_deleted", "Dee Deleted", "mentee"),
	)
	anon := s.client("anonymous")
	ada, bob, cal, dee := s.as("ada_admin"), s.as("bob_builder"), s.as("cal_caller"), s.as("dee_deleted")
	uma := s.client("uma")
	umaToken := s.ms.ConfirmationToken("uma@example.org")
	oldToken := s.ms.ConfirmationToken("bob_builder@example.org") // used after the clock moved 31 days
	bobAccess, bobRefresh := s.msTokens("bob_builder")
	bearer := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

	const (
		post, get, put, del = http.MethodPost, http.MethodGet, http.MethodPut, http.MethodDelete
	)
	cases := []ctCase{
		// POST /register (schema first, then MS's checks in order).
		{name: "register refuses a body without a name, by schema", who: anon, method: post, path: "/api/register",
			body: ctRegistration(map[string]any{"name": nil}), status: 400,
			check: ctSchemaError("name", "'name' is a required property")},
		{name: "register refuses a name that is not a string, by schema", who: anon, method: post, path: "/api/register",
			body: ctRegistration(map[string]any{"name": 5}), status: 400, check: ctSchemaError("name", "5 is not of type 'string'")},
		{name: "register refuses a password with a space", who: anon, method: post, path: "/api/register",
			body: ctRegistration(map[string]any{"password": "has space 123"}), status: 400, msg: "Password shouldn't contain spaces."},
		{name: "register refuses a one-letter name", who: anon, method: post, path: "/api/register",
			body: ctRegistration(map[string]any{"name": "U"}), status: 400,
			msg: "The name field has to be longer than 1 characters and shorter than 31 characters."},
		{name: "register refuses a four-letter username", who: anon, method: post, path: "/api/register",
			body: ctRegistration(map[string]any{"username": "umau"}), status: 400,
			msg: "The username field has to be longer than 4 characters and shorter than 26 characters."},
		{name: "register refuses a seven-character password", who: anon, method: post, path: "/api/register",
			body: ctRegistration(map[string]any{"password": "short12"}), status: 400,
			msg: "The password field has to be longer than 7 characters and shorter than 65 characters."},
		{name: "register refuses unchecked terms and conditions", who: anon, method: post, path: "/api/register",
			body: ctRegistration(map[string]any{"terms_and_conditions_checked": false}), status: 400, msg: "Terms and conditions are not checked."},
		{name: "register refuses a name with digits", who: anon, method: post, path: "/api/register",
			body: ctRegistration(map[string]any{"name": "R2 D2"}), status: 400, msg: "Your name is invalid."},
		{name: "register refuses an invalid email", who: anon, method: post, path: "/api/register",
			body: ctRegistration(map[string]any{"email": "not-an-email"}), status: 400, msg: "Your email is invalid."},
		{name: "register refuses a username with a dash", who: anon, method: post, path: "/api/register",
			body: ctRegistration(map[string]any{"username": "uma-unverified"}), status: 400, msg: "Your username is invalid."},
		{name: "register refuses a taken username", who: anon, method: post, path: "/api/register",
			body: ctRegistration(map[string]any{"username": "bob_builder"}), status: 409, msg: "A user with that username already exists."},
		{name: "register refuses a taken email", who: anon, method: post, path: "/api/register",
			body: ctRegistration(map[string]any{"email": "bob_builder@example.org"}), status: 409, msg: "A user with that email already exists."},
		{name: "register creates an unverified user and emails a confirmation link", who: anon, method: post, path: "/api/register",
			body: ctRegistration(nil), status: 201, msg: ctMsgRegistered,
			check: func(t *testing.T, a ctAnswer) {
				if !s.hasEmail("uma@example.org", emulator.EmailConfirmation) {
					t.Errorf("no confirmation email to uma in the outbox: %+v", s.ms.Outbox())
				}
			}},

		// POST /login (the BFF's own route; MS refusals pass through and set no cookie).
		{name: "login refuses a body without a username", who: anon, method: post, path: "/api/login",
			body: map[string]any{"password": "whatever1"}, status: 400, msg: "The field username is missing."},
		{name: "login refuses a body without a password", who: anon, method: post, path: "/api/login",
			body: map[string]any{"username": "bob_builder"}, status: 400, msg: "Password field is missing."},
		{name: "login refuses a wrong password and sets no cookie", who: anon, method: post, path: "/api/login",
			body: map[string]any{"username": "bob_builder", "password": "wrong-pass"}, status: 401, msg: "Username or password is wrong.",
			check: func(t *testing.T, a ctAnswer) {
				if v := a.header.Values("Set-Cookie"); len(v) != 0 {
					t.Errorf("a refused login set cookies: %v", v)
				}
			}},
		{name: "login refuses an unknown user", who: anon, method: post, path: "/api/login",
			body: map[string]any{"username": "nobody_here", "password": "whatever1"}, status: 401, msg: "Username or password is wrong."},
		{name: "login refuses a user whose email is not confirmed", who: uma, method: post, path: "/api/login",
			body: map[string]any{"username": "uma_unverified", "password": "uma-pass-123"}, status: 403, msg: "Please verify your email before login."},
		{name: "login by username answers the user and the expiry times and sets the cookie", who: s.client("bob again"), method: post,
			path: "/api/login", body: map[string]any{"username": "bob_builder", "password": "bob_builder-pass1"}, status: 200,
			check: func(t *testing.T, a ctAnswer) {
				m := a.object(t)
				ctKeys(t, "login answer", m, ctLoginAnswerKeys)
				user, _ := m["user"].(map[string]any)
				ctKeys(t, "login user", user, ctFullUserKeys)
				if user["username"] != "bob_builder" {
					t.Errorf("logged in as %v", user["username"])
				}
				if len(a.header.Values("Set-Cookie")) == 0 {
					t.Error("no session cookie was set")
				}
			}},
		{name: "login by email works as well", who: s.client("bob by email"), method: post, path: "/api/login",
			body: map[string]any{"username": "bob_builder@example.org", "password": "bob_builder-pass1"}, status: 200},

		// POST /user/resend_email.
		{name: "resend email refuses a body without an email", who: anon, method: post, path: "/api/user/resend_email",
			body: map[string]any{}, status: 400, msg: "Email field is missing."},
		{name: "resend email refuses an invalid email", who: anon, method: post, path: "/api/user/resend_email",
			body: map[string]any{"email": "nope"}, status: 400, msg: "Your email is invalid."},
		{name: "resend email refuses an unknown email", who: anon, method: post, path: "/api/user/resend_email",
			body: map[string]any{"email": "nobody@example.org"}, status: 404, msg: "You are not registered in the system."},
		{name: "resend email refuses a confirmed email", who: anon, method: post, path: "/api/user/resend_email",
			body: map[string]any{"email": "bob_builder@example.org"}, status: 409, msg: "You already confirm your email."},
		{name: "resend email sends a new link to an unconfirmed user", who: anon, method: post, path: "/api/user/resend_email",
			body: map[string]any{"email": "uma@example.org"}, status: 200, msg: "Check your email, a new verification email was sent.",
			check: func(t *testing.T, a ctAnswer) {
				if n := s.countEmails("uma@example.org", emulator.EmailConfirmation); n != 2 {
					t.Errorf("%d confirmation emails to uma, want 2", n)
				}
			}},

		// GET /user/confirm_email/{token}.
		{name: "confirm email refuses a token that is not one", who: anon, method: get, path: "/api/user/confirm_email/not-a-token",
			status: 400, msg: "The confirmation link is invalid or the token has expired."},
		{name: "confirm email confirms the account", who: anon, method: get, path: "/api/user/confirm_email/" + umaToken,
			status: 200, msg: "You have confirmed your account. Thanks!"},
		{name: "confirm email a second time says the account is already confirmed", who: anon, method: get,
			path: "/api/user/confirm_email/" + umaToken, status: 200, msg: "Account already confirmed."},
		{name: "login works once the email is confirmed", who: uma, method: post, path: "/api/login",
			body: map[string]any{"username": "uma_unverified", "password": "uma-pass-123"}, status: 200},

		// GET /user and its alias.
		{name: "get user answers the full user", who: bob, method: get, path: "/api/user", status: 200,
			check: func(t *testing.T, a ctAnswer) {
				m := a.object(t)
				ctKeys(t, "user", m, ctFullUserKeys)
				if m["username"] != "bob_builder" || m["email"] != "bob_builder@example.org" || m["is_email_verified"] != true {
					t.Errorf("user %v", m)
				}
			}},
		{name: "get user personal details is get user with current_organization beside organization", who: bob, method: get, path: "/api/user/personal_details", status: 200,
			check: func(t *testing.T, a ctAnswer) {
				m := a.object(t)
				ctKeys(t, "user", m, append(slices.Clone(ctFullUserKeys), "current_organization"))
				if m["current_organization"] != m["organization"] {
					t.Errorf("current_organization %v, organization %v", m["current_organization"], m["organization"])
				}
			}},

		// PUT /user.
		{name: "update user refuses an empty object", who: cal, method: put, path: "/api/user", body: map[string]any{},
			status: 400, msg: "No data for updating profile was sent."},
		{name: "update user refuses a four-letter username", who: cal, method: put, path: "/api/user", body: map[string]any{"username": "calc"},
			status: 400, msg: "The username field has to be longer than 4 characters and shorter than 26 characters."},
		{name: "update user refuses a username with punctuation", who: cal, method: put, path: "/api/user",
			body: map[string]any{"username": "cal.caller!"}, status: 400, msg: "Your new username is invalid."},
		{name: "update user refuses a one-letter name", who: cal, method: put, path: "/api/user", body: map[string]any{"name": "C"},
			status: 400, msg: "The name field has to be longer than 1 characters and shorter than 31 characters."},
		{name: "update user refuses a name with digits", who: cal, method: put, path: "/api/user", body: map[string]any{"name": "C4l"},
			status: 400, msg: "Your name is invalid."},
	}
	for _, f := range []struct {
		key  string
		max  int
		text string
	}{
		{"bio", 450, "The bio field has to be shorter than 451 characters."},
		{"location", 60, "The location field has to be shorter than 61 characters."},
		{"occupation", 60, "The occupation field has to be shorter than 61 characters."},
		{"organization", 60, "The organization field has to be shorter than 61 characters."},
		{"slack_username", 60, "The slack_username field has to be shorter than 61 characters."},
		{"social_media_links", 400, "The social_media_links field has to be shorter than 401 characters."},
		{"skills", 450, "The skills field has to be shorter than 451 characters."},
		{"interests", 150, "The interests field has to be shorter than 151 characters."},
	} {
		cases = append(cases,
			ctCase{name: "update user refuses a " + f.key + " one character too long", who: cal, method: put, path: "/api/user",
				body: map[string]any{f.key: strings.Repeat("x", f.max+1)}, status: 400, msg: f.text},
			ctCase{name: "update user accepts a " + f.key + " of the maximum length with spaces not counted", who: cal, method: put,
				path: "/api/user", body: map[string]any{f.key: strings.Repeat("x", f.max) + "   "}, status: 200, msg: "User was updated successfully."},
		)
	}
	cases = append(cases, []ctCase{
		{name: "update user refuses need_mentoring null", who: cal, method: put, path: "/api/user", body: map[string]any{"need_mentoring": nil},
			status: 400, msg: "Field need_mentoring is not valid."},
		{name: "update user refuses available_to_mentor null", who: cal, method: put, path: "/api/user",
			body: map[string]any{"available_to_mentor": nil}, status: 400, msg: "Field available_to_mentor is not valid."},
		{name: "update user refuses the caller's own current username", who: cal, method: put, path: "/api/user",
			body: map[string]any{"username": "cal_caller"}, status: 400, msg: "A user with that username already exists."},
		{name: "update user refuses another user's username", who: cal, method: put, path: "/api/user",
			body: map[string]any{"username": "bob_builder"}, status: 400, msg: "A user with that username already exists."},
		{name: "update user saves the profile", who: cal, method: put, path: "/api/user",
			body: map[string]any{"name": "Cal Q Caller", "bio": "Writes Go.", "location": "Lisbon", "skills": "testing",
				"available_to_mentor": true, "unknown_key": "ignored"},
			status: 200, msg: "User was updated successfully.",
			check: func(t *testing.T, a ctAnswer) {
				m := cal.must(t, 200, get, "/api/user", nil).object(t)
				for k, v := range map[string]any{"name": "Cal Q Caller", "bio": "Writes Go.", "location": "Lisbon",
					"skills": "testing", "available_to_mentor": true, "need_mentoring": true, "username": "cal_caller"} {
					if m[k] != v {
						t.Errorf("%s = %v, want %v", k, m[k], v)
					}
				}
			}},
		{name: "update user through personal details saves too", who: cal, method: put, path: "/api/user/personal_details",
			body: map[string]any{"occupation": "engineer"}, status: 200, msg: "User was updated successfully.",
			check: func(t *testing.T, a ctAnswer) {
				if m := cal.must(t, 200, get, "/api/user", nil).object(t); m["occupation"] != "engineer" {
					t.Errorf("occupation %v", m["occupation"])
				}
			}},
		{name: "update user with an empty text field clears it", who: cal, method: put, path: "/api/user",
			body: map[string]any{"bio": ""}, status: 200, msg: "User was updated successfully.",
			check: func(t *testing.T, a ctAnswer) {
				if m := cal.must(t, 200, get, "/api/user", nil).object(t); m["bio"] != nil {
					t.Errorf("bio %v, want null", m["bio"])
				}
			}},

		// PUT /user/change_password.
		{name: "change password refuses a body without new_password, by schema", who: cal, method: put, path: "/api/user/change_password",
			body: map[string]any{"current_password": "cal_caller-pass1"}, status: 400,
			check: ctSchemaError("new_password", "'new_password' is a required property")},
		{name: "change password refuses the same password", who: cal, method: put, path: "/api/user/change_password",
			body: map[string]any{"current_password": "cal_caller-pass1", "new_password": "cal_caller-pass1"}, status: 400,
			msg: "New password should not be same as the current password."},
		{name: "change password refuses a new password with a space", who: cal, method: put, path: "/api/user/change_password",
			body: map[string]any{"current_password": "cal_caller-pass1", "new_password": "new pass 123"}, status: 400,
			msg: "Password shouldn't contain spaces."},
		{name: "change password refuses a short new password", who: cal, method: put, path: "/api/user/change_password",
			body: map[string]any{"current_password": "cal_caller-pass1", "new_password": "short"}, status: 400,
			msg: "The new_password field has to be longer than 7 characters and shorter than 65 characters."},
		{name: "change password refuses a wrong current password", who: cal, method: put, path: "/api/user/change_password",
			body: map[string]any{"current_password": "not-my-pass", "new_password": "new-pass-123"}, status: 400,
			msg: "Current password is incorrect."},
		{name: "change password changes it with 201", who: cal, method: put, path: "/api/user/change_password",
			body: map[string]any{"current_password": "cal_caller-pass1", "new_password": "new-pass-123"}, status: 201,
			msg: "Password was updated successfully.",
			check: func(t *testing.T, a ctAnswer) {
				if a := s.client("cal").login(t, "cal_caller", "cal_caller-pass1"); a.status != 401 {
					t.Errorf("the old password still logs in: %v", a)
				}
				s.client("cal").mustLogin(t, "cal_caller", "new-pass-123")
				cal.must(t, 200, get, "/api/user", nil) // the existing session stays valid
			}},

		// DELETE /user, and what the deleted user's browser gets afterwards.
		{name: "delete user refuses the only admin", who: ada, method: del, path: "/api/user", status: 400,
			msg: "You cannot delete your account, since you are the only Admin left."},
		{name: "delete user deletes the account", who: dee, method: del, path: "/api/user", status: 200, msg: "User was deleted successfully."},
		// Deleting the account ends its sessions (docs/SESSIONS.md): the answer cleared the cookie, so what follows
		// is the BFF's own 401 and MS is not asked.
		{name: "delete user a second time finds the session ended", who: dee, method: del, path: "/api/user", status: 401,
			check: ctBFFSays("You are not logged in.")},
		{name: "get user after deleting the account finds the session ended", who: dee, method: get, path: "/api/user", status: 401,
			check: ctBFFSays("You are not logged in.")},
		{name: "update user after deleting the account finds the session ended", who: dee, method: put, path: "/api/user",
			body: map[string]any{"bio": "ghost"}, status: 401, check: ctBFFSays("You are not logged in.")},
		{name: "change password after deleting the account finds the session ended", who: dee, method: put, path: "/api/user/change_password",
			body: map[string]any{"current_password": "dee_deleted-pass1", "new_password": "new-pass-123"}, status: 401,
			check: ctBFFSays("You are not logged in.")},
		{name: "a deleted user can no longer log in", who: s.client("dee again"), method: post, path: "/api/login",
			body: map[string]any{"username": "dee_deleted", "password": "dee_deleted-pass1"}, status: 401, msg: "Username or password is wrong."},

		// The BFF's session routes.
		{name: "session answers who is logged in", who: bob, method: get, path: "/api/session", status: 200,
			check: func(t *testing.T, a ctAnswer) {
				m := a.object(t)
				ctKeys(t, "session", m, []string{"authenticated", "user_id", "access_expires_at", "session_expires_at"})
				if m["authenticated"] != true || ctNum(t, m["user_id"]) != s.id("bob_builder") {
					t.Errorf("session %v", m)
				}
			}},
		{name: "refresh through the session answers the new expiry times", who: bob, method: post, path: "/api/refresh", status: 200,
			check: func(t *testing.T, a ctAnswer) {
				ctKeys(t, "refresh", a.object(t), []string{"access_expires_at", "session_expires_at"})
			}},
		{name: "refresh with the caller's own refresh token passes MS's answer through", who: anon, method: post, path: "/api/refresh",
			headers: bearer(bobRefresh), status: 200,
			check: func(t *testing.T, a ctAnswer) {
				ctKeys(t, "MS refresh", a.object(t), []string{"access_token"})
				if !a.msCalled || string(a.body) != string(a.ms.body) {
					t.Errorf("MS's refresh answer did not pass through: %v", a)
				}
			}},
		{name: "a bearer access token reaches the user", who: anon, method: get, path: "/api/user", headers: bearer(bobAccess), status: 200,
			check: func(t *testing.T, a ctAnswer) { ctKeys(t, "user", a.object(t), ctFullUserKeys) }},
		{name: "a bearer token that is not a JWT is invalid", who: anon, method: get, path: "/api/user", headers: bearer("garbage"),
			status: 401, msg: "The token is invalid!"},
		{name: "an access token on refresh is invalid", who: anon, method: post, path: "/api/refresh", headers: bearer(bobAccess),
			status: 401, msg: "The token is invalid!"},
		{name: "a refresh token on an access route is invalid", who: anon, method: get, path: "/api/user", headers: bearer(bobRefresh),
			status: 401, msg: "The token is invalid!"},
		{name: "a request without session or token is not logged in", who: anon, method: get, path: "/api/user", status: 401,
			check: ctWantBFF("You are not logged in.")},
		{name: "an expired bearer access token is refused by MS", who: anon, method: get, path: "/api/user", headers: bearer(bobAccess),
			before: func(t *testing.T) { s.clock.Advance(11 * time.Minute) },
			status: 401, msg: "The token has expired! Please, login again or refresh it."},
		{name: "the session outlives its access token: the BFF refreshes silently", who: bob, method: get, path: "/api/user", status: 200},
		{name: "a confirmation link older than 30 days is refused", who: anon, method: get, path: "/api/user/confirm_email/" + oldToken,
			before: func(t *testing.T) { s.clock.Advance(31 * 24 * time.Hour) },
			status: 400, msg: "The confirmation link is invalid or the token has expired."},
		{name: "logout answers 204 and clears the cookie", who: bob, method: post, path: "/api/logout", status: 204},
		{name: "after logout the user is not logged in", who: bob, method: get, path: "/api/user", status: 401,
			check: ctWantBFF("You are not logged in.")},
	}...)
	ctRunTable(t, cases)
}

// TestContractConfirmationLinkWithAPercentEncodedCharacterConfirms: a path segment means the same percent-encoded
// or not (RFC 3986 §2.3 for unreserved characters; Flask decodes the path before routing), so MS confirms a link
// whose token has a character percent-encoded, as mail clients and link scanners sometimes rewrite links. Through
// the BFF the same link must confirm too: the token has to reach MS as the same token, not escaped a second time.
func TestContractConfirmationLinkWithAPercentEncodedCharacterConfirms(t *testing.T) {
	t.Parallel()
	s := newCtStack(t, ctSeed("ada_admin", "Ada Admin", "admin"))
	anon := s.client("anonymous")
	anon.must(t, http.StatusCreated, http.MethodPost, "/api/register", ctRegistration(nil))
	token := s.ms.ConfirmationToken("uma@example.org")
	encoded := strings.Replace(token, ".", "%2E", 1) // the same token: "." is unreserved
	if encoded == token {
		t.Fatalf("token %q has no dot", token)
	}

	a := anon.do(t, http.MethodGet, "/api/user/confirm_email/"+encoded, nil)
	if a.status != http.StatusOK || a.message() != "You have confirmed your account. Thanks!" {
		t.Errorf("GET /api/user/confirm_email/<token with %%2E>: %v; MS got path %q", a, a.ms.path)
	}
	// What MS itself answers to the very same link, for comparison (the user is confirmed by then if the BFF
	// passed the token on correctly).
	resp, err := http.Get(s.msURL + "/user/confirm_email/" + encoded)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("MS directly: %d", resp.StatusCode)
	}
}

// ctBFFSays checks an answer the BFF wrote itself: {"message": msg}, without asking MS.
func ctBFFSays(msg string) func(t *testing.T, a ctAnswer) {
	return func(t *testing.T, a ctAnswer) {
		t.Helper()
		if !a.isMessage() || a.message() != msg || a.msCalled {
			t.Errorf("got %s (MS called: %v), want the BFF's own {\"message\": %q}", a.body, a.msCalled, msg)
		}
	}
}
