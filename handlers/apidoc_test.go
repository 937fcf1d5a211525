package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
)

const (
	apiDocPath     = "../docs/API.md"
	routesBegin    = "<!-- BEGIN generated routes: handlers/apidoc_test.go writes this table from the routing table; UPDATE_DOCS=1 go test ./handlers -run TestAPIDocListsEveryRoute -->"
	routesEnd      = "<!-- END generated routes -->"
	updateDocsHint = "run: UPDATE_DOCS=1 go test ./handlers -run TestAPIDocListsEveryRoute"
)

// routesTable renders the table of every /api route from the served OpenAPI document (itself built from the
// routing table): route, whether it needs a session, and its summary, in the routing table's order.
func routesTable(t *testing.T) string {
	t.Helper()
	raw, err := openAPIDoc()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Summary  string           `json:"summary"`
			Security []map[string]any `json:"security"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("| route | session | what it does |\n|---|---|---|\n")
	for _, r := range APIRoutes() {
		path, _ := openAPIPath(r.Path)
		op, ok := doc.Paths[path][strings.ToLower(r.Method)]
		if !ok {
			t.Fatalf("%s %s is served but not in the OpenAPI document", r.Method, path)
		}
		session := "no"
		if len(op.Security) > 0 {
			session = "yes"
		}
		fmt.Fprintf(&b, "| `%s %s` | %s | %s |\n", r.Method, path, session, strings.ReplaceAll(op.Summary, "|", "\\|"))
	}
	return b.String()
}

// TestAPIDocListsEveryRoute: docs/API.md's route table is exactly what the routing table generates, so a route
// added, removed or re-described shows up here; UPDATE_DOCS=1 rewrites the table in place.
func TestAPIDocListsEveryRoute(t *testing.T) {
	body, err := os.ReadFile(apiDocPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(body)
	head, rest, ok1 := strings.Cut(doc, routesBegin+"\n")
	current, tail, ok2 := strings.Cut(rest, routesEnd)
	if !ok1 || !ok2 {
		t.Fatalf("%s lacks the markers of the generated route table:\n%s\n%s", apiDocPath, routesBegin, routesEnd)
	}
	want := routesTable(t)
	if current == want {
		return
	}
	if os.Getenv("UPDATE_DOCS") == "1" {
		if err := os.WriteFile(apiDocPath, []byte(head+routesBegin+"\n"+want+routesEnd+tail), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the route table of %s", apiDocPath)
		return
	}
	t.Fatalf("%s's route table is not what the routing table makes (%s); it should be:\n%s", apiDocPath, updateDocsHint, want)
}

// TestAPIDocNamesEveryOtherRoute: every route served outside /api (health, readiness, metrics, ...) is named in
// docs/API.md as "`METHOD /path`".
func TestAPIDocNamesEveryOtherRoute(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile(apiDocPath)
	if err != nil {
		t.Fatal(err)
	}
	s := newStack(t, stackOpts{})
	n := 0
	for _, r := range s.bff.App().GetRoutes(true) {
		if r.Method == http.MethodHead || strings.HasPrefix(r.Path, "/api") || r.Path == "/" || strings.Contains(r.Path, "*") {
			continue
		}
		n++
		if want := "`" + r.Method + " " + r.Path + "`"; !strings.Contains(string(body), want) {
			t.Errorf("%s does not name %s", apiDocPath, want)
		}
	}
	if n == 0 {
		t.Fatal("no route outside /api was found; the check would pass on anything")
	}
}
