package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// craInlineRuntime stands in for the webpack runtime a Create React App 3 build inlines into index.html.
const craInlineRuntime = `window.runtimeRan = "yes";`

// craIndex is a CRA-like index.html: an inline runtime script, a stylesheet and a script from a CDN (cdn is its
// origin), and the build's own hashed bundle and stylesheet.
func craIndex(cdn, runtime string) string {
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"/><title>CRA-like build</title>` +
		`<link rel="stylesheet" href="` + cdn + `/kit.min.css"/>` +
		`<link href="/static/css/main.5f361e03.chunk.css" rel="stylesheet"></head>` +
		`<body><noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div>` +
		`<script>` + runtime + `</script>` +
		`<script src="` + cdn + `/lib.min.js"></script>` +
		`<script src="/static/js/main.8a7e0d2f.chunk.js"></script></body></html>`
}

// craBundle is the app's bundle: it renders a CDN-styled element, the hashed asset whose name has a space, and
// (as the real web app's home page does with a YouTube embed and an image on GitHub's image host) an iframe from
// one other origin and an image from another, created at run time so index.html does not show them; then it
// marks the page rendered. FRAME_ORIGIN and IMAGE_ORIGIN are replaced by writeCRABuild.
const craBundle = `(function () {
	var root = document.getElementById("root");
	var kit = document.createElement("span");
	kit.id = "kit";
	kit.className = "cdn-kit";
	kit.textContent = "styled by the CDN";
	root.appendChild(kit);
	var img = document.createElement("img");
	img.id = "asset";
	img.alt = "asset";
	img.src = "/static/media/long left.9f8e7d6c.svg";
	root.appendChild(img);
	var frame = document.createElement("iframe");
	frame.id = "video";
	frame.src = "FRAME_ORIGIN/embed/intro";
	root.appendChild(frame);
	var photo = document.createElement("img");
	photo.id = "photo";
	photo.alt = "photo";
	photo.src = "IMAGE_ORIGIN/images/team.svg";
	root.appendChild(photo);
	root.dataset.rendered = "yes";
})();
`

// writeCRABuild writes the build into a new folder and returns it: its bundle frames frameOrigin and shows an
// image of imageOrigin.
func writeCRABuild(t *testing.T, cdn, frameOrigin, imageOrigin string) string {
	t.Helper()
	dir := t.TempDir()
	bundle := strings.NewReplacer("FRAME_ORIGIN", frameOrigin, "IMAGE_ORIGIN", imageOrigin).Replace(craBundle)
	files := map[string]string{
		"index.html":                             craIndex(cdn, craInlineRuntime),
		"static/js/main.8a7e0d2f.chunk.js":       bundle,
		"static/css/main.5f361e03.chunk.css":     "body { margin: 0; }",
		"static/media/long left.9f8e7d6c.svg":    `<svg xmlns="http://www.w3.org/2000/svg" width="24" height="16"><rect width="24" height="16" fill="#0a0"/></svg>`,
		"manifest.json":                          `{"short_name": "CRA-like"}`,
		"static/js/main.8a7e0d2f.chunk.js.map":   `{"version": 3}`,
		"static/css/main.5f361e03.chunk.css.map": `{"version": 3}`,
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

// serveCDN stands in for a CDN on a second loopback origin: a stylesheet and a script.
func serveCDN(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/kit.min.css":
			w.Header().Set("Content-Type", "text/css")
			_, _ = w.Write([]byte(".cdn-kit { color: rgb(1, 2, 3); }"))
		case "/lib.min.js":
			w.Header().Set("Content-Type", "text/javascript")
			_, _ = w.Write([]byte("window.cdnLoaded = true;"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// servePassive stands in for the hosts of the app's passive content, each on a loopback origin of its own: a page
// to frame (the video host) and an image (the image host). framed counts the frame's loads: a frame the policy
// blocks is never requested.
func servePassive(t *testing.T) (video, images *httptest.Server, framed *atomic.Int64) {
	t.Helper()
	framed = new(atomic.Int64)
	video = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/embed/intro" {
			http.NotFound(w, r)
			return
		}
		framed.Add(1)
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<!doctype html><title>video</title><p>the video</p>"))
	}))
	t.Cleanup(video.Close)
	images = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/images/team.svg" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/svg+xml")
		_, _ = w.Write([]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"><rect width="30" height="20" fill="#00a"/></svg>`))
	}))
	t.Cleanup(images.Close)
	return video, images, framed
}

