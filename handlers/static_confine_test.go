package handlers

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const outsideSecret = "TOP-SECRET-OUTSIDE-STATIC-DIR"

// confinedSite makes a build folder on disk next to a secret file, with the traps a real folder may hold
// (dotfiles, a symbolic link out of it) and a hashed asset whose name needs percent-encoding, and serves it
// the way the program does: through OpenStaticDir.
func confinedSite(t *testing.T) *stack {
	t.Helper()
	base := t.TempDir()
	site := filepath.Join(base, "site")
	files := map[string]string{
		"index.html":                          "<!doctype html><title>app</title>",
		"static/media/long left.3f2a9c1b.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
		"static/js/main.3f2a9c1b.js":          "console.log('app')",
		".env":                                "SECRET=" + outsideSecret,
		".git/config":                         "[remote] " + outsideSecret,
		"inside.txt":                          "inside the folder",
		"%2e%2e/double.txt":                   "a folder literally named %2e%2e",
	}
	for name, body := range files {
		p := filepath.Join(site, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(base, "secret.txt")
	if err := os.WriteFile(secret, []byte(outsideSecret), 0o644); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{"leak.txt": "../secret.txt", "abs-leak.txt": secret, "link-inside.txt": "inside.txt", "up": ".."}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(site, name)); err != nil {
			t.Fatal(err)
		}
	}
	fsys, closer, err := OpenStaticDir(site)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = closer.Close() })
	return newStack(t, stackOpts{static: fsys})
}

// rawGet sends target exactly as written (no client cleans or re-encodes it) and reads the answer.
func (s *stack) rawGet(target, accept string) answer {
	s.t.Helper()
	r := s.dialRaw()
	r.send(fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\nAccept: %s\r\nConnection: close\r\n\r\n",
		target, strings.TrimPrefix(s.url, "http://"), accept))
	return r.answer()
}

func TestStaticFilesAreConfinedToTheFolder(t *testing.T) {
	t.Parallel()
	s := confinedSite(t)
	cases := []struct {
		name, target, accept string
		status               int
		body                 string
	}{
		{"a name with a space is decoded once and served", "/static/media/long%20left.3f2a9c1b.svg", "*/*", 200, "<svg"},
		{"encoded slashes separate folders inside the folder", "/static%2Fmedia%2Flong%20left.3f2a9c1b.svg", "*/*", 200, "<svg"},
		{"a symbolic link inside the folder is followed", "/link-inside.txt", "*/*", 200, "inside the folder"},
		{"a double-encoded name is decoded only once", "/%252e%252e/double.txt", "*/*", 200, "literally named"},
		{"a symbolic link to a file outside is not served", "/leak.txt", "*/*", 404, `"message"`},
		{"an absolute symbolic link outside is not served", "/abs-leak.txt", "*/*", 404, `"message"`},
		{"a page request for an outside link gets the app, not the file", "/leak.txt", "text/html", 200, "<title>app</title>"},
		{"a link to the parent folder leads nowhere", "/up/secret.txt", "*/*", 404, `"message"`},
		{"a dotfile is not served", "/.env", "*/*", 404, `"message"`},
		{"a dotfile is not served to a page request either", "/.env", "text/html", 404, `"message"`},
		{"a file in a dot-folder is not served", "/.git/config", "*/*", 404, `"message"`},
		{"an encoded dotfile is not served", "/%2eenv", "*/*", 404, `"message"`},
		{"dot-dot segments are refused", "/static/../../secret.txt", "*/*", 404, `"message"`},
		{"encoded dot-dot segments are refused", "/static/%2e%2e/%2e%2e/secret.txt", "*/*", 404, `"message"`},
		{"upper-case encoded dots are refused", "/%2E%2E/secret.txt", "*/*", 404, `"message"`},
		{"dot-dot with encoded slashes is refused", "/static%2f..%2f..%2fsecret.txt", "*/*", 404, `"message"`},
		{"a path to /etc/passwd is refused", "/..%2f..%2f..%2fetc%2fpasswd", "text/html", 404, `"message"`},
		{"a double-encoded traversal finds no file", "/%252e%252e%252fsecret.txt", "*/*", 404, `"message"`},
		{"an encoded NUL is refused", "/static/js/main.3f2a9c1b.js%00.txt", "*/*", 404, `"message"`},
		{"broken percent-encoding is a bad request", "/static/%zz.js", "*/*", 400, `"message"`},
		{"a folder is not listed: a page request gets the app", "/static/media/", "text/html", 200, "<title>app</title>"},
		{"an encoded /api path is not a static file", "/%61pi/user", "text/html", 404, `"message"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := s.rawGet(tc.target, tc.accept)
			if a.Status != tc.status || !strings.Contains(string(a.Body), tc.body) {
				t.Fatalf("GET %s: %d %q", tc.target, a.Status, a.Body)
			}
			if strings.Contains(string(a.Body), outsideSecret) {
				t.Fatalf("GET %s leaked the secret", tc.target)
			}
			if a.Status >= 400 && !strings.HasPrefix(a.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("GET %s: an error that is not JSON: %q", tc.target, a.Header.Get("Content-Type"))
			}
		})
	}
}

func TestStaticAssetWithAnEncodedNameIsCachedAndTyped(t *testing.T) {
	t.Parallel()
	s := confinedSite(t)
	c := s.newClient()
	a := c.do(http.MethodGet, "/static/media/long%20left.3f2a9c1b.svg", nil)
	if a.Status != 200 || a.Header.Get("Cache-Control") != cacheImmutable || a.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("got %d %v", a.Status, a.Header)
	}
	h := c.do(http.MethodHead, "/static/media/long%20left.3f2a9c1b.svg", nil)
	if h.Status != 200 || len(h.Body) != 0 || h.Header.Get("Content-Length") != "41" {
		t.Fatalf("HEAD: %d %v %q", h.Status, h.Header, h.Body)
	}
}
