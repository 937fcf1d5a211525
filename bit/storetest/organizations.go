package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

// joined is the join date the tests write.
func joined() time.Time { return time.Date(2021, 6, 1, 10, 0, 0, 0, time.UTC) }

func organization(rep int64, name string) bit.Organization {
	return bit.Organization{
		RepID: rep, RepDepartment: "Dept of " + name, Name: name, Email: fmt.Sprintf("org%d@example.org", rep),
		About: "About " + name, Address: "1 Main St", Website: "https://" + name + ".example.org",
		Timezone: "Europe/Berlin", Phone: "+49 30 000", Status: "Publish", JoinDate: joined(),
	}
}

func mustPutOrg(t *testing.T, s bit.Store, o bit.Organization) bit.Organization {
	t.Helper()
	stored, _, err := s.PutOrganization(t.Context(), o)
	if err != nil {
		t.Fatalf("PutOrganization(%s): %v", o.Name, err)
	}
	return stored
}

// sameOrg compares o with want, ignoring the id.
func sameOrg(o, want bit.Organization) bool {
	if !o.JoinDate.Equal(want.JoinDate) {
		return false
	}
	o.ID, want.ID, o.JoinDate, want.JoinDate = 0, 0, time.Time{}, time.Time{}
	return o == want
}

func testOrganizationPut(t *testing.T, s bit.Store) {
	if _, err := s.OrganizationByRep(t.Context(), 5); !errors.Is(err, bit.ErrNotFound) {
		t.Fatalf("before put: err = %v, want ErrNotFound", err)
	}
	first := organization(5, "Alpha")
	stored, created, err := s.PutOrganization(t.Context(), first)
	if err != nil || !created || stored.ID <= 0 || !sameOrg(stored, first) {
		t.Fatalf("create: %+v created=%v err=%v", stored, created, err)
	}
	second := organization(5, "Alpha Renamed")
	second.Status, second.About, second.Email = "Draft", "", "new@example.org"
	second.JoinDate = joined().Add(48 * time.Hour) // ignored on update
	updated, created, err := s.PutOrganization(t.Context(), second)
	if err != nil || created {
		t.Fatalf("update: created=%v err=%v", created, err)
	}
	want := second
	want.JoinDate = joined()
	if updated.ID != stored.ID || !sameOrg(updated, want) {
		t.Fatalf("update returned %+v, want id %d and %+v", updated, stored.ID, want)
	}
	// Saving again with its own name and email (the usual edit) is no conflict with itself.
	if again, created, err := s.PutOrganization(t.Context(), second); err != nil || created || again.ID != stored.ID {
		t.Fatalf("unchanged save: id %d created=%v err=%v", again.ID, created, err)
	}
	for name, read := range map[string]func() (bit.Organization, error){
		"by id":  func() (bit.Organization, error) { return s.Organization(t.Context(), stored.ID) },
		"by rep": func() (bit.Organization, error) { return s.OrganizationByRep(t.Context(), 5) },
	} {
		got, err := read()
		if err != nil || got.ID != stored.ID || !sameOrg(got, want) {
			t.Errorf("read %s: %+v, %v; want %+v", name, got, err, want)
		}
	}
	if _, err := s.Organization(t.Context(), stored.ID+1000); !errors.Is(err, bit.ErrNotFound) {
		t.Errorf("missing id: err = %v, want ErrNotFound", err)
	}
}

