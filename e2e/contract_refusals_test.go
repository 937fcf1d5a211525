package e2e

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

// TestContract is the executable form of docs/MS.md: one table per MS area, run in parallel, each on its own
// stack (emulator + BFF), every request through the BFF with cookies as the React app sends them. When all tables
// have run, every refusal of docs/MS.md#endpoints must have reached a client unchanged from the emulator.
func TestContract(t *testing.T) {
	t.Parallel()
	areas := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"auth and account (§3.1, §2.7)", ctAuthTable},
		{"users, home and dashboard (§3.2)", ctUsersTable},
		{"admin (§3.3)", ctAdminTable},
		{"mentorship relations (§3.4)", ctRelationsTable},
		{"the relation state machine walked end to end (§5)", ctStateMachine},
		{"tasks (§3.5)", ctTasksTable},
		{"task comments (§3.6)", ctCommentsTable},
	}
	var mu sync.Mutex
	ran := 0
	t.Run("areas", func(t *testing.T) {
		for _, a := range areas {
			t.Run(a.name, func(t *testing.T) {
				t.Parallel()
				a.run(t)
				mu.Lock()
				ran++
				mu.Unlock()
			})
		}
	})
	t.Run("every refusal message of MS's endpoints reaches the client unchanged", func(t *testing.T) {
		if ran != len(areas) {
			t.Skipf("only %d of %d areas ran (a -run filter): the refusal census needs them all", ran, len(areas))
		}
		ctCheckRefusals(t)
	})
	t.Run("every MS endpoint answered a success through the BFF", func(t *testing.T) {
		if ran != len(areas) {
			t.Skipf("only %d of %d areas ran (a -run filter)", ran, len(areas))
		}
		calls := ctSucceeded.keys()
		routes := emulator.New(emulator.Options{}).Routes()
		for _, r := range routes {
			if r == "GET /users" {
				continue // not served: the BFF's /api/users is MS's /users/verified, as the old backend's was
			}
			if !slices.ContainsFunc(calls, func(c string) bool { return ctMatchRoute(r, c) }) {
				t.Errorf("no successful call of MS %s came through the BFF", r)
			}
		}
		t.Logf("%d MS endpoints, each answered a success through the BFF", len(routes))
	})
}

// ctRefusal is one refusal of docs/MS.md#endpoints: its status and its exact message.
type ctRefusal struct {
	status int
	msg    string
}

