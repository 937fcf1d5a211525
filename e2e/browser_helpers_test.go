package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Browser tests drive Debian's Chromium headless through chromedp. Every browser gets its own temporary profile
// and is stopped, with every tab, when its test ends. They wait for DOM conditions, never for fixed times.

const (
	browserStepTimeout = 20 * time.Second // one chromedp step (navigate, click, wait for an element)
	browserWaitTimeout = 15 * time.Second // a condition in the page or in a process's log
	browserPollEvery   = 20 * time.Millisecond
	demoCookieName     = "bit_session" // COOKIE_SECURE=false (demo mode, and the tests' non-demo BFF)
)

// chromePath finds Chromium: $CHROME_PATH, Debian's /usr/bin/chromium, or chromium on PATH. A missing browser
// fails the test: scripts/test.sh installs it, so its absence is a broken environment, never a reason to skip.
func chromePath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROME_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("CHROME_PATH=%s: %v", p, err)
		}
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if found, err := exec.LookPath(p); err == nil {
			return found
		}
	}
	t.Fatalf("Chromium is not installed: the browser tests need it. Install it with " +
		"`apt-get update && apt-get install -y chromium` (scripts/test.sh does), or set CHROME_PATH to a Chrome binary")
	return ""
}

// newChrome starts a headless Chromium with a fresh profile and returns the context of its first tab. The
// browser, its tabs and its profile are gone when the test ends.
func newChrome(t *testing.T) context.Context {
	t.Helper()
	exe := chromePath(t)
	dir, err := os.MkdirTemp("", "bff-e2e-chrome-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeProfile(t, dir) }) // runs last: after the browser has stopped
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1100, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc) // cancels and waits until the browser process has exited
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	// The first Do starts the browser; it runs as long as ctx itself, so no timeout child here.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("starting Chromium (%s): %v", exe, err)
		}
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("Chromium (%s) did not start within 30s", exe)
	}
	return ctx
}

// removeProfile deletes a browser profile. Chromium's helper processes may still write into it for a moment
// after the browser exits, so a failed removal is retried briefly.
func removeProfile(t *testing.T, dir string) {
	var err error
	for range 50 {
		if err = os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("removing the browser profile %s: %v", dir, err)
}

// browserTab is one page in its own browser context (its own cookie jar), as a separate user's browser would be.
type browserTab struct {
	t      *testing.T
	name   string
	ctx    context.Context
	cancel context.CancelFunc // closes the tab and disposes of its browser context
}

// newTab opens a tab in a new, isolated browser context of the browser that browserCtx belongs to.
func newTab(t *testing.T, browserCtx context.Context, name string) *browserTab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // creates the target; it lives as long as ctx
		t.Fatalf("%s: opening a browserTab: %v", name, err)
	}
	return &browserTab{t: t, name: name, ctx: ctx, cancel: cancel}
}

// do runs chromedp steps with a timeout.
func (tb *browserTab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserStepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.t.Fatalf("%s: %v\npage: %s", tb.name, err, tb.describe())
	}
}

// navigate loads url and returns the document's response.
func (tb *browserTab) navigate(url string) *network.Response {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserStepTimeout)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		tb.t.Fatalf("%s: navigating to %s: %v", tb.name, url, err)
	}
	return resp
}

// evalJS evaluates a JavaScript expression in the page (awaiting a promise) and decodes its value into T.
func evalJS[T any](tb *browserTab, expr string) T {
	tb.t.Helper()
	v, err := tryEvalJS[T](tb, expr)
	if err != nil {
		tb.t.Fatalf("%s: evaluating %s: %v", tb.name, expr, err)
	}
	return v
}

func tryEvalJS[T any](tb *browserTab, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(tb.ctx, browserStepTimeout)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// waitJS polls a JavaScript condition until it is true. Evaluation errors (a navigation in between) count as
// "not yet". chromedp.Poll cannot be used on the demo page: it compiles the predicate with new Function, which
// the page's CSP (no 'unsafe-eval') rightly forbids.
func (tb *browserTab) waitJS(cond string) {
	tb.t.Helper()
	deadline := time.Now().Add(browserWaitTimeout)
	var lastErr error
	for {
		ok, err := tryEvalJS[bool](tb, "Boolean("+cond+")")
		if err == nil && ok {
			return
		}
		lastErr = err
		if time.Now().After(deadline) {
			tb.t.Fatalf("%s: waited %v for %s (last error: %v)\npage: %s", tb.name, browserWaitTimeout, cond, lastErr, tb.describe())
		}
		time.Sleep(browserPollEvery)
	}
}

// describe is what the page shows, for failure messages.
func (tb *browserTab) describe() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`location.href + " state=" + (document.body ? document.body.dataset.state : "") + "\n" + (document.body ? document.body.innerText : "")`))
	if err != nil {
		return fmt.Sprintf("(unreadable: %v)", err)
	}
	return s
}

