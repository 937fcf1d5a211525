package handlers

import (
	"net/http"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

func TestCurrentOrganizationRoundTripsThroughPersonalDetails(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	steps := []struct {
		name    string
		body    map[string]any
		wantOrg any
	}{
		{"the app's current_organization is saved as MS's organization", map[string]any{"current_organization": "AnitaB.org", "bio": "x"}, "AnitaB.org"},
		{"MS's own name wins when a write carries both", map[string]any{"organization": "Systers", "current_organization": "ignored"}, "Systers"},
		{"an empty current_organization clears it, as MS does for organization", map[string]any{"current_organization": ""}, nil},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			w := c.do(http.MethodPut, "/api/user/personal_details", st.body)
			if w.Status != http.StatusOK {
				t.Fatalf("PUT: %d %s", w.Status, w.Body)
			}
			details := c.do(http.MethodGet, "/api/user/personal_details", nil).json(t)
			if details["current_organization"] != st.wantOrg || details["organization"] != st.wantOrg {
				t.Fatalf("personal details: organization %v, current_organization %v; want %v", details["organization"], details["current_organization"], st.wantOrg)
			}
			if _, ok := details["current_organization"]; !ok {
				t.Fatal("personal details lack current_organization")
			}
			user := c.do(http.MethodGet, "/api/user", nil).json(t)
			if _, ok := user["current_organization"]; ok || user["organization"] != st.wantOrg {
				t.Fatalf("/api/user does not keep MS's shape: %v", user)
			}
		})
	}
	// /api/user stays MS's: there current_organization is an unknown field that MS ignores.
	if a := c.do(http.MethodPut, "/api/user", map[string]any{"current_organization": "Nope"}); a.Status != http.StatusOK {
		t.Fatalf("PUT /api/user: %d %s", a.Status, a.Body)
	}
	if got := c.do(http.MethodGet, "/api/user", nil).json(t)["organization"]; got != nil {
		t.Fatalf("PUT /api/user saved current_organization as organization: %v", got)
	}
}

func TestOrganizationAliasKeepsMSBytes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, want string
		ok             bool
	}{
		{"the alias is added before the closing brace", `{"id": 1, "organization": "A"}`, `{"id": 1, "organization": "A","current_organization":"A"}`, true},
		{"a null organization is null in the alias", "{\"organization\":null}\n", "{\"organization\":null,\"current_organization\":null}\n", true},
		{"an answer that has the alias is left alone", `{"organization":"A","current_organization":"B"}`, "", false},
		{"an answer without organization is left alone", `{"message":"x"}`, "", false},
		{"a list is left alone", `[{"organization":"A"}]`, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := addOrganizationAlias([]byte(tc.in))
			if ok != tc.ok || (ok && string(got) != tc.want) {
				t.Fatalf("got %q %v", got, ok)
			}
		})
	}
}
