package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

var fullUserKeys = []string{"id", "name", "username", "email", "terms_and_conditions_checked", "is_admin",
	"registration_date", "is_email_verified", "email_verification_date", "bio", "location", "occupation",
	"organization", "slack_username", "social_media_links", "skills", "interests", "resume_url", "photo_url",
	"need_mentoring", "available_to_mentor", "current_mentorship_role", "membership_status"}

func TestGetUserAnswersTheFullUser(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r := h.do("GET", "/user", "mentoruser", nil)
	expectStatus(t, r, 200)
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type %q", ct)
	}
	u := r.object(t)
	if len(u) != len(fullUserKeys) {
		t.Errorf("%d keys, want %d: %v", len(u), len(fullUserKeys), u)
	}
	for _, k := range fullUserKeys {
		if _, ok := u[k]; !ok {
			t.Errorf("key %s missing", k)
		}
	}
	if u["id"] != float64(mentorID) || u["username"] != "mentoruser" || u["bio"] != nil || u["available_to_mentor"] != true {
		t.Errorf("user %v", u)
	}
	if !strings.Contains(string(r.body), `"registration_date": 1709294400.0`) {
		t.Errorf("registration_date not written as a Python float: %s", r.body)
	}
}

func TestUpdateUser(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	long := func(n int) string { return strings.Repeat("x", n) }
	cases := []struct {
		name    string
		body    any
		status  int
		message string
	}{
		{"an empty object is no data", map[string]any{}, 400, "No data for updating profile was sent."},
		{"a body MS cannot read is no data", noJSON(`{"bio":"x"}`), 400, "No data for updating profile was sent."},
		{"a body that is not JSON is a bad request", raw("{bio"), 400, msgBadRequest},
		{"a short username is refused", map[string]any{"username": "abc"}, 400, "The username field has to be longer than 4 characters and shorter than 26 characters."},
		{"a username with a dot is invalid", map[string]any{"username": "new.name"}, 400, "Your new username is invalid."},
		{"a long name is refused", map[string]any{"name": long(31)}, 400, "The name field has to be longer than 1 characters and shorter than 31 characters."},
		{"a name with digits is invalid", map[string]any{"name": "Agent 007"}, 400, "Your name is invalid."},
		{"a long bio is refused", map[string]any{"bio": long(451)}, 400, "The bio field has to be shorter than 451 characters."},
		{"a long location is refused", map[string]any{"location": long(61)}, 400, "The location field has to be shorter than 61 characters."},
		{"a long occupation is refused", map[string]any{"occupation": long(61)}, 400, "The occupation field has to be shorter than 61 characters."},
		{"a long organization is refused", map[string]any{"organization": long(61)}, 400, "The organization field has to be shorter than 61 characters."},
		{"a long slack username is refused", map[string]any{"slack_username": long(61)}, 400, "The slack_username field has to be shorter than 61 characters."},
		{"long social media links are refused", map[string]any{"social_media_links": long(401)}, 400, "The social_media_links field has to be shorter than 401 characters."},
		{"long skills are refused", map[string]any{"skills": long(451)}, 400, "The skills field has to be shorter than 451 characters."},
		{"long interests are refused", map[string]any{"interests": long(151)}, 400, "The interests field has to be shorter than 151 characters."},
		{"a null need_mentoring is not valid", map[string]any{"need_mentoring": nil}, 400, "Field need_mentoring is not valid."},
		{"a null available_to_mentor is not valid", map[string]any{"available_to_mentor": nil}, 400, "Field available_to_mentor is not valid."},
		{"another user's username is taken", map[string]any{"username": "menteeuser"}, 400, "A user with that username already exists."},
		{"the caller's own username counts as taken", map[string]any{"username": "mentoruser"}, 400, "A user with that username already exists."},
		{"a string need_mentoring crashes MS", map[string]any{"need_mentoring": "yes"}, 500, msgInternal},
		{"a numeric bio crashes MS", map[string]any{"bio": 5}, 500, msgInternal},
		{"a JSON list crashes MS", []any{1}, 500, msgInternal},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { expect(t, h.do("PUT", "/user", "mentoruser", tc.body), tc.status, tc.message) })
	}
	t.Run("a valid update changes the profile", func(t *testing.T) {
		expect(t, h.do("PUT", "/user", "mentoruser", map[string]any{"bio": "Hello", "location": "Lisbon"}), 200, "User was updated successfully.")
		expect(t, h.do("PUT", "/user", "mentoruser", map[string]any{
			"username": "mona_m", "name": "Mona M", "location": "", "need_mentoring": 1, "unknown": "ignored",
		}), 200, "User was updated successfully.")
		u := h.do("GET", "/user", "mentoruser", nil).object(t)
		if u["username"] != "mona_m" || u["name"] != "Mona M" || u["bio"] != "Hello" || u["location"] != nil || u["need_mentoring"] != true {
			t.Fatalf("user %v", u)
		}
		h.login("mona_m", "mentorpass1")
	})
	t.Run("a deleted caller passes validation and then does not exist", func(t *testing.T) {
		expect(t, h.do("DELETE", "/user", "otheruser", nil), 200, "User was deleted successfully.")
		expect(t, h.do("PUT", "/user", "otheruser", map[string]any{"bio": "x"}), 404, msgUserDoesNotExist)
	})
}

