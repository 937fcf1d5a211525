package bit_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

// repWithOrganization makes member 1 the representative of a published organization and returns its id.
func repWithOrganization(t *testing.T, svc *bit.Service) int64 {
	t.Helper()
	putInfo(t, svc, 1, true, "UTC")
	if _, err := svc.PutOrganization(t.Context(), 1, organizationInput("A", "a@example.org")); err != nil {
		t.Fatal(err)
	}
	o, err := svc.MyOrganization(t.Context(), 1, members{1: "Rep"})
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}

func TestProgramListIsPaged(t *testing.T) {
	svc := newServiceWith(t, bit.Options{Now: clock, ProgramCreates: -1})
	org := repWithOrganization(t, svc)
	for i := range 25 {
		status := "Open"
		if i%5 == 4 {
			status = "Draft"
		}
		if _, err := svc.CreateProgram(t.Context(), 1, org, programInput(fmt.Sprintf("P%02d", i), status)); err != nil {
			t.Fatal(err)
		}
	}
	names := func(ps []bit.ProgramView) string {
		var out []string
		for _, p := range ps {
			out = append(out, p.ProgramName)
		}
		return fmt.Sprint(out)
	}
	for _, tc := range []struct {
		name   string
		caller int64
		page   string
		per    string
		want   string
	}{
		{"without paging a member gets the first ten visible programs", 2, "", "",
			"[P00 P01 P02 P03 P05 P06 P07 P08 P10 P11]"},
		{"the second page of three goes on after the first", 2, "2", "3", "[P03 P05 P06]"},
		{"the representative's pages hold the drafts too", 1, "2", "4", "[P04 P05 P06 P07]"},
		{"the last page is short", 2, "2", "15", "[P18 P20 P21 P22 P23]"},
		{"per_page above the maximum is the maximum", 1, "1", "1000", fmt.Sprint(namesUpTo(25))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := svc.Programs(t.Context(), tc.caller, org, bit.ParseProgramQuery(tc.page, tc.per), members{1: "Rep"})
			if err != nil || names(ps) != tc.want {
				t.Errorf("page %q of %q: %s, %v; want %s", tc.page, tc.per, names(ps), err, tc.want)
			}
		})
	}
	t.Run("a page past the end is no program found", func(t *testing.T) {
		_, err := svc.Programs(t.Context(), 2, org, bit.ParseProgramQuery("1000000000000", "50"), members{1: "Rep"})
		wantErr(t, err, 404, bit.MsgNoProgramFound)
	})
}

func namesUpTo(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("P%02d", i))
	}
	return out
}

func TestProgramCreationIsCapped(t *testing.T) {
	svc := newServiceWith(t, bit.Options{Now: clock, ProgramsPerOrganization: 3, ProgramCreates: -1})
	org := repWithOrganization(t, svc)
	for i := range 3 {
		if _, err := svc.CreateProgram(t.Context(), 1, org, programInput(fmt.Sprintf("P%d", i), "Open")); err != nil {
			t.Fatal(err)
		}
	}
	_, err := svc.CreateProgram(t.Context(), 1, org, programInput("P3", "Open"))
	wantErr(t, err, 403, "An organization may have at most 3 programs.")
}

func TestProgramCreationIsRateLimited(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	svc := newServiceWith(t, bit.Options{Now: func() time.Time { return now }, ProgramCreates: 2, ProgramCreateWindow: time.Minute})
	org := repWithOrganization(t, svc)
	create := func(name string) error {
		_, err := svc.CreateProgram(t.Context(), 1, org, programInput(name, "Open"))
		return err
	}
	if err := create("P0"); err != nil {
		t.Fatal(err)
	}
	if err := create("P1"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, create("P2"), 429, bit.MsgProgramCreateRate)
	now = now.Add(time.Minute)
	if err := create("P2"); err != nil {
		t.Errorf("a creation in the next minute: %v", err)
	}
}

// namesKnown is a Members that knows some names, says no such member for 404s, and cannot learn the others now.
type namesKnown struct {
	known   map[int64]string
	missing map[int64]bool
}

func (n namesKnown) MemberName(_ context.Context, id int64) (string, error) {
	if name, ok := n.known[id]; ok {
		return name, nil
	}
	if n.missing[id] {
		return "", fmt.Errorf("MS GET /users/%d: 404: %w", id, bit.ErrNoSuchMember)
	}
	return "", bit.ErrNameUnknown
}

func TestOrganizationsListThoseWhoseNamesAreNotKnownYet(t *testing.T) {
	svc := newService(t)
	for rep := int64(1); rep <= 3; rep++ {
		putInfo(t, svc, rep, true, "UTC")
		if _, err := svc.PutOrganization(t.Context(), rep, organizationInput(fmt.Sprintf("Org %d", rep), fmt.Sprintf("o%d@example.org", rep))); err != nil {
			t.Fatal(err)
		}
	}
	got, err := svc.Organizations(t.Context(), 9, bit.ParseOrganizationQuery("", "", ""),
		namesKnown{known: map[int64]string{1: "One"}, missing: map[int64]bool{2: true}})
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, o := range got {
		seen = append(seen, fmt.Sprintf("%s/%q", o.OrganizationName, o.RepresentativeName))
	}
	if want := `[Org 1/"One" Org 3/""]`; fmt.Sprint(seen) != want {
		t.Errorf("listed %v, want %s (no such member skipped, a name not known yet listed empty)", seen, want)
	}
}
