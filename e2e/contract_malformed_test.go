package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Who answers a malformed request.
const (
	ctByBFF = "bff" // the BFF refuses it at the edge: 4xx {"message"} of its own, MS never called
	ctByMS  = "ms"  // it is well-formed enough to reach MS, which decides; the answer passes through unchanged
)

// ctBad is one malformed request and who must answer it how.
type ctBad struct {
	name   string
	method string
	path   string
	body   any // nil: none; ctRaw/[]byte: as is (Content-Type: application/json); else JSON
	by     string
	status int
	msg    string // exact message, when set
}

// TestMalformedInputsGet4xxJSONNever5xxFromTheBFF sends malformed requests at every route family: wrong JSON types,
// no body, non-JSON bodies, bodies over the 1 MiB limit, non-integer ids, unknown paths and wrong methods. What the
// BFF can tell at the edge it refuses itself, 4xx {"message": ...}, without calling MS: among it every body field
// of the wrong JSON type where MS does not check types itself (handlers' bodyFields, from docs/MS.md#endpoints), so MS's
// own 500s on wrongly typed fields (§1) never happen. The rest is MS's to decide and its answer passes through
// unchanged (where MS checks types, its 400 names the field). Any MS 5xx still seen
// is logged at the end. No answer is ever a 5xx of the BFF's own.
func TestMalformedInputsGet4xxJSONNever5xxFromTheBFF(t *testing.T) {
	t.Parallel()
	s := newCtStack(t, ctSeeds(ctPairSeeds())...)
	ctPairs(t, s)
	mia := s.as("mia_mentor")
	mia.must(t, 201, http.MethodPost, "/api/mentorship_relation/1/task", map[string]any{"description": "A task"})
	mia.must(t, 201, http.MethodPost, "/api/mentorship_relation/1/task/1/comment", map[string]any{"comment": "A comment"})
	miaID, maxID := s.id("mia_mentor"), s.id("max_mentee")

	const (
		get, post, put, del, patch = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch
		notObject                  = "The request body must be a JSON object."
		noBody                     = "This route needs a JSON object body."
		tooLarge                   = "The request body is too large."
		badID                      = "There is no such API route: path ids must be decimal integers."
		noRoute                    = "There is no such API route."
		badMethod                  = "The method is not allowed for the requested URL."
		loginTypes                 = "The fields username and password must be strings."
	)
	// huge is a valid JSON object one byte over the 1 MiB limit: the size alone refuses it.
	huge := func(key string) ctRaw {
		head, tail := `{"`+key+`":"`, `"}`
		return ctRaw(head + strings.Repeat("x", 1<<20+1-len(head)-len(tail)) + tail)
	}
	// bodyRoutes are the routes that take a JSON object, one per family at least.
	bodyRoutes := []struct{ family, method, path, key string }{
		{"account", post, "/api/login", "username"},
		{"account", post, "/api/register", "name"},
		{"account", post, "/api/user/resend_email", "email"},
		{"account", put, "/api/user", "bio"},
		{"account", put, "/api/user/change_password", "new_password"},
		{"admin", post, "/api/admin/new", "user_id"},
		{"admin", post, "/api/admin/remove", "user_id"},
		{"relations", post, "/api/mentorship_relation/send_request", "notes"},
		{"tasks", post, "/api/mentorship_relation/1/task", "description"},
		{"comments", post, "/api/mentorship_relation/1/task/1/comment", "comment"},
		{"comments", put, "/api/mentorship_relation/1/task/1/comment/1", "comment"},
	}
	var cases []ctBad
	for _, r := range bodyRoutes {
		what := r.family + ": " + r.method + " " + r.path
		missing, notObj := noBody, notObject
		if r.path == "/api/login" {
			missing, notObj = loginTypes, loginTypes
		}
		cases = append(cases,
			ctBad{what + " without a body", r.method, r.path, nil, ctByBFF, 400, missing},
			ctBad{what + " with a body that is not JSON", r.method, r.path, ctRaw("description=hello&x=1"), ctByBFF, 400, notObj},
			ctBad{what + " with truncated JSON", r.method, r.path, ctRaw(`{"` + r.key + `": `), ctByBFF, 400, notObj},
			ctBad{what + " with a JSON array", r.method, r.path, ctRaw(`["` + r.key + `"]`), ctByBFF, 400, notObj},
			ctBad{what + " with a JSON string", r.method, r.path, ctRaw(`"` + r.key + `"`), ctByBFF, 400, notObj},
			ctBad{what + " with JSON null", r.method, r.path, ctRaw(`null`), ctByBFF, 400, notObj},
			ctBad{what + " with a body over 1 MiB", r.method, r.path, huge(r.key), ctByBFF, 413, tooLarge},
		)
	}
	cases = append(cases, []ctBad{
		// Wrong JSON types.
		{"account: login with a number for the username", post, "/api/login", map[string]any{"username": 5, "password": "x"}, ctByBFF, 400, loginTypes},
		{"account: login with a list for the password", post, "/api/login", map[string]any{"username": "mia_mentor", "password": []int{1}}, ctByBFF, 400, loginTypes},
		{"account: register with every field of the wrong type", post, "/api/register", map[string]any{"name": 5, "username": true,
			"password": []int{1}, "email": map[string]any{}, "terms_and_conditions_checked": "yes"}, ctByMS, 400, ""},
		{"account: change password with numbers", put, "/api/user/change_password", map[string]any{"current_password": 1, "new_password": 2}, ctByMS, 400, ""},
		{"account: update user with need_mentoring null", put, "/api/user", map[string]any{"need_mentoring": nil}, ctByMS, 400, "Field need_mentoring is not valid."},
		{"account: update user with need_mentoring \"yes\", which crashes MS, is refused at the edge", put, "/api/user", map[string]any{"need_mentoring": "yes"}, ctByBFF, 400,
			"The field need_mentoring must be true or false."},
		{"account: update user with an empty username is ignored by MS", put, "/api/user", map[string]any{"username": ""}, ctByMS, 200, "User was updated successfully."},
		{"account: update user with a number for the bio, which crashes MS, is refused at the edge", put, "/api/user", map[string]any{"bio": 5}, ctByBFF, 400,
			"The field bio must be a string."},
		{"account: resend email with a number, which crashes MS, is refused at the edge", post, "/api/user/resend_email", map[string]any{"email": 5}, ctByBFF, 400,
			"The field email must be a string."},
		{"account: a confirmation token over 1024 characters", get, "/api/user/confirm_email/" + strings.Repeat("t", 1025), nil, ctByBFF, 404, badID},
		{"admin: assign admin with a string id", post, "/api/admin/new", map[string]any{"user_id": "2"}, ctByMS, 400, ""},
		{"admin: assign admin with a fractional id", post, "/api/admin/new", map[string]any{"user_id": 2.5}, ctByMS, 400, ""},
		{"admin: revoke admin with a boolean id", post, "/api/admin/remove", map[string]any{"user_id": true}, ctByMS, 400, ""},
		{"relations: send request with strings for every field", post, "/api/mentorship_relation/send_request",
			map[string]any{"mentor_id": "a", "mentee_id": "b", "end_date": "c", "notes": 1}, ctByBFF, 400, "The field end_date must be a number of Unix seconds."},
		{"relations: send request with a string end date, which crashes MS, is refused at the edge", post, "/api/mentorship_relation/send_request",
			map[string]any{"mentor_id": miaID, "mentee_id": maxID, "end_date": "soon", "notes": "n"}, ctByBFF, 400, "The field end_date must be a number of Unix seconds."},
		{"relations: send request with ids of the wrong types", post, "/api/mentorship_relation/send_request",
			map[string]any{"mentor_id": miaID, "mentee_id": "max", "end_date": 1.9e9, "notes": "n"}, ctByBFF, 400, "The field mentee_id must be an integer."},
		{"relations: a body on a route that takes none is not forwarded", put, "/api/mentorship_relation/9999/accept", ctRaw("not json"), ctByMS, 404,
			"This mentorship relation request does not exist."},
		{"relations: an unknown relation_state", get, "/api/mentorship_relations?relation_state=sideways", nil, ctByMS, 400, ""},
		{"users: paging parameters that are not integers fall back to the defaults", get, "/api/users?page=x&per_page=-", nil, ctByMS, 200, ""},
		{"comments: a comment that is a number", post, "/api/mentorship_relation/1/task/1/comment", map[string]any{"comment": 5}, ctByMS, 400, "Comment must be in string format."},
		{"comments: a comment that is null", put, "/api/mentorship_relation/1/task/1/comment/1", map[string]any{"comment": nil}, ctByMS, 400, "Comment must be in string format."},
		{"tasks: a task description that is not a string is refused at the edge", post, "/api/mentorship_relation/1/task",
			map[string]any{"description": 5}, ctByBFF, 400, "The field description must be a string."},
		{"users: a GET with a body over 1 MiB", get, "/api/users", huge("q"), ctByBFF, 413, tooLarge},

		// Ids that are not positive integers.
		{"users: a user id that is a word", get, "/api/users/abc", nil, ctByBFF, 404, badID},
		{"users: a negative user id", get, "/api/users/-1", nil, ctByBFF, 404, badID},
		{"users: a fractional user id", get, "/api/users/1.5", nil, ctByBFF, 404, badID},
		{"users: a user id of twenty digits", get, "/api/users/99999999999999999999", nil, ctByBFF, 404, badID},
		{"relations: accept with a word for the id", put, "/api/mentorship_relation/abc/accept", nil, ctByBFF, 404, badID},
		{"relations: reject with an exponent for the id", put, "/api/mentorship_relation/1e3/reject", nil, ctByBFF, 404, badID},
		{"relations: cancel with a hexadecimal id", put, "/api/mentorship_relation/0x1/cancel", nil, ctByBFF, 404, badID},
		{"relations: delete with a word for the id", del, "/api/mentorship_relation/first", nil, ctByBFF, 404, badID},
		{"tasks: list tasks of a word", get, "/api/mentorship_relation/one/tasks", nil, ctByBFF, 404, badID},
		{"tasks: complete a task with a word for the task id", put, "/api/mentorship_relation/1/task/x/complete", nil, ctByBFF, 404, badID},
		{"tasks: delete a task with a space in the id", del, "/api/mentorship_relation/1/task/1%202", nil, ctByBFF, 404, badID},
		{"comments: edit a comment with a word for the id", put, "/api/mentorship_relation/1/task/1/comment/zz", map[string]any{"comment": "x"}, ctByBFF, 404, badID},
		{"comments: delete a comment with a signed id", del, "/api/mentorship_relation/1/task/1/comment/+1", nil, ctByBFF, 404, badID},
		{"comments: list comments of a word task", get, "/api/mentorship_relation/1/task/two/comments", nil, ctByBFF, 404, badID},

		// Unknown paths.
		{"unknown: a path under /api that is no route", get, "/api/nope", nil, ctByBFF, 404, noRoute},
		{"unknown: a write to a path that is no route", post, "/api/nope", map[string]any{}, ctByBFF, 404, noRoute},
		{"unknown: a route with a segment too many", get, "/api/users/1/extra", nil, ctByBFF, 404, noRoute},
		{"unknown: a comment route with a segment too many", get, "/api/mentorship_relation/1/task/1/comment/1/extra", nil, ctByBFF, 404, noRoute},
		{"unknown: routes are case-sensitive", get, "/api/USERS", nil, ctByBFF, 404, noRoute},
		{"unknown: a relation path without an id", get, "/api/mentorship_relation", nil, ctByBFF, 404, noRoute},
		{"unknown: a path outside /api", get, "/nope", nil, ctByBFF, 404, ""},

		// Wrong methods.
		{"account: GET on login", get, "/api/login", nil, ctByBFF, 405, badMethod},
		{"account: PATCH on user", patch, "/api/user", map[string]any{"bio": "x"}, ctByBFF, 405, badMethod},
		{"account: DELETE on register", del, "/api/register", nil, ctByBFF, 405, badMethod},
		{"account: POST on a confirmation link", post, "/api/user/confirm_email/abc", nil, ctByBFF, 405, badMethod},
		{"users: POST on users", post, "/api/users", map[string]any{}, ctByBFF, 405, badMethod},
		{"users: DELETE on home", del, "/api/home", nil, ctByBFF, 405, badMethod},
		{"users: PUT on dashboard", put, "/api/dashboard", map[string]any{}, ctByBFF, 405, badMethod},
		{"admin: GET on assign admin", get, "/api/admin/new", nil, ctByBFF, 405, badMethod},
		{"admin: DELETE on admins", del, "/api/admins", nil, ctByBFF, 405, badMethod},
		{"relations: POST on the relation list", post, "/api/mentorship_relations", map[string]any{}, ctByBFF, 405, badMethod},
		{"relations: GET on one relation", get, "/api/mentorship_relation/1", nil, ctByBFF, 405, badMethod},
		{"relations: POST on accept", post, "/api/mentorship_relation/1/accept", nil, ctByBFF, 405, badMethod},
		{"tasks: GET on create task", get, "/api/mentorship_relation/1/task", nil, ctByBFF, 405, badMethod},
		{"tasks: PATCH on complete", patch, "/api/mentorship_relation/1/task/1/complete", nil, ctByBFF, 405, badMethod},
		{"comments: GET on one comment", get, "/api/mentorship_relation/1/task/1/comment/1", nil, ctByBFF, 405, badMethod},
		{"comments: DELETE on the comment list", del, "/api/mentorship_relation/1/task/1/comments", nil, ctByBFF, 405, badMethod},
	}...)

	var passed5xx []string
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := ctTotalCalls(s)
			a := mia.do(t, tc.method, tc.path, tc.body)
			msCalls := ctTotalCalls(s) - before
			if a.status != tc.status {
				t.Errorf("status %d, want %d: %s", a.status, tc.status, a.body)
			}
			if !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
				t.Errorf("Content-Type %q, want JSON", a.header.Get("Content-Type"))
			}
			switch tc.by {
			case ctByBFF:
				if a.msCalled || msCalls != 0 {
					t.Errorf("MS was called (%d calls); the BFF should have refused this itself", msCalls)
				}
				if !a.isMessage() {
					t.Errorf("body %s, want {\"message\": ...}", a.body)
				}
				if a.status >= 500 {
					t.Errorf("a 5xx from the BFF itself: %s", a.body)
				}
				if a.status == http.StatusMethodNotAllowed && a.header.Get("Allow") == "" {
					t.Errorf("405 without an Allow header")
				}
			case ctByMS:
				if !a.msCalled {
					t.Errorf("MS was not called; the BFF answered %s", a.body)
				}
				// do has checked that the answer is MS's own, unchanged.
				if a.status >= 500 {
					passed5xx = append(passed5xx, tc.method+" "+tc.path+" "+string(ctJSON(tc.body)))
				}
			}
			if tc.msg != "" && a.message() != tc.msg {
				t.Errorf("message %q, want %q", a.message(), tc.msg)
			}
			if a.status < 400 && tc.by == ctByBFF {
				t.Errorf("the BFF let a malformed request through: %v", a)
			}
			if tc.by == ctByMS && tc.msg == "" && a.status >= 400 {
				var v any
				if json.Unmarshal(a.body, &v) != nil {
					t.Errorf("MS's answer is not JSON: %s", a.body)
				}
			}
		})
	}
	// A body declared over the limit is refused from its headers: the BFF reads no more of it than fasthttp's
	// first 8 KiB (none at all under Expect: 100-continue, see the handlers' wire tests), answers 413 JSON, and
	// closes the connection. Sent on a raw connection that declares 3 MiB and sends only the first 8 KiB.
	t.Run("account: a body declared over the limit is refused with 413 JSON after at most 8 KiB of it", func(t *testing.T) {
		conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		before := ctTotalCalls(s)
		fmt.Fprintf(conn, "POST /api/register HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
			strings.TrimPrefix(s.url, "http://"), 3<<20, strings.Repeat("x", 8<<10))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("no answer: %v", err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		a := ctAnswer{status: resp.StatusCode, header: resp.Header, body: body}
		if a.status != http.StatusRequestEntityTooLarge || !a.isMessage() || a.message() != tooLarge ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("answer %v (%s)", a, resp.Header.Get("Content-Type"))
		}
		if ctTotalCalls(s) != before {
			t.Error("MS was called")
		}
	})
	t.Logf("MS 500s passed through unchanged (MS crashes on these, docs/MS.md#known-500s-and-the-edge-checks): %d\n  %s", len(passed5xx), strings.Join(passed5xx, "\n  "))
}

// ctTotalCalls is how many requests reached any emulator route.
func ctTotalCalls(s *ctStack) int64 {
	var n int64
	for _, c := range s.ms.CallCounts() {
		n += c
	}
	return n
}

func ctJSON(v any) []byte {
	switch b := v.(type) {
	case nil:
		return nil
	case ctRaw:
		return []byte(b)
	}
	out, _ := json.Marshal(v)
	return out
}
