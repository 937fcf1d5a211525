package emulator

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestRoutingAnswersLikeFlask(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	t.Run("there are 34 routes", func(t *testing.T) {
		if n := len(h.srv.Routes()); n != 34 {
			t.Fatalf("%d routes: %v", n, h.srv.Routes())
		}
	})
	t.Run("an unknown path is Flask's HTML 404", func(t *testing.T) {
		r := h.do("GET", "/nope", "", nil)
		if r.status != 404 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "<title>404 Not Found</title>") {
			t.Fatalf("got %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
		}
	})
	t.Run("a non-integer id does not match the route", func(t *testing.T) {
		expectStatus(t, h.do("GET", "/users/me", "mentoruser", nil), 404)
	})
	t.Run("a wrong method is a JSON 405 with Allow", func(t *testing.T) {
		r := h.do("PATCH", "/user", "", nil)
		expect(t, r, 405, msgMethodNotAllowed)
		if got := r.header.Get("Allow"); got != "DELETE, GET, HEAD, OPTIONS, PUT" {
			t.Fatalf("Allow %q", got)
		}
	})
	t.Run("a trailing slash is optional", func(t *testing.T) {
		expectStatus(t, h.do("GET", "/user/", "mentoruser", nil), 200)
		expectStatus(t, h.do("GET", "/mentorship_relations/pending/", "mentoruser", nil), 200)
	})
	t.Run("OPTIONS is answered without a token", func(t *testing.T) {
		r := h.do("OPTIONS", "/login", "", nil)
		if r.status != 200 || r.header.Get("Allow") != "OPTIONS, POST" {
			t.Fatalf("got %d Allow %q", r.status, r.header.Get("Allow"))
		}
	})
	t.Run("JSON is written the way Python writes it", func(t *testing.T) {
		r := h.do("POST", "/login", "", map[string]any{"password": "x"})
		if string(r.body) != "{\"message\": \"The field username is missing.\"}\n" || r.header.Get("Content-Type") != "application/json" {
			t.Fatalf("got %q %q", r.body, r.header.Get("Content-Type"))
		}
		expectStatus(t, h.do("PUT", "/user", "menteeuser", map[string]any{"bio": "Olá 🌍 <b>"}), 200)
		if r := h.do("GET", "/user", "menteeuser", nil); !strings.Contains(string(r.body), `"bio": "Ol\u00e1 \ud83c\udf0d <b>"`) {
			t.Fatalf("non-ASCII not escaped as json.dumps does: %s", r.body)
		}
	})
	t.Run("calls are counted per route pattern", func(t *testing.T) {
		before := h.srv.Calls("PUT /mentorship_relation/{request_id}/accept")
		h.do("PUT", "/mentorship_relation/5/accept/", "mentoruser", nil)
		h.do("PUT", "/mentorship_relation/6/accept", "", nil)
		if got := h.srv.Calls("PUT /mentorship_relation/{request_id}/accept") - before; got != 2 {
			t.Fatalf("counted %d", got)
		}
		if h.srv.Calls("PUT /mentorship_relation/1/accept") != h.srv.Calls("PUT /mentorship_relation/{request_id}/accept") {
			t.Fatal("a concrete path does not name its route's counter")
		}
		if h.srv.CallCounts()["POST /login"] == 0 || h.srv.Calls("GET /nope") != 0 {
			t.Fatalf("counts %v", h.srv.CallCounts())
		}
	})
}