func TestDeleteUserAndAnswersForADeletedCaller(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	expect(t, h.do("DELETE", "/user", "adminuser", nil), 400, "You cannot delete your account, since you are the only Admin left.")
	h.access("otheruser")
	expect(t, h.do("DELETE", "/user", "otheruser", nil), 200, "User was deleted successfully.")
	expect(t, h.do("DELETE", "/user", "otheruser", nil), 404, msgUserDoesNotExist)

	r := h.do("GET", "/user", "otheruser", nil)
	expectStatus(t, r, 404)
	u := r.object(t)
	for _, k := range fullUserKeys {
		if v, ok := u[k]; !ok || v != nil {
			t.Errorf("deleted user's %s = %v, present %v", k, v, ok)
		}
	}
	cases := []struct {
		name, method, path string
		status             int
		message            string
	}{
		{"home does not find the user", "GET", "/home", 404, "User not found."},
		{"the dashboard does not find the user", "GET", "/dashboard", 404, "User not found."},
		{"current relation says the user does not exist", "GET", "/mentorship_relations/current", 404, msgUserDoesNotExist},
		{"accept says the user does not exist", "PUT", "/mentorship_relation/1/accept", 404, msgUserDoesNotExist},
		{"admins crashes MS", "GET", "/admins", 500, msgInternal},
		{"the user list still answers", "GET", "/users", 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { expect(t, h.do(tc.method, tc.path, "otheruser", nil), tc.status, tc.message) })
	}
	for _, path := range []string{"/mentorship_relations", "/mentorship_relations/past", "/mentorship_relations/pending"} {
		t.Run(path+" answers an all-null relation", func(t *testing.T) {
			r := h.do("GET", path, "otheruser", nil)
			expectStatus(t, r, 404)
			rel := r.object(t)
			if rel["id"] != nil || rel["state"] != nil || rel["mentor"].(map[string]any)["id"] != nil {
				t.Fatalf("body %s", r.body)
			}
		})
	}
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cases := []struct {
		name    string
		body    any
		status  int
		message string
	}{
		{"the same password is refused", map[string]any{"current_password": "mentorpass1", "new_password": "mentorpass1"}, 400, "New password should not be same as the current password."},
		{"a password with a space is refused", map[string]any{"current_password": "mentorpass1", "new_password": "new pass12"}, 400, "Password shouldn't contain spaces."},
		{"a short password is refused", map[string]any{"current_password": "mentorpass1", "new_password": "short"}, 400, "The new_password field has to be longer than 7 characters and shorter than 65 characters."},
		{"a wrong current password is refused", map[string]any{"current_password": "wrong", "new_password": "newpass123"}, 400, "Current password is incorrect."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, h.do("PUT", "/user/change_password", "mentoruser", tc.body), tc.status, tc.message)
		})
	}
	t.Run("the schema runs before the token check", func(t *testing.T) {
		r := h.do("PUT", "/user/change_password", "", map[string]any{"current_password": 1})
		expect(t, r, 400, "Input payload validation failed")
		want := map[string]any{"current_password": "1 is not of type 'string'", "new_password": "'new_password' is a required property"}
		if got := r.object(t)["errors"].(map[string]any); !equalJSON(got, want) {
			t.Fatalf("errors %v", got)
		}
	})
	t.Run("a good change answers 201 and keeps existing tokens", func(t *testing.T) {
		expect(t, h.do("PUT", "/user/change_password", "mentoruser", map[string]any{"current_password": "mentorpass1", "new_password": "newpass123"}),
			201, "Password was updated successfully.")
		expectStatus(t, h.do("GET", "/user", "mentoruser", nil), 200)
		h.login("mentoruser", "newpass123")
		expect(t, h.do("POST", "/login", "", map[string]any{"username": "mentoruser", "password": "mentorpass1"}), 401, "Username or password is wrong.")
	})
}

