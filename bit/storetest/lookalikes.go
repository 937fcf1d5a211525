package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

// lookAlikes are names a reader cannot tell from "Acme Tech" (bit.NameKey gives them its key).
var lookAlikes = []struct{ name, variant string }{
	{"a zero-width space", "Acme\u200b Tech"},
	{"a trailing space", "Acme Tech "},
	{"letter case", "ACME tech"},
	{"a Cyrillic а", "Acm\u0435 Tech"},
	{"a doubled inner space", "Acme  Tech"},
	{"a fullwidth letter", "\uff21cme Tech"},
	{"a Greek capital alpha", "\u0391cme Tech"},
}

func testLookAlikeOrganizationNames(t *testing.T, s bit.Store) {
	mustPutOrg(t, s, organization(1, "Acme Tech"))
	for i, tc := range lookAlikes {
		t.Run(tc.name, func(t *testing.T) {
			o := organization(int64(10+i), tc.variant)
			if _, _, err := s.PutOrganization(t.Context(), o); !errors.Is(err, bit.ErrDuplicateOrganizationName) {
				t.Errorf("organization named %q: err = %v, want ErrDuplicateOrganizationName", tc.variant, err)
			}
		})
	}
	if _, _, err := s.PutOrganization(t.Context(), organization(1, "ACME TECH")); err != nil {
		t.Errorf("the owner recasing its own name: %v", err)
	}
}

func testLookAlikeProgramNames(t *testing.T, s bit.Store) {
	a := mustPutOrg(t, s, organization(1, "A"))
	b := mustPutOrg(t, s, organization(2, "B"))
	own := mustCreateProgram(t, s, program(a.ID, "Acme Tech", 1))
	other := mustCreateProgram(t, s, program(b.ID, "Other", 2))
	for i, tc := range lookAlikes {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.CreateProgram(t.Context(), program(b.ID, tc.variant, 10+i), 0); !errors.Is(err, bit.ErrDuplicateProgramName) {
				t.Errorf("create %q: err = %v, want ErrDuplicateProgramName", tc.variant, err)
			}
			renamed := program(b.ID, tc.variant, 10+i)
			renamed.ID = other.ID
			if _, err := s.UpdateProgram(t.Context(), renamed); !errors.Is(err, bit.ErrDuplicateProgramName) {
				t.Errorf("rename to %q: err = %v, want ErrDuplicateProgramName", tc.variant, err)
			}
		})
	}
	recased := program(a.ID, "ACME TECH", 1)
	recased.ID = own.ID
	if _, err := s.UpdateProgram(t.Context(), recased); err != nil {
		t.Errorf("the owner recasing its own program's name: %v", err)
	}
}

// CheckNameKeys runs the name-key check (bit.NameKeyChecker) on rows as they were before migration 00005: exec
// runs a statement on the store's database, schema is the tables' qualifier ("" or "bitschema."). Rows whose key
// another row holds are reported, keep their name and stay writable; the others get their key.
func CheckNameKeys(t *testing.T, s bit.Store, schema string, exec func(t *testing.T, stmt string)) {
	checker, ok := s.(bit.NameKeyChecker)
	if !ok {
		t.Fatalf("%T does not check name keys", s)
	}
	first := mustPutOrg(t, s, organization(1, "Acme Tech"))
	second := mustPutOrg(t, s, organization(2, "Second"))
	third := mustPutOrg(t, s, organization(3, "Third"))
	p1 := mustCreateProgram(t, s, program(first.ID, "Spring", 1))
	p2 := mustCreateProgram(t, s, program(first.ID, "Autumn", 2))
	// Before 00005 exact names were the only rule: "ACME TECH" and "SPRING " were new names then.
	exec(t, "UPDATE "+schema+"organizations SET name_key = NULL")
	exec(t, "UPDATE "+schema+"programs SET program_name_key = NULL")
	exec(t, fmt.Sprintf("UPDATE %sorganizations SET name = 'ACME TECH' WHERE id = %d", schema, second.ID))
	exec(t, fmt.Sprintf("UPDATE %sprograms SET program_name = 'SPRING ' WHERE id = %d", schema, p2.ID))

	got, err := checker.CheckNameKeys(t.Context())
	want := []bit.NameCollision{
		{Table: "organizations", ID: second.ID, Name: "ACME TECH", HeldBy: first.ID},
		{Table: "programs", ID: p2.ID, Name: "SPRING ", HeldBy: p1.ID},
	}
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("CheckNameKeys = %v, %v; want %v", got, err, want)
	}
	if again, err := checker.CheckNameKeys(t.Context()); err != nil || fmt.Sprint(again) != fmt.Sprint(want) {
		t.Errorf("a second check (the next start) = %v, %v; want the same report", again, err)
	}
	if o, err := s.Organization(t.Context(), second.ID); err != nil || o.Name != "ACME TECH" {
		t.Errorf("the colliding organization changed: %+v, %v", o, err)
	}
	if _, _, err := s.PutOrganization(t.Context(), organization(3, "acme tech")); !errors.Is(err, bit.ErrDuplicateOrganizationName) {
		t.Errorf("a third look-alike after the check: %v, want ErrDuplicateOrganizationName", err)
	}
	if _, _, err := s.PutOrganization(t.Context(), organization(2, "Renamed")); err != nil {
		t.Errorf("the colliding organization renamed to a free name: %v", err)
	}
	if _, _, err := s.PutOrganization(t.Context(), organization(3, "Third")); err != nil {
		t.Errorf("an untouched organization keeps its own name: %v (id %d)", err, third.ID)
	}
}
