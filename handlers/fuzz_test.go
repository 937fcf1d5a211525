package handlers

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

// FuzzRequest sends arbitrary requests (method, path, query, body, cookie, Authorization, Origin, X-CSRF) through
// the whole Fiber handler. Whatever a client sends, the BFF itself must never answer 500 (a panic would be
// recovered into one); MS here always answers 200, so any 5xx other than MS trouble (502) is the BFF's own.
func FuzzRequest(f *testing.F) {
	ms := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"message": "ok"}`))
	}))
	f.Cleanup(ms.Close)
	s := newStack(f, stackOpts{msURL: ms.URL, origins: []string{"http://app.example.test"}, bit: true})
	// A real cookie from a stack whose MS is the emulator, sealed with the same key.
	real := newStack(f, stackOpts{})
	rc := real.newClient()
	rc.mustLogin(emulator.LoadUsers(1)[0])
	cookie := rc.cookieValue()
	h := s.bff.App().Handler()

	f.Add(uint8(0), "/api/user", "", []byte(nil), cookie, "", "", true)
	f.Add(uint8(1), "/api/user", "", []byte(`{"bio":"x"}`), cookie, "", "http://app.example.test", true)
	f.Add(uint8(2), "/api/login", "", []byte(`{"username":"a","password":"b"}`), "", "", "", false)
	f.Add(uint8(3), "/api/mentorship_relation/1/task/2/comment/3", "", []byte(`{"comment":"hi"}`), cookie, "", "null", true)
	f.Add(uint8(4), "/api/user/confirm_email/%zz", "a=%", []byte(nil), "", "Bearer a.b.c", "", false)
	f.Add(uint8(5), "/api/users/verified", "search=%25&page=x", []byte(nil), "garbage", "Basic x", "", false)
	f.Add(uint8(6), "/../api//user/./", "", []byte("[]"), cookie[:len(cookie)/2], "", "", true)
	f.Add(uint8(7), "/api/refresh", "", []byte(nil), cookie, "Bearer", "https://evil.example", true)
	// BridgeInTech's own routes, served from the database.
	f.Add(uint8(2), "/api/user/additional_info", "", []byte(`{"is_organization_rep":true,"timezone":"GMT0","phone":"1","mobile":"","personal_website":""}`), cookie, "", "", true)
	f.Add(uint8(2), "/api/user/personal_background", "", []byte(`{"gender":"Female","is_public":null}`), cookie, "", "", true)
	f.Add(uint8(2), "/api/organization", "", []byte(`{"name":"`+strings.Repeat("x", 200)+`","email":7}`), cookie, "", "", true)
	f.Add(uint8(1), "/api/organizations/1/programs/program", "", []byte(`{"program_name":"p","start_date":"2026-13-01 99:00","end_date":[],"payment_amount":1e400}`), cookie, "", "", true)
	f.Add(uint8(2), "/api/organizations/01/programs/1", "", []byte(`{"target_skills":[1,null]}`), cookie, "", "", true)
	f.Add(uint8(0), "/api/organizations", "name=%25_&page=-9&per_page=99999999999999999999", []byte(nil), cookie, "", "", false)
	f.Add(uint8(0), "/api/users/1/personal_background", "", []byte(nil), "", "Bearer e30.e30.", "", false)
	f.Add(uint8(0), "/api/organization", "", []byte(nil), cookie, "", "", false)
	// Issue 17's paths: a programs page, a list past its limit, text refusals, look-alike names.
	f.Add(uint8(0), "/api/organizations/1/programs", "page=99999999999999999999&per_page=-1", []byte(nil), cookie, "", "", false)
	f.Add(uint8(1), "/api/organizations/1/programs/program", "", []byte(`{"tags":[`+strings.Repeat(`"a",`, 150)+`{}]}`), cookie, "", "", true)
	f.Add(uint8(2), "/api/organization", "", []byte(`{"name":"Acme\u202e\u200b","website":"javascript:x","phone":" \u2028 "}`), cookie, "", "", true)
	f.Add(uint8(2), "/api/user/additional_info", "", []byte(`{"na\u006de":"\ud800","timezone":"GMT0","personal_website":"\u001b"}`), cookie, "", "", true)

	methods := []string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"}
	f.Fuzz(func(t *testing.T, m uint8, path, query string, body []byte, ck, auth, origin string, csrf bool) {
		var ctx fasthttp.RequestCtx
		ctx.Request.Header.SetMethod(methods[int(m)%len(methods)])
		uri := "/" + strings.TrimLeft(path, "/")
		if query != "" {
			uri += "?" + query
		}
		ctx.Request.SetRequestURI(uri)
		ctx.Request.Header.Set("Host", "127.0.0.1")
		if ck != "" {
			ctx.Request.Header.Set("Cookie", "bit_session="+ck)
		}
		if auth != "" {
			ctx.Request.Header.Set("Authorization", auth)
		}
		if origin != "" {
			ctx.Request.Header.Set("Origin", origin)
		}
		if csrf {
			ctx.Request.Header.Set("X-CSRF", "1")
		}
		if len(body) > 0 {
			ctx.Request.Header.SetContentType("application/json")
			ctx.Request.SetBody(body)
		}
		h(&ctx)
		status := ctx.Response.StatusCode()
		if status == http.StatusInternalServerError || status == 0 {
			t.Fatalf("%s %q answered %d: %s", ctx.Request.Header.Method(), uri, status, ctx.Response.Body())
		}
		if status >= 400 && status != http.StatusMethodNotAllowed && !ctx.Request.Header.IsHead() {
			if ct := string(ctx.Response.Header.ContentType()); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("%q answered %d with content type %q", uri, status, ct)
			}
		}
	})
}
