package bit_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/bit/sqlitestore"
)

// members stands in for MS: the verified members' names by id; any other id is no such member.
type members map[int64]string

func (m members) MemberName(_ context.Context, id int64) (string, error) {
	if n, ok := m[id]; ok {
		return n, nil
	}
	return "", fmt.Errorf("MS GET /users/%d: 404: %w", id, bit.ErrNoSuchMember)
}

// msDown is a Members whose MS does not answer.
type msDown struct{}

var errMSDown = errors.New("MS unreachable")

func (msDown) MemberName(context.Context, int64) (string, error) { return "", errMSDown }

// clock is the Service's fixed "now": 2021-06-01 10:00 UTC.
func clock() time.Time { return time.Date(2021, 6, 1, 10, 0, 0, 0, time.UTC) }

// openStore opens a fresh SQLite store (the real one), closed when the test ends.
func openStore(t *testing.T) bit.Store {
	t.Helper()
	s, err := sqlitestore.Open(t.Context(), filepath.Join(t.TempDir(), "bit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// newService returns a Service on a fresh SQLite store (the real one).
func newService(t *testing.T) *bit.Service {
	t.Helper()
	return newServiceWith(t, bit.Options{Now: clock})
}

func newServiceWith(t *testing.T, opts bit.Options) *bit.Service {
	t.Helper()
	s, err := sqlitestore.Open(t.Context(), filepath.Join(t.TempDir(), "bit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return bit.NewService(s, opts)
}

// wantErr checks that err is a *bit.Error with this status and message.
func wantErr(t *testing.T, err error, status int, message string) {
	t.Helper()
	var e *bit.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want %d %q", err, status, message)
	}
	if e.Status() != status || e.Message != message {
		t.Errorf("got %d %q, want %d %q", e.Status(), e.Message, status, message)
	}
}

func wantOutcome(t *testing.T, o bit.Outcome, err error, created bool, message string) {
	t.Helper()
	if err != nil {
		t.Fatalf("err = %v, want %q", err, message)
	}
	if o.Created != created || o.Message != message {
		t.Errorf("got %+v, want created=%v %q", o, created, message)
	}
}

func putInfo(t *testing.T, svc *bit.Service, user int64, rep bool, tz string) {
	t.Helper()
	if _, err := svc.PutAdditionalInfo(t.Context(), user, bit.AdditionalInfo{IsOrganizationRep: rep, Timezone: tz,
		Phone: "+1 555", Mobile: "07 123"}); err != nil {
		t.Fatal(err)
	}
}

func TestAdditionalInfo(t *testing.T) {
	svc := newService(t)
	_, err := svc.AdditionalInfo(t.Context(), 1)
	wantErr(t, err, 404, bit.MsgAdditionalInfoNotFound)

	in := bit.AdditionalInfo{UserID: 99, IsOrganizationRep: true, Timezone: "Asia/Jakarta", Phone: "+62 21",
		Mobile: "0812", PersonalWebsite: "https://me.example.org"}
	o, err := svc.PutAdditionalInfo(t.Context(), 1, in)
	wantOutcome(t, o, err, true, bit.MsgAdditionalInfoCreated)
	in.Timezone = "Europe/Paris"
	o, err = svc.PutAdditionalInfo(t.Context(), 1, in)
	wantOutcome(t, o, err, false, bit.MsgAdditionalInfoUpdated)

	t.Run("the caller reads their own row, keyed by the verified id and not the body's user_id", func(t *testing.T) {
		got, err := svc.AdditionalInfo(t.Context(), 1)
		want := in
		want.UserID = 1
		if err != nil || got != want {
			t.Errorf("got %+v, %v; want %+v", got, err, want)
		}
		if _, err := svc.AdditionalInfo(t.Context(), 99); err == nil {
			t.Error("the body's user_id got a row")
		}
	})
	t.Run("another member sees no phone or mobile", func(t *testing.T) {
		got, err := svc.UserAdditionalInfo(t.Context(), 2, 1, members{1: "Grace", 2: "Ada"})
		if err != nil || got.Phone != "" || got.Mobile != "" || got.Timezone != "Europe/Paris" ||
			got.PersonalWebsite != in.PersonalWebsite || !got.IsOrganizationRep || got.UserID != 1 {
			t.Errorf("got %+v, %v", got, err)
		}
	})
	t.Run("the owner reading their own id sees everything", func(t *testing.T) {
		got, err := svc.UserAdditionalInfo(t.Context(), 1, 1, members{1: "Grace", 2: "Ada"})
		if err != nil || got.Phone != "+62 21" || got.Mobile != "0812" {
			t.Errorf("got %+v, %v", got, err)
		}
	})
	t.Run("a user without a row is not found with the by-id text", func(t *testing.T) {
		_, err := svc.UserAdditionalInfo(t.Context(), 1, 3, members{1: "Grace", 2: "Ada"})
		wantErr(t, err, 404, bit.MsgUserAdditionalInfoNotFound)
	})
	t.Run("an invalid body is refused before any write", func(t *testing.T) {
		_, err := svc.PutAdditionalInfo(t.Context(), 4, bit.AdditionalInfo{Timezone: "Nowhere"})
		wantErr(t, err, 400, bit.MsgTimezoneInvalid)
		_, err = svc.AdditionalInfo(t.Context(), 4)
		wantErr(t, err, 404, bit.MsgAdditionalInfoNotFound)
	})
}

func background(public bool) bit.PersonalBackground {
	return bit.PersonalBackground{Gender: "Female", Age: "Under 18", Ethnicity: "Asian", SexualOrientation: "Other",
		Religion: "Judaism", PhysicalAbility: "Other", MentalAbility: "Other", SocioEconomic: "Other",
		HighestEducation: "Other", YearsOfExperience: "Less than a year", GenderOther: "x", IsPublic: public}
}

func TestPersonalBackground(t *testing.T) {
	svc := newService(t)
	_, err := svc.PersonalBackground(t.Context(), 1)
	wantErr(t, err, 404, bit.MsgBackgroundNotFound)
	_, err = svc.UserPersonalBackground(t.Context(), 2, 1, members{1: "Grace", 2: "Ada"})
	wantErr(t, err, 404, bit.MsgUserBackgroundNotFound)

	o, err := svc.PutPersonalBackground(t.Context(), 1, background(false))
	wantOutcome(t, o, err, true, bit.MsgBackgroundCreated)
	o, err = svc.PutPersonalBackground(t.Context(), 1, background(false))
	wantOutcome(t, o, err, false, bit.MsgBackgroundUpdated)

	t.Run("a private background is refused to another member", func(t *testing.T) {
		_, err := svc.UserPersonalBackground(t.Context(), 2, 1, members{1: "Grace", 2: "Ada"})
		wantErr(t, err, 403, bit.MsgUserBackgroundNotPublic)
	})
	t.Run("a private background is shown to its owner", func(t *testing.T) {
		got, err := svc.UserPersonalBackground(t.Context(), 1, 1, members{1: "Grace", 2: "Ada"})
		if err != nil || got.UserID != 1 || got.GenderOther != "x" {
			t.Errorf("got %+v, %v", got, err)
		}
	})
	t.Run("a public background is shown to another member", func(t *testing.T) {
		if _, err := svc.PutPersonalBackground(t.Context(), 1, background(true)); err != nil {
			t.Fatal(err)
		}
		got, err := svc.UserPersonalBackground(t.Context(), 2, 1, members{1: "Grace", 2: "Ada"})
		if err != nil || !got.IsPublic || got.Gender != "Female" {
			t.Errorf("got %+v, %v", got, err)
		}
	})
	t.Run("a value outside its list is refused", func(t *testing.T) {
		b := background(true)
		b.Age = "Old"
		_, err := svc.PutPersonalBackground(t.Context(), 1, b)
		wantErr(t, err, 400, bit.MsgBackgroundInvalid)
	})
}

func TestStoreUnavailableIs503(t *testing.T) {
	svc := newService(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := svc.AdditionalInfo(ctx, 1)
	wantErr(t, err, 503, bit.MsgStoreUnavailable)
	_, err = svc.PutOrganization(ctx, 1, organizationInput("X", "x@example.org"))
	wantErr(t, err, 503, bit.MsgStoreUnavailable)
	if !errors.Is(err, bit.ErrUnavailable) {
		t.Errorf("the 503 error does not wrap ErrUnavailable: %v", err)
	}
}

func TestParseOrganizationQuery(t *testing.T) {
	for _, tc := range []struct {
		name, page, perPage string
		want                bit.OrganizationQuery
	}{
		{"nothing given gives page 1 of 10", "", "", bit.OrganizationQuery{Page: 1, PerPage: 10}},
		{"numbers are taken", "3", "25", bit.OrganizationQuery{Page: 3, PerPage: 25}},
		{"per_page is capped at 50", "1", "500", bit.OrganizationQuery{Page: 1, PerPage: 50}},
		{"a page below 1 is page 1", "-4", "10", bit.OrganizationQuery{Page: 1, PerPage: 10}},
		{"a negative per_page is 20", "1", "-1", bit.OrganizationQuery{Page: 1, PerPage: 20}},
		{"a zero per_page is 10", "1", "0", bit.OrganizationQuery{Page: 1, PerPage: 10}},
		{"words get the defaults", "two", "many", bit.OrganizationQuery{Page: 1, PerPage: 10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := bit.ParseOrganizationQuery("", tc.page, tc.perPage); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// unconfirmedWrites is a store whose writes all end with their commit unconfirmed, as pgstore reports a COMMIT
// that got no answer.
type unconfirmedWrites struct{ bit.Store }

func (unconfirmedWrites) PutAdditionalInfo(context.Context, bit.AdditionalInfo) (bool, error) {
	return false, fmt.Errorf("pgstore write additional info: %w", bit.ErrOutcomeUnknown)
}

func TestAWriteOfUnknownOutcomeIs504SayingItMayHaveBeenSaved(t *testing.T) {
	svc := bit.NewService(unconfirmedWrites{openStore(t)}, bit.Options{Now: clock})
	_, err := svc.PutAdditionalInfo(t.Context(), 1, bit.AdditionalInfo{Timezone: "UTC"})
	wantErr(t, err, 504, bit.MsgStoreOutcomeUnknown)
	if !errors.Is(err, bit.ErrOutcomeUnknown) || errors.Is(err, bit.ErrUnavailable) {
		t.Errorf("the 504 error wraps the wrong sentinel: %v", err)
	}
}

// TestPingSaysWhetherTheDatabaseAnswers: /readyz asks the Service, which asks its store; a closed database is an
// error, not a success.
func TestPingSaysWhetherTheDatabaseAnswers(t *testing.T) {
	t.Parallel()
	st, err := sqlitestore.Open(t.Context(), filepath.Join(t.TempDir(), "bit.db"))
	if err != nil {
		t.Fatal(err)
	}
	svc := bit.NewService(st, bit.Options{})
	if err := svc.Ping(t.Context()); err != nil {
		t.Fatalf("Ping of an open database: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := svc.Ping(t.Context()); err == nil {
		t.Fatal("Ping of a closed database succeeded")
	}
}
