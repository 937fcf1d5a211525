// Package csp derives a strict Content-Security-Policy for a single-page app from its build: from index.html a
// sha256 hash for each inline script and style and the exact origins of the scripts, stylesheets, fonts and icons
// it loads from elsewhere; from the build's JavaScript and CSS the origins of the frames, images and media it
// names (passive content, passive.go); 'self' for everything else. It never writes 'unsafe-inline',
// 'unsafe-eval' or a bare *.
package csp

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// directiveOrder is the order directives are written in; every policy has at least these.
var directiveOrder = []string{
	"default-src", "script-src", "style-src", "img-src", "font-src", "connect-src", "media-src", "frame-src",
	"worker-src", "manifest-src", "object-src", "base-uri", "form-action", "frame-ancestors",
}

// base is the policy before the page adds to it. img-src allows any https: image because the app shows
// members' photo_url pictures, which live anywhere; data: images and fonts are what CSS bundles inline.
func base() map[string][]string {
	return map[string][]string{
		"default-src":     {"'self'"},
		"script-src":      {"'self'"},
		"style-src":       {"'self'"},
		"img-src":         {"'self'", "data:", "https:"},
		"font-src":        {"'self'", "data:"},
		"connect-src":     {"'self'"},
		"object-src":      {"'none'"},
		"base-uri":        {"'self'"},
		"form-action":     {"'self'"},
		"frame-ancestors": {"'none'"},
	}
}

// styleFollowers are stylesheets known to load from origins of their own, which index.html cannot show: a
// stylesheet whose URL matches gets these sources too. Anything else a CDN stylesheet loads is the operator's to
// add (CONTENT_SECURITY_POLICY_EXTRA).
var styleFollowers = []struct {
	host, pathHas string
	add           map[string][]string
}{
	// Google Fonts' CSS names font files on fonts.gstatic.com.
	{host: "fonts.googleapis.com", add: map[string][]string{"font-src": {"https://fonts.gstatic.com"}}},
	// Semantic UI's (and its fork Fomantic UI's) CSS @imports the Lato font from Google Fonts.
	{pathHas: "semantic-ui", add: map[string][]string{"style-src": {"https://fonts.googleapis.com"}, "font-src": {"https://fonts.gstatic.com"}}},
	{pathHas: "fomantic-ui", add: map[string][]string{"style-src": {"https://fonts.googleapis.com"}, "font-src": {"https://fonts.gstatic.com"}}},
}

// Derived is a policy made from an index.html, and what in that page it could not allow (for the operator).
type Derived struct {
	Policy   string
	Warnings []string
}

// Derive reads index.html and returns the policy that lets exactly that page run; build, when not nil, is the
// folder it is served from, whose JavaScript and CSS add frame, image and media origins. extra is added to it
// (the operator's CONTENT_SECURITY_POLICY_EXTRA, see ParseExtra).
func Derive(indexHTML []byte, build fs.FS, extra string) (Derived, error) {
	add, err := ParseExtra(extra)
	if err != nil {
		return Derived{}, err
	}
	doc, err := html.Parse(bytes.NewReader(indexHTML))
	if err != nil {
		return Derived{}, fmt.Errorf("csp: parsing index.html: %w", err)
	}
	d := &deriver{dirs: base()}
	d.walk(doc)
	if build != nil {
		origins, warnings := passiveOrigins(build)
		for _, dir := range passiveDirectives {
			d.allow(dir, origins...)
		}
		d.warnings = append(d.warnings, warnings...)
	}
	for name, srcs := range add {
		d.allow(name, srcs...)
	}
	return Derived{Policy: d.policy(), Warnings: d.warnings}, nil
}

type deriver struct {
	dirs     map[string][]string
	warnings []string
}

func (d *deriver) allow(directive string, sources ...string) {
	for _, s := range sources {
		if s == "" || slices.Contains(d.dirs[directive], s) {
			continue
		}
		if len(d.dirs[directive]) == 0 {
			d.dirs[directive] = []string{"'self'"}
		}
		d.dirs[directive] = append(d.dirs[directive], s)
	}
}

func (d *deriver) warn(format string, args ...any) {
	d.warnings = append(d.warnings, fmt.Sprintf(format, args...))
}

func (d *deriver) policy() string {
	parts := make([]string, 0, len(d.dirs))
	for _, name := range directiveOrder {
		if srcs, ok := d.dirs[name]; ok {
			parts = append(parts, name+" "+strings.Join(srcs, " "))
		}
	}
	return strings.Join(parts, "; ")
}

