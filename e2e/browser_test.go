package e2e

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// These tests run the real BFF binary and drive the demo client (web/demo) in headless Chromium: what a real
// browser does with the cookie, CSRF and CORS rules of docs/SESSIONS.md#cookie and docs/API.md#conventions.

// TestBrowser starts one headless Chromium and runs the browser tests against it in parallel. Each test has its
// own BFF process and its own isolated browser contexts (separate cookie jars), so they cannot see each other;
// the browser and every process stop when the test ends.
func TestBrowser(t *testing.T) {
	browser := newChrome(t)
	for _, tc := range []struct {
		name string
		run  func(*testing.T, context.Context)
	}{
		{"DemoLoginSetsAnHttpOnlyCookieAndTheClientWorks", testDemoLoginSetsAnHttpOnlyCookieAndTheClientWorks},
		{"DemoProfileSurvivesAReload", testDemoProfileSurvivesAReload},
		{"ProfileSurvivesABFFRestart", testProfileSurvivesABFFRestart},
		{"DemoTwoUsersInterleavedSeeOnlyThemselves", testDemoTwoUsersInterleavedSeeOnlyThemselves},
		{"DemoCrossOriginPages", testDemoCrossOriginPages},
		{"DemoLogoutClearsTheCookie", testDemoLogoutClearsTheCookie},
		{"ACRABuildRunsUnderItsDerivedCSP", testACRABuildRunsUnderItsDerivedCSP},
		{"DemoRequestFormDefaultsAreAccepted", testDemoRequestFormDefaultsAreAccepted},
		{"ALegacyClientNeverHoldsAUsableToken", testALegacyClientNeverHoldsAUsableToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, browser)
		})
	}
}

const screenshotPath = ".out/demo-after-login.png" // e2e/.out is git-ignored

