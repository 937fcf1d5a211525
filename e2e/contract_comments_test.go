package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// ctCommentsTable is docs/MS.md#task-comments through the BFF: body checks first, then relation,
// involvement (401), accepted state (403), task, then the comment's own checks.
func ctCommentsTable(t *testing.T) {
	s := newCtStack(t, ctSeeds(ctPairSeeds())...)
	ctPairs(t, s)
	mia, max, zoe := s.as("mia_mentor"), s.as("max_mentee"), s.as("zoe_outsider")
	for _, d := range []string{"First task", "Second task"} {
		mia.must(t, 201, http.MethodPost, "/api/mentorship_relation/1/task", map[string]any{"description": d})
	}
	const (
		post, get, put, del = http.MethodPost, http.MethodGet, http.MethodPut, http.MethodDelete
		task1               = "/api/mentorship_relation/1/task/1"
		noComment           = "Task comment does not exist."
		wrongTask           = "Task comment with given task id does not exist."
	)
	comment := func(c any) map[string]any { return map[string]any{"comment": c} }
	comments := func(want ...int64) func(t *testing.T, a ctAnswer) {
		return func(t *testing.T, a ctAnswer) {
			xs := a.array(t)
			ctAllKeys(t, "comment", xs, ctCommentKeys)
			if got := ctIDs(t, xs); !slices.Equal(got, want) {
				t.Errorf("comments %v, want %v", got, want)
			}
		}
	}
	// The same checks on POST (create) and PUT (edit comment 1, which exists by then) come first for both.
	var cases []ctCase
	for _, w := range []struct{ verb, method, path string }{
		{"create", post, task1 + "/comment"},
		{"edit", put, task1 + "/comment/1"},
	} {
		if w.verb == "create" {
			cases = append(cases, ctCase{name: "create comment creates max's comment", who: max, method: post, path: task1 + "/comment",
				body: comment("On it."), status: 201, msg: "Task comment was created successfully."})
		}
		at := func(p string) string { return strings.Replace(w.path, "/1/task/1", p, 1) }
		cases = append(cases, []ctCase{
			{name: w.verb + " comment refuses a body without a comment", who: max, method: w.method, path: w.path,
				body: map[string]any{"text": "x"}, status: 400, msg: "Comment field is missing."},
			{name: w.verb + " comment refuses a comment that is not a string", who: max, method: w.method, path: w.path,
				body: comment(5), status: 400, msg: "Comment must be in string format."},
			{name: w.verb + " comment refuses 401 characters", who: max, method: w.method, path: w.path,
				body: comment(strings.Repeat("y", 401)), status: 400, msg: "The comment field has to be shorter than 401 characters."},
			{name: w.verb + " comment refuses an unknown relation", who: max, method: w.method, path: at("/9999/task/1"),
				body: comment("x"), status: 404, msg: "Mentorship relation does not exist."},
			{name: w.verb + " comment refuses an outsider with 401", who: zoe, method: w.method, path: w.path,
				body: comment("x"), status: 401, msg: "You are not involved in this mentorship relation."},
			{name: w.verb + " comment refuses a relation that is not accepted", who: zoe, method: w.method, path: at("/2/task/1"),
				body: comment("x"), status: 403, msg: "This mentorship relation status is not in the accepted state."},
			{name: w.verb + " comment refuses an unknown task", who: max, method: w.method, path: at("/1/task/99"),
				body: comment("x"), status: 404, msg: "Task does not exist."},
		}...)
	}
	cases = append(cases, []ctCase{
		{name: "create comment accepts 400 characters with spaces not counted", who: mia, method: post, path: task1 + "/comment",
			body: comment(strings.Repeat("z", 400) + "  "), status: 201, msg: "Task comment was created successfully."},
		{name: "create comment on the second task", who: mia, method: post, path: "/api/mentorship_relation/1/task/2/comment",
			body: comment("Later."), status: 201, msg: "Task comment was created successfully."},

		// GET …/comments.
		{name: "list comments answers the task's comments", who: mia, method: get, path: task1 + "/comments", status: 200,
			check: func(t *testing.T, a ctAnswer) {
				comments(1, 2)(t, a)
				c := a.array(t)[0]
				if c["comment"] != "On it." || ctNum(t, c["user_id"]) != s.id("max_mentee") || ctNum(t, c["task_id"]) != 1 ||
					ctNum(t, c["relation_id"]) != 1 || c["modification_date"] != nil {
					t.Errorf("comment %v", c)
				}
			}},
		{name: "list comments of another task answers only its comments", who: max, method: get,
			path: "/api/mentorship_relation/1/task/2/comments", status: 200, check: comments(3)},
		{name: "list comments refuses an outsider with 401", who: zoe, method: get, path: task1 + "/comments", status: 401,
			msg: "You are not involved in this mentorship relation."},
		{name: "list comments refuses an unknown task", who: max, method: get, path: "/api/mentorship_relation/1/task/99/comments",
			status: 404, msg: "Task does not exist."},
		{name: "list comments refuses a relation that is not accepted", who: zoe, method: get,
			path: "/api/mentorship_relation/2/task/1/comments", status: 403, msg: "This mentorship relation status is not in the accepted state."},

		// PUT …/comment/{comment_id}.
		{name: "edit comment refuses an unknown comment", who: max, method: put, path: task1 + "/comment/99", body: comment("x"),
			status: 404, msg: noComment},
		{name: "edit comment refuses someone else's comment", who: mia, method: put, path: task1 + "/comment/1", body: comment("x"),
			status: 403, msg: "You have not created the comment and therefore cannot modify it."},
		{name: "edit comment refuses a comment of another task", who: mia, method: put,
			path: "/api/mentorship_relation/1/task/1/comment/3", body: comment("x"), status: 404, msg: wrongTask},
		{name: "edit comment edits it and sets modification_date", who: max, method: put, path: task1 + "/comment/1",
			body: comment("Done."), status: 200, msg: "Task comment was updated successfully.",
			check: func(t *testing.T, a ctAnswer) {
				c := max.must(t, 200, get, task1+"/comments", nil).array(t)[0]
				if c["comment"] != "Done." || c["modification_date"] == nil {
					t.Errorf("comment after the edit %v", c)
				}
			}},

		// DELETE …/comment/{comment_id}.
		{name: "delete comment refuses an unknown relation", who: max, method: del, path: "/api/mentorship_relation/9999/task/1/comment/1",
			status: 404, msg: "Mentorship relation does not exist."},
		{name: "delete comment refuses an outsider with 401", who: zoe, method: del, path: task1 + "/comment/1", status: 401,
			msg: "You are not involved in this mentorship relation."},
		{name: "delete comment refuses an unknown comment", who: max, method: del, path: task1 + "/comment/99", status: 404, msg: noComment},
		{name: "delete comment refuses someone else's comment", who: max, method: del, path: task1 + "/comment/2", status: 403,
			msg: "You have not created the comment and therefore cannot delete it."},
		{name: "delete comment refuses a comment of another task", who: mia, method: del, path: task1 + "/comment/3", status: 404,
			msg: wrongTask},
		{name: "delete comment deletes it", who: max, method: del, path: task1 + "/comment/1", status: 200,
			msg: "Task comment was deleted successfully.", check: func(t *testing.T, a ctAnswer) {
				comments(2)(t, mia.must(t, 200, get, task1+"/comments", nil))
			}},
		{name: "a deleted comment no longer exists", who: max, method: del, path: task1 + "/comment/1", status: 404, msg: noComment},
	}...)
	ctRunTable(t, cases)
}
