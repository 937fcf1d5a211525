package emulator

import (
	"strconv"
	"testing"
	"time"
)

const week = 7 * 24 * time.Hour

func relPath(id int64, action string) string {
	p := "/mentorship_relation/" + strconv.FormatInt(id, 10)
	if action != "" {
		p += "/" + action
	}
	return p
}

func TestSendRequestRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	now := float64(h.clock.Now().Unix())
	inWeeks := func(w float64) float64 { return now + w*week.Seconds() }
	body := func(mod func(map[string]any)) map[string]any {
		b := map[string]any{"mentor_id": mentorID, "mentee_id": menteeID, "end_date": inWeeks(8), "notes": "hi"}
		if mod != nil {
			mod(b)
		}
		return b
	}
	without := func(k string) map[string]any { return body(func(b map[string]any) { delete(b, k) }) }
	set := func(k string, v any) map[string]any { return body(func(b map[string]any) { b[k] = v }) }

	// A second pair already in an accepted relation.
	busy := newHarness(t)
	busy.acceptedRelation()

	cases := []struct {
		name    string
		h       *harness
		caller  string
		body    any
		status  int
		message string
	}{
		{"a body without mentor_id is refused", h, "menteeuser", without("mentor_id"), 400, "Mentor ID field is missing."},
		{"a body without mentee_id is refused", h, "menteeuser", without("mentee_id"), 400, "Mentee ID field is missing."},
		{"a body without end_date is refused", h, "menteeuser", without("end_date"), 400, "End date field is missing."},
		{"a body without notes is refused", h, "menteeuser", without("notes"), 400, "Notes field is missing."},
		{"a caller who is neither party is refused", h, "otheruser", body(nil), 400, "Your ID has to match either Mentor or Mentee IDs."},
		{"a relation with oneself is refused", h, "mentoruser", set("mentee_id", mentorID), 400, "You cannot have a mentorship relation with yourself."},
		{"an end date beyond year 9999 is invalid", h, "menteeuser", set("end_date", 1e13), 400, "Validation error. End date represented by the timestamp is invalid."},
		{"an end date in the past is refused", h, "menteeuser", set("end_date", now-60), 400, "End date is invalid since date has passed."},
		{"more than 24 weeks is too long", h, "menteeuser", set("end_date", inWeeks(25)), 400, "Mentorship relation maximum duration is 6 months."},
		{"less than 4 weeks is too short", h, "menteeuser", set("end_date", inWeeks(3)), 400, "Mentorship relation minimum duration is 4 week."},
		{"an unknown mentor does not exist", h, "menteeuser", set("mentor_id", 99), 404, "Mentor user does not exist."},
		{"a mentor not offering mentoring is refused", h, "menteeuser", set("mentor_id", adminID), 400, "Mentor user is not available to mentor."},
		{"an unknown mentee does not exist", h, "mentoruser", set("mentee_id", 99), 404, "Mentee user does not exist."},
		{"a mentee not seeking mentoring is refused", h, "mentoruser", set("mentee_id", adminID), 400, "Mentee user is not available to be mentored."},
		{"a mentor in an accepted relation is busy", busy, "otheruser", body(func(b map[string]any) { b["mentee_id"] = otherID }), 400, "Mentor user is already in a relationship."},
		{"a mentee in an accepted relation is busy", busy, "otheruser", body(func(b map[string]any) { b["mentor_id"] = otherID }), 400, "Mentee user is already in a relationship."},
		{"a string end date crashes MS", h, "menteeuser", set("end_date", "soon"), 500, msgInternal},
		{"no JSON body crashes MS", h, "menteeuser", nil, 500, msgInternal},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, tc.h.do("POST", "/mentorship_relation/send_request", tc.caller, tc.body), tc.status, tc.message)
		})
	}
}

func relationState(t *testing.T, h *harness, caller string, id int64) float64 {
	t.Helper()
	for _, r := range h.do("GET", "/mentorship_relations", caller, nil).array(t) {
		if rel := r.(map[string]any); rel["id"] == float64(id) {
			return rel["state"].(float64)
		}
	}
	return 0
}

