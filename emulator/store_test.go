package emulator

import (
	"testing"
	"time"
)

func TestSnapshotRestoreRoundTrip(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	register(t, h, "newperson", "new@example.org")
	id := h.acceptedRelation()
	expectStatus(t, h.do("POST", relPath(id, "task"), "menteeuser", map[string]any{"description": "carry over"}), 201)
	expectStatus(t, h.do("POST", relPath(id, "task/1/comment"), "menteeuser", map[string]any{"comment": "kept"}), 201)
	expectStatus(t, h.do("PUT", "/user", "mentoruser", map[string]any{"bio": "persisted"}), 200)
	snap, err := h.srv.Snapshot()
	if err != nil {
		t.Fatal(err)
	}

	// A new server with another secret and no seeds takes the state over.
	h2 := newHarness(t, func(o *Options) { o.SeedUsers = nil; o.Secret = []byte("another secret") })
	if err := h2.srv.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if u := h2.do("GET", "/user", "mentoruser", nil).object(t); u["bio"] != "persisted" || u["id"] != float64(mentorID) {
		t.Fatalf("restored user %v", u)
	}
	if cur := h2.do("GET", "/mentorship_relations/current", "menteeuser", nil).object(t); cur["id"] != float64(id) {
		t.Fatalf("restored relation %v", cur)
	}
	if c := h2.do("GET", relPath(id, "task/1/comments"), "mentoruser", nil).array(t); len(c) != 1 {
		t.Fatalf("restored comments %v", c)
	}
	expectStatus(t, h2.do("POST", relPath(id, "task"), "menteeuser", map[string]any{"description": "next"}), 201)
	if l := h2.do("GET", relPath(id, "tasks"), "mentoruser", nil).array(t); l[1].(map[string]any)["id"] != 2.0 {
		t.Fatalf("task ids did not continue: %v", l)
	}
	if len(h2.srv.Outbox()) != len(h.srv.Outbox()) {
		t.Fatal("outbox not restored")
	}
	// Id counters continue where they were.
	register(t, h2, "another1", "another@example.org")
	if u := h2.do("GET", "/users?search=another1", "mentoruser", nil).array(t); u[0].(map[string]any)["id"] != 6.0 {
		t.Fatalf("new user id %v", u)
	}
	again, err := h2.srv.Snapshot()
	if err != nil || len(again) <= len(snap) {
		t.Fatalf("second snapshot %d bytes (first %d): %v", len(again), len(snap), err)
	}
}

func TestRestoreRefusesBadSnapshots(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, tc := range []struct{ name, data string }{
		{"garbage is refused", "nope"},
		{"an unknown version is refused", `{"version": 9}`},
		{"a repeated user id is refused", `{"version": 1, "users": [{"id": 1, "username": "a", "email": "a"}, {"id": 1, "username": "b", "email": "b"}]}`},
		{"a repeated username is refused", `{"version": 1, "users": [{"id": 1, "username": "a", "email": "a"}, {"id": 2, "username": "a", "email": "b"}]}`},
		{"a relation in an unknown state is refused", `{"version": 1, "relations": [{"id": 1, "state": 9}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := h.srv.Restore([]byte(tc.data)); err == nil {
				t.Fatal("restored")
			}
			expectStatus(t, h.do("GET", "/user", "mentoruser", nil), 200) // state unchanged
		})
	}
}

func TestDailyJobsDeleteLongUnverifiedUsers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	register(t, h, "oldperson", "old@example.org")
	h.clock.Advance(29 * 24 * time.Hour)
	register(t, h, "newperson", "new@example.org")
	h.srv.RunDailyJobs()
	expect(t, h.do("POST", "/user/resend_email", "", map[string]any{"email": "old@example.org"}), 200, "Check your email, a new verification email was sent.")
	h.clock.Advance(24 * time.Hour)
	h.srv.RunDailyJobs()
	expect(t, h.do("POST", "/user/resend_email", "", map[string]any{"email": "old@example.org"}), 404, "You are not registered in the system.")
	expect(t, h.do("POST", "/user/resend_email", "", map[string]any{"email": "new@example.org"}), 200, "Check your email, a new verification email was sent.")
	h.login("mentoruser", "mentorpass1") // verified users stay
}

func TestDeletedPartyLeavesRelationWithNullSide(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sendRequest("otheruser", otherID, menteeID)
	h.access("otheruser")
	expectStatus(t, h.do("DELETE", "/user", "otheruser", nil), 200)
	list := h.do("GET", "/mentorship_relations", "menteeuser", nil).array(t)
	if len(list) != 1 {
		t.Fatalf("relations %v", list)
	}
	if m := list[0].(map[string]any)["mentor"].(map[string]any); m["id"] != nil || m["name"] != nil {
		t.Fatalf("mentor of a deleted user %v", m)
	}
}
