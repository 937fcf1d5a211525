package handlers

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

// The field-type table and the routing table describe the same routes: every route that takes a JSON body has
// its fields' types, and every line of types names such a route.
func TestEveryBodyRouteHasItsFieldTypes(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, r := range msRoutes {
		key := r.method + " " + r.path
		_, typed := bodyFields[key]
		if (r.body == bodyObject) != typed {
			t.Errorf("%s: takes a body %v, has field types %v", key, r.body == bodyObject, typed)
		}
		seen[key] = true
	}
	for key := range bodyFields {
		if !seen[key] {
			t.Errorf("field types for %s, which is no route", key)
		}
	}
}

func TestFieldTypesAreCheckedAsTheContractSays(t *testing.T) {
	t.Parallel()
	route := func(key string) msRoute {
		method, path, _ := strings.Cut(key, " ")
		r, ok := lookupRoute(method, path)
		if !ok {
			t.Fatalf("no route %s", key)
		}
		return r
	}
	for _, tc := range []struct {
		name, route, body string
		ok                bool
		msg               string
	}{
		{"a string where a string is wanted passes", "POST /user/resend_email", `{"email":"a@b.co"}`, true, ""},
		{"null passes, for MS to call it missing", "POST /user/resend_email", `{"email":null}`, true, ""},
		{"unknown keys pass, as MS ignores them", "POST /user/resend_email", `{"x":[1],"email":"a@b.co"}`, true, ""},
		{"a number for a string is refused by name", "POST /user/resend_email", `{"email":1}`, false, "The field email must be a string."},
		{"the last of repeated keys is judged, as Python keeps it", "POST /user/resend_email", `{"email":"a@b.co","email":1}`, false, "The field email must be a string."},
		{"a string for a boolean is refused", "PUT /user", `{"need_mentoring":"yes"}`, false, "The field need_mentoring must be true or false."},
		{"0 for a boolean is refused", "PUT /user", `{"available_to_mentor":0}`, false, "The field available_to_mentor must be true or false."},
		{"the first wrong field in name order is named", "PUT /user", `{"skills":1,"bio":2}`, false, "The field bio must be a string."},
		{"an integer id passes", "POST /admin/new", `{"user_id":7}`, true, ""},
		{"a fractional id is refused", "POST /admin/new", `{"user_id":2.5}`, false, "The field user_id must be an integer."},
		{"an exponent id is refused", "POST /admin/remove", `{"user_id":1e3}`, false, "The field user_id must be an integer."},
		{"an id beyond int64 is refused", "POST /admin/remove", `{"user_id":99999999999999999999}`, false, "The field user_id must be an integer."},
		{"a fractional end date passes", "POST /mentorship_relation/send_request", `{"end_date":1.9e9}`, true, ""},
		{"an end date beyond time_t is refused", "POST /mentorship_relation/send_request", `{"end_date":1e19}`, false, "The field end_date must be a number of Unix seconds."},
		{"an end date beyond float64 is refused", "POST /mentorship_relation/send_request", `{"end_date":1e400}`, false, "The field end_date must be a number of Unix seconds."},
		{"a string end date is refused", "POST /mentorship_relation/send_request", `{"end_date":"soon"}`, false, "The field end_date must be a number of Unix seconds."},
		{"an object comment is refused", "POST /mentorship_relation/:relation_id/task/:task_id/comment", `{"comment":{}}`, false, "The field comment must be a string."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg, ok := checkFieldTypes(route(tc.route), []byte(tc.body))
			if ok != tc.ok || msg != tc.msg {
				t.Fatalf("checkFieldTypes = %q, %v; want %q, %v", msg, ok, tc.msg, tc.ok)
			}
		})
	}
}

