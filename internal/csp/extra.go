package csp

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// extraDirectives are the directives an operator may add sources to. frame-ancestors, base-uri and object-src
// stay as derived.
var extraDirectives = []string{
	"default-src", "script-src", "style-src", "img-src", "font-src", "connect-src", "media-src", "frame-src",
	"worker-src", "manifest-src", "form-action",
}

// ParseExtra reads CONTENT_SECURITY_POLICY_EXTRA: directives in CSP syntax whose sources are added to the
// derived policy, e.g. "font-src https://fonts.gstatic.com; img-src https://avatars.example.org". Each source
// must be an origin (https://host[:port], or http, wss, ws), a scheme (https:, data:, blob:, wss:), 'self', or a 'sha256-…' hash:
// never 'unsafe-inline', 'unsafe-eval' or anything with a *.
func ParseExtra(extra string) (map[string][]string, error) {
	out := map[string][]string{}
	for part := range strings.SplitSeq(extra, ";") {
		fields := strings.Fields(part)
		if len(fields) == 0 {
			continue
		}
		name := strings.ToLower(fields[0])
		if !slices.Contains(extraDirectives, name) {
			return nil, fmt.Errorf("csp: %q is not a directive sources can be added to (one of %s)", name, strings.Join(extraDirectives, ", "))
		}
		if len(fields) == 1 {
			return nil, fmt.Errorf("csp: %s names no source", name)
		}
		for _, src := range fields[1:] {
			if err := checkSource(src); err != nil {
				return nil, fmt.Errorf("csp: %s: %w", name, err)
			}
			if !slices.Contains(out[name], src) {
				out[name] = append(out[name], src)
			}
		}
	}
	return out, nil
}

// schemes an operator may allow as a whole.
var schemes = []string{"https:", "data:", "blob:", "wss:", "mediastream:"}

func checkSource(src string) error {
	lower := strings.ToLower(src)
	switch {
	case strings.Contains(src, "*"):
		return fmt.Errorf("%q: wildcards are not allowed; name each origin", src)
	case lower == "'self'" || slices.Contains(schemes, lower):
		return nil
	case strings.HasPrefix(lower, "'sha256-") || strings.HasPrefix(lower, "'sha384-") || strings.HasPrefix(lower, "'sha512-"):
		if !strings.HasSuffix(src, "'") || len(src) < 12 {
			return fmt.Errorf("%q is not a hash source", src)
		}
		return nil
	case strings.HasPrefix(src, "'"):
		return fmt.Errorf("%q is not allowed (only 'self' and hashes; never 'unsafe-inline' or 'unsafe-eval')", src)
	}
	if !isOrigin(src) {
		return fmt.Errorf("%q is not an origin such as https://cdn.example.org", src)
	}
	return nil
}

// isOrigin accepts scheme://host[:port] with an http(s) or ws(s) scheme and nothing after the host but "/".
func isOrigin(src string) bool {
	u, err := url.Parse(src)
	if err != nil || u.Opaque != "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "ws", "wss":
		return validHost(u.Host)
	}
	return false
}
