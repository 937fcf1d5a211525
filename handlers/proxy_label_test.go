package handlers

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/anitab-org/bridge-in-tech-bff/msclient"
)

// forward works out each route's MS call label once; it must be the label msclient would derive from any real
// path of that route.
func TestPrecomputedCallLabelMatchesRealPaths(t *testing.T) {
	t.Parallel()
	for _, r := range msRoutes {
		segs := strings.Split(r.path, "/")
		for _, fill := range []struct{ id, token string }{{"42", "abc.DEF-1"}, {"7", "x"}} {
			real := r.path
			for _, seg := range segs {
				switch {
				case seg == ":token":
					real = strings.Replace(real, seg, fill.token, 1)
				case strings.HasPrefix(seg, ":"):
					real = strings.Replace(real, seg, fill.id, 1)
				}
			}
			if got, want := msclient.RouteOf(r.method, samplePath(segs)), msclient.RouteOf(r.method, real); got != want {
				t.Errorf("%s %s: precomputed label %q, a real path %q gives %q", r.method, r.path, got, real, want)
			}
		}
	}
}

func TestNewRequestIDIsARandomVersion4UUID(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		id := newRequestID()
		u, err := uuid.Parse(id)
		if err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 || !validRequestID(id) {
			t.Fatalf("%q: %v, version %d, variant %v", id, err, u.Version(), u.Variant())
		}
		if seen[id] {
			t.Fatalf("%q came twice", id)
		}
		seen[id] = true
	}
}