// jsLit quotes a Go value as a JavaScript literal.
func jsLit(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// fetchResult is what a fetch made by the page itself produced: either a response (an opaque one has type
// "opaque" and status 0) or the TypeError a blocked CORS read gives.
type fetchResult struct {
	OK     bool   `json:"ok"` // a response arrived (false: fetch threw)
	Type   string `json:"type"`
	Status int    `json:"status"`
	Body   string `json:"body"`
	Error  string `json:"error"`
}

// pageFetch runs fetch(url, init) inside the page, with the page's origin, cookies and CORS rules.
func (tb *browserTab) pageFetch(url string, init map[string]any) fetchResult {
	tb.t.Helper()
	expr := fmt.Sprintf(`(async () => {
		try {
			const r = await fetch(%s, %s);
			let body = "";
			try { body = await r.text(); } catch (e) {}
			return {ok: true, type: r.type, status: r.status, body: body, error: ""};
		} catch (e) {
			return {ok: false, type: "", status: 0, body: "", error: String(e)};
		}
	})()`, jsLit(url), jsLit(init))
	return evalJS[fetchResult](tb, expr)
}

// apiGet is the demo page's own way of reading the API: fetch with credentials, same origin.
func (tb *browserTab) apiGet(base, path string) fetchResult {
	tb.t.Helper()
	return tb.pageFetch(base+"/api"+path, map[string]any{
		"credentials": "include",
		"headers":     map[string]string{"Content-Type": "application/json", "X-CSRF": "1"},
	})
}

// cookies are the browser's cookies for url, HttpOnly ones included (CDP sees what document.cookie cannot).
func (tb *browserTab) cookies(url string) []*network.Cookie {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserStepTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
	if err != nil {
		tb.t.Fatalf("%s: reading cookies: %v", tb.name, err)
	}
	return res.Cookies
}

// sessionCookie is the BFF's session cookie for base, or nil.
func (tb *browserTab) sessionCookie(base string) *network.Cookie {
	tb.t.Helper()
	for _, c := range tb.cookies(base + "/") {
		if c.Name == demoCookieName {
			return c
		}
	}
	return nil
}

// openDemo loads the demo page and waits until it has asked the BFF who is logged in.
func (tb *browserTab) openDemo(base string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(base + "/"))
	tb.waitJS(`document.body.dataset.state === "logged-in" || document.body.dataset.state === "logged-out"`)
}

// login logs in through the demo page's form and waits for the profile.
func (tb *browserTab) login(base, username, password string) {
	tb.t.Helper()
	tb.openDemo(base)
	tb.do(
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SetValue(chromedp.ID("username"), username),
		chromedp.SetValue(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("login")),
	)
	tb.waitProfile(username)
}

// waitProfile waits until the page shows username's profile.
func (tb *browserTab) waitProfile(username string) {
	tb.t.Helper()
	tb.waitJS(`document.body.dataset.state === "logged-in" && document.getElementById("profile-username").textContent === ` + jsLit(username))
}

// reloadAndShownUser (re)loads the demo page and returns the username it shows ("" when logged out).
func (tb *browserTab) reloadAndShownUser(base string) string {
	tb.t.Helper()
	tb.openDemo(base)
	return evalJS[string](tb, `document.body.dataset.state === "logged-in" ? document.getElementById("profile-username").textContent : ""`)
}

// apiUsername reads GET /api/user through the page and returns the username (or fails on another answer).
func (tb *browserTab) apiUsername(base string) string {
	tb.t.Helper()
	r := tb.apiGet(base, "/user")
	if !r.OK || r.Status != http.StatusOK {
		tb.t.Fatalf("%s: GET /api/user from the page: %+v", tb.name, r)
	}
	var u struct {
		Username string `json:"username"`
	}
	if err := json.Unmarshal([]byte(r.Body), &u); err != nil {
		tb.t.Fatalf("%s: GET /api/user body %q: %v", tb.name, r.Body, err)
	}
	return u.Username
}

