package bit_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/bit/sqlitestore"
)

// registrations stands in for MS when it also says when each member registered (bit.MemberRegistrations).
type registrations struct {
	members
	at map[int64]time.Time
}

func (r registrations) MemberRegistered(id int64) (time.Time, bool) {
	t, ok := r.at[id]
	return t, ok
}

var _ bit.MemberRegistrations = registrations{}

// repWithEverything gives member 1 (Asia/Jakarta, a declared representative) a public personal background, a
// published organization "A" and an open program "P"; it returns the organization's and the program's ids.
func repWithEverything(t *testing.T, svc *bit.Service, ms bit.Members) (orgID, programID int64) {
	t.Helper()
	putInfo(t, svc, 1, true, "Asia/Jakarta")
	if _, err := svc.PutPersonalBackground(t.Context(), 1, background(true)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutOrganization(t.Context(), 1, organizationInput("A", "a@example.org")); err != nil {
		t.Fatal(err)
	}
	o, err := svc.MyOrganization(t.Context(), 1, ms)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateProgram(t.Context(), 1, o.ID, programInput("P", "Open")); err != nil {
		t.Fatal(err)
	}
	ps, err := svc.Programs(t.Context(), 2, o.ID, allPrograms, ms)
	if err != nil || len(ps) != 1 {
		t.Fatalf("the program before: %+v, %v", ps, err)
	}
	return o.ID, ps[0].ID
}

// wantNothingOfMember1 checks that member 2 gets 404 for everything member 1 had, with the old API's texts.
func wantNothingOfMember1(t *testing.T, svc *bit.Service, orgID, programID int64, ms bit.Members) {
	t.Helper()
	ctx := t.Context()
	_, err := svc.UserPersonalBackground(ctx, 2, 1, ms)
	wantErr(t, err, 404, bit.MsgUserBackgroundNotFound)
	_, err = svc.UserAdditionalInfo(ctx, 2, 1, ms)
	wantErr(t, err, 404, bit.MsgUserAdditionalInfoNotFound)
	_, err = svc.Organizations(ctx, 2, bit.OrganizationQuery{Page: 1, PerPage: 10}, ms)
	wantErr(t, err, 404, bit.MsgNoOrganizationFound)
	_, err = svc.Programs(ctx, 2, orgID, allPrograms, ms)
	wantErr(t, err, 404, bit.MsgNoOrganizationFound)
	_, err = svc.Program(ctx, 2, orgID, programID, ms)
	wantErr(t, err, 404, bit.MsgNoOrganizationFound)
}

func TestAForgottenAccountLeavesNothingAnyMemberCanRead(t *testing.T) {
	svc := newService(t)
	ms := members{1: "Rep One", 2: "Two"} // MS still answers for 1: only the forgetting hides the rows
	orgID, programID := repWithEverything(t, svc, ms)
	if err := svc.ForgetAccount(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	wantNothingOfMember1(t, svc, orgID, programID, ms)
	t.Run("nor can the same id itself", func(t *testing.T) {
		_, err := svc.AdditionalInfo(t.Context(), 1)
		wantErr(t, err, 404, bit.MsgAdditionalInfoNotFound)
		_, err = svc.PersonalBackground(t.Context(), 1)
		wantErr(t, err, 404, bit.MsgBackgroundNotFound)
		putInfo(t, svc, 1, true, "UTC")
		_, err = svc.MyOrganization(t.Context(), 1, ms)
		wantErr(t, err, 404, bit.MsgOrganizationDoesNotExist)
		_, err = svc.Programs(t.Context(), 1, orgID, allPrograms, ms)
		wantErr(t, err, 404, bit.MsgNoOrganizationFound)
	})
}

func TestReadsAboutAMemberMSDoesNotKnowAreRefusedWithMSsAnswer(t *testing.T) {
	svc := newService(t)
	putInfo(t, svc, 1, false, "UTC")
	if _, err := svc.PutPersonalBackground(t.Context(), 1, background(false)); err != nil {
		t.Fatal(err)
	}
	gone := members{2: "Two"} // MS: 404 for user 1
	for name, read := range map[string]func() error{
		"another member's personal background (private: MS is asked before the is_public check)": func() error {
			_, err := svc.UserPersonalBackground(t.Context(), 2, 1, gone)
			return err
		},
		"another member's additional info": func() error {
			_, err := svc.UserAdditionalInfo(t.Context(), 2, 1, gone)
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			if err := read(); !errors.Is(err, bit.ErrNoSuchMember) {
				t.Errorf("err = %v, want the Members' no-such-member answer", err)
			}
		})
	}
	t.Run("one's own rows are read without asking MS", func(t *testing.T) {
		if _, err := svc.UserPersonalBackground(t.Context(), 1, 1, msDown{}); err != nil {
			t.Error(err)
		}
		if _, err := svc.UserAdditionalInfo(t.Context(), 1, 1, msDown{}); err != nil {
			t.Error(err)
		}
	})
	t.Run("MS not answering is returned unchanged", func(t *testing.T) {
		if _, err := svc.UserAdditionalInfo(t.Context(), 2, 1, msDown{}); !errors.Is(err, errMSDown) {
			t.Errorf("err = %v, want MS's trouble", err)
		}
	})
}

func TestAReusedIDSeesNothingOfTheFormerAccount(t *testing.T) {
	first := bit.RegistrationTime(1709294400.25)
	later := bit.RegistrationTime(1719294400.75)
	t.Run("when the newcomer is bound (login, GET /user)", func(t *testing.T) {
		svc := newService(t)
		ms := members{1: "Newcomer", 2: "Two"}
		orgID, programID := repWithEverything(t, svc, ms)
		if forgot, err := svc.BindAccount(t.Context(), bit.Account{ID: 1, Registered: first}); err != nil || forgot {
			t.Fatalf("first binding: forgot %v, %v", forgot, err)
		}
		if forgot, err := svc.BindAccount(t.Context(), bit.Account{ID: 1, Registered: later}); err != nil || !forgot {
			t.Fatalf("a newcomer with id 1: forgot %v, %v; want the former rows forgotten", forgot, err)
		}
		_, err := svc.AdditionalInfo(t.Context(), 1)
		wantErr(t, err, 404, bit.MsgAdditionalInfoNotFound)
		_, err = svc.PersonalBackground(t.Context(), 1)
		wantErr(t, err, 404, bit.MsgBackgroundNotFound)
		_, err = svc.MyOrganization(t.Context(), 1, ms)
		wantErr(t, err, 403, bit.MsgNotOrganizationRep)
		wantNothingOfMember1(t, svc, orgID, programID, ms)
	})
	t.Run("when another member looks the newcomer up", func(t *testing.T) {
		svc := newService(t)
		before := registrations{members{1: "Former", 2: "Two"}, map[int64]time.Time{1: first}}
		orgID, programID := repWithEverything(t, svc, before)
		if _, err := svc.UserPersonalBackground(t.Context(), 2, 1, before); err != nil {
			t.Fatalf("the former account's public background, bound at first sight: %v", err)
		}
		after := registrations{members{1: "Newcomer", 2: "Two"}, map[int64]time.Time{1: later}}
		_, err := svc.UserPersonalBackground(t.Context(), 2, 1, after)
		wantErr(t, err, 404, bit.MsgUserBackgroundNotFound)
		wantNothingOfMember1(t, svc, orgID, programID, after)
		_, err = svc.PersonalBackground(t.Context(), 1)
		wantErr(t, err, 404, bit.MsgBackgroundNotFound)
	})
	t.Run("a representative looked up in the list", func(t *testing.T) {
		svc := newService(t)
		before := registrations{members{1: "Former", 2: "Two"}, map[int64]time.Time{1: first}}
		orgID, programID := repWithEverything(t, svc, before)
		after := registrations{members{1: "Newcomer", 2: "Two"}, map[int64]time.Time{1: later}}
		_, err := svc.Organizations(t.Context(), 2, bit.OrganizationQuery{Page: 1, PerPage: 10}, after)
		wantErr(t, err, 404, bit.MsgNoOrganizationFound)
		wantNothingOfMember1(t, svc, orgID, programID, after)
	})
}

func TestAWithdrawnRepresentativesOrganizationIsHiddenLikeADraft(t *testing.T) {
	svc := newService(t)
	ms := members{1: "Rep One", 2: "Two"}
	orgID, programID := repWithEverything(t, svc, ms)
	putInfo(t, svc, 1, false, "Asia/Jakarta") // withdraws is_organization_rep
	ctx := t.Context()
	_, err := svc.Organizations(ctx, 2, bit.OrganizationQuery{Page: 1, PerPage: 10}, ms)
	wantErr(t, err, 404, bit.MsgNoOrganizationFound)
	_, err = svc.Programs(ctx, 2, orgID, allPrograms, ms)
	wantErr(t, err, 404, bit.MsgNoOrganizationFound)
	_, err = svc.Program(ctx, 2, orgID, programID, ms)
	wantErr(t, err, 404, bit.MsgNoOrganizationFound)
	t.Run("its representative still reads their programs", func(t *testing.T) {
		if _, err := svc.Program(ctx, 1, orgID, programID, ms); err != nil {
			t.Error(err)
		}
	})
	t.Run("declaring again shows it again", func(t *testing.T) {
		putInfo(t, svc, 1, true, "Asia/Jakarta")
		if _, err := svc.Program(ctx, 2, orgID, programID, ms); err != nil {
			t.Error(err)
		}
	})
}

// storeDown is a Store whose database does not answer binding or forgetting.
type storeDown struct{ bit.Store }

func (storeDown) BindAccount(context.Context, int64, time.Time) (bool, error) {
	return false, bit.ErrUnavailable
}
func (storeDown) ForgetAccount(context.Context, int64) error { return bit.ErrUnavailable }

func TestBindingAndForgettingReportAnUnavailableDatabaseAs503(t *testing.T) {
	svc := bit.NewService(storeDown{}, bit.Options{})
	_, err := svc.BindAccount(t.Context(), bit.Account{ID: 1, Registered: time.Unix(1, 0)})
	wantErr(t, err, 503, bit.MsgStoreUnavailable)
	wantErr(t, svc.ForgetAccount(t.Context(), 1), 503, bit.MsgStoreUnavailable)
}

func TestRegistrationTimeReadsMSsFloatToTheMicrosecond(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want time.Time
	}{
		{1709294400.0, time.Unix(1709294400, 0).UTC()},
		{1709294400.123456, time.Unix(1709294400, 123456000).UTC()},
		{1709294400.000001, time.Unix(1709294400, 1000).UTC()},
		{1709294400.999999, time.Unix(1709294400, 999999000).UTC()},
	} {
		if got := bit.RegistrationTime(tc.in); !got.Equal(tc.want) {
			t.Errorf("RegistrationTime(%f) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// countingBinds counts the BindAccount calls that reach the store.
type countingBinds struct {
	bit.Store
	n int
}

func (c *countingBinds) BindAccount(ctx context.Context, id int64, at time.Time) (bool, error) {
	c.n++
	return c.Store.BindAccount(ctx, id, at)
}

func TestAnAccountBindingAlreadyConfirmedDoesNotAskTheDatabaseAgain(t *testing.T) {
	store := &countingBinds{Store: newStore(t)}
	svc := bit.NewService(store, bit.Options{Now: clock})
	a := bit.Account{ID: 1, Registered: bit.RegistrationTime(1709294400.5)}
	for _, step := range []struct {
		name       string
		do         func() (bool, error)
		wantForgot bool
		wantCalls  int
	}{
		{"the first binding asks the store", func() (bool, error) { return svc.BindAccount(t.Context(), a) }, false, 1},
		{"the same binding again does not", func() (bool, error) { return svc.BindAccount(t.Context(), a) }, false, 1},
		{"another registration time asks and forgets", func() (bool, error) {
			return svc.BindAccount(t.Context(), bit.Account{ID: 1, Registered: a.Registered.Add(time.Second)})
		}, true, 2},
		{"the first time again is another account now: asked, forgets", func() (bool, error) { return svc.BindAccount(t.Context(), a) }, true, 3},
		{"after forgetting the account, its binding is asked again", func() (bool, error) {
			if err := svc.ForgetAccount(t.Context(), 1); err != nil {
				return false, err
			}
			return svc.BindAccount(t.Context(), a)
		}, false, 4},
	} {
		forgot, err := step.do()
		if err != nil || forgot != step.wantForgot || store.n != step.wantCalls {
			t.Errorf("%s: forgot %v, %v, %d store calls; want forgot %v, %d calls", step.name, forgot, err, store.n,
				step.wantForgot, step.wantCalls)
		}
	}
}

// newStore opens a fresh SQLite store (the real one), closed at the test's end.
func newStore(t *testing.T) bit.Store {
	t.Helper()
	s, err := sqlitestore.Open(t.Context(), filepath.Join(t.TempDir(), "bit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Bound says "already bound" only for the very account this Service bound and still knows: not before the bind,
// not for another registration of the same id, not after ForgetAccount, and never for something that is not an
// object. A malformed body gets no binding through it: at worst it names an account already bound.
func TestBoundIsTheServicesOwnMemory(t *testing.T) {
	svc := newService(t)
	ctx := t.Context()
	const body = `{"id": 7, "username": "ada", "registration_date": 1700000000.123456, "bio": null}`
	if svc.Bound([]byte(body)) {
		t.Fatal("Bound before any binding")
	}
	if _, err := svc.BindAccount(ctx, bit.Account{ID: 7, Registered: bit.RegistrationTime(1700000000.123456)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		body string
		want bool
	}{
		{body, true},
		{"  \n" + body, true},
		{`{"id": 7, "registration_date": 1700000000.123457}`, false}, // another account with id 7
		{`{"id": 8, "registration_date": 1700000000.123456}`, false},
		{`{"id": 7}`, false},
		{`[{"id": 7, "registration_date": 1700000000.123456}]`, false},
		{``, false},
		{`{"id": 7, "registration_date": 1700000000.12`, false},    // truncated: another time, so not bound
		{`{"id": 7, "registration_date": 1700000000.123456`, true}, // truncated, but names the bound account
	} {
		if got := svc.Bound([]byte(tc.body)); got != tc.want {
			t.Errorf("Bound(%q) = %v, want %v", tc.body, got, tc.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { svc.Bound([]byte(body)) }); n != 0 {
		t.Errorf("Bound allocates %v times, want 0", n)
	}
	if err := svc.ForgetAccount(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if svc.Bound([]byte(body)) {
		t.Error("Bound after ForgetAccount")
	}
}