// testDemoLoginSetsAnHttpOnlyCookieAndTheClientWorks logs in through the demo page's form: the browser
// stores an HttpOnly bit_session cookie that page scripts cannot read, and the page shows the profile, the
// members and the relations, sends a mentorship request, and shows MS's own message when MS refuses one. The
// page runs under the strict CSP without a violation or an exception. It writes the screenshot.
func testDemoLoginSetsAnHttpOnlyCookieAndTheClientWorks(t *testing.T, browser context.Context) {
	bff := startDemoBFF(t)
	base := bff.url()
	tb := newTab(t, browser, "ada")
	console := watchConsole(tb)

	resp := tb.navigate(base + "/")
	if csp, _ := resp.Headers["Content-Security-Policy"].(string); !strings.Contains(csp, "script-src 'self'") {
		t.Fatalf("the demo page's CSP is %q", csp)
	}
	tb.waitJS(`document.body.dataset.state === "logged-out"`)
	if c := tb.sessionCookie(base); c != nil {
		t.Fatalf("a cookie before login: %+v", c)
	}

	// A wrong password: MS's message is shown, nothing is stored.
	tb.do(
		chromedp.SendKeys(chromedp.ID("username"), "ada_lovelace"),
		chromedp.SendKeys(chromedp.ID("password"), "not-her-password"),
		chromedp.Click(chromedp.ID("login")),
	)
	tb.waitJS(`document.getElementById("status").className === "error"`)
	if msg := evalJS[string](tb, `document.getElementById("status").textContent`); msg != "Username or password is wrong. (401)" {
		t.Fatalf("a refused login shows %q", msg)
	}
	if c := tb.sessionCookie(base); c != nil {
		t.Fatalf("a refused login stored a cookie: %+v", c)
	}

	tb.login(base, "ada_lovelace", "ada-demo-pass")
	c := tb.sessionCookie(base)
	if c == nil {
		t.Fatalf("no %s cookie after login; cookies: %+v", demoCookieName, tb.cookies(base+"/"))
	}
	if !c.HTTPOnly || c.Path != "/" || c.SameSite != network.CookieSameSiteLax || c.Secure || c.Value == "" {
		t.Fatalf("session cookie attributes: HttpOnly=%v Path=%q SameSite=%q Secure=%v", c.HTTPOnly, c.Path, c.SameSite, c.Secure)
	}
	if dc := evalJS[string](tb, `document.cookie`); strings.Contains(dc, demoCookieName) || strings.Contains(dc, c.Value) {
		t.Fatalf("document.cookie exposes the session: %q", dc)
	}
	if got := tb.apiUsername(base); got != "ada_lovelace" {
		t.Fatalf("GET /api/user from the page: %q", got)
	}

	// Members and relations load; MS's refusal of a request is shown as MS wrote it.
	tb.waitJS(`document.querySelector("#members li[data-user-id]") !== null && document.querySelector("#relations li") !== null`)
	members := evalJS[string](tb, `document.getElementById("members").textContent`)
	if !strings.Contains(members, "@grace_hopper") || !strings.Contains(members, "@katherine_johnson") || strings.Contains(members, "@ada_lovelace") {
		t.Fatalf("members list: %q", members)
	}
	chooseMember := func(username, role string) {
		t.Helper()
		ok := evalJS[bool](tb, fmt.Sprintf(`(() => {
			const s = document.getElementById("request-other");
			const o = [...s.options].find((o) => o.textContent.includes("@" + %s));
			if (!o) return false;
			s.value = o.value;
			document.getElementById("request-role").value = %s;
			return true;
		})()`, jsLit(username), jsLit(role)))
		if !ok {
			t.Fatalf("no %s in the request form", username)
		}
	}
	chooseMember("grace_hopper", "mentee") // Grace does not mentor: MS refuses
	tb.do(chromedp.Click(chromedp.ID("send-request")))
	tb.waitJS(`document.getElementById("status").textContent === "Mentor user is not available to mentor. (400)"`)

	chooseMember("grace_hopper", "mentor") // Ada mentors Grace
	tb.do(chromedp.Click(chromedp.ID("send-request")))
	tb.waitJS(`document.getElementById("status").textContent === "Mentorship relation was sent successfully."`)
	tb.waitJS(`document.getElementById("relations").textContent.includes("Ada Lovelace mentors Grace Hopper")`)
	if rel := evalJS[string](tb, `document.getElementById("relations").textContent`); !strings.Contains(rel, "pending") {
		t.Fatalf("relations list: %q", rel)
	}

	tb.screenshot(screenshotPath)
	abs, _ := filepath.Abs(screenshotPath)
	t.Logf("screenshot of the demo page after login: %s", abs)

	if p := console.list(); len(p) > 0 {
		t.Fatalf("the demo page logged problems:\n%s", strings.Join(p, "\n"))
	}
}

// testDemoProfileSurvivesAReload reloads the page and opens a client-side route: the cookie, not page
// state, carries the session, so the profile comes back each time.
func testDemoProfileSurvivesAReload(t *testing.T, browser context.Context) {
	bff := startDemoBFF(t)
	base := bff.url()
	tb := newTab(t, browser, "katherine")
	tb.login(base, "katherine_johnson", "katherine-demo-pass")
	for i := range 3 {
		if got := tb.reloadAndShownUser(base); got != "katherine_johnson" {
			t.Fatalf("reload %d shows %q", i+1, got)
		}
	}
	tb.do(chromedp.Navigate(base + "/mentorships/42")) // an unknown path falls back to index.html
	tb.waitProfile("katherine_johnson")
}