// recordViolations makes every document the tab opens record its Content-Security-Policy violations in
// window.cspViolations, from before the page's first script (the recorder is not the page's, so its CSP does
// not apply to it).
func (tb *browserTab) recordViolations() {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserStepTimeout)
	defer cancel()
	_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
		window.cspViolations = [];
		document.addEventListener("securitypolicyviolation", (e) => {
			window.cspViolations.push(e.effectiveDirective + " " + (e.blockedURI || "inline"));
		});`})
	if err != nil {
		tb.t.Fatalf("%s: installing the CSP violation recorder: %v", tb.name, err)
	}
}

// testACRABuildRunsUnderItsDerivedCSP serves a CRA-like build from STATIC_DIR with default settings: the page
// runs its inline runtime, loads the CDN's stylesheet and script, shows the asset whose name has a space, frames
// the page of a second origin and shows the image of a third that only its JavaScript names, and no
// Content-Security-Policy violation happens. Then one byte of the inline script is changed on disk: the
// policy derived at start-up blocks it, and the violation is reported.
func testACRABuildRunsUnderItsDerivedCSP(t *testing.T, browser context.Context) {
	cdn := serveCDN(t)
	video, images, framed := servePassive(t)
	dir := writeCRABuild(t, cdn.URL, video.URL, images.URL)
	bff := startBFF(t, startMS(t), testSessionKey, "STATIC_DIR="+dir)
	base := bff.url()
	tb := newTab(t, browser, "cra")
	tb.recordViolations()
	console := watchConsole(tb)

	resp := tb.navigate(base + "/")
	csp, _ := resp.Headers["Content-Security-Policy"].(string)
	if !strings.Contains(csp, "'sha256-") || !strings.Contains(csp, cdn.URL) || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "*") {
		t.Fatalf("the page's CSP is %q", csp)
	}
	tb.waitJS(`document.getElementById("root").dataset.rendered === "yes" && document.getElementById("asset").complete && document.getElementById("photo").complete`)
	if !strings.Contains(csp, "frame-src 'self' ") || !strings.Contains(csp, video.URL) || !strings.Contains(csp, images.URL) {
		t.Fatalf("the page's CSP does not allow the build's frame and image origins: %q", csp)
	}
	if scriptSrc := directive(csp, "script-src"); strings.Contains(scriptSrc, video.URL) || strings.Contains(scriptSrc, images.URL) {
		t.Fatalf("script-src grew with the build's passive origins: %q", scriptSrc)
	}
	deadline := time.Now().Add(browserStepTimeout)
	for framed.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	checks := []struct{ what, expr string }{
		{"the inline runtime script ran", `window.runtimeRan === "yes"`},
		{"the CDN script ran", `window.cdnLoaded === true`},
		{"the CDN stylesheet applies", `getComputedStyle(document.getElementById("kit")).color === "rgb(1, 2, 3)"`},
		{"the build's own stylesheet applies", `getComputedStyle(document.body).marginTop === "0px"`},
		{"the asset with a space in its name is shown", `document.getElementById("asset").naturalWidth === 24`},
		{"the image of another origin that only the bundle names is shown", `document.getElementById("photo").naturalWidth === 30`},
		{"no CSP violation happened", `window.cspViolations.length === 0`},
	}
	for _, c := range checks {
		if !evalJS[bool](tb, c.expr) {
			t.Errorf("%s: false (violations %v)", c.what, evalJS[[]string](tb, `window.cspViolations`))
		}
	}
	if framed.Load() == 0 {
		t.Errorf("the iframe of another origin was never loaded (violations %v)", evalJS[[]string](tb, `window.cspViolations`))
	}
	if p := console.list(); len(p) > 0 {
		t.Fatalf("the page logged problems:\n%s", strings.Join(p, "\n"))
	}
	if !strings.Contains(bff.out.String(), `"source":"derived from index.html"`) {
		t.Fatalf("the BFF did not log the derived policy:\n%s", bff.out.String())
	}

	// One byte of the inline script changes after start-up: its hash no longer matches.
	tampered := strings.Replace(craInlineRuntime, `"yes"`, `"yez"`, 1)
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte(craIndex(cdn.URL, tampered)), 0o644); err != nil {
		t.Fatal(err)
	}
	tb.navigate(base + "/")
	tb.waitJS(`document.getElementById("root").dataset.rendered === "yes" && window.cspViolations.length > 0`)
	if ran := evalJS[bool](tb, `window.runtimeRan !== undefined`); ran {
		t.Fatal("the tampered inline script ran")
	}
	if v := evalJS[[]string](tb, `window.cspViolations`); len(v) != 1 || v[0] != "script-src-elem inline" {
		t.Fatalf("violations %v, want the one inline script", v)
	}
	if !evalJS[bool](tb, `window.cdnLoaded === true`) {
		t.Fatal("the CDN script stopped loading")
	}
	waitConsole(t, console, "Content Security Policy")
}

// directive returns the sources of one directive of a policy ("" when absent).
func directive(policy, name string) string {
	for part := range strings.SplitSeq(policy, ";") {
		if f := strings.Fields(part); len(f) > 0 && f[0] == name {
			return strings.Join(f[1:], " ")
		}
	}
	return ""
}

// waitConsole waits until the page's console has reported a problem containing substr.
func waitConsole(t *testing.T, cp *consoleProblems, substr string) {
	t.Helper()
	deadline := time.Now().Add(browserWaitTimeout)
	for {
		for _, p := range cp.list() {
			if strings.Contains(p, substr) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the console never reported %q; it has %v", substr, cp.list())
		}
		time.Sleep(browserPollEvery)
	}
}