func TestRelationLifecycleEndToEnd(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	base := "/mentorship_relation/"

	// send → accept
	id := h.sendRequest("menteeuser", mentorID, menteeID)
	pending := h.do("GET", "/mentorship_relations/pending", "mentoruser", nil).array(t)
	if len(pending) != 1 {
		t.Fatalf("pending %v", pending)
	}
	rel := pending[0].(map[string]any)
	if rel["sent_by_me"] != false || rel["action_user_id"] != float64(menteeID) || rel["notes"] != "please" ||
		rel["mentor"].(map[string]any)["name"] != "Mona Mentor" || rel["accept_date"] != nil || rel["state"] != float64(statePending) {
		t.Fatalf("pending relation %v", rel)
	}
	expect(t, h.do("GET", "/mentorship_relations/current", "mentoruser", nil), 200, "You are not in a current mentorship relation.")
	expect(t, h.do("PUT", relPath(id, "accept"), "mentoruser", nil), 200, "Mentorship relation was accepted successfully.")
	if cur := h.do("GET", "/mentorship_relations/current", "menteeuser", nil).object(t); cur["id"] != float64(id) || cur["sent_by_me"] != true {
		t.Fatalf("current %v", cur)
	}
	out := h.srv.Outbox()
	if len(out) != 2 || out[0].Kind != EmailRelationRequest || out[0].To != "mentor@example.org" ||
		out[1].Kind != EmailRelationAccepted || out[1].To != "mentee@example.org" || out[1].RelationID != id {
		t.Fatalf("outbox %+v", out)
	}

	// tasks
	tasks := base + strconv.FormatInt(id, 10) + "/task"
	expect(t, h.do("POST", tasks, "menteeuser", map[string]any{"description": "Read a book"}), 201, "Task was created successfully.")
	expect(t, h.do("POST", tasks, "mentoruser", map[string]any{"description": "Write code"}), 201, "Task was created successfully.")
	list := h.do("GET", relPath(id, "tasks"), "mentoruser", nil).array(t)
	if len(list) != 2 || list[0].(map[string]any)["id"] != 1.0 || list[1].(map[string]any)["id"] != 2.0 {
		t.Fatalf("tasks %v", list)
	}
	if _, hasDone := list[0].(map[string]any)["is_done"]; hasDone {
		t.Fatalf("task list items carry is_done: %v", list[0])
	}
	h.clock.Advance(time.Minute)
	expect(t, h.do("PUT", tasks+"/1/complete", "menteeuser", nil), 200, "Task was achieved successfully.")
	expect(t, h.do("PUT", tasks+"/1/complete", "menteeuser", nil), 409, "Task was already achieved.")

	// comments
	comments := tasks + "/1/comment"
	expect(t, h.do("POST", comments, "mentoruser", map[string]any{"comment": "Well done"}), 201, "Task comment was created successfully.")
	expect(t, h.do("PUT", comments+"/1", "mentoruser", map[string]any{"comment": "Very well done"}), 200, "Task comment was updated successfully.")
	cl := h.do("GET", tasks+"/1/comments", "menteeuser", nil).array(t)
	if len(cl) != 1 {
		t.Fatalf("comments %v", cl)
	}
	if c := cl[0].(map[string]any); c["comment"] != "Very well done" || c["user_id"] != float64(mentorID) || c["modification_date"] == nil || c["relation_id"] != float64(id) || c["task_id"] != 1.0 {
		t.Fatalf("comment %v", c)
	}
	expect(t, h.do("DELETE", comments+"/1", "mentoruser", nil), 200, "Task comment was deleted successfully.")
	expect(t, h.do("DELETE", tasks+"/2", "mentoruser", nil), 200, "Task was deleted successfully.")

	// cancel; tasks stay listable, comments are closed
	expect(t, h.do("PUT", relPath(id, "cancel"), "menteeuser", nil), 200, "Mentorship relation was cancelled successfully.")
	if got := relationState(t, h, "mentoruser", id); got != stateCancelled {
		t.Fatalf("state %v", got)
	}
	expectStatus(t, h.do("GET", relPath(id, "tasks"), "mentoruser", nil), 200)
	expect(t, h.do("GET", tasks+"/1/comments", "menteeuser", nil), 403, msgNotAccepted)
	expect(t, h.do("POST", tasks, "menteeuser", map[string]any{"description": "late"}), 403, msgNotAccepted)

	// send → reject
	id2 := h.sendRequest("mentoruser", mentorID, menteeID)
	expect(t, h.do("PUT", relPath(id2, "reject"), "menteeuser", nil), 200, "Mentorship relation was rejected successfully.")
	if got := relationState(t, h, "menteeuser", id2); got != stateRejected {
		t.Fatalf("state %v", got)
	}

	// send → delete
	id3 := h.sendRequest("otheruser", mentorID, otherID)
	expect(t, h.do("DELETE", relPath(id3, ""), "otheruser", nil), 200, "Mentorship relation was deleted successfully.")
	if got := relationState(t, h, "otheruser", id3); got != 0 {
		t.Fatalf("deleted relation still listed with state %v", got)
	}
}

func TestRelationTransitionRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	pending := h.sendRequest("menteeuser", mentorID, menteeID)
	rejected := h.sendRequest("menteeuser", mentorID, menteeID)
	expect(t, h.do("PUT", relPath(rejected, "reject"), "mentoruser", nil), 200, "Mentorship relation was rejected successfully.")

	// A second world where mentor and mentee are busy with each other.
	busy := newHarness(t)
	busyPending := busy.sendRequest("otheruser", otherID, menteeID)
	busyPending2 := busy.sendRequest("otheruser", mentorID, otherID)
	busyAccepted := busy.acceptedRelation()
	busy.do("PUT", relPath(busyAccepted, "accept"), "mentoruser", nil)

	cases := []struct {
		name, method, path, caller string
		h                          *harness
		status                     int
		message                    string
	}{
		{"accepting an unknown request is a 404", "PUT", relPath(99, "accept"), "mentoruser", h, 404, msgRequestDoesNotExist},
		{"accepting a rejected request is refused", "PUT", relPath(rejected, "accept"), "mentoruser", h, 403, msgNotPending},
		{"accepting one's own request is refused", "PUT", relPath(pending, "accept"), "menteeuser", h, 403, "You cannot accept a mentorship request sent by yourself."},
		{"accepting someone else's request is refused", "PUT", relPath(pending, "accept"), "adminuser", h, 403, "You cannot accept a mentorship relation where you are not involved."},
		{"accepting while in a relation is refused", "PUT", relPath(busyPending, "accept"), "menteeuser", busy, 403, "You are currently involved in a mentorship relation."},
		{"accepting as a mentor already in a relation is refused", "PUT", relPath(busyPending2, "accept"), "mentoruser", busy, 403, "You are currently involved in a mentorship relation."},
		{"rejecting an unknown request is a 404", "PUT", relPath(99, "reject"), "mentoruser", h, 404, msgRequestDoesNotExist},
		{"rejecting a rejected request is refused", "PUT", relPath(rejected, "reject"), "mentoruser", h, 403, msgNotPending},
		{"rejecting one's own request is refused", "PUT", relPath(pending, "reject"), "menteeuser", h, 403, "You cannot reject a mentorship request sent by yourself."},
		{"rejecting someone else's request is refused", "PUT", relPath(pending, "reject"), "adminuser", h, 403, "You cannot reject a mentorship relation where you are not involved."},
		{"cancelling an unknown relation is a 404", "PUT", relPath(99, "cancel"), "mentoruser", h, 404, msgRequestDoesNotExist},
		{"cancelling a pending relation is refused", "PUT", relPath(pending, "cancel"), "mentoruser", h, 403, msgNotAccepted},
		{"cancelling someone else's relation is refused", "PUT", relPath(busyAccepted, "cancel"), "adminuser", busy, 403, "You cannot cancel a mentorship relation where you are not involved."},
		{"deleting an unknown request is a 404", "DELETE", relPath(99, ""), "mentoruser", h, 404, msgRequestDoesNotExist},
		{"deleting a rejected request is refused", "DELETE", relPath(rejected, ""), "menteeuser", h, 403, msgNotPending},
		{"deleting a request one did not send is refused", "DELETE", relPath(pending, ""), "mentoruser", h, 403, "You cannot delete a mentorship request that you did not create."},
		{"a non-integer id is an unknown path", "PUT", "/mentorship_relation/abc/accept", "mentoruser", h, 404, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { expect(t, tc.h.do(tc.method, tc.path, tc.caller, nil), tc.status, tc.message) })
	}
}

