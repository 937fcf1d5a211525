package handlers

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestOpenAPIListsExactlyTheServedRoutes keeps the document honest: every route of the routing table is in it,
// nothing else is, and every path parameter is declared.
func TestOpenAPIListsExactlyTheServedRoutes(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{})
	a := s.newClient().do(http.MethodGet, "/api/openapi.json", nil)
	if a.Status != http.StatusOK {
		t.Fatalf("GET /api/openapi.json: %d", a.Status)
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(a.Body, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi = %q", doc.OpenAPI)
	}
	param := regexp.MustCompile(`\{([a-z_]+)\}`)
	var documented []string
	for p, ops := range doc.Paths {
		for method, op := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+param.ReplaceAllString(p, ":$1"))
			declared := map[string]bool{}
			params, _ := op["parameters"].([]any)
			for _, pr := range params {
				declared[pr.(map[string]any)["name"].(string)] = true
			}
			for _, m := range param.FindAllStringSubmatch(p, -1) {
				if !declared[m[1]] {
					t.Errorf("%s %s does not declare path parameter %s", method, p, m[1])
				}
			}
			if op["summary"] == "" || op["summary"] == nil {
				t.Errorf("%s %s has no summary", method, p)
			}
		}
	}
	var served []string
	for _, r := range APIRoutes() {
		served = append(served, r.Method+" "+r.Path)
	}
	sort.Strings(documented)
	sort.Strings(served)
	if strings.Join(documented, "\n") != strings.Join(served, "\n") {
		t.Fatalf("documented routes differ from served ones:\ndocumented:\n%s\n\nserved:\n%s",
			strings.Join(documented, "\n"), strings.Join(served, "\n"))
	}
}

// TestRoutingTableIsWhatFiberServes checks APIRoutes against the routes Fiber actually registered.
func TestRoutingTableIsWhatFiberServes(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{})
	registered := map[string]bool{}
	for _, r := range s.bff.App().GetRoutes(true) {
		if strings.HasPrefix(r.Path, "/api/") && r.Method != http.MethodHead && len(r.Handlers) > 0 && r.Path != "/api/" {
			registered[r.Method+" "+r.Path] = true
		}
	}
	listed := map[string]bool{}
	for _, r := range APIRoutes() {
		listed[r.Method+" "+r.Path] = true
		if !registered[r.Method+" "+r.Path] {
			t.Errorf("%s %s is listed but not served", r.Method, r.Path)
		}
	}
	for k := range registered {
		if !listed[k] && !strings.HasSuffix(k, "/api") {
			t.Errorf("%s is served but not listed", k)
		}
	}
}
