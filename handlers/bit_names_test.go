package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

// publishOrganizations makes each of users a representative with a published organization, through the API.
func publishOrganizations(t *testing.T, s *stack, users []emulator.SeedUser) {
	t.Helper()
	for i, u := range users {
		c := s.newClient()
		c.mustLogin(u)
		if a := c.do("PUT", "/api/user/additional_info", validAdditionalInfo("+44 20 7946 0000")); a.Status != http.StatusCreated {
			t.Fatalf("additional info of %s: %d %s", u.Username, a.Status, a.Body)
		}
		org := map[string]any{"representative_department": "Dept", "name": fmt.Sprintf("Org %d", i),
			"email": fmt.Sprintf("org%d@example.org", i), "about": "", "address": "", "website": "https://org.example",
			"timezone": "GMT0", "phone": "123", "status": "Publish"}
		if a := c.do("PUT", "/api/organization", org); a.Status != http.StatusCreated {
			t.Fatalf("organization of %s: %d %s", u.Username, a.Status, a.Body)
		}
	}
}

// TestAnOrganizationsListMakesAtMostOneMSCall: whatever the page, a list asks MS for one name at most; names it
// learnt are reused by later lists, so the list fills in as requests go by.
func TestAnOrganizationsListMakesAtMostOneMSCall(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{bit: true, users: emulator.LoadUsers(13)})
	users := emulator.LoadUsers(13)
	publishOrganizations(t, s, users[:12])
	viewer := s.newClient()
	viewer.mustLogin(users[12])
	named := func(list []any) int {
		n := 0
		for _, o := range list {
			if o.(map[string]any)["representative_name"] != "" {
				n++
			}
		}
		return n
	}
	for i, path := range []string{"/api/organizations?per_page=50", "/api/organizations?per_page=50&page=1000000",
		"/api/organizations?per_page=5&page=2", "/api/organizations?per_page=50"} {
		before := s.ms.Calls("GET /users/{user_id}")
		a := viewer.do("GET", path, nil)
		if calls := s.ms.Calls("GET /users/{user_id}") - before; calls > 1 {
			t.Errorf("%s made %d MS calls, want at most 1", path, calls)
		}
		if i == 3 {
			var list []any
			err := json.Unmarshal(a.Body, &list)
			if err != nil || len(list) != 12 || named(list) != 4 {
				t.Errorf("the fourth list: %d organizations, %d named (%v), want 12 with the 4 names the four lists learnt", len(list), named(list), err)
			}
		}
	}
}

func TestTheNameCacheIsShortLivedAndBounded(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newNameCache(time.Minute, 3, func() time.Time { return now })
	for id := int64(1); id <= 5; id++ {
		c.put(id, nameEntry{name: fmt.Sprint("user ", id)})
	}
	if n := len(c.entries); n != 3 {
		t.Errorf("%d names kept, want at most 3", n)
	}
	if e, ok := c.get(5); !ok || e.name != "user 5" {
		t.Errorf("the last name put: %+v, %v", e, ok)
	}
	now = now.Add(time.Minute)
	if _, ok := c.get(5); ok {
		t.Error("a name a minute old (the TTL) is still served")
	}
}
