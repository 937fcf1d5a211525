package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// legacyBundle behaves as the unmodified BridgeInTech web app does with its tokens: at login it keeps the body's
// access_token (and access_expiry, and the username) in cookies that JavaScript can read, and every call sends
// that value as Authorization: Bearer, with fetch's default credentials (same origin) and no X-CSRF.
const legacyBundle = `(function () {
	function cookie(name) {
		var m = document.cookie.split("; ").find(function (c) { return c.indexOf(name + "=") === 0; });
		return m ? decodeURIComponent(m.slice(name.length + 1)) : "";
	}
	async function call(method, path, body) {
		var init = {method: method, headers: {"Accept": "application/json", "Content-Type": "application/json",
			"Authorization": "Bearer " + cookie("access_token")}};
		if (body !== undefined) { init.body = JSON.stringify(body); }
		var r = await fetch("/api" + path, init);
		var text = await r.text();
		return {status: r.status, body: text};
	}
	async function login(username, password) {
		var r = await fetch("/api/login", {method: "POST", headers: {"Content-Type": "application/json"},
			body: JSON.stringify({username: username, password: password})});
		var data = await r.json();
		document.cookie = "access_token=" + encodeURIComponent(data.access_token) + "; path=/";
		document.cookie = "access_expiry=" + encodeURIComponent(data.access_expiry) + "; path=/";
		document.cookie = "user=" + encodeURIComponent(username) + "; path=/";
		return r.status;
	}
	window.legacy = {call: call, login: login, cookie: cookie};
	document.getElementById("root").dataset.rendered = "yes";
})();
`

