package handlers

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

// TestTheMemberListShowsOnlyVerifiedUsers: GET /api/users is MS's /users/verified, with search, page and
// per_page passed on, as the old backend's /users was; an account whose e-mail was never confirmed is not listed.
func TestTheMemberListShowsOnlyVerifiedUsers(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{users: emulator.LoadUsers(6)})
	reg := s.newClient().do(http.MethodPost, "/api/register", map[string]any{"name": "Load User", "username": "loaduser_unverified",
		"password": "unverified-pass-1", "email": "unverified@example.org", "terms_and_conditions_checked": true,
		"need_mentoring": true, "available_to_mentor": false})
	if reg.Status != http.StatusCreated {
		t.Fatalf("register: %d %s", reg.Status, reg.Body)
	}
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	usernames := func(t *testing.T, path string) []string {
		t.Helper()
		a := c.do(http.MethodGet, path, nil)
		var list []struct {
			Username string `json:"username"`
		}
		if a.Status != http.StatusOK || json.Unmarshal(a.Body, &list) != nil {
			t.Fatalf("GET %s: %d %s", path, a.Status, a.Body)
		}
		out := make([]string, 0, len(list))
		for _, u := range list {
			out = append(out, u.Username)
		}
		return out
	}
	cases := []struct {
		name, path string
		want       []string
	}{
		{"the list leaves the unverified account out", "/api/users?search=loaduser", []string{"loaduser2", "loaduser3", "loaduser4", "loaduser5", "loaduser6"}},
		{"a search for the unverified account finds nothing", "/api/users?search=unverified", []string{}},
		{"page and per_page are passed on", "/api/users?search=loaduser&page=2&per_page=2", []string{"loaduser4", "loaduser5"}},
		{"the list is the same as /api/users/verified", "/api/users/verified?search=loaduser&per_page=3", []string{"loaduser2", "loaduser3", "loaduser4"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := usernames(t, tc.path)
			if len(got) != len(tc.want) {
				t.Fatalf("GET %s: %v, want %v", tc.path, got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("GET %s: %v, want %v", tc.path, got, tc.want)
				}
			}
		})
	}
	if n := s.ms.Calls("GET /users"); n != 0 {
		t.Fatalf("MS's unverified-inclusive /users was called %d times", n)
	}
}