func (d *deriver) walk(n *html.Node) {
	if n.Type == html.ElementNode {
		d.element(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		d.walk(c)
	}
}

func (d *deriver) element(n *html.Node) {
	for _, a := range n.Attr {
		switch {
		case a.Namespace == "" && a.Key == "style":
			d.warn("a style attribute on <%s> is blocked (it would need 'unsafe-inline'): move it into a stylesheet", n.Data)
		case a.Namespace == "" && strings.HasPrefix(a.Key, "on"):
			d.warn("the %s attribute on <%s> is blocked (inline event handlers need 'unsafe-inline'): attach it from a script", a.Key, n.Data)
		}
	}
	switch n.DataAtom {
	case atom.Script:
		if src, ok := attr(n, "src"); ok {
			d.external("script-src", "script", src)
			return
		}
		d.allow("script-src", hash(text(n)))
	case atom.Style:
		d.allow("style-src", hash(text(n)))
	case atom.Link:
		d.link(n)
	}
}

// link allows what a <link> loads: stylesheets, preloads by their "as", icons and the manifest.
func (d *deriver) link(n *html.Node) {
	href, ok := attr(n, "href")
	if !ok {
		return
	}
	rel, _ := attr(n, "rel")
	as, _ := attr(n, "as")
	for _, r := range strings.Fields(strings.ToLower(rel)) {
		switch r {
		case "stylesheet":
			d.stylesheet(href)
		case "modulepreload":
			d.external("script-src", "module preload", href)
		case "preload", "prefetch":
			switch strings.ToLower(as) {
			case "script":
				d.external("script-src", "script preload", href)
			case "style":
				d.stylesheet(href)
			case "font":
				d.external("font-src", "font preload", href)
			case "image":
				d.external("img-src", "image preload", href)
			}
		case "icon", "apple-touch-icon", "mask-icon":
			d.external("img-src", "icon", href)
		case "manifest":
			d.external("manifest-src", "manifest", href)
		}
	}
}

// stylesheet allows a stylesheet's origin for styles and for the fonts it names by relative URLs (Font Awesome,
// Bootstrap Icons), plus what a known stylesheet loads from elsewhere.
func (d *deriver) stylesheet(href string) {
	src := d.external("style-src", "stylesheet", href)
	if src == "" {
		return
	}
	d.allow("font-src", src)
	u, err := url.Parse(href)
	if err != nil {
		return
	}
	for _, f := range styleFollowers {
		if (f.host == "" || strings.EqualFold(u.Hostname(), f.host)) && (f.pathHas == "" || strings.Contains(strings.ToLower(u.Path), f.pathHas)) {
			for dir, srcs := range f.add {
				d.allow(dir, srcs...)
			}
		}
	}
}

// external allows ref's origin in directive and returns that source ("" for the page's own origin, which
// 'self' covers, and for what cannot be allowed).
func (d *deriver) external(directive, what, ref string) string {
	src, ok := Source(ref)
	if !ok {
		d.warn("the %s %q cannot be allowed: only the page's own origin and http(s) origins are", what, truncate(ref))
		return ""
	}
	d.allow(directive, src)
	return src
}

// Source is the CSP source expression for a URL as index.html writes it: "" for a relative URL (the page's own
// origin), "https://host[:port]" for an absolute one, "host[:port]" for a scheme-relative one (which matches
// the page's own scheme). ok is false for what cannot be allowed by origin (data:, javascript:, garbage).
func Source(ref string) (src string, ok bool) {
	ref = strings.TrimSpace(ref)
	u, err := url.Parse(ref)
	if err != nil || u.Opaque != "" {
		return "", false
	}
	switch strings.ToLower(u.Scheme) {
	case "":
		if u.Host == "" {
			return "", true // relative: 'self'
		}
		if !validHost(u.Host) {
			return "", false
		}
		return strings.ToLower(u.Host), true
	case "http", "https":
		if u.Host == "" || !validHost(u.Host) {
			return "", false
		}
		return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host), true
	default:
		return "", false
	}
}

// validHost accepts host[:port] made of the characters a CSP host-source may hold.
func validHost(h string) bool {
	for _, r := range h {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == ':' ||
			r == '[' || r == ']'
		if !ok {
			return false
		}
	}
	return h != ""
}

// hash is the CSP hash source of an inline element's text.
func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// text is an element's text content as the browser hashes it: its text children, as parsed (newlines
// normalised, no entity decoding inside <script> and <style>).
func text(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func truncate(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
