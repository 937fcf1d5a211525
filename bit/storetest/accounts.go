package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

// runAccountContract runs the behaviours of BindAccount and ForgetAccount (bit.AccountStore) and of a
// representative who withdraws, each on its own database.
func runAccountContract(t *testing.T, newDB NewDatabase) {
	for _, tc := range []struct {
		name string
		test func(t *testing.T, s bit.Store)
	}{
		{"forgetting an account deletes its additional info and background and archives its organization, detached from it", testForgetAccount},
		{"forgetting an account leaves every other account's rows alone, and forgetting nothing is no error", testForgetOnlyThatAccount},
		{"after forgetting, the same id starts afresh: a new organization, none of the old rows", testForgottenIDStartsAfresh},
		{"the first binding of an id keeps its rows, and binding the same account again changes nothing", testBindFirstSight},
		{"binding another registration time of a bound id forgets the former account's rows", testBindReusedID},
		{"parallel binds of one account all keep its rows", testParallelBindSameAccount},
		{"parallel binds of a reused id by one new account forget the former rows once", testParallelBindReusedID},
		{"an organization leaves the list while its representative withdraws, and comes back when they declare again", testWithdrawnRepNotListed},
		{"an ended context makes binding and forgetting fail as unavailable and change nothing", testAccountsContextEnded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, open(t, newDB))
		})
	}
}

// registered is a registration time as MS reports it, n seconds and some microseconds after a fixed moment.
func registered(n int) time.Time {
	return bit.RegistrationTime(1709294400.123456 + float64(n))
}

func mustBind(t *testing.T, s bit.Store, id int64, at time.Time) bool {
	t.Helper()
	forgot, err := s.BindAccount(t.Context(), id, at)
	if err != nil {
		t.Fatalf("BindAccount(%d): %v", id, err)
	}
	return forgot
}

// accountRows creates user's additional info (declared representative), public background and a published
// organization with one program; it returns the organization.
func accountRows(t *testing.T, s bit.Store, user int64, name string) bit.Organization {
	t.Helper()
	info := additionalInfo(user, 0) // i = 0: is_organization_rep
	mustPutInfo(t, s, info)
	if _, err := s.PutPersonalBackground(t.Context(), background(user, 1)); err != nil {
		t.Fatalf("PutPersonalBackground: %v", err)
	}
	o := mustPutOrg(t, s, organization(user, name))
	mustCreateProgram(t, s, program(o.ID, name+" program", 1))
	return o
}

// wantForgotten checks that user has no personal rows and that organization o is archived with no
// representative, off the list, with its programs kept under its id (the Service hides them).
func wantForgotten(t *testing.T, s bit.Store, user int64, o bit.Organization) {
	t.Helper()
	if _, err := s.AdditionalInfo(t.Context(), user); !errors.Is(err, bit.ErrNotFound) {
		t.Errorf("additional info of %d: err = %v, want ErrNotFound", user, err)
	}
	if _, err := s.PersonalBackground(t.Context(), user); !errors.Is(err, bit.ErrNotFound) {
		t.Errorf("personal background of %d: err = %v, want ErrNotFound", user, err)
	}
	if got, err := s.OrganizationByRep(t.Context(), user); !errors.Is(err, bit.ErrNotFound) {
		t.Errorf("organization by representative %d: %+v, %v; want ErrNotFound", user, got, err)
	}
	got, err := s.Organization(t.Context(), o.ID)
	if err != nil {
		t.Fatalf("the archived organization: %v", err)
	}
	if got.Status != "Archived" || got.RepID > 0 || got.RepDepartment != "" || got.Name != o.Name {
		t.Errorf("archived organization = %+v; want status Archived, no representative, its name kept", got)
	}
	for _, l := range listNames(t, s, bit.OrganizationFilter{Limit: 100}) {
		if l == o.Name {
			t.Errorf("the archived organization %q is still listed", o.Name)
		}
	}
}

