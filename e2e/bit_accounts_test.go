package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BridgeInTech's data follows the MS account (bit/doc.go, "Accounts"): a deleted account leaves nothing any
// member can read, an MS user id handed out again sees nothing of the former account, and a representative who
// withdraws hides their organization's programs like a Draft's.

// repData makes b's user (logged in at base) a declared representative with additional info, a personal
// background (public or not) and a published organization with one open program; it returns the organization's
// path ("/api/organizations/<id>"), its unique name and the program's path.
func repData(t *testing.T, base string, b *browser, public bool) (org, name, prog string) {
	t.Helper()
	name = fmt.Sprintf("Forget Me %d", time.Now().UnixNano())
	runBITSteps(t, base, []bitStep{
		{"declaring to represent an organization", b, "PUT", "/api/user/additional_info", additionalInfo(true, "+62 21 555 0100"), 201, ""},
		{"a personal background", b, "PUT", "/api/user/personal_background", background("Other", public), 201, ""},
		{"the organization", b, "PUT", "/api/organization", organization(name, nil), 201, ""},
	})
	var mine struct {
		ID int64 `json:"id"`
	}
	decode(t, b.must("GET", base+"/api/organization", nil), &mine)
	org = fmt.Sprintf("/api/organizations/%d", mine.ID)
	runBITSteps(t, base, []bitStep{{"a program", b, "POST", org + "/programs/program", program(name+" P", nil), 201, ""}})
	var progs []struct {
		ID int64 `json:"id"`
	}
	decode(t, b.must("GET", base+org+"/programs", nil), &progs)
	if len(progs) != 1 {
		t.Fatalf("the representative's programs: %+v", progs)
	}
	return org, name, fmt.Sprintf("%s/programs/%d", org, progs[0].ID)
}

// byName is the #15 query of an organization's exact name.
func byName(name string) string {
	return "/api/organizations?name=" + strings.ReplaceAll(name, " ", "%20")
}

func TestADeletedMembersDataIsGoneForEveryMember(t *testing.T) {
	t.Parallel()
	ms := startMS(t)
	base := startBFF(t, ms, testSessionKey).url()
	gone, member := newBrowser(t), newBrowser(t)
	goneID := gone.login(base, 21)
	member.login(base, 22)
	org, name, prog := repData(t, base, gone, true)
	runBITSteps(t, base, []bitStep{
		{"the public background, before", member, "GET", fmt.Sprintf("/api/users/%d/personal_background", goneID), nil, 200, ""},
		{"the additional info, before", member, "GET", fmt.Sprintf("/api/users/%d/additional_info", goneID), nil, 200, ""},
		{"the organization in the list, before", member, "GET", byName(name), nil, 200, ""},
		{"the program, before", member, "GET", prog, nil, 200, ""},
		{"deleting the account", gone, "DELETE", "/api/user", nil, 200, "User was deleted successfully."},
		{"the background, after", member, "GET", fmt.Sprintf("/api/users/%d/personal_background", goneID), nil, 404, ""},
		{"the additional info, after", member, "GET", fmt.Sprintf("/api/users/%d/additional_info", goneID), nil, 404, ""},
		{"the organization in the list, after", member, "GET", byName(name), nil, 404, txtNoOrganization},
		{"the programs, after", member, "GET", org + "/programs", nil, 404, txtNoOrganization},
		{"the program, after", member, "GET", prog, nil, 404, txtNoOrganization},
	})
}

func TestAnMSIDHandedOutAgainSeesNothingOfTheFormerAccount(t *testing.T) {
	t.Parallel()
	db := "DATABASE_URL=sqlite:" + filepath.Join(t.TempDir(), "bit.db")
	// The first MS: loaduser23 keeps a private background and an organization in the BFF's database.
	msA := startMS(t)
	bffA := startBFF(t, msA, testSessionKey, db)
	former := newBrowser(t)
	id := former.login(bffA.url(), 23)
	regA := former.must("GET", bffA.url()+"/api/user", nil).field(t, "registration_date")
	org, name, prog := repData(t, bffA.url(), former, false)
	if err := bffA.stop(10 * time.Second); err != nil {
		t.Fatalf("stopping the first BFF: %v", err)
	}
	// Another MS (reset, or MS_BASE_URL pointed elsewhere) hands the same id to another account.
	msB := startMS(t)
	base := startBFF(t, msB, testSessionKey, db).url()
	newcomer, member := newBrowser(t), newBrowser(t)
	if got := newcomer.login(base, 23); got != id {
		t.Fatalf("the second MS gave loaduser23 id %d, want the same id %d", got, id)
	}
	if regB := newcomer.must("GET", base+"/api/user", nil).field(t, "registration_date"); regB == regA {
		t.Fatalf("both MS accounts have registration_date %v: not two accounts", regA)
	}
	member.login(base, 24)
	runBITSteps(t, base, []bitStep{
		{"the newcomer's additional info", newcomer, "GET", "/api/user/additional_info", nil, 404, "No additional information found with your data. Please provide them now."},
		{"the newcomer's background", newcomer, "GET", "/api/user/personal_background", nil, 404, "No personal background information found with your data. Please provide them now."},
		{"the newcomer's own background by id", newcomer, "GET", fmt.Sprintf("/api/users/%d/personal_background", id), nil, 404, ""},
		{"the newcomer's organization", newcomer, "GET", "/api/organization", nil, 403, txtNotRep},
		{"the former organization's program, to the newcomer", newcomer, "GET", prog, nil, 404, txtNoOrganization},
		{"the former organization in the list", member, "GET", byName(name), nil, 404, txtNoOrganization},
		{"the former organization's programs", member, "GET", org + "/programs", nil, 404, txtNoOrganization},
		{"the former additional info by id", member, "GET", fmt.Sprintf("/api/users/%d/additional_info", id), nil, 404, ""},
		// The newcomer's own data is theirs from now on.
		{"the newcomer declares", newcomer, "PUT", "/api/user/additional_info", additionalInfo(true, ""), 201, ""},
		{"the newcomer's organization, still none", newcomer, "GET", "/api/organization", nil, 404, "Organization does not exist."},
	})
}

func TestAWithdrawnRepresentativesProgramsAre404ToOtherMembers(t *testing.T) {
	t.Parallel()
	ms := startMS(t)
	base := startBFF(t, ms, testSessionKey).url()
	rep, member := newBrowser(t), newBrowser(t)
	rep.login(base, 25)
	member.login(base, 26)
	org, name, prog := repData(t, base, rep, true)
	runBITSteps(t, base, []bitStep{
		{"the program, while declared", member, "GET", prog, nil, 200, ""},
		{"withdrawing", rep, "PUT", "/api/user/additional_info", additionalInfo(false, "+62 21 555 0100"), 200, ""},
		{"the list", member, "GET", byName(name), nil, 404, txtNoOrganization},
		{"the programs", member, "GET", org + "/programs", nil, 404, txtNoOrganization},
		{"the program", member, "GET", prog, nil, 404, txtNoOrganization},
		{"the representative still reads it", rep, "GET", prog, nil, 200, ""},
		{"declaring again", rep, "PUT", "/api/user/additional_info", additionalInfo(true, "+62 21 555 0100"), 200, ""},
		{"the program, declared again", member, "GET", prog, nil, 200, ""},
	})
}
