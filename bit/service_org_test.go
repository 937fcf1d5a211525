package bit_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

func organizationInput(name, email string) bit.OrganizationInput {
	return bit.OrganizationInput{RepresentativeDepartment: "Outreach", Name: name, Email: email,
		About: "About " + name, Address: "Somewhere", Website: "https://example.org", Timezone: "Asia/Jakarta",
		Phone: "+62 21 555", Status: "Publish"}
}

func TestMyOrganization(t *testing.T) {
	svc := newService(t)
	ms := members{1: "Rep One", 2: "Member Two"}

	t.Run("a member without additional info is not a representative", func(t *testing.T) {
		_, err := svc.MyOrganization(t.Context(), 1, ms)
		wantErr(t, err, 403, bit.MsgNotOrganizationRep)
		_, err = svc.PutOrganization(t.Context(), 1, organizationInput("A", "a@example.org"))
		wantErr(t, err, 403, bit.MsgNotOrganizationRep)
	})
	t.Run("a member who has not declared it is not a representative", func(t *testing.T) {
		putInfo(t, svc, 2, false, "UTC")
		_, err := svc.PutOrganization(t.Context(), 2, organizationInput("B", "b@example.org"))
		wantErr(t, err, 403, bit.MsgNotOrganizationRep)
	})
	t.Run("an invalid body is refused before the representative check", func(t *testing.T) {
		in := organizationInput("B", "not-an-email")
		_, err := svc.PutOrganization(t.Context(), 2, in)
		wantErr(t, err, 400, bit.MsgEmailInvalid)
	})

	putInfo(t, svc, 1, true, "America/New_York")
	_, err := svc.MyOrganization(t.Context(), 1, ms)
	wantErr(t, err, 404, bit.MsgOrganizationDoesNotExist)

	o, err := svc.PutOrganization(t.Context(), 1, organizationInput("Alpha", "alpha@example.org"))
	wantOutcome(t, o, err, true, bit.MsgOrganizationCreated)

	t.Run("the representative reads it with their MS name and the join date in their timezone", func(t *testing.T) {
		got, err := svc.MyOrganization(t.Context(), 1, ms)
		if err != nil {
			t.Fatal(err)
		}
		if got.RepresentativeID != 1 || got.RepresentativeName != "Rep One" || got.OrganizationName != "Alpha" ||
			got.Email != "alpha@example.org" || got.Status != "Publish" || got.Timezone != "Asia/Jakarta" ||
			got.JoinDate != "2021-06-01 06:00 EDT-0400" || got.ID <= 0 {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("an update keeps the id and join date", func(t *testing.T) {
		before, _ := svc.MyOrganization(t.Context(), 1, ms)
		in := organizationInput("Alpha 2", "alpha2@example.org")
		in.Status = "Archived"
		o, err := svc.PutOrganization(t.Context(), 1, in)
		wantOutcome(t, o, err, false, bit.MsgOrganizationUpdated)
		after, err := svc.MyOrganization(t.Context(), 1, ms)
		if err != nil || after.ID != before.ID || after.JoinDate != before.JoinDate || after.OrganizationName != "Alpha 2" ||
			after.Status != "Archived" {
			t.Errorf("before %+v, after %+v, %v", before, after, err)
		}
	})
	t.Run("a name or email another organization has is a conflict", func(t *testing.T) {
		putInfo(t, svc, 3, true, "UTC")
		_, err := svc.PutOrganization(t.Context(), 3, organizationInput("Alpha 2", "other@example.org"))
		wantErr(t, err, 409, bit.MsgOrganizationNameTaken)
		_, err = svc.PutOrganization(t.Context(), 3, organizationInput("Other", "alpha2@example.org"))
		wantErr(t, err, 409, bit.MsgOrganizationEmailTaken)
	})
	t.Run("MS not answering for the representative's name is returned as is", func(t *testing.T) {
		if _, err := svc.MyOrganization(t.Context(), 1, msDown{}); !errors.Is(err, errMSDown) {
			t.Errorf("err = %v, want the Members error", err)
		}
	})
}

// listed returns the organization names of one page of #15, or the error.
func listed(t *testing.T, svc *bit.Service, caller int64, q bit.OrganizationQuery, ms bit.Members) (string, error) {
	t.Helper()
	orgs, err := svc.Organizations(t.Context(), caller, q, ms)
	var names []string
	for _, o := range orgs {
		names = append(names, o.OrganizationName)
	}
	return fmt.Sprint(names), err
}

func TestOrganizationsList(t *testing.T) {
	svc := newService(t)
	// Reps 1..6 each have a published organization "Org n"; rep 2 is not a verified MS member, rep 4's
	// organization is a draft, rep 6 has withdrawn the representative declaration.
	ms := members{1: "One", 3: "Three", 4: "Four", 5: "Five", 6: "Six", 9: "Viewer"}
	for rep := int64(1); rep <= 6; rep++ {
		putInfo(t, svc, rep, true, "UTC")
		in := organizationInput(fmt.Sprintf("Org %d", rep), fmt.Sprintf("org%d@example.org", rep))
		if rep == 4 {
			in.Status = "Draft"
		}
		if _, err := svc.PutOrganization(t.Context(), rep, in); err != nil {
			t.Fatal(err)
		}
	}
	putInfo(t, svc, 6, false, "UTC")

	for _, tc := range []struct {
		name    string
		q       bit.OrganizationQuery
		want    string
		wantErr string
	}{
		{"all visible organizations in id order", bit.OrganizationQuery{Page: 1, PerPage: 10}, "[Org 1 Org 3 Org 5]", ""},
		{"pages are cut after filtering, so page 1 is full", bit.OrganizationQuery{Page: 1, PerPage: 2}, "[Org 1 Org 3]", ""},
		{"page 2 continues after the filtered page 1", bit.OrganizationQuery{Page: 2, PerPage: 2}, "[Org 5]", ""},
		{"a page past the end is not found", bit.OrganizationQuery{Page: 3, PerPage: 2}, "", bit.MsgNoOrganizationFound},
		{"the name filter applies", bit.OrganizationQuery{Name: "ORG 3", Page: 1, PerPage: 10}, "[Org 3]", ""},
		{"a draft's name finds nothing", bit.OrganizationQuery{Name: "Org 4", Page: 1, PerPage: 10}, "", bit.MsgNoOrganizationFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := listed(t, svc, 9, tc.q, ms)
			if tc.wantErr != "" {
				wantErr(t, err, 404, tc.wantErr)
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %s, %v; want %s", got, err, tc.want)
			}
		})
	}
	t.Run("names come from MS and the join date is in the caller's timezone, GMT0 without one", func(t *testing.T) {
		orgs, err := svc.Organizations(t.Context(), 9, bit.OrganizationQuery{Name: "Org 3", Page: 1, PerPage: 1}, ms)
		if err != nil || len(orgs) != 1 || orgs[0].RepresentativeName != "Three" || orgs[0].RepresentativeID != 3 ||
			orgs[0].JoinDate != "2021-06-01 10:00 GMT+0000" {
			t.Fatalf("got %+v, %v", orgs, err)
		}
		putInfo(t, svc, 9, false, "Asia/Jakarta")
		orgs, err = svc.Organizations(t.Context(), 9, bit.OrganizationQuery{Name: "Org 3", Page: 1, PerPage: 1}, ms)
		if err != nil || orgs[0].JoinDate != "2021-06-01 17:00 WIB+0700" {
			t.Errorf("got %+v, %v", orgs, err)
		}
	})
	t.Run("MS not answering is returned as is", func(t *testing.T) {
		if _, err := svc.Organizations(t.Context(), 9, bit.OrganizationQuery{Page: 1, PerPage: 10}, msDown{}); !errors.Is(err, errMSDown) {
			t.Errorf("err = %v, want the Members error", err)
		}
	})
}

func TestOrganizationsListPagesPastABatch(t *testing.T) {
	svc := newService(t)
	ms := members{}
	for rep := int64(1); rep <= 45; rep++ {
		putInfo(t, svc, rep, true, "UTC")
		if rep%3 != 0 { // every third representative is unknown to MS
			ms[rep] = fmt.Sprintf("Rep %d", rep)
		}
		if _, err := svc.PutOrganization(t.Context(), rep, organizationInput(fmt.Sprintf("Org %02d", rep),
			fmt.Sprintf("org%d@example.org", rep))); err != nil {
			t.Fatal(err)
		}
	}
	var all []string
	for page := 1; page <= 10; page++ { // 30 organizations make 5 pages of 7; page 6 is the 404
		orgs, err := svc.Organizations(t.Context(), 1, bit.OrganizationQuery{Page: page, PerPage: 7}, ms)
		if err != nil {
			wantErr(t, err, 404, bit.MsgNoOrganizationFound)
			break
		}
		for _, o := range orgs {
			all = append(all, o.OrganizationName)
		}
	}
	if len(all) != 30 || all[0] != "Org 01" || all[1] != "Org 02" || all[2] != "Org 04" || all[29] != "Org 44" {
		t.Errorf("pages gave %d organizations %v; want the 30 known representatives' in order", len(all), all)
	}
}

func TestOrganizationsNameThatNoOrganizationCanHaveIsNotFound(t *testing.T) {
	svc := newService(t)
	putInfo(t, svc, 1, true, "UTC")
	if _, err := svc.PutOrganization(t.Context(), 1, organizationInput("Alpha", "a@example.org")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Al\x00", "\xff\xfe", strings.Repeat("a", 151)} {
		_, err := svc.Organizations(t.Context(), 2, bit.OrganizationQuery{Name: name, Page: 1, PerPage: 10}, members{1: "One"})
		wantErr(t, err, 404, bit.MsgNoOrganizationFound)
	}
}
