package e2e

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// The old API's texts (docs/BRIDGEINTECH.md), exact.
const (
	txtNotRep          = "You have not declared that you are representing an organization."
	txtPhone           = "Phone or mobile fields must be in number format. It must contain numbers and may contain dash '-' or space characters."
	txtTimezone        = "The Timezone input is not within the approved list."
	txtNoOrganization  = "No organization found on the record."
	txtProgramNotInOrg = "The program you are looking for does not exist in this organization."
)

// TestBITEndpointsThroughTheBFF drives every BridgeInTech endpoint through a real BFF process and MS emulator with
// cookies, as the web app calls them: success and refusal answers with the old API's exact statuses and messages.
// A representative creates an organization and two programs; another member finds it by name and reads them.
func TestBITEndpointsThroughTheBFF(t *testing.T) {
	t.Parallel()
	ms := startMS(t)
	bff := startBFF(t, ms, testSessionKey)
	base := bff.url()
	rep, member := newBrowser(t), newBrowser(t)
	repID := rep.login(base, 11)
	memberID := member.login(base, 12)
	name := fmt.Sprintf("Bridge Builders %d", time.Now().UnixNano())

	runBITSteps(t, base, []bitStep{
		// #5, #6, #12: additional info.
		{"no additional info yet", rep, "GET", "/api/user/additional_info", nil, 404, "No additional information found with your data. Please provide them now."},
		{"a phone with letters", rep, "PUT", "/api/user/additional_info", additionalInfo(false, "call me"), 400, txtPhone},
		{"an unknown timezone", rep, "PUT", "/api/user/additional_info", map[string]any{"is_organization_rep": false, "timezone": "Moon/Base", "phone": "", "mobile": "", "personal_website": ""}, 400, txtTimezone},
		{"a key left out", rep, "PUT", "/api/user/additional_info", map[string]any{"is_organization_rep": false, "timezone": "GMT0"}, 400, "Unexpected input is detected. Only approved fields should be submitted."},
		{"a wrong type", rep, "PUT", "/api/user/additional_info", map[string]any{"is_organization_rep": 1, "timezone": "GMT0", "phone": "", "mobile": "", "personal_website": ""}, 400, "Input payload validation failed"},
		{"the first save", rep, "PUT", "/api/user/additional_info", additionalInfo(false, "+62 21 555 0100"), 201, "User additional info successfully created."},
		{"a member with none, by id", member, "GET", fmt.Sprintf("/api/users/%d/additional_info", memberID), nil, 404, "No additional information found with this user id. Please provide them now."},
		// #13, #14 before declaring to be a representative.
		{"my organization before declaring", rep, "GET", "/api/organization", nil, 403, txtNotRep},
		{"creating one before declaring", rep, "PUT", "/api/organization", organization(name, nil), 403, txtNotRep},
		{"declaring to represent an organization", rep, "PUT", "/api/user/additional_info", additionalInfo(true, "+62 21 555 0100"), 200, "Your additional information is successfully updated."},
		{"no organization yet", rep, "GET", "/api/organization", nil, 404, "Organization does not exist."},
		{"an invalid organization email", rep, "PUT", "/api/organization", organization(name, func(o map[string]any) { o["email"] = "team-at-bridge" }), 400, "Your email is invalid."},
		{"an empty organization phone", rep, "PUT", "/api/organization", organization(name, func(o map[string]any) { o["phone"] = "" }), 400, txtPhone},
		{"an organization timezone outside the list", rep, "PUT", "/api/organization", organization(name, func(o map[string]any) { o["timezone"] = "GMT+25" }), 400, txtTimezone},
		{"an unknown organization status", rep, "PUT", "/api/organization", organization(name, func(o map[string]any) { o["status"] = "Live" }), 400, "Organization status input must be either Draft, Publish, or Archived."},
		{"creating the organization", rep, "PUT", "/api/organization", organization(name, nil), 201, "Organization was created successfully."},
		{"updating it", rep, "PUT", "/api/organization", organization(name, func(o map[string]any) { o["about"] = "We mentor a lot." }), 200, "Organization was updated successfully."},
		{"another organization taking its name", member, "PUT", "/api/user/additional_info", additionalInfo(true, ""), 201, "User additional info successfully created."},
		{"the name clash", member, "PUT", "/api/organization", organization(name, func(o map[string]any) { o["email"] = "other@example.org" }), 409, "Organization with that name already exists."},
	})

	var mine struct {
		ID                 int64  `json:"id"`
		RepresentativeID   int64  `json:"representative_id"`
		RepresentativeName string `json:"representative_name"`
		OrganizationName   string `json:"organization_name"`
		About              string `json:"about"`
		JoinDate           string `json:"join_date"`
	}
	decode(t, rep.must("GET", base+"/api/organization", nil), &mine)
	u, _ := loadUser(11)
	if mine.RepresentativeID != repID || mine.OrganizationName != name || mine.About != "We mentor a lot." ||
		mine.RepresentativeName != "Load User" || !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d WIB\+0700$`).MatchString(mine.JoinDate) {
		t.Fatalf("GET /api/organization of %s: %+v", u, mine)
	}
	org := fmt.Sprintf("/api/organizations/%d", mine.ID)

	runBITSteps(t, base, []bitStep{
		// #17: creating programs, each check in the old API's order.
		{"a program without contact email", rep, "POST", org + "/programs/program", program(name+" A", func(p map[string]any) { p["contact_email"] = "" }), 400, "Email field is missing."},
		{"a program with a bad contact email", rep, "POST", org + "/programs/program", program(name+" A", func(p map[string]any) { p["contact_email"] = "x@" }), 400, "Your email is invalid."},
		{"a program without contact phone", rep, "POST", org + "/programs/program", program(name+" A", func(p map[string]any) { p["contact_phone"] = "" }), 400, "Phone field is missing."},
		{"a program with a bad mobile", rep, "POST", org + "/programs/program", program(name+" A", func(p map[string]any) { p["contact_mobile"] = "abc" }), 400, txtPhone},
		{"a program with an unknown status", rep, "POST", org + "/programs/program", program(name+" A", func(p map[string]any) { p["status"] = "Running" }), 400, "Program status input must be either Draft, Open, In_Progress, Completed, or Closed."},
		{"a program of an organization that does not exist", rep, "POST", "/api/organizations/987654/programs/program", program(name+" A", nil), 404, "Organization does not exist."},
		{"a program by someone else's representative", member, "POST", org + "/programs/program", program(name+" X", nil), 403, "You are not the representative of this Organization."},
		{"the first program", rep, "POST", org + "/programs/program", program(name+" A", nil), 201, "Program was created successfully."},
		{"the same name again", rep, "POST", org + "/programs/program", program(name+" A", nil), 409, "Program with that name already exists."},
		{"the second program, its amount emptied (null)", rep, "POST", org + "/programs/program", program(name+" B", func(p map[string]any) { p["payment_amount"] = nil }), 201, "Program was created successfully."},
		// #15: another member finds it by a part of its name.
		{"a name nobody has", member, "GET", "/api/organizations?name=no-such-organization-zz", nil, 404, txtNoOrganization},
		{"programs of an organization that does not exist", member, "GET", "/api/organizations/987654/programs", nil, 404, txtNoOrganization},
	})

	var found []struct {
		ID                 int64  `json:"id"`
		OrganizationName   string `json:"organization_name"`
		RepresentativeName string `json:"representative_name"`
		Email              string `json:"email"`
	}
	query := strings.ToLower(strings.Fields(name)[1]) + "%20" + strings.Fields(name)[2]
	a := member.must("GET", base+"/api/organizations?name="+query, nil)
	decode(t, a, &found)
	if a.status != 200 || len(found) != 1 || found[0].ID != mine.ID || found[0].RepresentativeName != "Load User" {
		t.Fatalf("GET /api/organizations?name=%s: %d %s", query, a.status, a.body)
	}
	var progs []map[string]any
	decode(t, member.must("GET", base+org+"/programs", nil), &progs)
	if len(progs) != 2 || progs[0]["program_name"] != name+" A" || progs[1]["program_name"] != name+" B" ||
		progs[1]["payment_amount"] != nil || progs[0]["representative_id"] != float64(repID) {
		t.Fatalf("GET %s/programs: %v", org, progs)
	}
	for _, p := range progs {
		for _, k := range []string{"target_skills", "student_responsibility", "tags"} {
			if _, ok := p[k].([]any); !ok {
				t.Fatalf("program %v: %s is not a list", p["id"], k)
			}
		}
		// Entered and read in Asia/Jakarta (both declared it): shown as entered, three tokens for the web to split.
		if d := p["start_date"]; d != "2027-02-01 09:00 WIB+0700" {
			t.Fatalf("start_date %q", d)
		}
	}
	pid := int64(progs[0]["id"].(float64))
	runBITSteps(t, base, []bitStep{
		// #18, #19.
		{"one program", member, "GET", fmt.Sprintf("%s/programs/%d", org, pid), nil, 200, ""},
		{"a program of another organization", member, "GET", fmt.Sprintf("%s/programs/%d", org, pid+1000), nil, 404, txtProgramNotInOrg},
		{"updating a program", rep, "PUT", fmt.Sprintf("%s/programs/%d", org, pid), program(name+" A", func(p map[string]any) { p["status"] = "In_Progress" }), 200, "Program was updated successfully."},
		{"updating a program that is not there", rep, "PUT", fmt.Sprintf("%s/programs/%d", org, pid+1000), program(name+" Z", nil), 404, txtProgramNotInOrg},
		{"renaming onto the other program", rep, "PUT", fmt.Sprintf("%s/programs/%d", org, pid), program(name+" B", nil), 409, "Program with that name already exists."},
		// #7, #8, #11: personal background.
		{"no background yet", member, "GET", "/api/user/personal_background", nil, 404, "No personal background information found with your data. Please provide them now."},
		{"a value outside the lists", member, "PUT", "/api/user/personal_background", background("Rich", false), 400, "One or more of the personal background fields input provided is/are not within the given list."},
		{"the web's comma spelling of a value", member, "PUT", "/api/user/personal_background", background("Working class (e.g. craft workers, factory labourers, restaurant/delivery services workers", false), 201, "User personal background information successfully created."},
		{"a private background read by another member", rep, "GET", fmt.Sprintf("/api/users/%d/personal_background", memberID), nil, 403, "The personal background for this user is not public."},
		{"making it public", member, "PUT", "/api/user/personal_background", background("Other", true), 200, "Your personal background information is successfully updated."},
		{"a public background read by another member", rep, "GET", fmt.Sprintf("/api/users/%d/personal_background", memberID), nil, 200, ""},
		{"a member without background", member, "GET", fmt.Sprintf("/api/users/%d/personal_background", repID), nil, 404, "No personal background information found for this user."},
	})
	var one map[string]any
	decode(t, member.must("GET", base+fmt.Sprintf("%s/programs/%d", org, pid), nil), &one)
	if one["status"] != "In_Progress" || one["organization_name"] != name {
		t.Fatalf("the updated program: %v", one)
	}
	var seen map[string]any
	decode(t, member.must("GET", base+fmt.Sprintf("/api/users/%d/additional_info", repID), nil), &seen)
	if seen["phone"] != "" || seen["is_organization_rep"] != true {
		t.Fatalf("another member's view of the representative's additional info: %v", seen)
	}
}

// TestBITForgedTokenThroughTheBFF: a Bearer token naming a user but signed with another key neither reads nor
// changes that user's BridgeInTech data; the user's own session still sees it unchanged.
func TestBITForgedTokenThroughTheBFF(t *testing.T) {
	t.Parallel()
	ms := startMS(t)
	bff := startBFF(t, ms, testSessionKey)
	base := bff.url()
	victim := newBrowser(t)
	id := victim.login(base, 13)
	runBITSteps(t, base, []bitStep{{"the victim saves", victim, "PUT", "/api/user/additional_info", additionalInfo(false, "+1 555 0123"), 201, ""}})
	tok, err := jwt.NewBuilder().Claim("identity", id).Claim("type", "access").Claim("fresh", false).
		Expiration(time.Now().Add(10 * time.Minute)).Build()
	if err != nil {
		t.Fatal(err)
	}
	forged, err := jwt.Sign(tok, jwt.WithKey(jwa.HS256, []byte("guessed-secret")))
	if err != nil {
		t.Fatal(err)
	}
	attacker := newBrowser(t)
	for _, m := range []string{http.MethodGet, http.MethodPut} {
		a := attacker.must(m, base+"/api/user/additional_info", additionalInfo(false, "666"), "Authorization", "Bearer "+string(forged))
		if a.status != http.StatusUnauthorized || a.field(t, "message") != "The token is invalid!" || strings.Contains(string(a.body), "0123") {
			t.Fatalf("forged %s: %d %s", m, a.status, a.body)
		}
	}
	var got map[string]any
	decode(t, victim.must("GET", base+"/api/user/additional_info", nil), &got)
	if got["phone"] != "+1 555 0123" {
		t.Fatalf("the victim's data changed: %v", got)
	}
}
