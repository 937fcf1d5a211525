// Package loadtest holds the k6 scripts (k6/*.js) users run against a deployment. This test keeps them honest:
// every route a script calls must exist in the BFF's routing table (handlers.APIRoutes), and the smoke script
// must call every route but a short, named list.
package loadtest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/handlers"
)

// notARoute marks a line whose /api path is meant not to exist (the smoke test checks the 404).
const notARoute = "// not-a-route"

// smokeSkips are the routes the smoke script deliberately does not call, each with the reason.
var smokeSkips = map[string]string{
	"DELETE /api/user": "it would delete the seeded account",
}

// call is one request a script makes through lib.js's get/post/put/del helpers.
type call struct {
	file   string
	line   int
	method string
	path   string   // as written, e.g. "/api/users/${pick.id}"
	segs   []string // path segments without the query; "" for an interpolated ${…} segment
	absent bool     // marked notARoute
}

var (
	// helperCall finds get(jar, …), post(jar, …), put(jar, …), del(jar, …); not obj.get( or function get(.
	helperCall = regexp.MustCompile(`(^|[^\w$.])(get|post|put|del)\(\s*([A-Za-z_$][\w$.]*)\s*,\s*`)
	methods    = map[string]string{"get": "GET", "post": "POST", "put": "PUT", "del": "DELETE"}
)

// stripComments blanks out // and /* */ comments (keeping newlines, so offsets and lines stay), leaving string
// and template literals alone.
func stripComments(src string) string {
	b := []byte(src)
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '\'' || c == '"' || c == '`':
			for i++; i < len(b) && b[i] != c; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		case c == '/' && i+1 < len(b) && b[i+1] == '/':
			for ; i < len(b) && b[i] != '\n'; i++ {
				b[i] = ' '
			}
		case c == '/' && i+1 < len(b) && b[i+1] == '*':
			for ; i < len(b) && !(b[i] == '*' && i+1 < len(b) && b[i+1] == '/'); i++ {
				if b[i] != '\n' {
					b[i] = ' '
				}
			}
			if i+1 < len(b) {
				b[i], b[i+1] = ' ', ' '
				i++
			}
		}
	}
	return string(b)
}