func testForgetAccount(t *testing.T, s bit.Store) {
	o := accountRows(t, s, 21, "Forgotten")
	if err := s.ForgetAccount(t.Context(), 21); err != nil {
		t.Fatalf("ForgetAccount: %v", err)
	}
	wantForgotten(t, s, 21, o)
}

func testForgetOnlyThatAccount(t *testing.T, s bit.Store) {
	o := accountRows(t, s, 21, "Gone")
	kept := accountRows(t, s, 22, "Kept")
	if err := s.ForgetAccount(t.Context(), 21); err != nil {
		t.Fatalf("ForgetAccount: %v", err)
	}
	for _, id := range []int64{21, 23, 0, -kept.ID} { // again, never seen, and no MS id at all
		if err := s.ForgetAccount(t.Context(), id); err != nil {
			t.Errorf("ForgetAccount(%d): %v", id, err)
		}
	}
	wantForgotten(t, s, 21, o)
	if got, err := s.AdditionalInfo(t.Context(), 22); err != nil || got != additionalInfo(22, 0) {
		t.Errorf("another account's additional info: %+v, %v", got, err)
	}
	if _, err := s.PersonalBackground(t.Context(), 22); err != nil {
		t.Errorf("another account's background: %v", err)
	}
	if got, err := s.OrganizationByRep(t.Context(), 22); err != nil || !sameOrg(got, organization(22, "Kept")) {
		t.Errorf("another account's organization: %+v, %v", got, err)
	}
	if names := listNames(t, s, bit.OrganizationFilter{Limit: 100}); len(names) != 1 || names[0] != "Kept" {
		t.Errorf("listed %v, want [Kept]", names)
	}
}

func testForgottenIDStartsAfresh(t *testing.T, s bit.Store) {
	old := accountRows(t, s, 21, "Old")
	if err := s.ForgetAccount(t.Context(), 21); err != nil {
		t.Fatalf("ForgetAccount: %v", err)
	}
	if mustBind(t, s, 21, registered(2)) {
		t.Error("binding a forgotten id reported forgetting again")
	}
	fresh := organization(21, "Fresh")
	fresh.Email = "fresh@example.org"
	stored, created, err := s.PutOrganization(t.Context(), fresh)
	if err != nil || !created || stored.ID == old.ID {
		t.Fatalf("the new account's organization: %+v, created %v, %v; want a new one", stored, created, err)
	}
	if got, err := s.OrganizationByRep(t.Context(), 21); err != nil || got.ID != stored.ID {
		t.Errorf("organization by representative: %+v, %v; want the new one", got, err)
	}
	if _, err := s.AdditionalInfo(t.Context(), 21); !errors.Is(err, bit.ErrNotFound) {
		t.Errorf("the old additional info came back: %v", err)
	}
}

func testBindFirstSight(t *testing.T, s bit.Store) {
	accountRows(t, s, 21, "Mine")
	for i := range 3 {
		if mustBind(t, s, 21, registered(1)) {
			t.Fatalf("bind %d forgot the account's own rows", i+1)
		}
	}
	if got, err := s.AdditionalInfo(t.Context(), 21); err != nil || got != additionalInfo(21, 0) {
		t.Errorf("additional info after binding: %+v, %v", got, err)
	}
	if got, err := s.OrganizationByRep(t.Context(), 21); err != nil || got.Status != "Publish" {
		t.Errorf("organization after binding: %+v, %v", got, err)
	}
	if mustBind(t, s, 22, registered(1)) {
		t.Error("binding an id without rows reported forgetting")
	}
}

