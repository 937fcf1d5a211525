package e2e

import (
	"net/http"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

// TestJourneyTwoUsersMeetAndWorkTogether walks a whole BridgeInTech journey through the BFF with cookies only,
// as the React app does (credentials: 'include', X-CSRF: 1 on writes, never a token in sight): two people
// register, confirm their email through the link MS sent, log in, edit their profiles, find each other, send and
// accept a mentorship request, create and complete tasks, comment, and see it all on home and the dashboard.
func TestJourneyTwoUsersMeetAndWorkTogether(t *testing.T) {
	t.Parallel()
	s := newCtStack(t) // an empty MS: the first to register becomes its admin
	jane, john := s.client("jane"), s.client("john")
	const post, get, put = http.MethodPost, http.MethodGet, http.MethodPut
	step := func(name string, f func(t *testing.T)) {
		if !t.Run(name, f) {
			t.FailNow() // each step needs the previous ones
		}
	}
	noTokens := func(t *testing.T, a ctAnswer) {
		t.Helper()
		for _, k := range []string{"access_token", "refresh_token"} {
			if _, has := a.object(t)[k]; has {
				t.Errorf("the app was shown %s", k)
			}
		}
	}

	step("both register and are told to confirm their email", func(t *testing.T) {
		for _, r := range []struct {
			c                            *ctClient
			name, username, email        string
			needMentoring, availableToMe bool
		}{
			{jane, "Jane Mentor", "jane_mentor", "jane@example.org", false, true},
			{john, "John Mentee", "john_mentee", "john@example.org", true, false},
		} {
			a := r.c.must(t, 201, post, "/api/register", map[string]any{"name": r.name, "username": r.username,
				"password": r.username + "-secret", "email": r.email, "terms_and_conditions_checked": true,
				"need_mentoring": r.needMentoring, "available_to_mentor": r.availableToMe})
			if a.message() != ctMsgRegistered {
				t.Errorf("register answer %s", a.body)
			}
			if !s.hasEmail(r.email, emulator.EmailConfirmation) {
				t.Errorf("MS sent no confirmation email to %s", r.email)
			}
		}
	})
	step("logging in before confirming is refused", func(t *testing.T) {
		a := jane.login(t, "jane_mentor", "jane_mentor-secret")
		if a.status != 403 || a.message() != "Please verify your email before login." {
			t.Errorf("login before confirming: %v", a)
		}
	})
	step("both confirm their email through the link", func(t *testing.T) {
		for _, c := range []struct {
			c     *ctClient
			email string
		}{{jane, "jane@example.org"}, {john, "john@example.org"}} {
			a := c.c.must(t, 200, get, "/api/user/confirm_email/"+s.ms.ConfirmationToken(c.email), nil)
			if a.message() != "You have confirmed your account. Thanks!" {
				t.Errorf("confirm %s: %s", c.email, a.body)
			}
		}
	})
	var janeID, johnID int64
	step("both log in and hold a session cookie, not a token", func(t *testing.T) {
		for _, c := range []struct {
			c        *ctClient
			username string
			id       *int64
			admin    bool
		}{{jane, "jane_mentor", &janeID, true}, {john, "john_mentee", &johnID, false}} {
			a := c.c.login(t, c.username, c.username+"-secret")
			if a.status != 200 {
				t.Fatalf("login %s: %v", c.username, a)
			}
			noTokens(t, a)
			user := a.object(t)["user"].(map[string]any)
			*c.id = ctNum(t, user["id"])
			if user["is_email_verified"] != true || user["is_admin"] != c.admin {
				t.Errorf("%s: %v", c.username, user)
			}
			sess := c.c.must(t, 200, get, "/api/session", nil).object(t)
			if sess["authenticated"] != true || ctNum(t, sess["user_id"]) != *c.id {
				t.Errorf("session %v", sess)
			}
		}
	})
	step("both edit their profiles", func(t *testing.T) {
		jane.must(t, 200, put, "/api/user", map[string]any{"bio": "Backend engineer, ten years of Go.", "location": "Berlin",
			"skills": "Go, distributed systems", "occupation": "Engineer"})
		john.must(t, 200, put, "/api/user/personal_details", map[string]any{"bio": "Learning backend development.",
			"interests": "Go, APIs", "location": "Lagos"})
		if m := jane.must(t, 200, get, "/api/user", nil).object(t); m["location"] != "Berlin" || m["skills"] != "Go, distributed systems" {
			t.Errorf("jane's profile %v", m)
		}
	})
	step("they find each other among the verified users", func(t *testing.T) {
		found := john.must(t, 200, get, "/api/users/verified?search=jane", nil).array(t)
		if len(found) != 1 || ctNum(t, found[0]["id"]) != janeID || found[0]["available_to_mentor"] != true ||
			found[0]["is_available"] != true || found[0]["bio"] != "Backend engineer, ten years of Go." {
			t.Fatalf("john searching jane: %v", found)
		}
		ctKeys(t, "public user", found[0], ctPublicUserKeys)
		found = jane.must(t, 200, get, "/api/users/verified?search=MENTEE", nil).array(t)
		if len(found) != 1 || ctNum(t, found[0]["id"]) != johnID || found[0]["need_mentoring"] != true {
			t.Fatalf("jane searching john: %v", found)
		}
		if p := john.must(t, 200, get, ctPath("/api/users/%d", janeID), nil).object(t); p["location"] != "Berlin" {
			t.Errorf("jane's public profile %v", p)
		}
	})
	var relID int64
	step("john asks jane to mentor him and jane accepts", func(t *testing.T) {
		relID = s.sendRequest(t, john, janeID, johnID, 12*ctWeek, "Could you help me learn Go?")
		pending := jane.must(t, 200, get, "/api/mentorship_relations/pending", nil).array(t)
		if len(pending) != 1 || ctNum(t, pending[0]["id"]) != relID || pending[0]["sent_by_me"] != false {
			t.Fatalf("jane's pending requests %v", pending)
		}
		if !s.hasEmail("jane@example.org", emulator.EmailRelationRequest) {
			t.Error("MS did not email jane about the request")
		}
		jane.must(t, 200, put, ctPath("/api/mentorship_relation/%d/accept", relID), nil)
		cur := john.must(t, 200, get, "/api/mentorship_relations/current", nil).object(t)
		if ctNum(t, cur["id"]) != relID || ctNum(t, cur["state"]) != 2 || cur["mentor"].(map[string]any)["name"] != "Jane Mentor" {
			t.Errorf("john's current relation %v", cur)
		}
	})
	step("they create tasks and john completes the first", func(t *testing.T) {
		for _, d := range []string{"Read Effective Go", "Build a small REST API"} {
			jane.must(t, 201, post, ctPath("/api/mentorship_relation/%d/task", relID), map[string]any{"description": d})
		}
		john.must(t, 200, put, ctPath("/api/mentorship_relation/%d/task/1/complete", relID), nil)
		tasks := john.must(t, 200, get, ctPath("/api/mentorship_relation/%d/tasks", relID), nil).array(t)
		if len(tasks) != 2 || tasks[0]["completed_at"] == nil || tasks[1]["completed_at"] != nil {
			t.Errorf("tasks %v", tasks)
		}
	})
	step("they comment on the completed task", func(t *testing.T) {
		path := ctPath("/api/mentorship_relation/%d/task/1/comment", relID)
		john.must(t, 201, post, path, map[string]any{"comment": "Finished it, the concurrency part was hard."})
		jane.must(t, 201, post, path, map[string]any{"comment": "Well done! Let's talk about channels next."})
		cs := jane.must(t, 200, get, path+"s", nil).array(t)
		if len(cs) != 2 || ctNum(t, cs[0]["user_id"]) != johnID || ctNum(t, cs[1]["user_id"]) != janeID {
			t.Errorf("comments %v", cs)
		}
	})
	step("home shows the relation and the achievement", func(t *testing.T) {
		home := john.must(t, 200, get, "/api/home", nil).object(t)
		ctKeys(t, "home", home, ctHomeKeys)
		if home["name"] != "John Mentee" || ctNum(t, home["accepted_requests"]) != 1 || ctNum(t, home["pending_requests"]) != 0 {
			t.Errorf("home %v", home)
		}
		ach, _ := home["achievements"].([]any)
		if len(ach) != 1 || ach[0].(map[string]any)["description"] != "Read Effective Go" || ach[0].(map[string]any)["is_done"] != true {
			t.Errorf("achievements %v", home["achievements"])
		}
	})
	step("the dashboard shows the relation and the tasks to do and done", func(t *testing.T) {
		d := jane.must(t, 200, get, "/api/dashboard", nil).object(t)
		acc := d["as_mentor"].(map[string]any)["received"].(map[string]any)["accepted"].([]any)
		if len(acc) != 1 {
			t.Fatalf("as_mentor.received.accepted %v", acc)
		}
		r := acc[0].(map[string]any)
		if ctNum(t, r["id"]) != relID || r["mentee"].(map[string]any)["user_name"] != "John Mentee" {
			t.Errorf("dashboard relation %v", r)
		}
		todo, _ := d["tasks_todo"].([]any)
		done, _ := d["tasks_done"].([]any)
		if len(todo) != 1 || len(done) != 1 || todo[0].(map[string]any)["description"] != "Build a small REST API" {
			t.Errorf("tasks_todo %v, tasks_done %v", d["tasks_todo"], d["tasks_done"])
		}
		sent := john.must(t, 200, get, "/api/dashboard", nil).object(t)["as_mentee"].(map[string]any)["sent"].(map[string]any)
		if acc := sent["accepted"].([]any); len(acc) != 1 {
			t.Errorf("john's as_mentee.sent.accepted %v", acc)
		}
	})
	step("both log out and are logged out", func(t *testing.T) {
		for _, c := range []*ctClient{jane, john} {
			c.must(t, 204, post, "/api/logout", nil)
			if a := c.do(t, get, "/api/user", nil); a.status != 401 {
				t.Errorf("%s after logout: %v", c.name, a)
			}
		}
	})
}
