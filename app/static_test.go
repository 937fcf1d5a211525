package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckConfigPrintsThePolicyDerivedFromIndexHTML: an operator sees the CSP the pages will carry before
// deploying, with what index.html holds that it blocks.
func TestCheckConfigPrintsThePolicyDerivedFromIndexHTML(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	page := `<!doctype html><link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Lato">` +
		`<script>window.x = 1;</script><div style="color: red"></div>`
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		env  []string
		want []string
	}{
		{"the derived policy and its warnings are printed", []string{"STATIC_DIR=" + dir},
			[]string{"content security policy (derived from index.html): default-src 'self'; script-src 'self' 'sha256-",
				"font-src 'self' data: https://fonts.googleapis.com https://fonts.gstatic.com",
				"content security policy warning: a style attribute on <div>"}},
		{"the operator's policy is printed as written", []string{"STATIC_DIR=" + dir, "CONTENT_SECURITY_POLICY=default-src 'none'"},
			[]string{"content security policy (CONTENT_SECURITY_POLICY): default-src 'none'\n"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			env := append([]string{"SESSION_KEYS=" + key, "MS_BASE_URL=http://127.0.0.1:4000", "DATABASE_URL=sqlite:" + filepath.Join(t.TempDir(), "bit.db")}, tc.env...)
			if err := Run(context.Background(), Options{Args: []string{"-check-config"}, Environ: env, Stdout: &out, Stderr: &out}); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Fatalf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}
