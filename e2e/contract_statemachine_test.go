package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

// ctWantState checks that the caller's relation id is in state (docs/MS.md#relation-states: 1 PENDING ... 5 COMPLETED).
func ctWantState(c *ctClient, id int64, state int64) func(t *testing.T, a ctAnswer) {
	return func(t *testing.T, _ ctAnswer) {
		t.Helper()
		for _, r := range c.must(t, 200, http.MethodGet, "/api/mentorship_relations", nil).array(t) {
			if ctNum(t, r["id"]) == id {
				if got := ctNum(t, r["state"]); got != state {
					t.Errorf("relation %d is in state %d, want %d", id, got, state)
				}
				return
			}
		}
		t.Errorf("relation %d is not in %s's list", id, c.name)
	}
}

// ctStateMachine walks docs/MS.md#relation-states end to end through the BFF: send → accept → tasks → comments → cancel;
// send → reject; send → delete; accept → COMPLETED by the daily job once the clock passes the end date; and
// every refusal of §5 on the way.
func ctStateMachine(t *testing.T) {
	s := newCtStack(t,
		ctSeed("mia_mentor", "Mia Mentor", "admin", "mentor"),
		ctSeed("max_mentee", "Max Mentee", "mentee"),
		ctSeed("zoe_outsider", "Zoe Outsider", "mentor", "mentee"),
		ctSeed("kim_kind", "Kim Kind", "mentor", "mentee"),
		ctSeed("lee_learner", "Lee Learner", "mentor", "mentee"),
	)
	mia, max, zoe, kim, lee := s.as("mia_mentor"), s.as("max_mentee"), s.as("zoe_outsider"), s.as("kim_kind"), s.as("lee_learner")
	miaID, maxID, zoeID, kimID, leeID := s.id("mia_mentor"), s.id("max_mentee"), s.id("zoe_outsider"), s.id("kim_kind"), s.id("lee_learner")

	const (
		post, get, put, del = http.MethodPost, http.MethodGet, http.MethodPut, http.MethodDelete
		send                = "/api/mentorship_relation/send_request"
		sentOK              = "Mentorship relation was sent successfully."
		notPending          = "This mentorship relation is not in the pending state."
		notAccepted         = "This mentorship relation status is not in the accepted state."
		notInvolved         = "You are not involved in this mentorship relation."
		noRequest           = "This mentorship relation request does not exist."
	)
	rel := func(id int64, action string) string {
		if action == "" {
			return ctPath("/api/mentorship_relation/%d", id)
		}
		return ctPath("/api/mentorship_relation/%d/%s", id, action)
	}
	// Relations, in the order they are sent (ids from 1 on a fresh emulator).
	const (
		r1 = iota + 1 // max asks mia: the main walk (accept, tasks, comments, cancel)
		r2            // lee asks mia: refused while mia is busy, then rejected
		r3            // max asks kim: refused while max is busy, then deleted by max
		r4            // mia asks lee: refused while mia is busy, then accepted and COMPLETED
		r5            // zoe asks kim: stays PENDING past its end date
	)
	end8 := s.end(8 * ctWeek)
	// The end-date rules against the settable clock: this body is valid now, too short two weeks from now, and
	// past once the clock has moved beyond it.
	clockBody := ctRequest(kimID, zoeID, s.end(5*ctWeek), "clock")

	cases := []ctCase{
		{name: "max sends mia a request", who: max, method: post, path: send, body: ctRequest(miaID, maxID, end8, "walk one"),
			status: 201, msg: sentOK},
		{name: "lee sends mia a request", who: lee, method: post, path: send, body: ctRequest(miaID, leeID, end8, "walk two"),
			status: 201, msg: sentOK},
		{name: "max sends kim a request", who: max, method: post, path: send, body: ctRequest(kimID, maxID, end8, "walk three"),
			status: 201, msg: sentOK},
		{name: "mia sends lee a request", who: mia, method: post, path: send, body: ctRequest(miaID, leeID, s.end(5*ctWeek), "walk four"),
			status: 201, msg: sentOK},
		{name: "zoe sends kim a request that will outlive its end date", who: zoe, method: post, path: send,
			body: ctRequest(kimID, zoeID, s.end(4*ctWeek+time.Hour), "walk five"), status: 201, msg: sentOK},
		{name: "a new request is pending", who: mia, method: get, path: "/api/mentorship_relations", status: 200,
			check: ctWantState(mia, r1, 1)},

		// Refusals while PENDING.
		{name: "the requester cannot accept their own request", who: max, method: put, path: rel(r1, "accept"), status: 403,
			msg: "You cannot accept a mentorship request sent by yourself."},
		{name: "an outsider cannot accept", who: zoe, method: put, path: rel(r1, "accept"), status: 403,
			msg: "You cannot accept a mentorship relation where you are not involved."},
		{name: "the requester cannot reject their own request", who: max, method: put, path: rel(r1, "reject"), status: 403,
			msg: "You cannot reject a mentorship request sent by yourself."},
		{name: "an outsider cannot reject", who: zoe, method: put, path: rel(r1, "reject"), status: 403,
			msg: "You cannot reject a mentorship relation where you are not involved."},
		{name: "a pending request cannot be cancelled", who: mia, method: put, path: rel(r1, "cancel"), status: 403, msg: notAccepted},
		{name: "only the requester may delete a request", who: mia, method: del, path: rel(r1, ""), status: 403,
			msg: "You cannot delete a mentorship request that you did not create."},
		{name: "accepting an unknown request is refused", who: mia, method: put, path: rel(9999, "accept"), status: 404, msg: noRequest},
		{name: "rejecting an unknown request is refused", who: mia, method: put, path: rel(9999, "reject"), status: 404, msg: noRequest},
		{name: "cancelling an unknown relation is refused", who: mia, method: put, path: rel(9999, "cancel"), status: 404, msg: noRequest},
		{name: "deleting an unknown request is refused", who: mia, method: del, path: rel(9999, ""), status: 404, msg: noRequest},
		{name: "no task can be created in a pending relation", who: mia, method: post, path: rel(r1, "task"),
			body: map[string]any{"description": "too early"}, status: 403, msg: notAccepted},

		// PENDING → ACCEPTED.
		{name: "mia accepts max's request and max is emailed", who: mia, method: put, path: rel(r1, "accept"), status: 200,
			msg: "Mentorship relation was accepted successfully.",
			check: func(t *testing.T, a ctAnswer) {
				if !s.hasEmail("max_mentee@example.org", emulator.EmailRelationAccepted) {
					t.Errorf("no acceptance email to max: %+v", s.ms.Outbox())
				}
				ctWantState(max, r1, 2)(t, a)
			}},
		{name: "an accepted relation cannot be accepted again", who: mia, method: put, path: rel(r1, "accept"), status: 403, msg: notPending},
		{name: "an accepted relation cannot be rejected", who: mia, method: put, path: rel(r1, "reject"), status: 403, msg: notPending},
		{name: "an accepted relation cannot be deleted", who: max, method: del, path: rel(r1, ""), status: 403, msg: notPending},
		{name: "current answers the accepted relation to both parties", who: max, method: get, path: "/api/mentorship_relations/current",
			status: 200, check: func(t *testing.T, a ctAnswer) {
				if m := a.object(t); ctNum(t, m["id"]) != r1 || ctNum(t, m["state"]) != 2 {
					t.Errorf("current %v", m)
				}
			}},
		{name: "a user in a relation cannot accept another", who: mia, method: put, path: rel(r2, "accept"), status: 403,
			msg: "You are currently involved in a mentorship relation."},
		{name: "accepting is refused while the mentee is in a relationship", who: kim, method: put, path: rel(r3, "accept"), status: 400,
			msg: "Mentee user is already in a relationship."},
		{name: "accepting is refused while the mentor is in a relationship", who: lee, method: put, path: rel(r4, "accept"), status: 400,
			msg: "Mentor user is already in a relationship."},
		{name: "no new request may name a mentor in a relationship", who: kim, method: post, path: send,
			body: ctRequest(miaID, kimID, end8, "n"), status: 400, msg: "Mentor user is already in a relationship."},

		// Tasks in the accepted relation.
		{name: "mia creates a task", who: mia, method: post, path: rel(r1, "task"), body: map[string]any{"description": "Read the contract"},
			status: 201, msg: "Task was created successfully."},
		{name: "an outsider cannot create a task", who: zoe, method: post, path: rel(r1, "task"), body: map[string]any{"description": "x"},
			status: 403, msg: notInvolved},
		{name: "max lists the task", who: max, method: get, path: rel(r1, "tasks"), status: 200,
			check: func(t *testing.T, a ctAnswer) {
				xs := a.array(t)
				ctAllKeys(t, "task", xs, ctTaskItemKeys)
				if len(xs) != 1 || xs[0]["description"] != "Read the contract" || xs[0]["completed_at"] != nil {
					t.Errorf("tasks %s", a.body)
				}
			}},
		{name: "max completes the task", who: max, method: put, path: rel(r1, "task/1/complete"), status: 200, msg: "Task was achieved successfully."},
		{name: "a completed task cannot be completed again", who: mia, method: put, path: rel(r1, "task/1/complete"), status: 409,
			msg: "Task was already achieved."},

		// Comments on the task.
		{name: "max comments on the task", who: max, method: post, path: rel(r1, "task/1/comment"), body: map[string]any{"comment": "Done!"},
			status: 201, msg: "Task comment was created successfully."},
		{name: "mia lists the comment", who: mia, method: get, path: rel(r1, "task/1/comments"), status: 200,
			check: func(t *testing.T, a ctAnswer) {
				xs := a.array(t)
				ctAllKeys(t, "comment", xs, ctCommentKeys)
				if len(xs) != 1 || xs[0]["comment"] != "Done!" || ctNum(t, xs[0]["user_id"]) != maxID || xs[0]["modification_date"] != nil {
					t.Errorf("comments %s", a.body)
				}
			}},
		{name: "max edits the comment", who: max, method: put, path: rel(r1, "task/1/comment/1"), body: map[string]any{"comment": "Done, really."},
			status: 200, msg: "Task comment was updated successfully."},
		{name: "mia cannot edit max's comment", who: mia, method: put, path: rel(r1, "task/1/comment/1"), body: map[string]any{"comment": "no"},
			status: 403, msg: "You have not created the comment and therefore cannot modify it."},
		{name: "mia cannot delete max's comment", who: mia, method: del, path: rel(r1, "task/1/comment/1"), status: 403,
			msg: "You have not created the comment and therefore cannot delete it."},
		{name: "max deletes the comment", who: max, method: del, path: rel(r1, "task/1/comment/1"), status: 200,
			msg: "Task comment was deleted successfully."},

		// ACCEPTED → CANCELLED.
		{name: "an outsider cannot cancel", who: zoe, method: put, path: rel(r1, "cancel"), status: 403,
			msg: "You cannot cancel a mentorship relation where you are not involved."},
		{name: "max cancels the relation", who: max, method: put, path: rel(r1, "cancel"), status: 200,
			msg: "Mentorship relation was cancelled successfully.", check: ctWantState(mia, r1, 4)},
		{name: "a cancelled relation cannot be cancelled again", who: mia, method: put, path: rel(r1, "cancel"), status: 403, msg: notAccepted},
		{name: "a cancelled relation cannot be accepted", who: mia, method: put, path: rel(r1, "accept"), status: 403, msg: notPending},
		{name: "tasks of a cancelled relation can still be listed", who: mia, method: get, path: rel(r1, "tasks"), status: 200},
		{name: "no task can be created in a cancelled relation", who: mia, method: post, path: rel(r1, "task"),
			body: map[string]any{"description": "late"}, status: 403, msg: notAccepted},
		{name: "no comment can be made in a cancelled relation", who: max, method: post, path: rel(r1, "task/1/comment"),
			body: map[string]any{"comment": "late"}, status: 403, msg: notAccepted},
		{name: "comments of a cancelled relation cannot be listed", who: max, method: get, path: rel(r1, "task/1/comments"), status: 403,
			msg: notAccepted},
		{name: "the cancelled relation is listed under relation_state cancelled", who: max, method: get,
			path: "/api/mentorship_relations?relation_state=cancelled", status: 200, check: ctWantRelations(r1)},

		// PENDING → REJECTED.
		{name: "mia, free again, rejects lee's request", who: mia, method: put, path: rel(r2, "reject"), status: 200,
			msg: "Mentorship relation was rejected successfully.", check: ctWantState(lee, r2, 3)},
		{name: "a rejected request cannot be rejected again", who: mia, method: put, path: rel(r2, "reject"), status: 403, msg: notPending},
		{name: "a rejected request cannot be accepted", who: mia, method: put, path: rel(r2, "accept"), status: 403, msg: notPending},
		{name: "a rejected request cannot be deleted", who: lee, method: del, path: rel(r2, ""), status: 403, msg: notPending},

		// PENDING → deleted.
		{name: "the receiver cannot delete max's request to kim", who: kim, method: del, path: rel(r3, ""), status: 403,
			msg: "You cannot delete a mentorship request that you did not create."},
		{name: "max deletes his request to kim", who: max, method: del, path: rel(r3, ""), status: 200,
			msg: "Mentorship relation was deleted successfully.",
			check: func(t *testing.T, a ctAnswer) {
				for _, c := range []*ctClient{max, kim} {
					for _, id := range ctRelationIDs(t, c.must(t, 200, get, "/api/mentorship_relations", nil)) {
						if id == r3 {
							t.Errorf("the deleted request is still in %s's list", c.name)
						}
					}
				}
			}},
		{name: "a deleted request no longer exists", who: max, method: del, path: rel(r3, ""), status: 404, msg: noRequest},

		// ACCEPTED → COMPLETED, by the daily job once the end date has passed.
		{name: "lee accepts mia's request now that mia is free", who: lee, method: put, path: rel(r4, "accept"), status: 200,
			msg: "Mentorship relation was accepted successfully."},
		{name: "mia creates a task in the new relation", who: mia, method: post, path: rel(r4, "task"),
			body: map[string]any{"description": "Pair on the BFF"}, status: 201, msg: "Task was created successfully."},
		{name: "the daily job leaves a relation alone before its end date", who: lee, method: get, path: "/api/mentorship_relations",
			before: func(t *testing.T) { s.ms.RunDailyJobs() }, status: 200, check: ctWantState(lee, r4, 2)},
		{name: "two weeks on the same request body is too short", who: kim, method: post, path: send, body: clockBody,
			before: func(t *testing.T) { s.clock.Advance(2 * ctWeek) },
			status: 400, msg: "Mentorship relation minimum duration is 4 week."},
		{name: "the daily job completes an accepted relation whose end date has passed", who: lee, method: get,
			path: "/api/mentorship_relations?relation_state=completed",
			before: func(t *testing.T) {
				s.clock.Advance(3*ctWeek + time.Hour) // 5 weeks and an hour after the start: r4 has ended
				s.ms.RunDailyJobs()
			},
			status: 200, check: ctWantRelations(r4)},
		{name: "a request body whose end date has passed is refused", who: kim, method: post, path: send, body: clockBody,
			status: 400, msg: "End date is invalid since date has passed."},
		{name: "the completed relation is no longer current", who: lee, method: get, path: "/api/mentorship_relations/current", status: 200,
			check: func(t *testing.T, a ctAnswer) {
				if a.message() != "You are not in a current mentorship relation." {
					t.Errorf("current %s", a.body)
				}
			}},
		{name: "a completed relation cannot be cancelled", who: lee, method: put, path: rel(r4, "cancel"), status: 403, msg: notAccepted},
		{name: "tasks of a completed relation can still be completed", who: lee, method: put, path: rel(r4, "task/1/complete"), status: 200,
			msg: "Task was achieved successfully."},
		{name: "home counts the completed relation and its achievement", who: lee, method: get, path: "/api/home", status: 200,
			check: func(t *testing.T, a ctAnswer) {
				m := a.object(t)
				if ctNum(t, m["completed_relations"]) != 1 || ctNum(t, m["rejected_requests"]) != 1 {
					t.Errorf("home %v", m)
				}
				ach, _ := m["achievements"].([]any)
				if len(ach) != 1 {
					t.Fatalf("achievements %v", m["achievements"])
				}
				ctKeys(t, "achievement", ach[0].(map[string]any), ctStoredTaskKeys)
			}},
		{name: "a pending request past its end date stays pending", who: zoe, method: get, path: "/api/mentorship_relations", status: 200,
			check: ctWantState(zoe, r5, 1)},
		{name: "but it is no longer in pending", who: kim, method: get, path: "/api/mentorship_relations/pending", status: 200,
			check: ctWantRelations()},
		{name: "past lists every relation whose end date has passed, in any state", who: kim, method: get,
			path: "/api/mentorship_relations/past", status: 200, check: ctWantRelations(r5)},
		{name: "past of mia lists the completed relation", who: mia, method: get, path: "/api/mentorship_relations/past", status: 200,
			check: ctWantRelations(r4)},
		{name: "the dashboard files the completed relation", who: mia, method: get, path: "/api/dashboard", status: 200,
			check: func(t *testing.T, a ctAnswer) {
				m := a.object(t)
				done := m["as_mentor"].(map[string]any)["sent"].(map[string]any)["completed"].([]any)
				if len(done) != 1 || ctNum(t, done[0].(map[string]any)["id"]) != r4 {
					t.Errorf("as_mentor.sent.completed %v", done)
				}
				if _, has := m["tasks_todo"]; has {
					t.Errorf("task lists without an accepted relation: %v", m)
				}
			}},
	}
	ctRunTable(t, cases)
}
