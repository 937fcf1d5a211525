package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

func program(orgID int64, name string, i int) bit.Program {
	amount := int64(1000 * i)
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	return bit.Program{
		OrganizationID: orgID, StartDate: at, EndDate: at.AddDate(0, 3, 0), CreationDate: at.AddDate(0, -1, 0),
		ProgramFields: bit.ProgramFields{
			Name: name, Description: "About " + name, TargetSkills: []string{"Go", fmt.Sprintf("skill %d", i)},
			TargetCandidate: bit.TargetCandidate{Gender: "Female", Age: "Under 18", Ethnicity: "Asian",
				SexualOrientation: "Other", Religion: "Islam", PhysicalAbility: "x", MentalAbility: "y",
				SocioEconomic: "z", HighestEducation: "PhD", YearsOfExperience: "none", Other: fmt.Sprint(i)},
			PaymentCurrency: "EUR", PaymentAmount: &amount, ContactType: "Remote", Zone: "Global",
			StudentResponsibility: []string{"learn"}, MentorResponsibility: []string{"teach", "review"},
			OrganizationResponsibility: []string{""}, StudentRequirements: []string{},
			MentorRequirements: []string{"patience"}, ResourcesProvided: []string{"laptop"},
			ContactName: "Ada", ContactDepartment: "Programs", ProgramAddress: "Remote",
			ContactPhone: "+1 555", ContactMobile: "", ContactEmail: "ada@example.org",
			ProgramWebsite: "https://p.example.org", IRCChannel: "#p", Tags: []string{"t1", "t2"}, Status: "Open",
		},
	}
}

// sameProgram compares p with want, ignoring the id.
func sameProgram(p, want bit.Program) bool {
	if !p.StartDate.Equal(want.StartDate) || !p.EndDate.Equal(want.EndDate) || !p.CreationDate.Equal(want.CreationDate) {
		return false
	}
	p.ID, want.ID = 0, 0
	p.StartDate, p.EndDate, p.CreationDate = want.StartDate, want.EndDate, want.CreationDate
	return reflect.DeepEqual(p, want)
}

func mustCreateProgram(t *testing.T, s bit.Store, p bit.Program) bit.Program {
	t.Helper()
	stored, err := s.CreateProgram(t.Context(), p, 0)
	if err != nil {
		t.Fatalf("CreateProgram(%s): %v", p.Name, err)
	}
	return stored
}

func testProgramRoundTrip(t *testing.T, s bit.Store) {
	org := mustPutOrg(t, s, organization(1, "Org"))
	withAmount := program(org.ID, "With amount", 3)
	noAmount := program(org.ID, "No amount", 4)
	noAmount.PaymentAmount = nil
	for _, want := range []bit.Program{withAmount, noAmount} {
		stored := mustCreateProgram(t, s, want)
		if stored.ID <= 0 || !sameProgram(stored, want) {
			t.Errorf("create returned %+v, want %+v", stored, want)
		}
		got, err := s.Program(t.Context(), org.ID, stored.ID)
		if err != nil || got.ID != stored.ID || !sameProgram(got, want) {
			t.Errorf("read %+v, %v; want %+v", got, err, want)
		}
	}
}

func testProgramsOfOrganization(t *testing.T, s bit.Store) {
	a := mustPutOrg(t, s, organization(1, "A"))
	b := mustPutOrg(t, s, organization(2, "B"))
	if ps, err := s.Programs(t.Context(), allOf(a.ID)); err != nil || len(ps) != 0 {
		t.Fatalf("no programs yet: %v, %v", ps, err)
	}
	var ids []int64
	for i, org := range []int64{a.ID, b.ID, a.ID, a.ID} {
		ids = append(ids, mustCreateProgram(t, s, program(org, fmt.Sprintf("P%d", i), i)).ID)
	}
	ps, err := s.Programs(t.Context(), allOf(a.ID))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.Name)
	}
	if fmt.Sprint(got) != "[P0 P2 P3]" {
		t.Errorf("programs of A: %v, want [P0 P2 P3] in id order", got)
	}
	if _, err := s.Program(t.Context(), a.ID, ids[1]); !errors.Is(err, bit.ErrNotFound) {
		t.Errorf("B's program read under A: err = %v, want ErrNotFound", err)
	}
	if _, err := s.Program(t.Context(), b.ID, ids[1]); err != nil {
		t.Errorf("B's program under B: %v", err)
	}
}

