package e2e

import (
	"net/http"
	"slices"
	"testing"
)

// ctPairs sets up, through the BFF, relation 1 (max asks mia, accepted) and relation 2 (zoe asks ken, pending),
// on a stack seeded with mia, max, zoe and ken in that order.
func ctPairs(t *testing.T, s *ctStack) {
	t.Helper()
	mia, max, zoe := s.as("mia_mentor"), s.as("max_mentee"), s.as("zoe_outsider")
	if id := s.sendRequest(t, max, s.id("mia_mentor"), s.id("max_mentee"), 8*ctWeek, "accepted pair"); id != 1 {
		t.Fatalf("first relation has id %d", id)
	}
	if id := s.sendRequest(t, zoe, s.id("ken_other"), s.id("zoe_outsider"), 8*ctWeek, "pending pair"); id != 2 {
		t.Fatalf("second relation has id %d", id)
	}
	mia.must(t, 200, http.MethodPut, "/api/mentorship_relation/1/accept", nil)
}

func ctPairSeeds() []ctSeedArgs {
	return []ctSeedArgs{
		{"mia_mentor", "Mia Mentor", []string{"admin", "mentor"}},
		{"max_mentee", "Max Mentee", []string{"mentee"}},
		{"zoe_outsider", "Zoe Outsider", []string{"mentor", "mentee"}},
		{"ken_other", "Ken Other", []string{"mentor", "mentee"}},
	}
}