// testProfileSurvivesABFFRestart kills the BFF (SIGKILL) and starts a new process with the same
// SESSION_KEYS on the same port: the browser's cookie still opens and the page shows the profile again.
//
// It runs a standalone msemu and a non-demo BFF serving web/demo through STATIC_DIR, because a demo-mode
// restart cannot keep sessions: every demo process gives its embedded emulator a new random signing secret, so
// the tokens in an old cookie are refused by the new process (see app/demo.go, startDemoMS).
func testProfileSurvivesABFFRestart(t *testing.T, browser context.Context) {
	ms := startMS(t)
	static, err := filepath.Abs("../web/demo")
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"PORT=" + strconv.Itoa(freeLoopbackPort(t)), "STATIC_DIR=" + static}
	bff := startBFF(t, ms, testSessionKey, env...)
	base := bff.url()
	tb := newTab(t, browser, "loaduser5")
	tb.login(base, "loaduser5", "loadpass5")
	if got := tb.reloadAndShownUser(base); got != "loaduser5" {
		t.Fatalf("after a reload: %q", got)
	}
	before := tb.sessionCookie(base)

	for i := range 2 {
		bff.kill()
		bff = startBFF(t, ms, testSessionKey, env...)
		if bff.url() != base {
			t.Fatalf("restarted on %s, not %s", bff.url(), base)
		}
		if got := tb.reloadAndShownUser(base); got != "loaduser5" {
			t.Fatalf("after restart %d the page shows %q", i+1, got)
		}
		if got := tb.apiUsername(base); got != "loaduser5" {
			t.Fatalf("after restart %d GET /api/user names %q", i+1, got)
		}
	}
	if after := tb.sessionCookie(base); after == nil || after.Value != before.Value {
		t.Fatalf("the cookie changed or vanished across restarts")
	}
}

// testDemoTwoUsersInterleavedSeeOnlyThemselves logs two users in from two isolated browser contexts
// and interleaves reloads and bursts of concurrent API calls: each page only ever sees its own user.
func testDemoTwoUsersInterleavedSeeOnlyThemselves(t *testing.T, browser context.Context) {
	bff := startDemoBFF(t)
	base := bff.url()
	users := []struct{ name, pass string }{{"ada_lovelace", "ada-demo-pass"}, {"grace_hopper", "grace-demo-pass"}}
	tabs := []*browserTab{newTab(t, browser, users[0].name), newTab(t, browser, users[1].name)}
	for i, tb := range tabs {
		tb.login(base, users[i].name, users[i].pass)
	}
	if a, b := tabs[0].sessionCookie(base), tabs[1].sessionCookie(base); a == nil || b == nil || a.Value == b.Value {
		t.Fatalf("the two browser contexts do not hold two different cookies")
	}

	burst := `Promise.all(Array.from({length: 8}, () =>
		fetch("/api/user", {credentials: "include", headers: {"X-CSRF": "1"}}).then((r) => r.json()).then((u) => u.username)))`
	for round := range 4 {
		first, second := tabs[round%2], tabs[(round+1)%2]
		if got := first.reloadAndShownUser(base); got != first.name {
			t.Fatalf("round %d: %s's page shows %q", round, first.name, got)
		}
		if got := second.apiUsername(base); got != second.name {
			t.Fatalf("round %d: %s's page reads %q", round, second.name, got)
		}
		// Both pages at once, many calls each.
		var wg sync.WaitGroup
		results := make([][]string, len(tabs))
		errs := make([]error, len(tabs))
		for i, tb := range tabs {
			wg.Go(func() { results[i], errs[i] = tryEvalJS[[]string](tb, burst) })
		}
		wg.Wait()
		for i, tb := range tabs {
			if errs[i] != nil {
				t.Fatalf("round %d: %s's burst: %v", round, tb.name, errs[i])
			}
			for _, got := range results[i] {
				if got != tb.name {
					t.Fatalf("round %d: %s's page got user %q in a burst: %v", round, tb.name, got, results[i])
				}
			}
		}
	}
}

