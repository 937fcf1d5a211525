package bit_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

func programInput(name, status string) bit.ProgramInput {
	return bit.ProgramInput{StartDate: "2026-03-01 09:00", EndDate: "2026-06-01 17:30", ProgramFields: bit.ProgramFields{
		Name: name, Description: "d", TargetSkills: []string{"Go"}, ContactType: "Remote", Zone: "Global",
		ContactPhone: "+1 555", ContactEmail: "ada@example.org", Status: status,
	}}
}

// orgSetup: rep 1 (Asia/Jakarta) has published organization A, rep 2 has draft organization B; member 3 has no
// additional info; member 4 is in America/New_York.
func orgSetup(t *testing.T) (svc *bit.Service, a, b int64, ms members) {
	t.Helper()
	svc = newService(t)
	ms = members{1: "Rep One", 2: "Rep Two", 3: "Three", 4: "Four"}
	putInfo(t, svc, 1, true, "Asia/Jakarta")
	putInfo(t, svc, 2, true, "UTC")
	putInfo(t, svc, 4, false, "America/New_York")
	in := organizationInput("A", "a@example.org")
	if _, err := svc.PutOrganization(t.Context(), 1, in); err != nil {
		t.Fatal(err)
	}
	in = organizationInput("B", "b@example.org")
	in.Status = "Draft"
	if _, err := svc.PutOrganization(t.Context(), 2, in); err != nil {
		t.Fatal(err)
	}
	oa, _ := svc.MyOrganization(t.Context(), 1, ms)
	ob, _ := svc.MyOrganization(t.Context(), 2, ms)
	return svc, oa.ID, ob.ID, ms
}

func TestProgramWrites(t *testing.T) {
	svc, a, b, ms := orgSetup(t)
	for _, tc := range []struct {
		name    string
		caller  int64
		org     int64
		in      bit.ProgramInput
		status  int
		message string
	}{
		{"a member without additional info is not a representative", 3, a, programInput("P", "Open"), 403, bit.MsgNotOrganizationRep},
		{"a member who has not declared it is not a representative", 4, a, programInput("P", "Open"), 403, bit.MsgNotOrganizationRep},
		{"a missing organization does not exist", 1, b + 100, programInput("P", "Open"), 404, bit.MsgOrganizationDoesNotExist},
		{"another organization's representative is refused", 2, a, programInput("P", "Open"), 403, bit.MsgNotRepOfThisOrganization},
		{"an invalid body is refused before the representative checks", 3, a, programInput("P", "Planned"), 400, bit.MsgProgramStatusInvalid},
		{"the representative creates it", 1, a, programInput("Spring", "Open"), 201, bit.MsgProgramCreated},
		{"a name taken in any organization is a conflict", 2, b, programInput("Spring", "Open"), 409, bit.MsgProgramNameTaken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := svc.CreateProgram(t.Context(), tc.caller, tc.org, tc.in)
			if tc.status == 201 {
				wantOutcome(t, o, err, true, tc.message)
				return
			}
			wantErr(t, err, tc.status, tc.message)
		})
	}

	ps, err := svc.Programs(t.Context(), 1, a, allPrograms, ms)
	if err != nil || len(ps) != 1 {
		t.Fatalf("programs of A: %+v, %v", ps, err)
	}
	spring := ps[0]
	t.Run("dates are read in the representative's timezone and shown in the reader's", func(t *testing.T) {
		if spring.StartDate != "2026-03-01 09:00 WIB+0700" || spring.CreationDate != "2021-06-01 17:00 WIB+0700" {
			t.Errorf("representative sees %q / %q", spring.StartDate, spring.CreationDate)
		}
		other, err := svc.Program(t.Context(), 4, a, spring.ID, ms)
		if err != nil || other.StartDate != "2026-02-28 21:00 EST-0500" || other.EndDate != "2026-06-01 06:30 EDT-0400" {
			t.Errorf("New York member sees %+v, %v", other, err)
		}
		noTZ, err := svc.Program(t.Context(), 3, a, spring.ID, ms)
		if err != nil || noTZ.StartDate != "2026-03-01 02:00 GMT+0000" {
			t.Errorf("member without a timezone sees %q, %v", noTZ.StartDate, err)
		}
	})
	t.Run("the representative shown is the organization's, for any reader", func(t *testing.T) {
		got, err := svc.Program(t.Context(), 3, a, spring.ID, ms)
		if err != nil || got.RepresentativeID != 1 || got.RepresentativeName != "Rep One" || got.OrganizationName != "A" ||
			got.OrganizationID != a {
			t.Errorf("got %+v, %v", got, err)
		}
	})
	t.Run("an update keeps the creation date", func(t *testing.T) {
		in := programInput("Spring 2", "Completed")
		in.StartDate = "2026-04-01 08:00"
		o, err := svc.UpdateProgram(t.Context(), 1, a, spring.ID, in)
		wantOutcome(t, o, err, false, bit.MsgProgramUpdated)
		got, err := svc.Program(t.Context(), 1, a, spring.ID, ms)
		if err != nil || got.ProgramName != "Spring 2" || got.Status != "Completed" || got.CreationDate != spring.CreationDate ||
			got.StartDate != "2026-04-01 08:00 WIB+0700" {
			t.Errorf("got %+v, %v", got, err)
		}
	})
	t.Run("a program of another organization cannot be updated through this one", func(t *testing.T) {
		if _, err := svc.CreateProgram(t.Context(), 2, b, programInput("B's", "Open")); err != nil {
			t.Fatal(err)
		}
		bp, err := svc.Programs(t.Context(), 2, b, allPrograms, ms)
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.UpdateProgram(t.Context(), 1, a, bp[0].ID, programInput("Hijacked", "Open"))
		wantErr(t, err, 404, bit.MsgProgramNotInOrganization)
		_, err = svc.UpdateProgram(t.Context(), 2, b, bp[0].ID, programInput("Spring 2", "Open"))
		wantErr(t, err, 409, bit.MsgProgramNameTaken)
		_, err = svc.UpdateProgram(t.Context(), 1, a, bp[0].ID+50, programInput("Ghost", "Open"))
		wantErr(t, err, 404, bit.MsgProgramNotInOrganization)
	})
}

