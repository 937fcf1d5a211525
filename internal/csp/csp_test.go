package csp

import (
	"crypto/sha256"
	"encoding/base64"
	"os"
	"regexp"
	"strings"
	"testing"
)

// sha is the hash source of s, computed here independently of the package.
func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// directives splits a policy into its directives' source lists.
func directives(t *testing.T, policy string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for part := range strings.SplitSeq(policy, ";") {
		f := strings.Fields(part)
		if len(f) == 0 {
			t.Fatalf("empty directive in %q", policy)
		}
		if _, dup := out[f[0]]; dup {
			t.Fatalf("directive %s twice in %q", f[0], policy)
		}
		out[f[0]] = f[1:]
	}
	return out
}

func has(list []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, s := range list {
			if s == w {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func TestDeriveFromACreateReactApp3Build(t *testing.T) {
	t.Parallel()
	page, err := os.ReadFile("testdata/cra3-index.html")
	if err != nil {
		t.Fatal(err)
	}
	inline := regexp.MustCompile(`<script>(.*?)</script>`).FindSubmatch(page) // the fixture's one inline script
	d, err := Derive(page, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	got := directives(t, d.Policy)
	cases := []struct {
		name      string
		directive string
		want      []string
	}{
		{"the inline runtime script is allowed by its hash", "script-src", []string{"'self'", sha(string(inline[1]))}},
		{"the CDN script's origin is allowed", "script-src", []string{"https://code.jquery.com"}},
		{"each CDN stylesheet's origin is allowed", "style-src", []string{"'self'", "https://stackpath.bootstrapcdn.com", "https://use.fontawesome.com", "https://fonts.googleapis.com"}},
		{"a scheme-relative stylesheet is allowed by host, for the page's scheme", "style-src", []string{"cdn.jsdelivr.net"}},
		{"Google Fonts' font files are allowed", "font-src", []string{"'self'", "data:", "https://fonts.gstatic.com"}},
		{"a CDN stylesheet may load fonts from its own origin", "font-src", []string{"https://use.fontawesome.com", "https://stackpath.bootstrapcdn.com"}},
		{"images may come from the page, data: and any https origin", "img-src", []string{"'self'", "data:", "https:"}},
		{"the API is same-origin", "connect-src", []string{"'self'"}},
		{"plugins are off", "object-src", []string{"'none'"}},
		{"a base element cannot move the page", "base-uri", []string{"'self'"}},
		{"no site may frame the page", "frame-ancestors", []string{"'none'"}},
		{"everything else is the page's own origin", "default-src", []string{"'self'"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !has(got[tc.directive], tc.want...) {
				t.Fatalf("%s = %v, want %v in it (policy %q)", tc.directive, got[tc.directive], tc.want, d.Policy)
			}
		})
	}
	for _, banned := range []string{"'unsafe-inline'", "'unsafe-eval'", " * ", "*;"} {
		if strings.Contains(d.Policy+";", banned) {
			t.Fatalf("the policy holds %s: %q", banned, d.Policy)
		}
	}
	if len(d.Warnings) != 0 {
		t.Fatalf("warnings for a clean build: %v", d.Warnings)
	}
}

func TestDeriveHashesEachInlineElementAsTheBrowserDoes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, page, directive, want string
	}{
		{"an inline script's exact text", "<script>var a = 1 < 2 && '&amp;';</script>", "script-src", sha("var a = 1 < 2 && '&amp;';")},
		{"an inline style's exact text", "<style>body{color:red}</style>", "style-src", sha("body{color:red}")},
		{"CRLF line ends are normalised as the browser's parser does", "<script>a();\r\nb();</script>", "script-src", sha("a();\nb();")},
		{"an empty inline script", "<script></script>", "script-src", sha("")},
		{"a script in the body", "<body><div><script>go()</script></div></body>", "script-src", sha("go()")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Derive([]byte(tc.page), nil, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := directives(t, d.Policy)[tc.directive]; !has(got, tc.want) {
				t.Fatalf("%s = %v, want %s", tc.directive, got, tc.want)
			}
		})
	}
}

func TestDeriveWarnsAboutWhatItCannotAllow(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, page, warning string
	}{
		{"a style attribute", `<div style="color:red"></div>`, "style attribute on <div>"},
		{"an inline event handler", `<body onload="go()"></body>`, "onload attribute on <body>"},
		{"a data: script", `<script src="data:text/javascript,alert(1)"></script>`, "script"},
		{"a javascript: stylesheet", `<link rel="stylesheet" href="javascript:alert(1)">`, "stylesheet"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Derive([]byte(tc.page), nil, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Warnings) != 1 || !strings.Contains(d.Warnings[0], tc.warning) {
				t.Fatalf("warnings %v, want one about %q", d.Warnings, tc.warning)
			}
			if strings.Contains(d.Policy, "unsafe") || strings.Contains(d.Policy, "data:text") || strings.Contains(d.Policy, "javascript:") {
				t.Fatalf("the policy allowed it: %q", d.Policy)
			}
		})
	}
}