func testProgramUpdate(t *testing.T, s bit.Store) {
	a := mustPutOrg(t, s, organization(1, "A"))
	b := mustPutOrg(t, s, organization(2, "B"))
	orig := mustCreateProgram(t, s, program(a.ID, "Mine", 1))
	other := mustCreateProgram(t, s, program(b.ID, "Theirs", 2))

	want := program(a.ID, "Mine renamed", 5)
	want.ID = orig.ID
	want.CreationDate = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) // ignored
	want.PaymentAmount = nil
	want.Tags = []string{}
	updated, err := s.UpdateProgram(t.Context(), want)
	if err != nil {
		t.Fatal(err)
	}
	want.CreationDate = orig.CreationDate
	if updated.ID != orig.ID || !sameProgram(updated, want) {
		t.Errorf("update returned %+v, want %+v", updated, want)
	}
	if got, err := s.Program(t.Context(), a.ID, orig.ID); err != nil || !sameProgram(got, want) {
		t.Errorf("read after update %+v, %v", got, err)
	}

	cross := program(a.ID, "Hijack", 6)
	cross.ID = other.ID
	if _, err := s.UpdateProgram(t.Context(), cross); !errors.Is(err, bit.ErrNotFound) {
		t.Errorf("update of B's program through A: err = %v, want ErrNotFound", err)
	}
	if got, err := s.Program(t.Context(), b.ID, other.ID); err != nil || got.Name != "Theirs" {
		t.Errorf("B's program changed: %+v, %v", got, err)
	}
	missing := program(a.ID, "Ghost", 7)
	missing.ID = other.ID + 1000
	if _, err := s.UpdateProgram(t.Context(), missing); !errors.Is(err, bit.ErrNotFound) {
		t.Errorf("update of a missing program: err = %v, want ErrNotFound", err)
	}
}

func testProgramDuplicates(t *testing.T, s bit.Store) {
	a := mustPutOrg(t, s, organization(1, "A"))
	b := mustPutOrg(t, s, organization(2, "B"))
	mustCreateProgram(t, s, program(a.ID, "Unique", 1))
	if _, err := s.CreateProgram(t.Context(), program(b.ID, "Unique", 2), 0); !errors.Is(err, bit.ErrDuplicateProgramName) {
		t.Errorf("create in another organization: err = %v, want ErrDuplicateProgramName", err)
	}
	second := mustCreateProgram(t, s, program(b.ID, "Second", 3))
	rename := program(b.ID, "Unique", 3)
	rename.ID = second.ID
	if _, err := s.UpdateProgram(t.Context(), rename); !errors.Is(err, bit.ErrDuplicateProgramName) {
		t.Errorf("rename to a taken name: err = %v, want ErrDuplicateProgramName", err)
	}
	if got, err := s.Program(t.Context(), b.ID, second.ID); err != nil || got.Name != "Second" {
		t.Errorf("refused rename changed the program: %+v, %v", got, err)
	}
}

func testParallelProgramCreate(t *testing.T, s bit.Store) {
	org := mustPutOrg(t, s, organization(1, "A"))
	errs := parallel(writers, func(i int) error {
		_, err := s.CreateProgram(t.Context(), program(org.ID, "Race", i), 0)
		return err
	})
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, bit.ErrDuplicateProgramName):
			t.Errorf("writer %d: %v", i, err)
		}
	}
	ps, err := s.Programs(t.Context(), allOf(org.ID))
	if ok != 1 || err != nil || len(ps) != 1 {
		t.Errorf("%d creations succeeded, %d programs stored (%v); want 1 and 1", ok, len(ps), err)
	}
}