// ctRefusals is every refusal message of MS's endpoints (docs/MS.md#endpoints), exact, once per status it is
// answered with. "user missing" (404 User does not exist.) and the per-field length messages ("The <field> field
// has to be shorter than <max+1> characters.") are spelled out.
var ctRefusals = []ctRefusal{
	// §3.1 Auth and account.
	{400, "The field username is missing."},
	{400, "Password field is missing."},
	{401, "Username or password is wrong."},
	{403, "Please verify your email before login."},
	{400, "Password shouldn't contain spaces."},
	{400, "The name field has to be longer than 1 characters and shorter than 31 characters."},
	{400, "The username field has to be longer than 4 characters and shorter than 26 characters."},
	{400, "The password field has to be longer than 7 characters and shorter than 65 characters."},
	{400, "Terms and conditions are not checked."},
	{400, "Your name is invalid."},
	{400, "Your email is invalid."},
	{400, "Your username is invalid."},
	{409, "A user with that username already exists."},
	{409, "A user with that email already exists."},
	{400, "The confirmation link is invalid or the token has expired."},
	{400, "Email field is missing."},
	{404, "You are not registered in the system."},
	{409, "You already confirm your email."},
	{400, "No data for updating profile was sent."},
	{400, "Your new username is invalid."},
	{400, "The bio field has to be shorter than 451 characters."},
	{400, "The location field has to be shorter than 61 characters."},
	{400, "The occupation field has to be shorter than 61 characters."},
	{400, "The organization field has to be shorter than 61 characters."},
	{400, "The slack_username field has to be shorter than 61 characters."},
	{400, "The social_media_links field has to be shorter than 401 characters."},
	{400, "The skills field has to be shorter than 451 characters."},
	{400, "The interests field has to be shorter than 151 characters."},
	{400, "Field need_mentoring is not valid."},
	{400, "Field available_to_mentor is not valid."},
	{404, "User does not exist."},
	{400, "A user with that username already exists."},
	{400, "You cannot delete your account, since you are the only Admin left."},
	{400, "New password should not be same as the current password."},
	{400, "The new_password field has to be longer than 7 characters and shorter than 65 characters."},
	{400, "Current password is incorrect."},
	// §3.2 Users, home, dashboard.
	{404, "User not found."},
	// §3.3 Admin.
	{403, "You don't have admin status. You can't assign other user as admin."},
	{403, "You cannot assign yourself as an Admin."},
	{400, "User is already an Admin."},
	{403, "You don't have admin status. You can't revoke other admin user."},
	{403, "You cannot revoke your adminstatus."},
	{400, "User is not an Admin."},
	{403, "User is not an Admin."},
	// §3.4 Mentorship relations.
	{400, "Mentor ID field is missing."},
	{400, "Mentee ID field is missing."},
	{400, "End date field is missing."},
	{400, "Notes field is missing."},
	{400, "Your ID has to match either Mentor or Mentee IDs."},
	{400, "You cannot have a mentorship relation with yourself."},
	{400, "Validation error. End date represented by the timestamp is invalid."},
	{400, "End date is invalid since date has passed."},
	{400, "Mentorship relation maximum duration is 6 months."},
	{400, "Mentorship relation minimum duration is 4 week."},
	{404, "Mentor user does not exist."},
	{400, "Mentor user is not available to mentor."},
	{404, "Mentee user does not exist."},
	{400, "Mentee user is not available to be mentored."},
	{400, "Mentor user is already in a relationship."},
	{400, "Mentee user is already in a relationship."},
	{404, "This mentorship relation request does not exist."},
	{403, "This mentorship relation is not in the pending state."},
	{403, "You cannot accept a mentorship request sent by yourself."},
	{403, "You cannot accept a mentorship relation where you are not involved."},
	{403, "You are currently involved in a mentorship relation."},
	{403, "You cannot reject a mentorship request sent by yourself."},
	{403, "You cannot reject a mentorship relation where you are not involved."},
	{403, "This mentorship relation status is not in the accepted state."},
	{403, "You cannot cancel a mentorship relation where you are not involved."},
	{403, "You cannot delete a mentorship request that you did not create."},
	// §3.5 Tasks.
	{400, "Description field is missing."},
	{404, "Mentorship relation does not exist."},
	{403, "You are not involved in this mentorship relation."},
	{401, "You are not involved in this mentorship relation."},
	{404, "Task does not exist."},
	{409, "Task was already achieved."},
	// §3.6 Task comments.
	{400, "Comment field is missing."},
	{400, "Comment must be in string format."},
	{400, "The comment field has to be shorter than 401 characters."},
	{404, "Task comment does not exist."},
	{403, "You have not created the comment and therefore cannot modify it."},
	{404, "Task comment with given task id does not exist."},
	{403, "You have not created the comment and therefore cannot delete it."},
}

// ctReferencedRefusals are refusals §3 names by reference to §1 and §2.7 ("schema 400", "Errors: §2.7"). The
// fourth §2.7 message, "The authorization token is missing!", cannot reach MS through the BFF by design: a
// request without an Authorization header is cookie-authenticated, and without a cookie the BFF answers 401
// itself.
var ctReferencedRefusals = []ctRefusal{
	{400, "Input payload validation failed"},
	{401, "The token is invalid!"},
	{401, "The token has expired! Please, login again or refresh it."},
}

func ctCheckRefusals(t *testing.T) {
	distinct := func(rs []ctRefusal) map[string]bool {
		out := map[string]bool{}
		for _, r := range rs {
			out[r.msg] = true
		}
		return out
	}
	all := append(slices.Clone(ctRefusals), ctReferencedRefusals...)
	reachedPairs, reachedMsgs := 0, map[string]bool{}
	for _, r := range all {
		if !ctReached.has(r.msg, r.status) {
			t.Errorf("never reached a client unchanged from the emulator: %d %q", r.status, r.msg)
			continue
		}
		reachedPairs++
		reachedMsgs[r.msg] = true
	}
	section3 := distinct(ctRefusals)
	reached3 := 0
	for m := range section3 {
		if reachedMsgs[m] {
			reached3++
		}
	}
	census := fmt.Sprintf("contract refusal census: §3 lists %d distinct refusal messages (%d (status, message) pairs), "+
		"%d reached the client unchanged through the BFF; with the %d referenced from §1/§2.7: %d/%d messages, %d/%d pairs",
		len(section3), len(ctRefusals), reached3, len(ctReferencedRefusals),
		len(reachedMsgs), len(distinct(all)), reachedPairs, len(all))
	t.Log(census)
	if testing.Verbose() {
		fmt.Println(census)
	}
}