// readLiteral reads the string or template literal starting at code[i]; it returns the literal's text between
// the quotes with each ${…} replaced by "\x00", and false when code[i] does not start a literal.
func readLiteral(code string, i int) (string, bool) {
	if i >= len(code) {
		return "", false
	}
	q := code[i]
	if q != '\'' && q != '"' && q != '`' {
		return "", false
	}
	var sb strings.Builder
	for j := i + 1; j < len(code); j++ {
		switch c := code[j]; {
		case c == q:
			return sb.String(), true
		case c == '\\' && j+1 < len(code):
			sb.WriteByte(code[j+1])
			j++
		case q == '`' && c == '$' && j+1 < len(code) && code[j+1] == '{':
			depth := 0
			for j++; j < len(code); j++ {
				if code[j] == '{' {
					depth++
				} else if code[j] == '}' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			sb.WriteByte(0)
		default:
			sb.WriteByte(c)
		}
	}
	return "", false
}

// literalStarts finds the offsets of every string or template literal in code that looks like an /api/ path:
// it starts with "/api/" (after an optional leading ${…}, as in `${BASE_URL}/api/user`) and has no spaces
// (a label such as '/api/user id' is not a path).
func literalStarts(code string) []int {
	var out []int
	for i := 0; i < len(code); i++ {
		c := code[i]
		if c != '\'' && c != '"' && c != '`' {
			continue
		}
		text, ok := readLiteral(code, i)
		if !ok {
			return out // unterminated: the scripts' own type check reports it
		}
		if strings.HasPrefix(strings.TrimPrefix(text, "\x00"), "/api/") && !strings.ContainsAny(text, " \t\n") {
			out = append(out, i)
		}
		// Skip past the literal by re-scanning for its end.
		for j := i + 1; j < len(code); j++ {
			if code[j] == '\\' {
				j++
				continue
			}
			if c == '`' && code[j] == '$' && j+1 < len(code) && code[j+1] == '{' {
				depth := 0
				for j++; j < len(code); j++ {
					if code[j] == '{' {
						depth++
					} else if code[j] == '}' {
						depth--
						if depth == 0 {
							break
						}
					}
				}
				continue
			}
			if code[j] == c {
				i = j
				break
			}
		}
	}
	return out
}

func lineOf(s string, off int) int { return strings.Count(s[:off], "\n") + 1 }

// parseScript returns the helper calls in one script, and problems: calls whose path is not a literal /api/…
// path, and /api/ literals used outside a helper call (a request the route check could not see).
func parseScript(name, src string) ([]call, []string) {
	code := stripComments(src)
	lines := strings.Split(src, "\n")
	var calls []call
	var problems []string
	seen := map[int]bool{}
	for _, m := range helperCall.FindAllStringSubmatchIndex(code, -1) {
		fnStart := m[4]
		if strings.HasSuffix(strings.TrimRight(code[:fnStart], " \t"), "function") {
			continue // the helper's own definition in lib.js
		}
		argStart := m[1]
		line := lineOf(code, m[4])
		text, ok := readLiteral(code, argStart)
		if !ok {
			problems = append(problems, fmt.Sprintf("%s:%d: %s(…) with a path that is not a literal: the route check can't see it", name, line, code[m[4]:m[5]]))
			continue
		}
		if !strings.HasPrefix(text, "/api/") {
			problems = append(problems, fmt.Sprintf("%s:%d: path %q does not start with /api/", name, line, text))
			continue
		}
		seen[argStart] = true
		p := text
		if q := strings.IndexByte(p, '?'); q >= 0 {
			p = p[:q]
		}
		segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
		for k, s := range segs {
			if strings.Contains(s, "\x00") {
				segs[k] = ""
			}
		}
		calls = append(calls, call{
			file: name, line: line, method: methods[code[m[4]:m[5]]],
			path: strings.ReplaceAll(text, "\x00", "${…}"), segs: segs,
			absent: strings.Contains(lines[line-1], notARoute),
		})
	}
	for _, off := range literalStarts(code) {
		if !seen[off] {
			problems = append(problems, fmt.Sprintf("%s:%d: an /api/ path outside get/post/put/del(jar, '/api/…'): the route check can't see it", name, lineOf(code, off)))
		}
	}
	return calls, problems
}

// matches reports whether a call's path fits a Fiber pattern: literal segments equal, a ":param" segment takes
// any segment, and an interpolated ${…} segment fits only a ":param".
func matches(segs []string, pattern string) bool {
	ps := strings.Split(strings.TrimPrefix(pattern, "/"), "/")
	if len(ps) != len(segs) {
		return false
	}
	for i, p := range ps {
		if strings.HasPrefix(p, ":") {
			continue
		}
		if segs[i] != p {
			return false
		}
	}
	return true
}

func route(c call, routes []handlers.RouteInfo) (handlers.RouteInfo, bool) {
	for _, r := range routes {
		if r.Method == c.method && matches(c.segs, r.Path) {
			return r, true
		}
	}
	return handlers.RouteInfo{}, false
}

func loadScripts(t *testing.T) map[string][]call {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("k6", "*.js"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no k6 scripts found in loadtest/k6 (err %v)", err)
	}
	out := map[string][]call{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		calls, problems := parseScript(f, string(src))
		for _, p := range problems {
			t.Error(p)
		}
		out[filepath.Base(f)] = calls
	}
	return out
}

// TestScriptRoutesExist checks that every /api route each k6 script calls is one the BFF serves.
func TestScriptRoutesExist(t *testing.T) {
	routes := handlers.APIRoutes()
	if len(routes) == 0 {
		t.Fatal("handlers.APIRoutes() is empty")
	}
	scripts := loadScripts(t)
	for _, name := range []string{"lib.js", "smoke.js", "load.js", "spike.js", "soak.js", "isolation.js"} {
		if _, ok := scripts[name]; !ok {
			t.Errorf("loadtest/k6/%s is missing", name)
		}
	}
	total := 0
	for _, calls := range scripts {
		for _, c := range calls {
			total++
			r, ok := route(c, routes)
			switch {
			case c.absent && ok:
				t.Errorf("%s:%d: %s %s is marked %q but the BFF serves it as %s %s", c.file, c.line, c.method, c.path, notARoute, r.Method, r.Path)
			case !c.absent && !ok:
				t.Errorf("%s:%d: %s %s: no such route in handlers.APIRoutes()", c.file, c.line, c.method, c.path)
			}
		}
	}
	if total < 30 {
		t.Errorf("found only %d route calls in the scripts; the parser is probably broken", total)
	}
	if !t.Failed() {
		t.Logf("%d route calls in %d scripts, all known to the BFF", total, len(scripts))
	}
}

// TestSmokeCoversEveryRoute checks that smoke.js calls every route the BFF serves, but the named skips.
func TestSmokeCoversEveryRoute(t *testing.T) {
	scripts := loadScripts(t)
	called := map[string]bool{}
	for _, name := range []string{"smoke.js", "lib.js"} { // smoke logs in and out through lib.js
		for _, c := range scripts[name] {
			if r, ok := route(c, handlers.APIRoutes()); ok && !c.absent {
				called[r.Method+" "+r.Path] = true
			}
		}
	}
	var missing []string
	for _, r := range handlers.APIRoutes() {
		k := r.Method + " " + r.Path
		if _, skip := smokeSkips[k]; !skip && !called[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("smoke.js does not call these BFF routes (add them, or name them in smokeSkips with a reason):\n  %s", strings.Join(missing, "\n  "))
	}
}

// TestParser checks the parser itself on a small script.
func TestParser(t *testing.T) {
	src := "// get(jar, '/api/in_a_comment')\n" +
		"const a = get(s.jar, `/api/users/${pick.id}`);\n" +
		"put(jarA, '/api/user', { bio: 'x // not a comment' });\n" +
		"del(jar, `/api/mentorship_relation/${rel}/task/${t}/comment/${c}`, { expect: [200] });\n" +
		"post(jar, \"/api/nope\"); " + notARoute + "\n" +
		"http.get(`${BASE_URL}/api/hidden`);\n" +
		"get(jar, somePath);\n" +
		"export function get(jar, path, opts) {}\n"
	calls, problems := parseScript("t.js", src)
	want := []string{
		"GET /api/users/${…} [api users ]",
		"PUT /api/user [api user]",
		"DELETE /api/mentorship_relation/${…}/task/${…}/comment/${…} [api mentorship_relation  task  comment ]",
		"POST /api/nope [api nope] absent",
	}
	var got []string
	for _, c := range calls {
		s := fmt.Sprintf("%s %s %v", c.method, c.path, c.segs)
		if c.absent {
			s += " absent"
		}
		got = append(got, s)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(problems) != 2 || !strings.Contains(problems[0], "t.js:7") || !strings.Contains(problems[1], "t.js:6") {
		t.Errorf("problems = %q, want one for line 7 (not a literal) and one for line 6 (hidden /api/ path)", problems)
	}
	if !matches([]string{"api", "users", "42"}, "/api/users/:user_id") || matches([]string{"api", ""}, "/api/home") ||
		!matches([]string{"api", "users", ""}, "/api/users/:user_id") || matches([]string{"api", "users"}, "/api/users/:user_id") {
		t.Error("matches() is wrong")
	}
}
