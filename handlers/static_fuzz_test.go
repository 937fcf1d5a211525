package handlers

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// FuzzStaticPath: whatever path a client sends, the name looked up in STATIC_DIR is a valid fs.FS name (or the
// root), with no "." or ".." segment, no dotfile and no NUL, or the request is refused.
func FuzzStaticPath(f *testing.F) {
	for _, seed := range []string{"/", "/static/media/long%20left.svg", "/%2e%2e/etc/passwd", "/..%2f.env", "/%252e%252e/x",
		"/a/./b", "//x//y/", "/%00", "/%zz", "/api/user", "/%61pi", "/.git/config", "/static%2F..%2F..%2Fsecret"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		name, status := staticName(raw)
		if status != fiber.StatusOK {
			if name != "" {
				t.Fatalf("%q refused with %d but named %q", raw, status, name)
			}
			return
		}
		if name == "" {
			return
		}
		if !fs.ValidPath(name) || strings.ContainsRune(name, 0) {
			t.Fatalf("%q gave the invalid name %q", raw, name)
		}
		for seg := range strings.SplitSeq(name, "/") {
			if strings.HasPrefix(seg, ".") {
				t.Fatalf("%q gave the dot segment %q in %q", raw, seg, name)
			}
		}
		if name == "api" || strings.HasPrefix(name, "api/") {
			t.Fatalf("%q reached the API's namespace as the file %q", raw, name)
		}
	})
}