// ctTasksTable is docs/MS.md#tasks through the BFF. The emulator follows MS's last good revision for
// the two routes that answer 500 at MS HEAD (create and delete task).
func ctTasksTable(t *testing.T) {
	s := newCtStack(t, ctSeeds(ctPairSeeds())...)
	ctPairs(t, s)
	mia, max, zoe := s.as("mia_mentor"), s.as("max_mentee"), s.as("zoe_outsider")
	const (
		post, get, put, del = http.MethodPost, http.MethodGet, http.MethodPut, http.MethodDelete
		noRelation          = "Mentorship relation does not exist."
		notInvolved         = "You are not involved in this mentorship relation."
		noTask              = "Task does not exist."
	)
	desc := func(d string) map[string]any { return map[string]any{"description": d} }
	taskIDs := func(want ...int64) func(t *testing.T, a ctAnswer) {
		return func(t *testing.T, a ctAnswer) {
			xs := a.array(t)
			ctAllKeys(t, "task", xs, ctTaskItemKeys)
			if got := ctIDs(t, xs); !slices.Equal(got, want) {
				t.Errorf("tasks %v, want %v", got, want)
			}
		}
	}
	ctRunTable(t, []ctCase{
		// POST /mentorship_relation/{relation_id}/task.
		{name: "create task refuses a body without a description", who: mia, method: post, path: "/api/mentorship_relation/1/task",
			body: map[string]any{"title": "x"}, status: 400, msg: "Description field is missing."},
		{name: "create task refuses an unknown relation", who: mia, method: post, path: "/api/mentorship_relation/9999/task",
			body: desc("x"), status: 404, msg: noRelation},
		{name: "create task refuses a relation that is not accepted", who: zoe, method: post, path: "/api/mentorship_relation/2/task",
			body: desc("x"), status: 403, msg: "This mentorship relation status is not in the accepted state."},
		{name: "create task refuses an outsider with 403", who: zoe, method: post, path: "/api/mentorship_relation/1/task",
			body: desc("x"), status: 403, msg: notInvolved},
		{name: "create task creates the first task", who: mia, method: post, path: "/api/mentorship_relation/1/task",
			body: desc("Read the contract"), status: 201, msg: "Task was created successfully."},
		{name: "create task lets the mentee create the second", who: max, method: post, path: "/api/mentorship_relation/1/task",
			body: desc("Write the tests"), status: 201, msg: "Task was created successfully."},

		// GET /mentorship_relation/{relation_id}/tasks.
		{name: "list tasks refuses an unknown relation", who: mia, method: get, path: "/api/mentorship_relation/9999/tasks",
			status: 404, msg: noRelation},
		{name: "list tasks refuses an outsider with 401", who: zoe, method: get, path: "/api/mentorship_relation/1/tasks",
			status: 401, msg: notInvolved},
		{name: "list tasks of a relation without tasks is empty", who: zoe, method: get, path: "/api/mentorship_relation/2/tasks",
			status: 200, check: taskIDs()},
		{name: "list tasks answers the tasks without is_done", who: max, method: get, path: "/api/mentorship_relation/1/tasks",
			status: 200, check: func(t *testing.T, a ctAnswer) {
				taskIDs(1, 2)(t, a)
				if xs := a.array(t); xs[0]["description"] != "Read the contract" || xs[0]["completed_at"] != nil {
					t.Errorf("tasks %s", a.body)
				}
			}},

		// PUT /mentorship_relation/{relation_id}/task/{task_id}/complete.
		{name: "complete task refuses an unknown relation", who: mia, method: put, path: "/api/mentorship_relation/9999/task/1/complete",
			status: 404, msg: noRelation},
		{name: "complete task refuses an outsider with 401", who: zoe, method: put, path: "/api/mentorship_relation/1/task/1/complete",
			status: 401, msg: notInvolved},
		{name: "complete task refuses an unknown task", who: mia, method: put, path: "/api/mentorship_relation/1/task/99/complete",
			status: 404, msg: noTask},
		{name: "complete task completes it", who: max, method: put, path: "/api/mentorship_relation/1/task/1/complete",
			status: 200, msg: "Task was achieved successfully.",
			check: func(t *testing.T, a ctAnswer) {
				xs := max.must(t, 200, get, "/api/mentorship_relation/1/tasks", nil).array(t)
				if xs[0]["completed_at"] == nil || xs[1]["completed_at"] != nil {
					t.Errorf("tasks after completing the first: %v", xs)
				}
			}},
		{name: "complete task refuses a task already achieved", who: mia, method: put, path: "/api/mentorship_relation/1/task/1/complete",
			status: 409, msg: "Task was already achieved."},
		{name: "home shows the achievement with is_done", who: max, method: get, path: "/api/home", status: 200,
			check: func(t *testing.T, a ctAnswer) {
				ach, _ := a.object(t)["achievements"].([]any)
				if len(ach) != 1 {
					t.Fatalf("achievements %v", ach)
				}
				m := ach[0].(map[string]any)
				ctKeys(t, "achievement", m, ctStoredTaskKeys)
				if m["is_done"] != true || m["description"] != "Read the contract" {
					t.Errorf("achievement %v", m)
				}
			}},
		{name: "the dashboard splits the tasks into todo and done", who: mia, method: get, path: "/api/dashboard", status: 200,
			check: func(t *testing.T, a ctAnswer) {
				m := a.object(t)
				todo, _ := m["tasks_todo"].([]any)
				done, _ := m["tasks_done"].([]any)
				if len(todo) != 1 || len(done) != 1 {
					t.Fatalf("tasks_todo %v, tasks_done %v", m["tasks_todo"], m["tasks_done"])
				}
				ctKeys(t, "task", todo[0].(map[string]any), ctTaskItemKeys)
			}},

		// DELETE /mentorship_relation/{relation_id}/task/{task_id}: relation, then task, then involvement.
		{name: "delete task refuses an unknown relation", who: mia, method: del, path: "/api/mentorship_relation/9999/task/1",
			status: 404, msg: noRelation},
		{name: "delete task refuses an unknown task", who: zoe, method: del, path: "/api/mentorship_relation/1/task/99",
			status: 404, msg: noTask},
		{name: "delete task refuses an outsider with 401", who: zoe, method: del, path: "/api/mentorship_relation/1/task/2",
			status: 401, msg: notInvolved},
		{name: "delete task deletes it", who: mia, method: del, path: "/api/mentorship_relation/1/task/2",
			status: 200, msg: "Task was deleted successfully."},
		{name: "a deleted task is gone from the list", who: max, method: get, path: "/api/mentorship_relation/1/tasks",
			status: 200, check: taskIDs(1)},
		{name: "a deleted task cannot be completed", who: max, method: put, path: "/api/mentorship_relation/1/task/2/complete",
			status: 404, msg: noTask},
		{name: "task ids are per relation and not reused", who: mia, method: post, path: "/api/mentorship_relation/1/task",
			body: desc("Third"), status: 201, msg: "Task was created successfully.",
			check: func(t *testing.T, a ctAnswer) {
				taskIDs(1, 3)(t, mia.must(t, 200, get, "/api/mentorship_relation/1/tasks", nil))
			}},
	})
}