// screenshot writes a PNG of the whole page to path.
func (tb *browserTab) screenshot(path string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserStepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Fatalf("%s: screenshot: %v", tb.name, err)
	}
	if err := os.MkdirAll(".out", 0o755); err != nil {
		tb.t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

// consoleProblems collects the page's uncaught exceptions and Content-Security-Policy violations, so a test
// can prove the demo page runs under the strict CSP without errors. It stops with the tab.
type consoleProblems struct {
	mu       sync.Mutex
	problems []string
	done     chan struct{}
}

func watchConsole(tb *browserTab) *consoleProblems {
	cp := &consoleProblems{done: make(chan struct{})}
	msgs := chromedp.Console(tb.ctx)
	tb.t.Cleanup(func() { // the iterator ends with the tab: close it, then wait for the reader
		tb.cancel()
		<-cp.done
	})
	go func() {
		defer close(cp.done)
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.IsException() || strings.Contains(m.Text, "Content Security Policy") {
				cp.mu.Lock()
				cp.problems = append(cp.problems, string(m.Type)+": "+m.Text)
				cp.mu.Unlock()
			}
		}
	}()
	return cp
}

func (cp *consoleProblems) list() []string {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	return append([]string(nil), cp.problems...)
}

// countLogLines counts p's output lines that contain every one of substrs.
func countLogLines(p *proc, substrs ...string) int {
	n := 0
	for line := range strings.SplitSeq(p.out.String(), "\n") {
		all := true
		for _, s := range substrs {
			if !strings.Contains(line, s) {
				all = false
				break
			}
		}
		if all {
			n++
		}
	}
	return n
}

// waitLogLines waits until p has logged at least want lines that contain every one of substrs.
func waitLogLines(t *testing.T, p *proc, want int, substrs ...string) {
	t.Helper()
	deadline := time.Now().Add(browserWaitTimeout)
	for countLogLines(p, substrs...) < want {
		if time.Now().After(deadline) {
			t.Fatalf("%s: waited for %d log lines with %q, have %d:\n%s", p.name, want, substrs, countLogLines(p, substrs...), p.out.String())
		}
		time.Sleep(browserPollEvery)
	}
}

// startDemoBFF starts the BFF in demo mode on a loopback port (PORT=0 unless env says otherwise).
func startDemoBFF(t *testing.T, env ...string) *proc {
	t.Helper()
	base := []string{"PORT=0", "HOST=127.0.0.1", "DATABASE_URL=sqlite:" + filepath.Join(t.TempDir(), "bit.db")}
	return start(t, "bff", bins.bff, bffListening, append(base, env...), "-demo")
}

// freeLoopbackPort is a loopback port that was free a moment ago: for a process that must come back on the same port.
func freeLoopbackPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return port
}

// serveOtherOrigin serves a tiny page on another loopback port: another origin (same site, since browsers ignore
// ports for sites), the way an attacker's page or a separately hosted SPA would be.
func serveOtherOrigin(t *testing.T, title string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><title>%s</title><h1>%s</h1>", title, title)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// submitForm builds an HTML form in the page that POSTs to action and submits it, as a CSRF attack page would
// (no script can add headers to a form), and returns the status of the document the browser then received.
func (tb *browserTab) submitForm(action string, fields map[string]string) (int, string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserStepTimeout)
	defer cancel()
	expr := fmt.Sprintf(`(() => {
		const f = document.createElement("form");
		f.method = "POST";
		f.action = %s;
		f.enctype = "text/plain";
		for (const [k, v] of Object.entries(%s)) {
			const i = document.createElement("input");
			i.name = k; i.value = v; f.appendChild(i);
		}
		document.body.appendChild(f);
		f.submit();
	})()`, jsLit(action), jsLit(fields))
	resp, err := chromedp.RunResponse(ctx, chromedp.Evaluate[chromedp.Void](expr))
	if err != nil {
		tb.t.Fatalf("%s: submitting a form to %s: %v", tb.name, action, err)
	}
	body := evalJS[string](tb, `document.body ? document.body.innerText : ""`)
	return int(resp.Status), body
}