func testProgramMissingOrganization(t *testing.T, s bit.Store) {
	if _, err := s.CreateProgram(t.Context(), program(12345, "Orphan", 1), 0); !errors.Is(err, bit.ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
}

// allOf selects every program of organization orgID, drafts included.
func allOf(orgID int64) bit.ProgramFilter {
	return bit.ProgramFilter{OrganizationID: orgID, WithDrafts: true, Limit: 1000}
}

// programNames lists the names of the programs f selects.
func programNames(t *testing.T, s bit.Store, f bit.ProgramFilter) string {
	t.Helper()
	ps, err := s.Programs(t.Context(), f)
	if err != nil {
		t.Fatalf("Programs(%+v): %v", f, err)
	}
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	return fmt.Sprint(names)
}

func testProgramsPaged(t *testing.T, s bit.Store) {
	org := mustPutOrg(t, s, organization(1, "Org"))
	for i := range 7 {
		p := program(org.ID, fmt.Sprintf("P%d", i), i)
		if i%3 == 1 {
			p.Status = "Draft"
		}
		mustCreateProgram(t, s, p)
	}
	for _, tc := range []struct {
		name string
		f    bit.ProgramFilter
		want string
	}{
		{"the limit bounds the rows", bit.ProgramFilter{WithDrafts: true, Limit: 3}, "[P0 P1 P2]"},
		{"the offset skips rows in id order", bit.ProgramFilter{WithDrafts: true, Offset: 3, Limit: 3}, "[P3 P4 P5]"},
		{"the last page is short", bit.ProgramFilter{WithDrafts: true, Offset: 6, Limit: 3}, "[P6]"},
		{"a page past the end is empty", bit.ProgramFilter{WithDrafts: true, Offset: 7, Limit: 3}, "[]"},
		{"drafts are left out before paging", bit.ProgramFilter{Limit: 3}, "[P0 P2 P3]"},
		{"drafts are left out of later pages too", bit.ProgramFilter{Offset: 3, Limit: 3}, "[P5 P6]"},
		{"a limit below one reads one row", bit.ProgramFilter{WithDrafts: true, Limit: 0}, "[P0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.OrganizationID = org.ID
			if got := programNames(t, s, tc.f); got != tc.want {
				t.Errorf("programs %+v: %s, want %s", tc.f, got, tc.want)
			}
		})
	}
}

func testProgramLimit(t *testing.T, s bit.Store) {
	a := mustPutOrg(t, s, organization(1, "A"))
	b := mustPutOrg(t, s, organization(2, "B"))
	for i := range 3 {
		if _, err := s.CreateProgram(t.Context(), program(a.ID, fmt.Sprintf("A%d", i), i), 3); err != nil {
			t.Fatalf("program %d of 3: %v", i, err)
		}
	}
	if _, err := s.CreateProgram(t.Context(), program(a.ID, "A3", 3), 3); !errors.Is(err, bit.ErrProgramLimit) {
		t.Errorf("a fourth program under a limit of 3: err = %v, want ErrProgramLimit", err)
	}
	if _, err := s.CreateProgram(t.Context(), program(b.ID, "B0", 0), 3); err != nil {
		t.Errorf("another organization's first program: %v", err)
	}
	if _, err := s.CreateProgram(t.Context(), program(a.ID, "A4", 4), 0); err != nil {
		t.Errorf("no limit (0): %v", err)
	}
	if _, err := s.CreateProgram(t.Context(), program(12345, "Orphan", 1), 3); !errors.Is(err, bit.ErrNotFound) {
		t.Errorf("a limited creation in a missing organization: err = %v, want ErrNotFound", err)
	}
	if got := programNames(t, s, allOf(a.ID)); got != "[A0 A1 A2 A4]" {
		t.Errorf("A's programs: %s", got)
	}
}

func testParallelProgramLimit(t *testing.T, s bit.Store) {
	org := mustPutOrg(t, s, organization(1, "Org"))
	const limit, tries = 5, 16
	var wg sync.WaitGroup
	errs := make([]error, tries)
	for i := range tries {
		wg.Go(func() {
			_, errs[i] = s.CreateProgram(t.Context(), program(org.ID, fmt.Sprintf("P%d", i), i), limit)
		})
	}
	wg.Wait()
	created := 0
	for _, err := range errs {
		switch {
		case err == nil:
			created++
		case !errors.Is(err, bit.ErrProgramLimit):
			t.Errorf("parallel creation: %v", err)
		}
	}
	ps, err := s.Programs(t.Context(), allOf(org.ID))
	if err != nil || created != limit || len(ps) != limit {
		t.Errorf("%d creations succeeded, %d programs stored (%v), want %d", created, len(ps), err, limit)
	}
}