func TestProgramReads(t *testing.T) {
	svc, a, b, ms := orgSetup(t)
	for i, status := range []string{"Open", "Draft", "Closed"} {
		if _, err := svc.CreateProgram(t.Context(), 1, a, programInput(fmt.Sprintf("A%d", i), status)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.CreateProgram(t.Context(), 2, b, programInput("B0", "Open")); err != nil {
		t.Fatal(err)
	}
	names := func(ps []bit.ProgramView) string {
		var n []string
		for _, p := range ps {
			n = append(n, p.ProgramName)
		}
		return fmt.Sprint(n)
	}
	t.Run("the representative sees every program in id order", func(t *testing.T) {
		ps, err := svc.Programs(t.Context(), 1, a, allPrograms, ms)
		if err != nil || names(ps) != "[A0 A1 A2]" {
			t.Errorf("got %s, %v", names(ps), err)
		}
	})
	t.Run("another member does not see draft programs", func(t *testing.T) {
		ps, err := svc.Programs(t.Context(), 3, a, allPrograms, ms)
		if err != nil || names(ps) != "[A0 A2]" {
			t.Errorf("got %s, %v", names(ps), err)
		}
		all, _ := svc.Programs(t.Context(), 1, a, allPrograms, ms)
		_, err = svc.Program(t.Context(), 3, a, all[1].ID, ms)
		wantErr(t, err, 404, bit.MsgProgramNotInOrganization)
	})
	t.Run("another member does not see a draft organization's programs", func(t *testing.T) {
		_, err := svc.Programs(t.Context(), 3, b, allPrograms, ms)
		wantErr(t, err, 404, bit.MsgNoOrganizationFound)
		ps, err := svc.Programs(t.Context(), 2, b, allPrograms, ms)
		if err != nil || names(ps) != "[B0]" {
			t.Errorf("its representative: %s, %v", names(ps), err)
		}
	})
	t.Run("a missing organization is not found", func(t *testing.T) {
		_, err := svc.Programs(t.Context(), 3, b+100, allPrograms, ms)
		wantErr(t, err, 404, bit.MsgNoOrganizationFound)
		_, err = svc.Program(t.Context(), 3, b+100, 1, ms)
		wantErr(t, err, 404, bit.MsgNoOrganizationFound)
	})
	t.Run("a program asked for under another organization is not found", func(t *testing.T) {
		bps, _ := svc.Programs(t.Context(), 2, b, allPrograms, ms)
		_, err := svc.Program(t.Context(), 1, a, bps[0].ID, ms)
		wantErr(t, err, 404, bit.MsgProgramNotInOrganization)
	})
	t.Run("an organization without visible programs has none on record", func(t *testing.T) {
		putInfo(t, svc, 5, true, "UTC")
		if _, err := svc.PutOrganization(t.Context(), 5, organizationInput("Empty", "e@example.org")); err != nil {
			t.Fatal(err)
		}
		o, _ := svc.MyOrganization(t.Context(), 5, members{5: "Five"})
		_, err := svc.Programs(t.Context(), 5, o.ID, allPrograms, members{5: "Five"})
		wantErr(t, err, 404, bit.MsgNoProgramFound)
	})
	t.Run("a representative MS does not know is MS's answer, returned as is", func(t *testing.T) {
		_, err := svc.Programs(t.Context(), 3, a, allPrograms, members{3: "Three"})
		if !errors.Is(err, bit.ErrNoSuchMember) {
			t.Errorf("err = %v, want the Members error", err)
		}
	})
	t.Run("lists are never null in a view", func(t *testing.T) {
		ps, _ := svc.Programs(t.Context(), 1, a, allPrograms, ms)
		if ps[0].Tags == nil || ps[0].StudentRequirements == nil || ps[0].TargetSkills == nil {
			t.Errorf("nil list in %+v", ps[0])
		}
	})
}

func TestSeed(t *testing.T) {
	svc := newService(t)
	for range 2 { // the second run changes nothing
		if err := svc.Seed(t.Context(), []int64{11, 12, 13, 14}); err != nil {
			t.Fatal(err)
		}
	}
	ms := members{11: "Eleven", 12: "Twelve", 13: "Thirteen", 99: "Viewer"}
	orgs, err := svc.Organizations(t.Context(), 99, bit.OrganizationQuery{Page: 1, PerPage: 10}, ms)
	if err != nil || len(orgs) != 3 {
		t.Fatalf("seeded organizations: %+v, %v", orgs, err)
	}
	for _, o := range orgs {
		ps, err := svc.Programs(t.Context(), 99, o.ID, allPrograms, ms)
		if err != nil || len(ps) != 2 {
			t.Errorf("%s has programs %+v, %v; want 2", o.OrganizationName, ps, err)
		}
	}
	if _, err := svc.MyOrganization(context.Background(), 14, ms); err == nil {
		t.Error("a fourth representative got an organization")
	}
}

func TestSeedLeavesAMemberWhoIsNoRepresentativeAlone(t *testing.T) {
	svc := newService(t)
	putInfo(t, svc, 11, false, "UTC")
	if err := svc.Seed(t.Context(), []int64{11, 12}); err != nil {
		t.Fatal(err)
	}
	info, err := svc.AdditionalInfo(t.Context(), 11)
	if err != nil || info.IsOrganizationRep {
		t.Errorf("member 11's additional info became %+v, %v", info, err)
	}
	if _, err := svc.MyOrganization(t.Context(), 12, members{12: "Twelve"}); err != nil {
		t.Errorf("member 12 got no organization: %v", err)
	}
}

// allPrograms is a page that holds every program the tests create.
var allPrograms = bit.ProgramQuery{Page: 1, PerPage: bit.MaxProgramsPerPage}