// Every wrong type MS answers with a 500 (docs/MS.md#known-500s-and-the-edge-checks; the emulator follows it) is refused at the edge
// with 400 naming the field, and MS never sees it: first the case is shown to crash MS, then the BFF refuses it.
func TestMSCrashesOnWrongTypesNeverHappen(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{})
	u := emulator.LoadUsers(1)[0]
	access, _ := s.msLogin(u)
	c := s.newClient()
	c.mustLogin(u)
	for _, tc := range []struct {
		name, method, path, body, field string
		anonymous                       bool
	}{
		{"resend email with a number", http.MethodPost, "/user/resend_email", `{"email": 1}`, "email", true},
		{"resend email with a list", http.MethodPost, "/user/resend_email", `{"email": ["a@b.co"]}`, "email", true},
		{"update user with a number for the bio", http.MethodPut, "/user", `{"bio": 5}`, "bio", false},
		{"update user with a number for the name", http.MethodPut, "/user", `{"name": 5}`, "name", false},
		{"update user with true for the username", http.MethodPut, "/user", `{"username": true}`, "username", false},
		{"update user with an object for the location", http.MethodPut, "/user", `{"location": {"a": 1}}`, "location", false},
		{"update user with a number for the resume url", http.MethodPut, "/user", `{"resume_url": 5}`, "resume_url", false},
		{"update user with a list for the photo url", http.MethodPut, "/user", `{"photo_url": [1]}`, "photo_url", false},
		{"update user with a string for need_mentoring", http.MethodPut, "/user", `{"need_mentoring": "yes"}`, "need_mentoring", false},
		{"update user with a string for available_to_mentor", http.MethodPut, "/user", `{"available_to_mentor": "no"}`, "available_to_mentor", false},
		{"send request with a string end date", http.MethodPost, "/mentorship_relation/send_request",
			`{"mentor_id": 1, "mentee_id": 2, "end_date": "soon", "notes": "n"}`, "end_date", false},
		{"send request with an end date beyond time_t", http.MethodPost, "/mentorship_relation/send_request",
			`{"mentor_id": 1, "mentee_id": 2, "end_date": 1e19, "notes": "n"}`, "end_date", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, s.msURL+tc.path, bytes.NewReader([]byte(tc.body)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+access)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusInternalServerError {
				t.Fatalf("MS answered %d directly; this case is not one of its 500s", resp.StatusCode)
			}
			who := c
			if tc.anonymous {
				who = s.newClient()
			}
			before := s.ms.Calls(tc.method + " " + tc.path)
			a := who.do(tc.method, "/api"+tc.path, json.RawMessage(tc.body))
			if a.Status != http.StatusBadRequest || !strings.Contains(a.message(t), "The field "+tc.field+" must be") {
				t.Fatalf("BFF answered %d %s, want 400 naming %s", a.Status, a.Body, tc.field)
			}
			if s.ms.Calls(tc.method+" "+tc.path) != before {
				t.Fatal("the wrongly typed body reached MS")
			}
		})
	}
}

// On the routes where MS checks types itself, a wrongly typed field reaches MS and MS answers 400 naming it
// (never 500): the edge has nothing to add there.
func TestMSTypeCheckedRoutesGetMSsOwn400(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	paths := map[string]string{
		"POST /mentorship_relation/:relation_id/task/:task_id/comment":            "/mentorship_relation/1/task/1/comment",
		"PUT /mentorship_relation/:relation_id/task/:task_id/comment/:comment_id": "/mentorship_relation/1/task/1/comment/1",
	}
	for key := range msTypeChecked {
		t.Run(key, func(t *testing.T) {
			method, path, _ := strings.Cut(key, " ")
			if p, ok := paths[key]; ok {
				path = p
			}
			wrong := map[string]any{}
			for field, typ := range bodyFields[key] {
				if typ == fieldString {
					wrong[field] = 5
				} else {
					wrong[field] = "5"
				}
			}
			route := method + " " + path
			before := s.ms.Calls(route)
			a := c.do(method, "/api"+path, wrong)
			if a.Status != http.StatusBadRequest || s.ms.Calls(route) != before+1 {
				t.Fatalf("%d %s (MS calls %d -> %d), want MS's own 400", a.Status, a.Body, before, s.ms.Calls(route))
			}
		})
	}
}
