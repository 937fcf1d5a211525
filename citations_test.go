package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// citation is a reference to a project document in code or text: docs/<NAME>.md, optionally with a section anchor
// (#the-heading-as-github-slugs-it). Markdown links between the documents ([text](MS.md#anchor)) are read by
// mdLink.
var (
	citation = regexp.MustCompile(`docs/([A-Z][A-Z_]*\.md)(#[a-z0-9_-]+)?`)
	mdLink   = regexp.MustCompile(`\]\(([A-Za-z_/.]*\.md)?(#[a-z0-9_-]+)\)`)
	// The documents this project was first specified in live outside the repository; nothing may cite them.
	outsideDocs = regexp.MustCompile(`\b(?:bff|ms)-contract\b|\bbit-(?:resources|surface)\b`)
)

// citedKinds are the files whose text may cite a document: source, scripts, SQL, templates and documents.
var citedKinds = map[string]bool{".go": true, ".sql": true, ".sh": true, ".js": true, ".mjs": true, ".ts": true,
	".md": true, ".tmpl": true, ".lua": true, ".json": true, ".html": true, ".css": true, ".yml": true, ".yaml": true}

// slug is the anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces as hyphens.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'):
			b.WriteRune(r)
		case r > 127 && (r != '§' && r != '→' && r != '–' && r != '—'):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// anchors returns the section anchors of a Markdown file (headings outside code fences).
func anchors(t *testing.T, path string) map[string]bool {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	out := map[string]bool{}
	fenced := false
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
			continue
		}
		if fenced || !strings.HasPrefix(line, "#") {
			continue
		}
		text := strings.TrimLeft(line, "#")
		if !strings.HasPrefix(text, " ") {
			continue
		}
		text = strings.ReplaceAll(strings.ReplaceAll(text, "`", ""), "*", "")
		out[slug(text)] = true
	}
	return out
}

// TestCitedDocumentsAndSectionsExist: every docs/<NAME>.md#section a comment, script or document cites names a
// file of docs/ and a heading in it, every Markdown link to a section lands on a heading, and nothing cites the
// specification documents that live outside the repository. A newcomer who follows a comment finds the text.
func TestCitedDocumentsAndSectionsExist(t *testing.T) {
	t.Parallel()
	cache := map[string]map[string]bool{}
	sections := func(path string) map[string]bool {
		if a, ok := cache[path]; ok {
			return a
		}
		a := anchors(t, path)
		cache[path] = a
		return a
	}
	checked := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", ".out", "testdata":
				return filepath.SkipDir
			}
			return nil
		}
		if !citedKinds[filepath.Ext(path)] && d.Name() != "Dockerfile" && d.Name() != "Procfile" {
			return nil
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(body), "\n") {
			where := path + ":" + strconv.Itoa(i+1)
			if m := outsideDocs.FindString(line); m != "" {
				t.Errorf("%s cites %q, a document outside the repository; cite docs/ instead", where, m)
			}
			for _, m := range citation.FindAllStringSubmatch(line, -1) {
				checked++
				doc := filepath.Join("docs", m[1])
				if _, err := os.Stat(doc); err != nil {
					t.Errorf("%s cites %s, which does not exist", where, doc)
					continue
				}
				if m[2] != "" && !sections(doc)[m[2][1:]] {
					t.Errorf("%s cites %s%s: %s has no such section", where, doc, m[2], doc)
				}
			}
			if filepath.Ext(path) != ".md" {
				continue
			}
			for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
				target := path
				if m[1] != "" {
					target = filepath.Join(filepath.Dir(path), m[1])
				}
				if _, err := os.Stat(target); err != nil {
					continue // TestDocsStayInsideTheRepo reports a missing file
				}
				checked++
				if !sections(target)[m[2][1:]] {
					t.Errorf("%s links to %s%s: no such section", where, target, m[2])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("found only %d citations; the walk is broken", checked)
	}
}

// TestCitationCheckFindsBrokenOnes: the checker itself fails on a missing section, a missing file and an outside
// document, so a green run means something.
func TestCitationCheckFindsBrokenOnes(t *testing.T) {
	t.Parallel()
	a := anchors(t, filepath.Join("docs", "MS.md"))
	for _, want := range []string{"the-three-token-refusals", "known-500s-and-the-edge-checks", "users-home-and-dashboard"} {
		if !a[want] {
			t.Errorf("docs/MS.md has no section %q (anchors: %v)", want, a)
		}
	}
	if a["no-such-section"] {
		t.Error("an anchor that is not a heading was found")
	}
	if m := citation.FindStringSubmatch("see docs/MS.md#tasks."); m == nil || m[1] != "MS.md" || m[2] != "#tasks" {
		t.Errorf("citation read %q", m)
	}
	for _, bad := range []string{"(m" + "s-contract §3)", "bit-" + "resources.md §2", "the bff-" + "contract"} {
		if !outsideDocs.MatchString(bad) {
			t.Errorf("%q was not caught", bad)
		}
	}
	if got := slug("The BFF's own answers"); got != "the-bffs-own-answers" {
		t.Errorf("slug = %q", got)
	}
}
