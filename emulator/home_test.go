package emulator

import (
	"testing"
	"time"
)

func TestHomeCountsAndAchievements(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	empty := h.do("GET", "/home", "menteeuser", nil).object(t)
	want := map[string]any{"name": "Mel Mentee", "pending_requests": 0.0, "accepted_requests": 0.0, "rejected_requests": 0.0,
		"completed_relations": 0.0, "cancelled_relations": 0.0}
	for k, v := range want {
		if empty[k] != v {
			t.Errorf("%s = %v, want %v", k, empty[k], v)
		}
	}
	if a, ok := empty["achievements"].([]any); !ok || len(a) != 0 || len(empty) != 7 {
		t.Fatalf("home %v", empty)
	}

	rejected := h.sendRequest("otheruser", otherID, menteeID)
	expectStatus(t, h.do("PUT", relPath(rejected, "reject"), "menteeuser", nil), 200)
	id := h.acceptedRelation()
	tasks := relPath(id, "task")
	for i, d := range []string{"t1", "t2", "t3", "t4", "t5"} {
		expectStatus(t, h.do("POST", tasks, "mentoruser", map[string]any{"description": d}), 201)
		_ = i
	}
	// Complete 2, 1, 4, 5 in that order; the last three in storage order are 2, 4, 5, newest completion first.
	for _, n := range []string{"2", "1", "4", "5"} {
		h.clock.Advance(time.Second)
		expectStatus(t, h.do("PUT", tasks+"/"+n+"/complete", "mentoruser", nil), 200)
	}
	home := h.do("GET", "/home", "menteeuser", nil).object(t)
	if home["accepted_requests"] != 1.0 || home["rejected_requests"] != 1.0 {
		t.Fatalf("home %v", home)
	}
	var got []float64
	for _, a := range home["achievements"].([]any) {
		task := a.(map[string]any)
		if task["is_done"] != true || len(task) != 5 {
			t.Fatalf("achievement %v", task)
		}
		got = append(got, task["id"].(float64))
	}
	if len(got) != 3 || got[0] != 5 || got[1] != 4 || got[2] != 2 {
		t.Fatalf("achievement ids %v, want [5 4 2]", got)
	}
}

func TestDashboardShapes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r := h.do("GET", "/dashboard", "mentoruser", nil).object(t)
	if _, ok := r["tasks_todo"]; ok {
		t.Fatalf("tasks_todo without an accepted relation: %v", r)
	}
	if len(r) != 2 {
		t.Fatalf("dashboard keys %v", r)
	}
	for _, side := range []string{"as_mentor", "as_mentee"} {
		for _, dir := range []string{"sent", "received"} {
			s := r[side].(map[string]any)[dir].(map[string]any)
			if len(s) != 5 {
				t.Fatalf("%s.%s = %v", side, dir, s)
			}
			for _, st := range []string{"accepted", "rejected", "completed", "cancelled", "pending"} {
				if l, ok := s[st].([]any); !ok || len(l) != 0 {
					t.Fatalf("%s.%s.%s = %v", side, dir, st, s[st])
				}
			}
		}
	}

	pending := h.sendRequest("mentoruser", mentorID, otherID) // mentor sends, as mentor
	_ = pending
	id := h.acceptedRelation() // mentee sends, mentor receives
	expectStatus(t, h.do("POST", relPath(id, "task"), "menteeuser", map[string]any{"description": "todo"}), 201)
	expectStatus(t, h.do("POST", relPath(id, "task"), "menteeuser", map[string]any{"description": "done"}), 201)
	expectStatus(t, h.do("PUT", relPath(id, "task/2/complete"), "menteeuser", nil), 200)

	r = h.do("GET", "/dashboard", "mentoruser", nil).object(t)
	asMentor := r["as_mentor"].(map[string]any)
	sentPending := asMentor["sent"].(map[string]any)["pending"].([]any)
	recvAccepted := asMentor["received"].(map[string]any)["accepted"].([]any)
	if len(sentPending) != 1 || len(recvAccepted) != 1 {
		t.Fatalf("as_mentor %v", asMentor)
	}
	rel := recvAccepted[0].(map[string]any)
	if _, has := rel["sent_by_me"]; has || len(rel) != 10 {
		t.Fatalf("dashboard relation %v", rel)
	}
	mentee := rel["mentee"].(map[string]any)
	if mentee["user_name"] != "Mel Mentee" || mentee["id"] != float64(menteeID) || len(mentee) != 3 {
		t.Fatalf("dashboard mentee %v", mentee)
	}
	todo, done := r["tasks_todo"].([]any), r["tasks_done"].([]any)
	if len(todo) != 1 || len(done) != 1 || todo[0].(map[string]any)["description"] != "todo" || done[0].(map[string]any)["completed_at"] == nil {
		t.Fatalf("tasks %v %v", todo, done)
	}
}
