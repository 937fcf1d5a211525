package handlers

import (
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
)

func TestSPAHosting(t *testing.T) {
	t.Parallel()
	site := fstest.MapFS{
		"index.html":                 {Data: []byte("<!doctype html><title>app</title>")},
		"static/js/main.3f2a9c1b.js": {Data: []byte("console.log('app')")},
		"manifest.json":              {Data: []byte(`{"name":"app"}`)},
	}
	s := newStack(t, stackOpts{static: site})
	c := s.newClient()
	cases := []struct {
		name, path, accept string
		status             int
		body, cache, ctype string
	}{
		{"the root is index.html, revalidated", "/", "", 200, "<title>app</title>", "no-cache", "text/html"},
		{"a hashed asset is cached for a year", "/static/js/main.3f2a9c1b.js", "", 200, "console.log", "public, max-age=31536000, immutable", "javascript"},
		{"an unhashed file is revalidated", "/manifest.json", "", 200, `"name"`, "no-cache", "application/json"},
		{"a client-side route falls back to index.html", "/mentors/42", "text/html", 200, "<title>app</title>", "no-cache", "text/html"},
		{"a deep route without Accept falls back too", "/settings/profile", "", 200, "<title>app</title>", "no-cache", "text/html"},
		{"a missing asset is a 404", "/static/js/gone.12345678.js", "*/*", 404, `"message"`, "", "application/json"},
		{"an unknown API path stays a JSON 404", "/api/nowhere", "text/html", 404, `"message"`, "", "application/json"},
		{"a path escaping the root is refused", "/../../etc/passwd", "text/html", 404, `"message"`, "", "application/json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := c.do(http.MethodGet, tc.path, nil, "Accept", tc.accept)
			if a.Status != tc.status || !strings.Contains(string(a.Body), tc.body) {
				t.Fatalf("got %d %q", a.Status, a.Body)
			}
			if tc.cache != "" && a.Header.Get("Cache-Control") != tc.cache {
				t.Fatalf("Cache-Control = %q, want %q", a.Header.Get("Cache-Control"), tc.cache)
			}
			if !strings.Contains(a.Header.Get("Content-Type"), tc.ctype) {
				t.Fatalf("Content-Type = %q", a.Header.Get("Content-Type"))
			}
			if tc.status == 200 {
				csp := a.Header.Get("Content-Security-Policy")
				if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'self'") {
					t.Fatalf("CSP = %q", csp)
				}
				if a.Header.Get("X-Content-Type-Options") != "nosniff" || a.Header.Get("Referrer-Policy") == "" {
					t.Fatalf("security headers missing: %v", a.Header)
				}
			}
		})
	}
}

func TestWithoutStaticDirUnknownPathsAre404JSON(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{})
	a := s.newClient().do(http.MethodGet, "/some/page", nil)
	if a.Status != http.StatusNotFound || a.message(t) == "" {
		t.Fatalf("got %d %s", a.Status, a.Body)
	}
}
