package emulator

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzAuthorizationHeader: any header gets 200 or one of the three 401 answers, never a panic.
func FuzzAuthorizationHeader(f *testing.F) {
	h := newHarness(f)
	good := "Bearer " + h.access("mentoruser")
	for _, seed := range []string{"", "Bearer", good, good + ", Basic x", "Bearer a.b.c", "Bearer e30.e30.", "bearer x"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		req := httptest.NewRequest("GET", "/user", nil)
		req.Header["Authorization"] = []string{header}
		rec := httptest.NewRecorder()
		h.srv.ServeHTTP(rec, req)
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("answer %q is not JSON", rec.Body)
		}
		switch msg, _ := m["message"].(string); {
		case rec.Code == 200:
		case rec.Code == 401 && (msg == msgTokenMissing || msg == msgTokenInvalid || msg == msgTokenExpired):
		default:
			t.Fatalf("header %q: %d %s", header, rec.Code, rec.Body)
		}
	})
}

// FuzzRequestBody: any body on any body-reading route gets a JSON answer, never a panic.
func FuzzRequestBody(f *testing.F) {
	h := newHarness(f)
	tok := "Bearer " + h.access("mentoruser")
	for _, seed := range []string{"", "{", "null", "[]", `"mentor_id end_date notes mentee_id"`, `{"username": 5}`,
		`{"bio": [1], "need_mentoring": 2}`, `{"mentor_id": 2, "mentee_id": 3, "end_date": 1e300, "notes": null}`,
		`{"comment": "x", "description": {}}`, `{"user_id": 1e400}`, `{"name": "\u00e9"}`} {
		f.Add(seed)
	}
	paths := []struct{ method, path string }{
		{"POST", "/login"}, {"POST", "/register"}, {"POST", "/user/resend_email"}, {"PUT", "/user"},
		{"PUT", "/user/change_password"}, {"POST", "/admin/new"}, {"POST", "/mentorship_relation/send_request"},
		{"POST", "/mentorship_relation/1/task"}, {"POST", "/mentorship_relation/1/task/1/comment"},
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, p := range paths {
			req := httptest.NewRequest(p.method, p.path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", tok)
			rec := httptest.NewRecorder()
			h.srv.ServeHTTP(rec, req)
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("%s %s with %q: answer %q is not JSON", p.method, p.path, body, rec.Body)
			}
		}
	})
}