// testDemoCrossOriginPages opens pages on two other loopback origins in the browser of a logged-in
// user. The cookie reaches the BFF from both (same site: ports do not count), so the BFF's own checks decide:
// the disallowed origin can neither read the API nor get a forged POST accepted (403 by the Origin check,
// seen in the page where readable and in the BFF's request log), while the origin in ALLOWED_ORIGINS reads and
// writes with credentials.
func testDemoCrossOriginPages(t *testing.T, browser context.Context) {
	evil := serveOtherOrigin(t, "not allowed")
	friend := serveOtherOrigin(t, "allowed")
	bff := startDemoBFF(t, "ALLOWED_ORIGINS="+friend.URL)
	base := bff.url()
	tb := newTab(t, browser, "ada")
	tb.login(base, "ada_lovelace", "ada-demo-pass")
	withCookie := map[string]any{"credentials": "include"}

	// The disallowed origin.
	tb.do(chromedp.Navigate(evil.URL + "/"))
	gets := countLogLines(bff, `"method":"GET","route":"/api/user","status":200`)
	if r := tb.pageFetch(base+"/api/user", withCookie); r.OK || !strings.Contains(r.Error, "Failed to fetch") {
		t.Fatalf("a disallowed origin read /api/user: %+v", r)
	}
	waitLogLines(t, bff, gets+1, `"method":"GET","route":"/api/user","status":200`) // answered, but not handed over
	if r := tb.pageFetch(base+"/api/user", map[string]any{"credentials": "include", "mode": "no-cors"}); !r.OK || r.Type != "opaque" || r.Status != 0 || r.Body != "" {
		t.Fatalf("a no-cors read from a disallowed origin is not opaque: %+v", r)
	}

	// The BFF logs one JSON line per request; a refused POST is a line with both of these.
	post, forbidden := `"method":"POST"`, `"status":403`
	n403, nPost := countLogLines(bff, post, forbidden), countLogLines(bff, post)
	// A simple POST (no preflight) with the cookie: sent, refused by the Origin check, unreadable.
	for _, path := range []string{"/api/logout", "/api/mentorship_relation/send_request"} {
		r := tb.pageFetch(base+path, map[string]any{"method": "POST", "credentials": "include", "mode": "no-cors",
			"headers": map[string]string{"Content-Type": "text/plain"}, "body": `{"mentor_id":1,"mentee_id":2,"end_date":0,"notes":""}`})
		if !r.OK || r.Type != "opaque" {
			t.Fatalf("forged POST %s: %+v", path, r)
		}
		n403++
		nPost++
		waitLogLines(t, bff, n403, post, forbidden)
	}
	// With X-CSRF the browser must ask first; the preflight gets no CORS grant, so the POST is never sent.
	options := countLogLines(bff, `"method":"OPTIONS"`)
	r := tb.pageFetch(base+"/api/logout", map[string]any{"method": "POST", "credentials": "include",
		"headers": map[string]string{"Content-Type": "application/json", "X-CSRF": "1"}, "body": "{}"})
	if r.OK || !strings.Contains(r.Error, "Failed to fetch") {
		t.Fatalf("a preflighted forged POST got through: %+v", r)
	}
	waitLogLines(t, bff, options+1, `"method":"OPTIONS"`)
	// HTML form POSTs, the classic CSRF: the browser sends Origin, the BFF refuses.
	for _, path := range []string{"/api/logout", "/api/user"} {
		tb.do(chromedp.Navigate(evil.URL + "/"))
		status, body := tb.submitForm(base+path, map[string]string{"username": "x"})
		if status != http.StatusForbidden || !strings.Contains(body, "Cross-origin request refused") {
			t.Fatalf("a forged form POST to %s: %d %q", path, status, body)
		}
		n403++
		nPost++
		waitLogLines(t, bff, n403, post, forbidden)
	}
	if got := countLogLines(bff, post); got != nPost {
		t.Fatalf("the BFF saw %d POSTs, want %d (only the refused ones):\n%s", got, nPost, bff.out.String())
	}
	if got := tb.reloadAndShownUser(base); got != "ada_lovelace" {
		t.Fatalf("after the forged requests the BFF page shows %q (the forged logouts must not work)", got)
	}

	// The allowed origin: reads and writes with credentials, and still needs X-CSRF.
	tb.do(chromedp.Navigate(friend.URL + "/"))
	r = tb.pageFetch(base+"/api/user", withCookie)
	if !r.OK || r.Status != http.StatusOK || !strings.Contains(r.Body, `"username": "ada_lovelace"`) && !strings.Contains(r.Body, `"username":"ada_lovelace"`) {
		t.Fatalf("the allowed origin's read: %+v", r)
	}
	r = tb.pageFetch(base+"/api/refresh", map[string]any{"method": "POST", "credentials": "include",
		"headers": map[string]string{"Content-Type": "application/json", "X-CSRF": "1"}, "body": "{}"})
	if !r.OK || r.Status != http.StatusOK || !strings.Contains(r.Body, "access_expires_at") {
		t.Fatalf("the allowed origin's POST /api/refresh: %+v", r)
	}
	r = tb.pageFetch(base+"/api/logout", map[string]any{"method": "POST", "credentials": "include",
		"headers": map[string]string{"Content-Type": "text/plain"}, "body": "{}"})
	if !r.OK || r.Status != http.StatusForbidden || !strings.Contains(r.Body, "X-CSRF") {
		t.Fatalf("the allowed origin's POST without X-CSRF: %+v", r)
	}
	if got := tb.apiUsername(base); got != "ada_lovelace" {
		t.Fatalf("after the allowed origin's calls: %q", got)
	}
}