func testBindReusedID(t *testing.T, s bit.Store) {
	o := accountRows(t, s, 21, "Former")
	accountRows(t, s, 22, "Neighbour")
	mustBind(t, s, 21, registered(1))
	mustBind(t, s, 22, registered(1))
	if !mustBind(t, s, 21, registered(5)) {
		t.Fatal("a new registration time of id 21 did not forget the former account")
	}
	wantForgotten(t, s, 21, o)
	if _, err := s.AdditionalInfo(t.Context(), 22); err != nil {
		t.Errorf("the neighbour's additional info: %v", err)
	}
	// The new account's own rows are bound to it: binding it again keeps them; the former time is now another.
	mustPutInfo(t, s, additionalInfo(21, 2))
	if mustBind(t, s, 21, registered(5)) {
		t.Error("binding the new account again forgot its rows")
	}
	if _, err := s.AdditionalInfo(t.Context(), 21); err != nil {
		t.Errorf("the new account's additional info: %v", err)
	}
	if !mustBind(t, s, 21, registered(1)) {
		t.Error("the former registration time, now another account's, did not forget")
	}
	// Microseconds count: MS's float differs in its sixth decimal.
	if !mustBind(t, s, 21, registered(1).Add(time.Microsecond)) {
		t.Error("a registration time one microsecond later was taken as the same account")
	}
}

func testParallelBindSameAccount(t *testing.T, s bit.Store) {
	accountRows(t, s, 21, "Shared")
	for i, err := range parallel(writers, func(int) error {
		forgot, err := s.BindAccount(t.Context(), 21, registered(1))
		if err == nil && forgot {
			err = errors.New("forgot the account's own rows")
		}
		return err
	}) {
		if err != nil {
			t.Errorf("bind %d: %v", i, err)
		}
	}
	if _, err := s.AdditionalInfo(t.Context(), 21); err != nil {
		t.Errorf("additional info after parallel binds: %v", err)
	}
}

func testParallelBindReusedID(t *testing.T, s bit.Store) {
	o := accountRows(t, s, 21, "Reused")
	mustBind(t, s, 21, registered(1))
	forgets := 0
	results := make([]bool, writers)
	for i, err := range parallel(writers, func(i int) error {
		var err error
		results[i], err = s.BindAccount(t.Context(), 21, registered(9))
		return err
	}) {
		if err != nil {
			t.Errorf("bind %d: %v", i, err)
		}
	}
	for _, f := range results {
		if f {
			forgets++
		}
	}
	if forgets != 1 {
		t.Errorf("%d binds reported forgetting, want exactly 1", forgets)
	}
	wantForgotten(t, s, 21, o)
}

func testWithdrawnRepNotListed(t *testing.T, s bit.Store) {
	accountRows(t, s, 21, "Withdrawn")
	withdrawn := additionalInfo(21, 1) // i = 1: not a representative
	mustPutInfo(t, s, withdrawn)
	if names := listNames(t, s, bit.OrganizationFilter{Limit: 10}); len(names) != 0 {
		t.Errorf("listed %v while the representative has withdrawn", names)
	}
	mustPutInfo(t, s, additionalInfo(21, 0))
	if names := listNames(t, s, bit.OrganizationFilter{Limit: 10}); len(names) != 1 || names[0] != "Withdrawn" {
		t.Errorf("listed %v after declaring again, want [Withdrawn]", names)
	}
}

func testAccountsContextEnded(t *testing.T, s bit.Store) {
	o := accountRows(t, s, 21, "Stays")
	mustBind(t, s, 21, registered(1))
	ended, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.BindAccount(ended, 21, registered(2)); !errors.Is(err, bit.ErrUnavailable) {
		t.Errorf("BindAccount with an ended context: err = %v, want ErrUnavailable", err)
	}
	if err := s.ForgetAccount(ended, 21); !errors.Is(err, bit.ErrUnavailable) {
		t.Errorf("ForgetAccount with an ended context: err = %v, want ErrUnavailable", err)
	}
	if got, err := s.OrganizationByRep(t.Context(), 21); err != nil || got.ID != o.ID || got.Status != "Publish" {
		t.Errorf("after ended calls: %+v, %v; want the organization unchanged", got, err)
	}
	if mustBind(t, s, 21, registered(1)) {
		t.Error("after ended calls the binding had changed")
	}
}
