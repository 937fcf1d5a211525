package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

// ctUsersTable is docs/MS.md#users-home-and-dashboard through the BFF.
func ctUsersTable(t *testing.T) {
	seeds := []emulator.SeedUser{
		ctSeed("ann_admin", "Ann Admin", "admin"),
		ctSeed("mia_mentor", "Mia Mentor", "mentor"),
		ctSeed("max_mentee", "Max Mentee", "mentee"),
		ctSeed("nia_neither", "Nia Neither"),
		ctSeed("dan_deleted", "Dan Deleted", "mentee"),
	}
	for i := range 55 { // ids 6..60: enough for paging past the 50 cap
		seeds = append(seeds, ctSeed(fmt.Sprintf("pager_%02d", i), "Pager Person", "mentee"))
	}
	s := newCtStack(t, seeds...)
	ann, mia, max, nia, dan := s.as("ann_admin"), s.as("mia_mentor"), s.as("max_mentee"), s.as("nia_neither"), s.as("dan_deleted")
	// An unverified user (id 61), registered through the BFF.
	s.client("uma").must(t, http.StatusCreated, http.MethodPost, "/api/register", map[string]any{
		"name": "Uma Unverified", "username": "uma_unverified", "password": "uma-pass-123", "email": "uma@example.org",
		"terms_and_conditions_checked": true, "need_mentoring": true})
	const umaID = 61
	annID, miaID, maxID := s.id("ann_admin"), s.id("mia_mentor"), s.id("max_mentee")

	ids := func(t *testing.T, a ctAnswer) []int64 {
		xs := a.array(t)
		ctAllKeys(t, "public user", xs, ctPublicUserKeys)
		return ctIDs(t, xs)
	}
	byID := func(t *testing.T, a ctAnswer, id int64) map[string]any {
		for _, u := range a.array(t) {
			if ctNum(t, u["id"]) == id {
				return u
			}
		}
		t.Fatalf("user %d is not in %s", id, a.body)
		return nil
	}
	wantIDs := func(want ...int64) func(t *testing.T, a ctAnswer) {
		return func(t *testing.T, a ctAnswer) {
			if got := ids(t, a); !slices.Equal(got, want) {
				t.Errorf("ids %v, want %v", got, want)
			}
		}
	}
	seq := func(from, to int64) []int64 {
		var out []int64
		for i := from; i <= to; i++ {
			out = append(out, i)
		}
		return out
	}
	get := http.MethodGet
	ctRunTable(t, []ctCase{
		// GET /users and /users/verified.
		{name: "users lists ten public users by default, the caller excluded", who: ann, method: get, path: "/api/users", status: 200,
			check: wantIDs(seq(2, 11)...)},
		{name: "users pages with page and per_page", who: ann, method: get, path: "/api/users?page=2&per_page=5", status: 200,
			check: wantIDs(seq(7, 11)...)},
		{name: "users caps per_page at 50", who: ann, method: get, path: "/api/users?per_page=100", status: 200,
			check: wantIDs(seq(2, 51)...)},
		{name: "users answers an empty list past the last page", who: ann, method: get, path: "/api/users?page=9&per_page=10", status: 200,
			check: wantIDs()},
		{name: "users falls back to the defaults for non-integer paging", who: ann, method: get, path: "/api/users?page=abc&per_page=x", status: 200,
			check: wantIDs(seq(2, 11)...)},
		{name: "users leaves unverified users out, as the old backend's /users did", who: ann, method: get, path: "/api/users?search=uma", status: 200, check: wantIDs()},
		{name: "verified users leaves unverified users out", who: ann, method: get, path: "/api/users/verified?search=uma", status: 200,
			check: wantIDs()},
		{name: "users search matches the name case-insensitively", who: ann, method: get, path: "/api/users/verified?search=MENTOR",
			status: 200, check: wantIDs(miaID)},
		{name: "users search matches the username", who: ann, method: get, path: "/api/users/verified?search=max_me", status: 200,
			check: wantIDs(maxID)},
		{name: "users search excludes the caller", who: mia, method: get, path: "/api/users/verified?search=mia", status: 200, check: wantIDs()},
		{name: "users shows who is available", who: ann, method: get, path: "/api/users/verified?per_page=4", status: 200,
			check: func(t *testing.T, a ctAnswer) {
				for id, want := range map[int64]bool{miaID: true, maxID: true, s.id("nia_neither"): false} {
					if got := byID(t, a, id)["is_available"]; got != want {
						t.Errorf("user %d is_available %v, want %v", id, got, want)
					}
				}
				if u := byID(t, a, miaID); u["available_to_mentor"] != true || u["need_mentoring"] != false || u["name"] != "Mia Mentor" {
					t.Errorf("mia %v", u)
				}
			}},

		// GET /users/{user_id}.
		{name: "one user answers the public profile with is_available null", who: ann, method: get, path: ctPath("/api/users/%d", miaID),
			status: 200, check: func(t *testing.T, a ctAnswer) {
				m := a.object(t)
				ctKeys(t, "public user", m, ctPublicUserKeys)
				if ctNum(t, m["id"]) != miaID || m["is_available"] != nil || m["username"] != "mia_mentor" {
					t.Errorf("user %v", m)
				}
			}},
		{name: "one user may be the caller", who: ann, method: get, path: ctPath("/api/users/%d", annID), status: 200},
		{name: "one user refuses an unknown id", who: ann, method: get, path: "/api/users/9999", status: 404, msg: "User does not exist."},
		{name: "one user refuses an unverified user", who: ann, method: get, path: ctPath("/api/users/%d", umaID), status: 403,
			msg: "Please verify your email before login."},

		// GET /home and /dashboard before any relation.
		{name: "home answers the counts and no achievements", who: max, method: get, path: "/api/home", status: 200,
			check: func(t *testing.T, a ctAnswer) {
				m := a.object(t)
				ctKeys(t, "home", m, ctHomeKeys)
				if m["name"] != "Max Mentee" || ctNum(t, m["pending_requests"]) != 0 {
					t.Errorf("home %v", m)
				}
				if xs, ok := m["achievements"].([]any); !ok || len(xs) != 0 {
					t.Errorf("achievements %v, want []", m["achievements"])
				}
			}},
		{name: "dashboard without an accepted relation has no task lists", who: max, method: get, path: "/api/dashboard", status: 200,
			check: func(t *testing.T, a ctAnswer) {
				m := a.object(t)
				ctKeys(t, "dashboard", m, []string{"as_mentor", "as_mentee"})
				for _, role := range []string{"as_mentor", "as_mentee"} {
					side, _ := m[role].(map[string]any)
					ctKeys(t, role, side, []string{"sent", "received"})
					for _, dir := range []string{"sent", "received"} {
						states, _ := side[dir].(map[string]any)
						ctKeys(t, role+"."+dir, states, ctDashStateKeys)
					}
				}
			}},

		// With a pending, then an accepted relation (max asks mia).
		{name: "home counts a pending request", who: max, method: get, path: "/api/home", status: 200,
			before: func(t *testing.T) { s.sendRequest(t, max, miaID, maxID, 8*ctWeek, "users table") },
			check: func(t *testing.T, a ctAnswer) {
				if m := a.object(t); ctNum(t, m["pending_requests"]) != 1 {
					t.Errorf("home %v", m)
				}
			}},
		{name: "dashboard files the request under as_mentee sent pending", who: max, method: get, path: "/api/dashboard", status: 200,
			check: func(t *testing.T, a ctAnswer) {
				m := a.object(t)
				pending := m["as_mentee"].(map[string]any)["sent"].(map[string]any)["pending"].([]any)
				if len(pending) != 1 {
					t.Fatalf("as_mentee.sent.pending %v", pending)
				}
				r := pending[0].(map[string]any)
				ctKeys(t, "dashboard relation", r, ctDashboardRelationKeys)
				ctKeys(t, "dashboard mentor", r["mentor"].(map[string]any), []string{"id", "user_name", "photo_url"})
				if r["mentor"].(map[string]any)["user_name"] != "Mia Mentor" || ctNum(t, r["state"]) != 1 {
					t.Errorf("relation %v", r)
				}
			}},
		{name: "dashboard of an accepted relation carries the task lists", who: mia, method: get, path: "/api/dashboard", status: 200,
			before: func(t *testing.T) { mia.must(t, 200, http.MethodPut, "/api/mentorship_relation/1/accept", nil) },
			check: func(t *testing.T, a ctAnswer) {
				m := a.object(t)
				ctKeys(t, "dashboard", m, []string{"as_mentor", "as_mentee", "tasks_todo", "tasks_done"})
				if acc := m["as_mentor"].(map[string]any)["received"].(map[string]any)["accepted"].([]any); len(acc) != 1 {
					t.Errorf("as_mentor.received.accepted %v", acc)
				}
			}},
		{name: "users shows a user in an accepted relation as not available", who: ann, method: get, path: "/api/users/verified?per_page=4",
			status: 200, check: func(t *testing.T, a ctAnswer) {
				for _, id := range []int64{miaID, maxID} {
					if got := byID(t, a, id)["is_available"]; got != false {
						t.Errorf("user %d is_available %v, want false", id, got)
					}
				}
			}},
		{name: "home counts the accepted relation", who: mia, method: get, path: "/api/home", status: 200,
			check: func(t *testing.T, a ctAnswer) {
				if m := a.object(t); ctNum(t, m["accepted_requests"]) != 1 || ctNum(t, m["pending_requests"]) != 0 {
					t.Errorf("home %v", m)
				}
			}},
		{name: "one user of nia stays reachable for other callers", who: nia, method: get, path: ctPath("/api/users/%d", maxID), status: 200},

		// A deleted caller whose session is still valid.
		{name: "home of a deleted user says the user is not found", who: dan, method: get, path: "/api/home", status: 404,
			before: func(t *testing.T) { s.deleteAtMS(t, "dan_deleted") },
			msg:    "User not found."},
		{name: "dashboard of a deleted user says the user is not found", who: dan, method: get, path: "/api/dashboard", status: 404,
			msg: "User not found."},
		{name: "a deleted user is gone from the lists", who: ann, method: get, path: "/api/users?search=dan", status: 200, check: wantIDs()},
	})
}