// testDemoLogoutClearsTheCookie clicks "Log out": the cookie is gone from the browser, the next API
// call is 401, and a reload shows the login form.
func testDemoLogoutClearsTheCookie(t *testing.T, browser context.Context) {
	bff := startDemoBFF(t)
	base := bff.url()
	tb := newTab(t, browser, "grace")
	tb.login(base, "grace_hopper", "grace-demo-pass")
	if tb.sessionCookie(base) == nil {
		t.Fatal("no cookie after login")
	}
	tb.do(chromedp.Click(chromedp.ID("logout")))
	tb.waitJS(`document.body.dataset.state === "logged-out" && document.getElementById("status").textContent === "You are logged out."`)
	if c := tb.sessionCookie(base); c != nil {
		t.Fatalf("the cookie survived logout: %+v", c)
	}
	r := tb.apiGet(base, "/user")
	if !r.OK || r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "You are not logged in.") {
		t.Fatalf("GET /api/user after logout: %+v", r)
	}
	if got := tb.reloadAndShownUser(base); got != "" {
		t.Fatalf("after logout and reload the page shows %q", got)
	}
	tb.do(chromedp.WaitVisible(chromedp.ID("login")))
}

// testDemoRequestFormDefaultsAreAccepted: for each demo user in turn, the mentorship form as the page fills it
// (member and role untouched) sends a request the emulator accepts.
func testDemoRequestFormDefaultsAreAccepted(t *testing.T, browser context.Context) {
	bff := startDemoBFF(t)
	base := bff.url()
	for _, u := range []struct{ username, password string }{
		{"ada_lovelace", "ada-demo-pass"}, {"grace_hopper", "grace-demo-pass"}, {"katherine_johnson", "katherine-demo-pass"},
	} {
		tb := newTab(t, browser, u.username)
		tb.login(base, u.username, u.password)
		tb.waitJS(`document.querySelector("#request-other option") !== null && !document.getElementById("send-request").disabled`)
		tb.do(chromedp.Click(chromedp.ID("send-request")))
		tb.waitJS(`document.getElementById("status").textContent === "Mentorship relation was sent successfully." ||
			document.getElementById("status").className === "error"`)
		if got := evalJS[string](tb, `document.getElementById("status").textContent`); got != "Mentorship relation was sent successfully." {
			t.Fatalf("%s: the form's defaults (%s) were refused: %q", u.username,
				evalJS[string](tb, `document.getElementById("request-other").selectedOptions[0].textContent + " as " + document.getElementById("request-role").value`), got)
		}
	}
}