func TestFaults(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.access("mentoruser")
	t.Run("a fault status replaces every answer and is counted", func(t *testing.T) {
		h.srv.SetFault(Fault{Status: 500})
		before := h.srv.Calls("GET /user")
		expect(t, h.do("GET", "/user", "mentoruser", nil), 500, msgInternal)
		expect(t, h.do("POST", "/register", "", registration("faultuser", "f@example.org")), 500, msgInternal)
		if h.srv.Calls("GET /user") != before+1 {
			t.Fatal("faulted call not counted")
		}
		expect(t, h.do("GET", "/no/such/path", "", nil), 500, msgInternal)
		h.srv.SetFault(Fault{Status: 503})
		expect(t, h.do("GET", "/user", "mentoruser", nil), 503, "Service Unavailable")
		h.srv.SetFault(Fault{})
		expectStatus(t, h.do("GET", "/user", "mentoruser", nil), 200)
		expect(t, h.do("POST", "/login", "", map[string]any{"username": "faultuser", "password": "faultuser-pass"}), 401, "Username or password is wrong.")
	})
	t.Run("a delay holds the answer back", func(t *testing.T) {
		h.srv.SetFault(Fault{Delay: 30 * time.Millisecond})
		defer h.srv.SetFault(Fault{})
		start := time.Now()
		expectStatus(t, h.do("GET", "/user", "mentoruser", nil), 200)
		if d := time.Since(start); d < 30*time.Millisecond {
			t.Fatalf("answered after %v", d)
		}
	})
	t.Run("a delayed answer stops when the client goes away", func(t *testing.T) {
		h.srv.SetFault(Fault{Delay: time.Hour})
		defer h.srv.SetFault(Fault{})
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		req := httptest.NewRequest("GET", "/user", nil).WithContext(ctx)
		done := make(chan struct{})
		go func() { h.srv.ServeHTTP(httptest.NewRecorder(), req); close(done) }()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			t.Fatal("delay ignored the request context")
		}
	})
}

func TestBodiesMSCannotRead(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cases := []struct {
		name, method, path, caller string
		body                       any
		status                     int
		message                    string
	}{
		{"invalid JSON on send_request is a bad request", "POST", "/mentorship_relation/send_request", "menteeuser", raw("{"), 400, msgBadRequest},
		{"an empty JSON body is a bad request", "POST", "/login", "", raw(""), 400, msgBadRequest},
		{"a JSON array on login crashes MS", "POST", "/login", "", raw(`[1]`), 500, msgInternal},
		{"a form body on create task crashes MS", "POST", "/mentorship_relation/1/task", "menteeuser", noJSON("description=x"), 500, msgInternal},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { expect(t, h.do(tc.method, tc.path, tc.caller, tc.body), tc.status, tc.message) })
	}
	for _, ct := range []string{"application/json; charset=utf-8", "application/vnd.api+json", "Application/JSON"} {
		t.Run("the content type "+ct+" is read as JSON", func(t *testing.T) {
			req := httptest.NewRequest("POST", "/login", strings.NewReader(`{"username":"mentoruser","password":"mentorpass1"}`))
			req.Header.Set("Content-Type", ct)
			rec := httptest.NewRecorder()
			h.srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("got %d %s", rec.Code, rec.Body)
			}
		})
	}
}

func TestPythonValueHelpers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   string
		want string
	}{
		{"an integer is itself", `5`, `5`},
		{"a float keeps its fraction", `1.5`, `1.5`},
		{"an integral float shows .0", `1e3`, `1000.0`},
		{"a string is single-quoted", `"a'b\"c"`, `'a\'b"c'`},
		{"a string with only single quotes is double-quoted", `"it's"`, `"it's"`},
		{"null is None", `null`, `None`},
		{"a list and an object are Python literals", `[true, {"b": 1, "a": "x"}]`, `[True, {'a': 'x', 'b': 1}]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := decodeJSON([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := pyRepr(v); got != tc.want {
				t.Fatalf("pyRepr(%s) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{{" 7 ", 7, true}, {"+3", 3, true}, {"-2", -2, true}, {"1_000", 1000, true}, {"1__0", 0, false}, {"x", 0, false}, {"", 0, false}, {"2.0", 0, false}} {
		if got, ok := pyInt(tc.in); got != tc.want || ok != tc.ok {
			t.Errorf("pyInt(%q) = %d, %v", tc.in, got, ok)
		}
	}
}
