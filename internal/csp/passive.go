package csp

import (
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
)

// Passive content (frames, images, audio and video) is what the build's own JavaScript and CSS name by absolute
// URL, which index.html cannot show: the BridgeInTech home page creates a YouTube <iframe> and an <img> from
// GitHub's image host at run time. Such content cannot run script in the page, so allowing it does not weaken
// what the policy is for (stopping injected script: script-src still never goes beyond what index.html proves).
// The origins come from the deployed build, which the operator chose, never from a request.
var passiveDirectives = []string{"frame-src", "img-src", "media-src"}

// Bounds of the scan: a build is read once at start, and a huge or hostile folder must not make that slow.
const (
	maxScannedFile    = 16 << 20 // bytes: larger files are skipped with a warning
	maxScannedTotal   = 64 << 20 // bytes over all files
	maxPassiveOrigins = 64       // origins added; more are named in a warning
)

// absoluteURL finds http(s) URLs with a host in JavaScript and CSS text: the scheme, "//", the host and an
// optional port, followed by a path, a quote, a closing parenthesis or the end.
var absoluteURL = regexp.MustCompile(`(?i)\bhttps?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?(?:[/"'\x60)?#\s]|$)`)

// passiveOrigins returns the origins of the absolute URLs in the build's .js, .mjs and .css files (source maps
// excluded), in the order first found, and warnings for what the bounds left out.
func passiveOrigins(build fs.FS) (origins, warnings []string) {
	total := 0
	skippedTooMany := 0
	err := fs.WalkDir(build, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // an unreadable entry: the page cannot load it either
		}
		if d.IsDir() {
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		switch path.Ext(p) {
		case ".js", ".mjs", ".css":
		default:
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		if info.Size() > maxScannedFile || total+int(info.Size()) > maxScannedTotal {
			warnings = append(warnings, "the build file "+truncate(p)+" was not scanned for frame, image and media origins (too large); add what it loads with CONTENT_SECURITY_POLICY_EXTRA")
			return nil
		}
		body, err := fs.ReadFile(build, p)
		if err != nil {
			return nil
		}
		total += len(body)
		for _, m := range absoluteURL.FindAll(body, -1) {
			src, ok := Source(strings.TrimRight(string(m), "/\"'`)?# \t\r\n"))
			if !ok || src == "" || slices.Contains(origins, src) {
				continue
			}
			if len(origins) == maxPassiveOrigins {
				skippedTooMany++
				continue
			}
			origins = append(origins, src)
		}
		return nil
	})
	if err != nil {
		warnings = append(warnings, "the build could not be scanned for frame, image and media origins: "+err.Error())
	}
	if skippedTooMany > 0 {
		warnings = append(warnings, "the build names more origins than the policy takes; the rest need CONTENT_SECURITY_POLICY_EXTRA")
	}
	return origins, warnings
}