func TestDeriveAllowsLinkedResourcesByTheirKind(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, page, directive, want string
	}{
		{"a font preload", `<link rel="preload" as="font" href="https://f.example.org/a.woff2" crossorigin>`, "font-src", "https://f.example.org"},
		{"a script preload", `<link rel="preload" as="script" href="https://s.example.org/a.js">`, "script-src", "https://s.example.org"},
		{"a module preload", `<link rel="modulepreload" href="https://m.example.org/a.js">`, "script-src", "https://m.example.org"},
		{"an icon on another origin", `<link rel="icon" href="http://i.example.org:8080/f.ico">`, "img-src", "http://i.example.org:8080"},
		{"a manifest on another origin", `<link rel="manifest" href="https://x.example.org/m.json">`, "manifest-src", "https://x.example.org"},
		{"an upper-case rel", `<link REL="StyleSheet" href="HTTPS://CSS.Example.org/a.css">`, "style-src", "https://css.example.org"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Derive([]byte(tc.page), nil, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := directives(t, d.Policy)[tc.directive]; !has(got, "'self'", tc.want) {
				t.Fatalf("%s = %v, want %s (policy %q)", tc.directive, got, tc.want, d.Policy)
			}
		})
	}
}

func TestExtraSourcesAreAddedAndCheckedStrictly(t *testing.T) {
	t.Parallel()
	d, err := Derive([]byte("<title>x</title>"), nil, "font-src https://fonts.gstatic.com; img-src https://avatars.example.org ; connect-src wss://push.example.org")
	if err != nil {
		t.Fatal(err)
	}
	got := directives(t, d.Policy)
	if !has(got["font-src"], "https://fonts.gstatic.com") || !has(got["img-src"], "https://avatars.example.org") || !has(got["connect-src"], "'self'", "wss://push.example.org") {
		t.Fatalf("extra sources missing: %q", d.Policy)
	}
	bad := []struct{ name, extra string }{
		{"'unsafe-inline' is refused", "script-src 'unsafe-inline'"},
		{"'unsafe-eval' is refused", "script-src 'unsafe-eval'"},
		{"a bare wildcard is refused", "img-src *"},
		{"a wildcard host is refused", "script-src https://*.example.org"},
		{"frame-ancestors stays 'none'", "frame-ancestors https://evil.example"},
		{"an unknown directive is refused", "scirpt-src https://a.example.org"},
		{"a directive without sources is refused", "font-src"},
		{"a URL with a query is not an origin", "script-src https://a.example.org/?x=1"},
		{"a source with a separator inside is refused", "script-src https://a.example.org,https://b.example.org"},
		{"a javascript: scheme is refused", "script-src javascript:"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseExtra(tc.extra); err == nil {
				t.Fatalf("%q accepted", tc.extra)
			}
		})
	}
}
