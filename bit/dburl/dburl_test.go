package dburl

import (
	"os/exec"
	"strings"
	"testing"
)

func TestParseNamesTheDatabase(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, url   string
		kind        Kind
		target      string
		wantErrPart string
	}{
		{"a postgres URL opens as it is", "postgres://u:p@db:5432/bit", Postgres, "postgres://u:p@db:5432/bit", ""},
		{"postgresql:// is PostgreSQL too, in any case", "POSTGRESQL://db/bit", Postgres, "POSTGRESQL://db/bit", ""},
		{"sqlite: names a file", "sqlite:data/bit.db", SQLite, "data/bit.db", ""},
		{"sqlite:// names a file", "sqlite:///var/bit.db", SQLite, "/var/bit.db", ""},
		{"a file: URI goes to SQLite whole", "file:bit.db?mode=rwc", SQLite, "file:bit.db?mode=rwc", ""},
		{"a plain path is an SQLite file", "./bit.db", SQLite, "./bit.db", ""},
		{"an empty URL is refused", "", "", "", "empty"},
		{"sqlite: without a file is refused", "sqlite:", "", "", "names no file"},
		{"another scheme is refused by name", "mysql://u:secret@h/db", "", "", `"mysql"`},
	}
	for _, c := range cases {
		kind, target, err := Parse(c.url)
		if c.wantErrPart != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErrPart) {
				t.Errorf("%s: err = %v, want it to say %q", c.name, err, c.wantErrPart)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("%s: the error quotes the URL's password: %v", c.name, err)
			}
			continue
		}
		if err != nil || kind != c.kind || target != c.target {
			t.Errorf("%s: Parse = %q, %q, %v; want %q, %q", c.name, kind, target, err, c.kind, c.target)
		}
	}
}

// TestConfigLinksNoDriver: config reads DATABASE_URL through this package, so neither database driver is
// linked into it (config is the one package that reads the environment, and needs no driver to check a URL).
func TestConfigLinksNoDriver(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "github.com/anitab-org/bridge-in-tech-bff/config").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "jackc/pgx") || strings.Contains(dep, "modernc.org/sqlite") || strings.HasSuffix(dep, "/bit/storeopen") {
			t.Errorf("config depends on %s", dep)
		}
	}
}
