package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

// testProgram is a #17 body; fill gives each list field 100 items of n 4-byte characters (n = 0: one short item).
func testProgram(name string, n int) map[string]any {
	p := map[string]any{"program_name": name, "start_date": "2027-02-01 09:00", "end_date": "2027-05-31 17:00",
		"description": "d", "payment_currency": "USD", "payment_amount": 1, "contact_type": "Remote", "zone": "Global",
		"contact_name": "Pat", "contact_department": "", "program_address": "", "contact_phone": "+1 555",
		"contact_mobile": "", "contact_email": "p@example.org", "program_website": "", "irc_channel": "", "status": "Open"}
	for _, k := range []string{"gender", "age", "ethnicity", "sexual_orientation", "religion", "physical_ability",
		"mental_ability", "socio_economic", "highest_education", "years_of_experience", "other"} {
		p["target_candidate_"+k] = ""
	}
	for k, max := range map[string]int{"target_skills": 150, "tags": 150, "student_responsibility": 250,
		"mentor_responsibility": 250, "organization_responsibility": 250, "student_requirements": 250,
		"mentor_requirements": 250, "resources_provided": 250} {
		items := []string{"x"}
		if n > 0 {
			items = make([]string, 100)
			for i := range items {
				items[i] = strings.Repeat("\U0001d49c", min(n, max))
			}
		}
		p[k] = items
	}
	return p
}

// TestProgramListsArePagedUnderAByteCeiling: the list a member reads is the old bare array, paged, never over
// BIT_ANSWER_MAX_BYTES (cut after the last whole program, X-Page-Cut saying how many it holds); creating programs
// is limited per representative per minute.
func TestProgramListsArePagedUnderAByteCeiling(t *testing.T) {
	t.Parallel()
	const ceiling = 2 << 20
	users := emulator.LoadUsers(2)
	s := newStack(t, stackOpts{bit: true, users: users, env: map[string]string{"BIT_ANSWER_MAX_BYTES": fmt.Sprint(ceiling)}})
	rep, member := s.newClient(), s.newClient()
	rep.mustLogin(users[0])
	member.mustLogin(users[1])
	if a := rep.do("PUT", "/api/user/additional_info", validAdditionalInfo("+44 20 7946 0000")); a.Status != http.StatusCreated {
		t.Fatalf("additional info: %d %s", a.Status, a.Body)
	}
	org := map[string]any{"representative_department": "D", "name": "Big", "email": "big@example.org", "about": "",
		"address": "", "website": "https://big.example.org", "timezone": "GMT0", "phone": "123", "status": "Publish"}
	if a := rep.do("PUT", "/api/organization", org); a.Status != http.StatusCreated {
		t.Fatalf("organization: %d %s", a.Status, a.Body)
	}
	var mine struct{ ID int64 }
	_ = json.Unmarshal(rep.do("GET", "/api/organization", nil).Body, &mine)
	programs := fmt.Sprintf("/api/organizations/%d/programs", mine.ID)
	for i := range 4 {
		if a := rep.do("POST", programs+"/program", testProgram(fmt.Sprintf("Large %d", i), 250)); a.Status != http.StatusCreated {
			t.Fatalf("program %d: %d %s", i, a.Status, a.Body)
		}
	}
	names := func(a answer) []string {
		var list []map[string]any
		if err := json.Unmarshal(a.Body, &list); err != nil {
			t.Fatalf("not a JSON array (%d): %.200s", a.Status, a.Body)
		}
		var out []string
		for _, p := range list {
			out = append(out, p["program_name"].(string))
		}
		return out
	}
	for _, tc := range []struct {
		name, query, want, cut string
	}{
		{"the web app's first page is cut at the ceiling", "", "[Large 0 Large 1]", "2"},
		{"a page that fits is whole", "?per_page=2&page=2", "[Large 2 Large 3]", ""},
		{"one program a page", "?per_page=1&page=4", "[Large 3]", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := member.do("GET", programs+tc.query, nil)
			if a.Status != http.StatusOK || fmt.Sprint(names(a)) != tc.want || a.Header.Get("X-Page-Cut") != tc.cut || len(a.Body) > ceiling {
				t.Errorf("%s: %d, %v, X-Page-Cut %q, %d bytes; want %s cut %q within %d bytes", tc.query, a.Status, names(a),
					a.Header.Get("X-Page-Cut"), len(a.Body), tc.want, tc.cut, ceiling)
			}
		})
	}
	t.Run("a page past the end is no program found", func(t *testing.T) {
		if a := member.do("GET", programs+"?page=3", nil); a.Status != http.StatusNotFound || a.message(t) != bit.MsgNoProgramFound {
			t.Errorf("%d %s", a.Status, a.Body)
		}
	})
	t.Run("an eleventh creation in a minute is 429 with Retry-After", func(t *testing.T) {
		for i := 4; i < bit.DefaultProgramCreates; i++ {
			if a := rep.do("POST", programs+"/program", testProgram(fmt.Sprintf("Small %d", i), 0)); a.Status != http.StatusCreated {
				t.Fatalf("program %d: %d %s", i, a.Status, a.Body)
			}
		}
		a := rep.do("POST", programs+"/program", testProgram("One too many", 0))
		if a.Status != http.StatusTooManyRequests || a.message(t) != bit.MsgProgramCreateRate || a.Header.Get("Retry-After") != "60" {
			t.Errorf("%d %s (Retry-After %q), want 429", a.Status, a.Body, a.Header.Get("Retry-After"))
		}
	})
}
