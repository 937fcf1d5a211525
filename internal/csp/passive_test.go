package csp

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

// realHomePage is what the BridgeInTech web build's JavaScript creates at run time on its home page: a YouTube
// embed and an image on GitHub's image host, neither of which index.html shows.
const realHomePage = `e.createElement("iframe",{src:"https://www.youtube.com/embed/0tBQ7ZSvW2I",title:"BridgeInTech"}),` +
	`e.createElement("img",{src:"https://user-images.githubusercontent.com/29667122/a.png"})`

func TestTheBuildsFramesImagesAndMediaAreAllowedButNeverItsScripts(t *testing.T) {
	t.Parallel()
	build := fstest.MapFS{
		"index.html":                     {Data: []byte(`<script src="/static/js/main.js"></script>`)},
		"static/js/main.js":              {Data: []byte(realHomePage + `;fetch("http://127.0.0.1:4567/x");`)},
		"static/js/2.chunk.js":           {Data: []byte("var v='https://media.example.org:8443/talk.mp4'")},
		"static/css/main.css":            {Data: []byte("body{background:url(https://img.example.org/bg.png)}")},
		"static/js/main.js.map":          {Data: []byte(`"https://sourcemap.example.org/x"`)},
		"static/media/logo.svg":          {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
		"static/js/tricks.js":            {Data: []byte(`"javascript:alert(1)" "data:text/html,x" "https://*.example.org/" "//proto.example.org/a"`)},
		".hidden/secret.js":              {Data: []byte(`"https://hidden.example.org/"`)},
		"static/js/uppercase-scheme.js":  {Data: []byte(`"HTTPS://Upper.Example.org/a"`)},
		"static/js/with-port-and-end.js": {Data: []byte(`x="https://end.example.org"`)},
	}
	d, err := Derive(build["index.html"].Data, build, "")
	if err != nil {
		t.Fatal(err)
	}
	dirs := directives(t, d.Policy)
	want := []string{"https://www.youtube.com", "https://user-images.githubusercontent.com", "http://127.0.0.1:4567",
		"https://media.example.org:8443", "https://img.example.org", "https://upper.example.org", "https://end.example.org"}
	for _, dir := range []string{"frame-src", "img-src", "media-src"} {
		if !has(dirs[dir], want...) {
			t.Errorf("%s = %v, want it to hold %v", dir, dirs[dir], want)
		}
		for _, never := range []string{"https://sourcemap.example.org", "http://www.w3.org", "https://hidden.example.org", "javascript:", "data:text", "*"} {
			for _, src := range dirs[dir] {
				if strings.Contains(src, never) {
					t.Errorf("%s holds %q, from %q, which the build's scripts and styles do not load", dir, src, never)
				}
			}
		}
	}
	if got := dirs["script-src"]; len(got) != 1 || got[0] != "'self'" {
		t.Errorf("script-src = %v: the build's URLs must never widen it", got)
	}
	for _, dir := range []string{"connect-src", "style-src", "font-src", "default-src", "object-src"} {
		for _, src := range dirs[dir] {
			if strings.Contains(src, "example.org") || strings.Contains(src, "youtube") {
				t.Errorf("%s = %v: only frames, images and media follow the build", dir, dirs[dir])
			}
		}
	}
}

func TestWithoutABuildOnlyIndexHTMLCounts(t *testing.T) {
	t.Parallel()
	d, err := Derive([]byte(`<title>x</title>`), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	dirs := directives(t, d.Policy)
	if _, ok := dirs["frame-src"]; ok {
		t.Errorf("frame-src without a build: %v", dirs["frame-src"])
	}
}

func TestTheOriginsTakenAreBounded(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := range maxPassiveOrigins + 10 {
		fmt.Fprintf(&b, "'https://h%d.example.org/' ", i)
	}
	build := fstest.MapFS{"a.js": {Data: []byte(b.String())}}
	d, err := Derive([]byte(`<title>x</title>`), build, "")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(directives(t, d.Policy)["frame-src"]); n != maxPassiveOrigins+1 { // 'self' and the origins
		t.Errorf("frame-src has %d sources, want 'self' and %d origins", n, maxPassiveOrigins)
	}
	if len(d.Warnings) != 1 || !strings.Contains(d.Warnings[0], "CONTENT_SECURITY_POLICY_EXTRA") {
		t.Errorf("warnings = %v, want one naming CONTENT_SECURITY_POLICY_EXTRA", d.Warnings)
	}
}
