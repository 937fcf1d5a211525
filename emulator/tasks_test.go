package emulator

import (
	"strings"
	"testing"
)

func TestTaskRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	pending := h.sendRequest("otheruser", otherID, menteeID)
	id := h.acceptedRelation()
	tasks := relPath(id, "task")
	expect(t, h.do("POST", tasks, "mentoruser", map[string]any{"description": "one"}), 201, "Task was created successfully.")
	expect(t, h.do("PUT", tasks+"/1/complete", "mentoruser", nil), 200, "Task was achieved successfully.")

	cases := []struct {
		name, method, path, caller string
		body                       any
		status                     int
		message                    string
	}{
		{"creating without a description is refused", "POST", tasks, "mentoruser", map[string]any{}, 400, "Description field is missing."},
		{"creating without a JSON body crashes MS", "POST", tasks, "mentoruser", nil, 500, msgInternal},
		{"creating in an unknown relation is a 404", "POST", relPath(99, "task"), "mentoruser", map[string]any{"description": "x"}, 404, msgRelationDoesNotExist},
		{"creating in a pending relation is refused", "POST", relPath(pending, "task"), "menteeuser", map[string]any{"description": "x"}, 403, msgNotAccepted},
		{"creating in someone else's relation is refused", "POST", tasks, "adminuser", map[string]any{"description": "x"}, 403, msgNotInvolved},
		{"listing an unknown relation is a 404", "GET", relPath(99, "tasks"), "mentoruser", nil, 404, msgRelationDoesNotExist},
		{"listing someone else's tasks is a 401", "GET", relPath(id, "tasks"), "adminuser", nil, 401, msgNotInvolved},
		{"completing in an unknown relation is a 404", "PUT", relPath(99, "task/1/complete"), "mentoruser", nil, 404, msgRelationDoesNotExist},
		{"completing someone else's task is a 401", "PUT", tasks + "/1/complete", "adminuser", nil, 401, msgNotInvolved},
		{"completing an unknown task is a 404", "PUT", tasks + "/7/complete", "mentoruser", nil, 404, msgTaskDoesNotExist},
		{"completing a done task conflicts", "PUT", tasks + "/1/complete", "menteeuser", nil, 409, "Task was already achieved."},
		{"deleting in an unknown relation is a 404", "DELETE", relPath(99, "task/1"), "mentoruser", nil, 404, msgRelationDoesNotExist},
		{"deleting an unknown task is a 404 before the involvement check", "DELETE", tasks + "/7", "adminuser", nil, 404, msgTaskDoesNotExist},
		{"deleting someone else's task is a 401", "DELETE", tasks + "/1", "adminuser", nil, 401, msgNotInvolved},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { expect(t, h.do(tc.method, tc.path, tc.caller, tc.body), tc.status, tc.message) })
	}
	t.Run("task ids are per relation and not reused after a delete", func(t *testing.T) {
		expect(t, h.do("POST", tasks, "mentoruser", map[string]any{"description": "two"}), 201, "Task was created successfully.")
		expect(t, h.do("DELETE", tasks+"/2", "mentoruser", nil), 200, "Task was deleted successfully.")
		expect(t, h.do("POST", tasks, "mentoruser", map[string]any{"description": 3}), 201, "Task was created successfully.")
		r := h.do("GET", relPath(id, "tasks"), "menteeuser", nil)
		if !strings.Contains(string(r.body), `"id": 3, "description": "3"`) || strings.Contains(string(r.body), `"id": 2,`) {
			t.Fatalf("tasks %s", r.body)
		}
	})
}

func TestCommentRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	pending := h.sendRequest("otheruser", otherID, menteeID)
	id := h.acceptedRelation()
	tasks := relPath(id, "task")
	expect(t, h.do("POST", tasks, "mentoruser", map[string]any{"description": "one"}), 201, "Task was created successfully.")
	expect(t, h.do("POST", tasks, "mentoruser", map[string]any{"description": "two"}), 201, "Task was created successfully.")
	expect(t, h.do("POST", tasks+"/1/comment", "mentoruser", map[string]any{"comment": "mine"}), 201, "Task comment was created successfully.")
	ok := map[string]any{"comment": "fine"}

	cases := []struct {
		name, method, path, caller string
		body                       any
		status                     int
		message                    string
	}{
		{"a comment body without comment is refused", "POST", tasks + "/1/comment", "menteeuser", map[string]any{}, 400, "Comment field is missing."},
		{"a numeric comment is refused", "POST", tasks + "/1/comment", "menteeuser", map[string]any{"comment": 5}, 400, "Comment must be in string format."},
		{"a comment over 400 characters is refused", "POST", tasks + "/1/comment", "menteeuser", map[string]any{"comment": strings.Repeat("y", 401)}, 400, "The comment field has to be shorter than 401 characters."},
		{"the body is checked before the relation", "POST", relPath(99, "task/1/comment"), "menteeuser", map[string]any{}, 400, "Comment field is missing."},
		{"commenting in an unknown relation is a 404", "POST", relPath(99, "task/1/comment"), "menteeuser", ok, 404, msgRelationDoesNotExist},
		{"commenting in someone else's relation is a 401", "POST", tasks + "/1/comment", "adminuser", ok, 401, msgNotInvolved},
		{"commenting in a pending relation is refused", "POST", relPath(pending, "task/1/comment"), "menteeuser", ok, 403, msgNotAccepted},
		{"commenting on an unknown task is a 404", "POST", tasks + "/9/comment", "menteeuser", ok, 404, msgTaskDoesNotExist},
		{"editing an unknown comment is a 404", "PUT", tasks + "/1/comment/9", "mentoruser", ok, 404, msgCommentDoesNotExist},
		{"editing another's comment is refused", "PUT", tasks + "/1/comment/1", "menteeuser", ok, 403, "You have not created the comment and therefore cannot modify it."},
		{"editing a comment under the wrong task is a 404", "PUT", tasks + "/2/comment/1", "mentoruser", ok, 404, "Task comment with given task id does not exist."},
		{"editing checks the body first", "PUT", tasks + "/1/comment/1", "mentoruser", map[string]any{"comment": nil}, 400, "Comment must be in string format."},
		{"deleting an unknown comment is a 404", "DELETE", tasks + "/1/comment/9", "mentoruser", nil, 404, msgCommentDoesNotExist},
		{"deleting another's comment is refused", "DELETE", tasks + "/1/comment/1", "menteeuser", nil, 403, "You have not created the comment and therefore cannot delete it."},
		{"deleting a comment under the wrong task is a 404", "DELETE", tasks + "/2/comment/1", "mentoruser", nil, 404, "Task comment with given task id does not exist."},
		{"listing comments of someone else's relation is a 401", "GET", tasks + "/1/comments", "adminuser", nil, 401, msgNotInvolved},
		{"listing comments of an unknown task is a 404", "GET", tasks + "/9/comments", "mentoruser", nil, 404, msgTaskDoesNotExist},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { expect(t, h.do(tc.method, tc.path, tc.caller, tc.body), tc.status, tc.message) })
	}
	t.Run("comments list only their task's comments", func(t *testing.T) {
		expect(t, h.do("POST", tasks+"/2/comment", "menteeuser", map[string]any{"comment": "  spaced  out  "}), 201, "Task comment was created successfully.")
		if n := len(h.do("GET", tasks+"/1/comments", "menteeuser", nil).array(t)); n != 1 {
			t.Fatalf("%d comments on task 1", n)
		}
		c := h.do("GET", tasks+"/2/comments", "menteeuser", nil).array(t)[0].(map[string]any)
		if c["comment"] != "  spaced  out  " || c["modification_date"] != nil || len(c) != 7 {
			t.Fatalf("comment %v", c)
		}
	})
}