func testOrganizationDuplicates(t *testing.T, s bit.Store) {
	mustPutOrg(t, s, organization(1, "Taken"))
	own := mustPutOrg(t, s, organization(2, "Mine"))
	for _, tc := range []struct {
		name string
		org  bit.Organization
		want error
	}{
		{"a new organization with a taken name", organization(3, "Taken"), bit.ErrDuplicateOrganizationName},
		{"a new organization with a taken email", func() bit.Organization {
			o := organization(3, "Fresh")
			o.Email = "org1@example.org"
			return o
		}(), bit.ErrDuplicateOrganizationEmail},
		{"an update to a taken name", organization(2, "Taken"), bit.ErrDuplicateOrganizationName},
		{"an update to a taken email", func() bit.Organization {
			o := organization(2, "Mine")
			o.Email = "org1@example.org"
			return o
		}(), bit.ErrDuplicateOrganizationEmail},
	} {
		if _, _, err := s.PutOrganization(t.Context(), tc.org); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := s.OrganizationByRep(t.Context(), 3); !errors.Is(err, bit.ErrNotFound) {
		t.Errorf("a refused creation left a row: %v", err)
	}
	if got, err := s.OrganizationByRep(t.Context(), 2); err != nil || !sameOrg(got, own) {
		t.Errorf("a refused update changed the row: %+v, %v", got, err)
	}
}

func testParallelOrganization(t *testing.T, s bit.Store) {
	// Several rounds, each a representative's first save raced by many writers: a race that loses rarely shows.
	for rep := int64(70); rep < 76; rep++ {
		var mu sync.Mutex
		creations := 0
		ids := map[int64]bool{}
		errs := parallel(writers, func(i int) error {
			o := organization(rep, fmt.Sprintf("Writer %d of %d", i, rep))
			stored, created, err := s.PutOrganization(t.Context(), o)
			mu.Lock()
			defer mu.Unlock()
			if created {
				creations++
			}
			ids[stored.ID] = true
			return err
		})
		for i, err := range errs {
			if err != nil {
				t.Fatalf("rep %d writer %d: %v", rep, i, err)
			}
		}
		if creations != 1 || len(ids) != 1 {
			t.Errorf("rep %d: %d creations and ids %v, want one of each", rep, creations, ids)
		}
		got, err := s.OrganizationByRep(t.Context(), rep)
		if err != nil {
			t.Fatal(err)
		}
		whole := false
		for i := range writers {
			whole = whole || sameOrg(got, organization(rep, fmt.Sprintf("Writer %d of %d", i, rep)))
		}
		if !whole {
			t.Errorf("rep %d: row %+v is no writer's whole row", rep, got)
		}
	}
}

// listNames returns the names ListOrganizations gives for f.
func listNames(t *testing.T, s bit.Store, f bit.OrganizationFilter) []string {
	t.Helper()
	orgs, err := s.ListOrganizations(t.Context(), f)
	if err != nil {
		t.Fatalf("ListOrganizations(%+v): %v", f, err)
	}
	names := []string{}
	var last int64
	for _, o := range orgs {
		if o.ID <= last {
			t.Errorf("ids out of order: %d after %d", o.ID, last)
		}
		last = o.ID
		names = append(names, o.Name)
	}
	return names
}

func testListOrganizations(t *testing.T, s bit.Store) {
	// rep 1..6; reps 1-4 declared, rep 5 not declared, rep 6 has no additional info.
	for rep := int64(1); rep <= 4; rep++ {
		mustPutInfo(t, s, bit.AdditionalInfo{UserID: rep, IsOrganizationRep: true, Timezone: "UTC"})
	}
	mustPutInfo(t, s, bit.AdditionalInfo{UserID: 5, Timezone: "UTC"})
	statuses := map[int64]string{1: "Publish", 2: "Draft", 3: "Publish", 4: "Archived", 5: "Publish", 6: "Publish"}
	var ids []int64
	for rep := int64(1); rep <= 6; rep++ {
		o := organization(rep, fmt.Sprintf("Org %d", rep))
		o.Status = statuses[rep]
		ids = append(ids, mustPutOrg(t, s, o).ID)
	}
	for _, tc := range []struct {
		name string
		f    bit.OrganizationFilter
		want []string
	}{
		{"everything", bit.OrganizationFilter{Limit: 10}, []string{"Org 1", "Org 3"}},
		{"a limit of one", bit.OrganizationFilter{Limit: 1}, []string{"Org 1"}},
		{"after the first", bit.OrganizationFilter{AfterID: ids[0], Limit: 10}, []string{"Org 3"}},
		{"after the last", bit.OrganizationFilter{AfterID: ids[5], Limit: 10}, []string{}},
		{"a name part", bit.OrganizationFilter{NameContains: "g 3", Limit: 10}, []string{"Org 3"}},
		{"no match", bit.OrganizationFilter{NameContains: "zzz", Limit: 10}, []string{}},
	} {
		if got := listNames(t, s, tc.f); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	// Declaring rep 5 lists its organization; withdrawing rep 1 unlists its.
	mustPutInfo(t, s, bit.AdditionalInfo{UserID: 5, IsOrganizationRep: true, Timezone: "UTC"})
	mustPutInfo(t, s, bit.AdditionalInfo{UserID: 1, Timezone: "UTC"})
	if got := listNames(t, s, bit.OrganizationFilter{Limit: 10}); fmt.Sprint(got) != "[Org 3 Org 5]" {
		t.Errorf("after changing declarations: %v, want [Org 3 Org 5]", got)
	}
}

func testListOrganizationsName(t *testing.T, s bit.Store) {
	names := []string{"Women Who Code", "100% Women", "under_score", "underXscore", "Ünïcode Straße"}
	for i, n := range names {
		rep := int64(i + 1)
		mustPutInfo(t, s, bit.AdditionalInfo{UserID: rep, IsOrganizationRep: true, Timezone: "UTC"})
		mustPutOrg(t, s, organization(rep, n))
	}
	for _, tc := range []struct{ query, want string }{
		{"women", "[Women Who Code 100% Women]"},
		{"WHO", "[Women Who Code]"},
		{"%", "[100% Women]"},
		{"_", "[under_score]"},
		{"r_s", "[under_score]"},
		{"straße", "[Ünïcode Straße]"},
		{"", fmt.Sprint(names)},
	} {
		if got := listNames(t, s, bit.OrganizationFilter{NameContains: tc.query, Limit: 10}); fmt.Sprint(got) != tc.want {
			t.Errorf("name %q: %v, want %s", tc.query, got, tc.want)
		}
	}
}

func testParallelSameNameOfManyRepresentatives(t *testing.T, s bit.Store) {
	errs := parallel(writers, func(i int) error {
		_, _, err := s.PutOrganization(t.Context(), organization(int64(100+i), "Same Name"))
		return err
	})
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, bit.ErrDuplicateOrganizationName):
			t.Errorf("writer %d: %v, want ErrDuplicateOrganizationName", i, err)
		}
	}
	if ok != 1 {
		t.Errorf("%d representatives got the name, want 1", ok)
	}
}
