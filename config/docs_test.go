package config

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// envVar is one environment variable of Config, read from its struct tags.
type envVar struct{ name, def string }

// envVars lists every variable Config reads, from its env tags, so a setting added later is checked too.
func envVars() []envVar {
	var out []envVar
	typ := reflect.TypeFor[Config]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("env"), ",")
		if name == "" || name == "-" {
			continue
		}
		out = append(out, envVar{name: name, def: f.Tag.Get("envDefault")})
	}
	return out
}

// tableRows reads a Markdown table's rows whose first cell is a variable in backticks: name -> second cell.
func tableRows(t *testing.T, path string) map[string]string {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	row := regexp.MustCompile("^\\| `([A-Z][A-Z0-9_]*)` \\| ([^|]*) \\|")
	for _, line := range strings.Split(string(body), "\n") {
		if m := row.FindStringSubmatch(line); m != nil {
			rows[m[1]] = m[2]
		}
	}
	return rows
}

// TestEveryVariableIsDocumented: docs/CONFIGURATION.md and the README's table each have one row per variable
// of Config, whose default cell shows the envDefault tag, and no row for a variable Config does not read.
func TestEveryVariableIsDocumented(t *testing.T) {
	t.Parallel()
	vars := envVars()
	if len(vars) < 10 {
		t.Fatalf("only %d variables found in Config's tags", len(vars))
	}
	for _, doc := range []string{"../docs/CONFIGURATION.md", "../README.md"} {
		rows := tableRows(t, doc)
		known := map[string]bool{}
		for _, v := range vars {
			known[v.name] = true
			def, ok := rows[v.name]
			switch {
			case !ok:
				t.Errorf("%s has no row \"| `%s` | ... |\"", doc, v.name)
			case v.def != "" && !strings.Contains(def, "`"+v.def+"`"):
				t.Errorf("%s gives %s the default %q; the code's is `%s`", doc, v.name, strings.TrimSpace(def), v.def)
			}
		}
		for name := range rows {
			if !known[name] {
				t.Errorf("%s documents %s, which Config does not read", doc, name)
			}
		}
	}
}

// TestEnvExampleListsEveryVariable: .env.example has a line for every variable of Config (set, or commented
// out with its default) and none for a variable Config does not read.
func TestEnvExampleListsEveryVariable(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]string{}
	setting := regexp.MustCompile(`^(# )?([A-Z][A-Z0-9_]*)=(.*)$`)
	for _, line := range strings.Split(string(body), "\n") {
		if m := setting.FindStringSubmatch(line); m != nil {
			if _, dup := lines[m[2]]; dup {
				t.Errorf(".env.example sets %s twice", m[2])
			}
			lines[m[2]] = m[3]
		}
	}
	known := map[string]bool{}
	for _, v := range envVars() {
		known[v.name] = true
		value, ok := lines[v.name]
		switch {
		case !ok:
			t.Errorf(".env.example has no line %s=...", v.name)
		case v.def != "" && value != v.def:
			t.Errorf(".env.example shows %s=%s; the code's default is %s", v.name, value, v.def)
		}
	}
	for name := range lines {
		if !known[name] {
			t.Errorf(".env.example sets %s, which Config does not read", name)
		}
	}
}

// TestEnvExampleLoads: the example, as a production operator fills it in (a key), is a valid configuration.
func TestEnvExampleLoads(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	environ := map[string]string{}
	for _, line := range strings.Split(string(body), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			environ[k] = v
		}
	}
	environ["SESSION_KEYS"] = goodKey
	if _, err := Load(environ, nil); err != nil {
		t.Fatalf("the filled-in .env.example does not load: %v", err)
	}
}
