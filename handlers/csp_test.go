package handlers

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/anitab-org/bridge-in-tech-bff/config"
)

const inlineRuntime = "window.__runtime = 1;"

func inlineSite() fstest.MapFS {
	return fstest.MapFS{"index.html": {Data: []byte(`<!doctype html><title>app</title>` +
		`<link rel="stylesheet" href="https://cdn.example.org/kit.css"><script>` + inlineRuntime + `</script>`)}}
}

func runtimeHash() string {
	sum := sha256.Sum256([]byte(inlineRuntime))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

func TestPagesCarryThePolicyDerivedFromIndexHTML(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{static: inlineSite()})
	for _, path := range []string{"/", "/mentors/7"} {
		a := s.newClient().do(http.MethodGet, path, nil, "Accept", "text/html")
		csp := a.Header.Get("Content-Security-Policy")
		if a.Status != 200 || !strings.Contains(csp, "script-src 'self' "+runtimeHash()) ||
			!strings.Contains(csp, "style-src 'self' https://cdn.example.org") || strings.Contains(csp, "unsafe-inline") {
			t.Fatalf("GET %s: %d, CSP %q", path, a.Status, csp)
		}
	}
	if !strings.Contains(s.logs.String(), `"msg":"content security policy","source":"derived from index.html"`) {
		t.Fatalf("the policy was not logged at start:\n%s", s.logs.String())
	}
}

func TestPagePolicySources(t *testing.T) {
	t.Parallel()
	load := func(t *testing.T, env map[string]string) *config.Config {
		t.Helper()
		env["SESSION_KEYS"] = "0101010101010101010101010101010101010101010101010101010101010101"
		env["MS_BASE_URL"] = "http://127.0.0.1:4000"
		cfg, err := config.Load(env, nil)
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	cases := []struct {
		name   string
		env    map[string]string
		static fstest.MapFS
		source string
		has    []string
	}{
		{"the operator's policy wins over the derived one", map[string]string{"CONTENT_SECURITY_POLICY": "default-src 'none'"},
			inlineSite(), "CONTENT_SECURITY_POLICY", []string{"default-src 'none'"}},
		{"a static folder gets the policy of its index.html", map[string]string{}, inlineSite(), "derived from index.html",
			[]string{runtimeHash(), "https://cdn.example.org", "object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'"}},
		{"extra sources are added to the derived policy", map[string]string{"CONTENT_SECURITY_POLICY_EXTRA": "font-src https://fonts.example.net"},
			inlineSite(), "derived from index.html", []string{"font-src 'self' data: https://cdn.example.org https://fonts.example.net"}},
		{"without a folder the strict default applies", map[string]string{}, nil, "default", []string{"script-src 'self';"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var policy, source string
			var err error
			if tc.static == nil {
				policy, source, _, err = PagePolicy(load(t, tc.env), nil)
			} else {
				policy, source, _, err = PagePolicy(load(t, tc.env), tc.static)
			}
			if err != nil || source != tc.source {
				t.Fatalf("source %q, err %v", source, err)
			}
			for _, h := range tc.has {
				if !strings.Contains(policy, h) {
					t.Fatalf("policy %q lacks %q", policy, h)
				}
			}
		})
	}
}