func usernames(t *testing.T, r resp) string {
	t.Helper()
	expectStatus(t, r, 200)
	var names []string
	for _, u := range r.array(t) {
		names = append(names, u.(map[string]any)["username"].(string))
	}
	return strings.Join(names, ",")
}

func TestListUsersPagesAndSearches(t *testing.T) {
	t.Parallel()
	seeds := append([]SeedUser{}, testSeeds...)
	for i := 1; i <= 60; i++ {
		seeds = append(seeds, SeedUser{Username: fmt.Sprintf("extra%02d", i), Name: "Extra Person", Email: fmt.Sprintf("e%d@example.org", i), Password: "extrapass"})
	}
	h := newHarness(t, func(o *Options) { o.SeedUsers = seeds })
	register(t, h, "unverified", "unverified@example.org")
	count := func(r resp) int { expectStatus(t, r, 200); return len(r.array(t)) }
	cases := []struct {
		name, query string
		want        string // comma-joined usernames, or "#n" for a count
	}{
		{"the first page has ten users without the caller", "", "adminuser,menteeuser,otheruser,extra01,extra02,extra03,extra04,extra05,extra06,extra07"},
		{"search matches the username case-insensitively", "?search=MENTEE", "menteeuser"},
		{"search matches the name", "?search=otto", "otheruser"},
		{"the caller is excluded from search results", "?search=mentor", ""},
		{"an underscore is a one-character wildcard", "?search=extra_1", "extra01,extra11,extra21,extra31,extra41,extra51"},
		{"the second page follows the first", "?search=extra&per_page=5&page=2", "extra06,extra07,extra08,extra09,extra10"},
		{"per_page is capped at 50", "?per_page=100", "#50"},
		{"a non-integer page falls back to the first", "?page=two&per_page=2", "adminuser,menteeuser"},
		{"a page below one is the first", "?page=-3&per_page=2", "adminuser,menteeuser"},
		{"a negative per_page means twenty", "?per_page=-1", "#20"},
		{"per_page zero is empty", "?per_page=0", ""},
		{"a page past the end is empty", "?page=100", ""},
		{"the unverified user is listed", "?search=unverified", "unverified"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do("GET", "/users"+tc.query, "mentoruser", nil)
			if strings.HasPrefix(tc.want, "#") {
				if got := count(r); fmt.Sprint("#", got) != tc.want {
					t.Fatalf("%d users, want %s", got, tc.want)
				}
				return
			}
			if got := usernames(t, r); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("the verified list leaves unverified users out", func(t *testing.T) {
		if got := usernames(t, h.do("GET", "/users/verified?search=unverified", "mentoruser", nil)); got != "" {
			t.Fatalf("got %q", got)
		}
	})
	t.Run("public users carry is_available and no private fields", func(t *testing.T) {
		u := h.do("GET", "/users?search=menteeuser", "mentoruser", nil).array(t)[0].(map[string]any)
		if len(u) != 14 || u["is_available"] != true || u["email"] != nil {
			t.Fatalf("public user %v", u)
		}
		u = h.do("GET", "/users?search=adminuser", "mentoruser", nil).array(t)[0].(map[string]any)
		if u["is_available"] != false {
			t.Fatalf("admin needs nothing and offers nothing, is_available %v", u["is_available"])
		}
	})
}

func TestGetUserByID(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	register(t, h, "unverified", "unverified@example.org")
	expect(t, h.do("GET", "/users/99", "mentoruser", nil), 404, msgUserDoesNotExist)
	expect(t, h.do("GET", "/users/5", "mentoruser", nil), 403, "Please verify your email before login.")
	r := h.do("GET", "/users/2", "mentoruser", nil)
	expectStatus(t, r, http.StatusOK)
	if u := r.object(t); u["username"] != "mentoruser" || u["is_available"] != nil {
		t.Fatalf("user %v", u)
	}
}