// writeLegacyBuild writes a CRA-like build of the legacy client into a new folder and returns it.
func writeLegacyBuild(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"index.html": `<!doctype html><html lang="en"><head><meta charset="utf-8"/><title>legacy client</title></head>` +
			`<body><div id="root"></div><script src="/static/js/main.1a2b3c4d.chunk.js"></script></body></html>`,
		"static/js/main.1a2b3c4d.chunk.js": legacyBundle,
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// jwtShape is what a JWT (an MS token) looks like wherever it hides: three base64url parts, the first a JSON
// object ("eyJ").
var jwtShape = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`)

// testALegacyClientNeverHoldsAUsableToken drives the legacy client in Chromium against a BFF with
// EXPOSE_TOKENS=true: every page's calls work with the stored value and the browser's cookie; nothing JavaScript
// can read is a JWT; the stored value alone gets 401; beside another user's cookie it never acts as either user;
// after logout, and after "sign out everywhere", it gets 401 even with a copy of the old session cookie.
func testALegacyClientNeverHoldsAUsableToken(t *testing.T, browser context.Context) {
	ms := startMS(t)
	bff := startBFF(t, ms, testSessionKey, "STATIC_DIR="+writeLegacyBuild(t), "EXPOSE_TOKENS=true")
	base := bff.url()
	tb := newTab(t, browser, "legacy")
	tb.navigate(base + "/")
	tb.waitJS(`document.getElementById("root").dataset.rendered === "yes"`)

	login := func(user, pass string) {
		t.Helper()
		if st := evalJS[int](tb, `window.legacy.login(`+jsLit(user)+`, `+jsLit(pass)+`)`); st != http.StatusOK {
			t.Fatalf("legacy login of %s: %d", user, st)
		}
	}
	login("loaduser1", "loadpass1")
	handle := evalJS[string](tb, `window.legacy.cookie("access_token")`)
	if !strings.HasPrefix(handle, "bith_") {
		t.Fatalf("the stored access_token is %q, want a handle", handle)
	}
	if dc := evalJS[string](tb, `document.cookie`); jwtShape.MatchString(dc) {
		t.Fatalf("document.cookie holds a JWT: %q", dc)
	}
	if ls := evalJS[string](tb, `JSON.stringify(Object.assign({}, localStorage, sessionStorage))`); jwtShape.MatchString(ls) {
		t.Fatalf("web storage holds a JWT: %q", ls)
	}

	// Every page of the web app: the calls it makes, with the stored value as Bearer and no X-CSRF.
	org := map[string]any{"representative_department": "Outreach", "name": "Legacy Org", "email": "legacy@example.org",
		"about": "", "address": "", "website": "https://legacy.example.org", "timezone": "GMT0", "phone": "+1 555 0100", "status": "Publish"}
	pages := []struct {
		method, path string
		body         any
		want         []int
	}{
		{"GET", "/user/personal_details", nil, []int{200}},
		{"PUT", "/user/personal_details", map[string]any{"bio": "legacy", "need_mentoring": true}, []int{200}},
		{"GET", "/users", nil, []int{200}},
		{"GET", "/user/additional_info", nil, []int{200, 404}},
		{"PUT", "/user/additional_info", map[string]any{"is_organization_rep": true, "timezone": "GMT0", "phone": "", "mobile": "", "personal_website": ""}, []int{200, 201}},
		{"GET", "/user/additional_info", nil, []int{200}},
		{"GET", "/user/personal_background", nil, []int{200, 404}},
		{"PUT", "/organization", org, []int{200, 201}},
		{"GET", "/organization", nil, []int{200}},
		{"GET", "/organizations", nil, []int{200}},
		{"GET", "/dashboard", nil, []int{200}},
	}
	for _, p := range pages {
		expr := `window.legacy.call(` + jsLit(p.method) + `, ` + jsLit(p.path)
		if p.body != nil {
			expr += `, ` + jsLit(p.body)
		}
		expr += `)`
		got := evalJS[struct {
			Status int    `json:"status"`
			Body   string `json:"body"`
		}](tb, expr)
		ok := false
		for _, w := range p.want {
			ok = ok || got.Status == w
		}
		if !ok {
			t.Errorf("%s %s through the legacy client: %d %s", p.method, p.path, got.Status, got.Body)
		}
	}

	sess := tb.sessionCookie(base)
	if sess == nil || !sess.HTTPOnly {
		t.Fatalf("no HttpOnly session cookie beside the handle: %+v", sess)
	}
	if jwtShape.MatchString(evalJS[string](tb, `document.cookie`)) {
		t.Fatal("document.cookie holds a JWT after the walk")
	}
	bearer := "Bearer " + handle
	userOf := func(a answer) string {
		if a.status != http.StatusOK {
			return ""
		}
		name, _ := a.field(t, "username").(string)
		return name
	}

	// The stored value alone, from anywhere else, is nothing.
	thief := newBrowser(t)
	if a := thief.must("GET", base+"/api/user", nil, "Authorization", bearer); a.status != http.StatusUnauthorized {
		t.Fatalf("the handle alone: %d %s", a.status, a.body)
	}
	// Beside another user's session cookie it acts as nobody.
	bob := newBrowser(t)
	if a := bob.must("POST", base+"/api/login", map[string]string{"username": "loaduser2", "password": "loadpass2"}); a.status != http.StatusOK {
		t.Fatalf("bob's login: %d %s", a.status, a.body)
	}
	a := bob.must("GET", base+"/api/user", nil, "Authorization", bearer)
	if a.status != http.StatusUnauthorized || userOf(a) != "" {
		t.Fatalf("ann's handle beside bob's cookie: %d %s", a.status, a.body)
	}
	if a := bob.must("GET", base+"/api/user", nil); userOf(a) != "loaduser2" {
		t.Fatalf("bob's own session after the attempt: %d %s", a.status, a.body)
	}

	// After logout, the handle with a copy of the old cookie gets 401.
	copied := &http.Cookie{Name: sess.Name, Value: sess.Value}
	withCopy := func() answer {
		req, err := http.NewRequest("GET", base+"/api/user", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", bearer)
		req.AddCookie(copied)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return answer{status: resp.StatusCode}
	}
	if a := withCopy(); a.status != http.StatusOK {
		t.Fatalf("the handle with its own cookie before logout: %d", a.status)
	}
	if r := tb.pageFetch(base+"/api/logout", map[string]any{"method": "POST", "headers": map[string]string{"X-CSRF": "1"}}); r.Status != http.StatusNoContent {
		t.Fatalf("logout: %+v", r)
	}
	if a := withCopy(); a.status != http.StatusUnauthorized {
		t.Fatalf("the handle with a copy of the logged-out session's cookie: %d", a.status)
	}

	// Again after "sign out everywhere" from another device.
	login("loaduser1", "loadpass1")
	handle, sess = evalJS[string](tb, `window.legacy.cookie("access_token")`), tb.sessionCookie(base)
	bearer, copied = "Bearer "+handle, &http.Cookie{Name: sess.Name, Value: sess.Value}
	if a := withCopy(); a.status != http.StatusOK {
		t.Fatalf("the new handle with its cookie: %d", a.status)
	}
	other := newBrowser(t)
	if a := other.must("POST", base+"/api/login", map[string]string{"username": "loaduser1", "password": "loadpass1"}); a.status != http.StatusOK {
		t.Fatalf("the other device's login: %d %s", a.status, a.body)
	}
	if a := other.must("POST", base+"/api/sessions/end-all", map[string]string{"password": "loadpass1"}); a.status/100 != 2 {
		t.Fatalf("sign out everywhere: %d %s", a.status, a.body)
	}
	if a := withCopy(); a.status != http.StatusUnauthorized {
		t.Fatalf("the handle with a copy of its cookie after sign out everywhere: %d", a.status)
	}
}
