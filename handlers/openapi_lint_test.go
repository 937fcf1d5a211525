package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// redocly is the pinned Redocly CLI of tools/redocly (npm ci there; scripts/test.sh does it).
const redocly = "../tools/redocly/node_modules/.bin/redocly"

// lintProblem is one finding of `redocly lint --format=json`.
type lintProblem struct {
	RuleID   string `json:"ruleId"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Location []struct {
		Pointer string `json:"pointer"`
	} `json:"location"`
}

// redoclyLint lints an OpenAPI document with Redocly's recommended ruleset (tools/redocly/redocly.yaml) and
// returns every error and warning it reports.
func redoclyLint(t *testing.T, doc []byte) []lintProblem {
	t.Helper()
	if _, err := os.Stat(redocly); err != nil {
		t.Fatalf("Redocly CLI is not installed at %s: run `npm ci` in tools/redocly (scripts/test.sh does): %v", redocly, err)
	}
	file := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, redocly, "lint", "--config", "../tools/redocly/redocly.yaml", "--format=json", file)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var report struct {
		Totals *struct {
			Errors   int `json:"errors"`
			Warnings int `json:"warnings"`
		} `json:"totals"`
		Problems []lintProblem `json:"problems"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil || report.Totals == nil {
		t.Fatalf("redocly gave no JSON report (%v, exit %v):\n%s\n%s", err, runErr, stdout.String(), stderr.String())
	}
	if n := report.Totals.Errors + report.Totals.Warnings; n != len(report.Problems) {
		t.Fatalf("redocly counted %d problems but listed %d", n, len(report.Problems))
	}
	if (runErr != nil) != (report.Totals.Errors > 0) {
		t.Fatalf("redocly's exit (%v) disagrees with its %d errors", runErr, report.Totals.Errors)
	}
	return report.Problems
}

func describeProblems(ps []lintProblem) string {
	var b strings.Builder
	for _, p := range ps {
		where := ""
		if len(p.Location) > 0 {
			where = p.Location[0].Pointer
		}
		fmt.Fprintf(&b, "  %s %s: %s (%s)\n", p.Severity, p.RuleID, p.Message, where)
	}
	return b.String()
}

// TestOpenAPIPassesRedoclyRecommended lints the document the BFF serves at /api/openapi.json: no error and no
// warning of Redocly's recommended ruleset.
func TestOpenAPIPassesRedoclyRecommended(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{})
	a := s.newClient().do(http.MethodGet, "/api/openapi.json", nil)
	if a.Status != http.StatusOK {
		t.Fatalf("GET /api/openapi.json: %d", a.Status)
	}
	if problems := redoclyLint(t, a.Body); len(problems) > 0 {
		t.Fatalf("Redocly's recommended ruleset finds %d problems in /api/openapi.json:\n%s", len(problems), describeProblems(problems))
	}
}

// TestRedoclyRefusesABrokenDocument shows the lint can fail: the served document with five things the
// recommended ruleset asks for taken out (one Redocly run, to keep the test quick) gets a finding for each.
func TestRedoclyRefusesABrokenDocument(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		breakDoc func(doc map[string]any)
		wantRule string
	}{
		{"a document without servers is refused", func(doc map[string]any) { delete(doc, "servers") }, "no-empty-servers"},
		{"a document without a license is refused", func(doc map[string]any) { delete(doc["info"].(map[string]any), "license") }, "info-license"},
		{"an operation without an operationId is refused", func(doc map[string]any) {
			delete(operation(doc, "/api/login", "post"), "operationId")
		}, "operation-operationId"},
		{"an operation without security is refused", func(doc map[string]any) {
			delete(operation(doc, "/api/register", "post"), "security")
		}, "security-defined"},
		{"an operation without a 4XX answer is refused", func(doc map[string]any) {
			op := operation(doc, "/api/logout", "post")
			op["responses"] = map[string]any{"204": map[string]any{"description": "Logged out."}}
		}, "operation-4xx-response"},
	}
	good, err := openAPIDoc()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(good, &doc); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		tc.breakDoc(doc)
	}
	broken, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	problems := redoclyLint(t, broken)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, p := range problems {
				if p.RuleID == tc.wantRule {
					return
				}
			}
			t.Fatalf("no %s finding; Redocly reported:\n%s", tc.wantRule, describeProblems(problems))
		})
	}
}

func operation(doc map[string]any, path, method string) map[string]any {
	return doc["paths"].(map[string]any)[path].(map[string]any)[method].(map[string]any)
}

// TestOperationIDsAreUniqueAndDerived: every served route gets its derived id, and no two share one.
func TestOperationIDsAreUniqueAndDerived(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	for _, r := range APIRoutes() {
		id := operationID(r.Method, r.Path)
		if id == "" || strings.ContainsAny(id, "/:{}_ ") {
			t.Errorf("%s %s: operationId %q is not a plain identifier", r.Method, r.Path, id)
		}
		if other, dup := seen[id]; dup {
			t.Errorf("%s %s and %s share the operationId %q", r.Method, r.Path, other, id)
		}
		seen[id] = r.Method + " " + r.Path
	}
	if got := operationID(http.MethodPut, "/api/mentorship_relation/:request_id/accept"); got != "putMentorshipRelationByRequestIdAccept" {
		t.Errorf("operationID = %q", got)
	}
}
