package main

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tidyDiff runs `go mod tidy -diff` in dir and returns its output and whether the module was tidy.
func tidyDiff(t *testing.T, dir string, env ...string) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "mod", "tidy", "-diff")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{"GOWORK=off"}, env...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if _, exited := err.(*exec.ExitError); !exited {
			t.Fatalf("running go mod tidy -diff: %v", err)
		}
		return string(out), false
	}
	return string(out), true
}

// TestModuleIsTidy: go.mod and go.sum are what `go mod tidy` makes of the code, and the check can fail: a
// module that requires something it does not import is refused, with the line to drop.
func TestModuleIsTidy(t *testing.T) {
	t.Parallel()
	t.Run("this module is tidy", func(t *testing.T) {
		t.Parallel()
		if out, ok := tidyDiff(t, "."); !ok {
			t.Fatalf("go mod tidy -diff wants changes (run go mod tidy):\n%s", out)
		}
	})
	t.Run("a module with a requirement it does not use is refused", func(t *testing.T) {
		t.Parallel()
		sum, err := os.ReadFile("go.sum")
		if err != nil {
			t.Fatal(err)
		}
		var syncSum []string
		for _, l := range strings.Split(string(sum), "\n") {
			if strings.HasPrefix(l, "golang.org/x/sync ") {
				syncSum = append(syncSum, l)
			}
		}
		version := strings.Fields(syncSum[0])[1]
		version = strings.TrimSuffix(version, "/go.mod")
		dir := t.TempDir()
		files := map[string]string{
			"go.mod":  "module example.com/untidy\n\ngo 1.26.0\n\nrequire golang.org/x/sync " + version + "\n",
			"go.sum":  strings.Join(syncSum, "\n") + "\n",
			"main.go": "package main\n\nfunc main() {}\n",
		}
		for name, body := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		out, ok := tidyDiff(t, dir, "GOPROXY=off", "GOFLAGS=-mod=mod")
		if ok || !strings.Contains(out, "-require golang.org/x/sync") {
			t.Fatalf("go mod tidy -diff passed or said something else (tidy=%v):\n%s", ok, out)
		}
	})
}

// outsideContract names the files the project was first specified in, which live outside the repository.
var outsideContract = regexp.MustCompile(`(bff|ms)-contract\.md|bit-(surface|resources)\.md|benchmarking\.md|/work/shared`)

// TestDocsStayInsideTheRepo: a clone has everything its documents point to. In every Markdown file no path
// leaves the repository or names the outside contract files; README.md and docs/ also link to no web site
// (they say what they mean in the project's own words), and every relative link resolves to a file here.
func TestDocsStayInsideTheRepo(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	codePath := regexp.MustCompile("`([^`\\s]*\\.\\./[^`\\s]*)`")
	var files []string
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || d.Name() == ".out") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".md") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("found only %v", files)
	}
	for _, file := range files {
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		strict := file == "README.md" || strings.HasPrefix(file, "docs"+string(filepath.Separator))
		for i, line := range strings.Split(string(body), "\n") {
			where := file + ":" + strconv.Itoa(i+1)
			if m := outsideContract.FindString(line); m != "" {
				t.Errorf("%s names %s, which is outside the repository", where, m)
			}
			var targets []string
			for _, m := range link.FindAllStringSubmatch(line, -1) {
				targets = append(targets, m[1])
			}
			for _, m := range codePath.FindAllStringSubmatch(line, -1) {
				targets = append(targets, m[1])
			}
			for _, target := range targets {
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					if strict {
						t.Errorf("%s links to %s, outside the repository", where, target)
					}
					continue
				}
				target, _, _ = strings.Cut(target, "#")
				if target == "" {
					continue
				}
				abs := filepath.Join(filepath.Dir(filepath.Join(root, file)), target)
				if rel, err := filepath.Rel(root, abs); err != nil || strings.HasPrefix(rel, "..") {
					t.Errorf("%s points to %s, outside the repository", where, target)
				} else if _, err := os.Stat(abs); err != nil {
					t.Errorf("%s points to %s, which does not exist", where, target)
				}
			}
		}
	}
}