func TestAcceptRefusesWhenTheOtherPartyIsBusy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, accepter string
		want           string
	}{
		{"a mentor accepting a busy mentee is refused", "mentoruser", "Mentee user is already in a relationship."},
		{"a mentee accepting a busy mentor is refused", "menteeuser", "Mentor user is already in a relationship."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			var id int64
			if tc.accepter == "mentoruser" {
				id = h.sendRequest("menteeuser", mentorID, menteeID)   // mentee asks mentor
				other := h.sendRequest("otheruser", otherID, menteeID) // other offers to mentor mentee
				expectStatus(t, h.do("PUT", relPath(other, "accept"), "menteeuser", nil), 200)
			} else {
				id = h.sendRequest("mentoruser", mentorID, menteeID)   // mentor offers
				other := h.sendRequest("otheruser", mentorID, otherID) // other asks mentor
				expectStatus(t, h.do("PUT", relPath(other, "accept"), "mentoruser", nil), 200)
			}
			expect(t, h.do("PUT", relPath(id, "accept"), tc.accepter, nil), 400, tc.want)
		})
	}
}

func TestListRelationsFilter(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sendRequest("otheruser", otherID, menteeID)
	rejected := h.sendRequest("menteeuser", mentorID, menteeID)
	expectStatus(t, h.do("PUT", relPath(rejected, "reject"), "mentoruser", nil), 200)
	count := func(query string) (int, resp) {
		r := h.do("GET", "/mentorship_relations"+query, "menteeuser", nil)
		if r.status != 200 {
			return -1, r
		}
		return len(r.array(t)), r
	}
	for _, tc := range []struct {
		name, query string
		want        int
	}{
		{"no filter lists every relation", "", 2},
		{"a lowercase state filters", "?relation_state=pending", 1},
		{"a mixed-case state filters", "?relation_state=ReJeCtEd", 1},
		{"an empty state is no filter", "?relation_state=", 2},
		{"a state without relations is empty", "?relation_state=completed", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, r := count(tc.query); got != tc.want {
				t.Fatalf("got %d (%s), want %d", got, r.body, tc.want)
			}
		})
	}
	t.Run("an unknown state is a 400 with an empty list", func(t *testing.T) {
		r := h.do("GET", "/mentorship_relations?relation_state=open", "menteeuser", nil)
		if r.status != 400 || string(r.body) != "[]\n" {
			t.Fatalf("got %d %q", r.status, r.body)
		}
	})
	t.Run("a query string without relation_state is a bad request", func(t *testing.T) {
		expect(t, h.do("GET", "/mentorship_relations?x=1", "menteeuser", nil), 400, msgBadRequest)
	})
	t.Run("mentor-side relations come before mentee-side ones", func(t *testing.T) {
		h := newHarness(t)
		asMentee := h.sendRequest("otheruser", mentorID, otherID)
		asMentor := h.sendRequest("otheruser", otherID, menteeID)
		list := h.do("GET", "/mentorship_relations", "otheruser", nil).array(t)
		if list[0].(map[string]any)["id"] != float64(asMentor) || list[1].(map[string]any)["id"] != float64(asMentee) {
			t.Fatalf("order %v", list)
		}
	})
}

func TestPastPendingAndDailyJobs(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	pending := h.sendRequest("otheruser", otherID, menteeID)
	accepted := h.acceptedRelation()
	ids := func(path string) []float64 {
		var out []float64
		for _, r := range h.do("GET", path, "menteeuser", nil).array(t) {
			out = append(out, r.(map[string]any)["id"].(float64))
		}
		return out
	}
	if got := ids("/mentorship_relations/past"); len(got) != 0 {
		t.Fatalf("past before the end: %v", got)
	}
	h.clock.Advance(9 * week)
	h.tok = map[string]string{} // old tokens have expired
	if got := ids("/mentorship_relations/past"); len(got) != 2 {
		t.Fatalf("past after the end: %v", got)
	}
	if got := ids("/mentorship_relations/pending"); len(got) != 0 {
		t.Fatalf("an ended pending request is still listed as pending: %v", got)
	}
	if relationState(t, h, "menteeuser", pending) != statePending {
		t.Fatal("an ended pending request must stay PENDING")
	}
	h.srv.RunDailyJobs()
	if got := relationState(t, h, "menteeuser", accepted); got != stateCompleted {
		t.Fatalf("overdue accepted relation is in state %v after the daily job", got)
	}
}
