package config

import (
	"errors"
	"strings"
	"testing"
)

func TestDatabaseSource(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		env     map[string]string
		want    string
		refused bool
	}{
		{"production with a Heroku Postgres URL uses it", map[string]string{"DATABASE_URL": "postgres://u:p@db.example:5432/bit"}, "postgres://u:p@db.example:5432/bit", false},
		{"production with an SQLite file named explicitly uses it", map[string]string{"DATABASE_URL": "sqlite:/var/lib/bit.db"}, "sqlite:/var/lib/bit.db", false},
		{"production without DATABASE_URL is refused", map[string]string{}, "", true},
		{"development without DATABASE_URL uses the SQLite default", map[string]string{"APP_ENV": "development"}, DevDatabaseURL, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"SESSION_KEYS": goodKey, "MS_BASE_URL": "https://ms.example.org"}
			for k, v := range tc.env {
				env[k] = v
			}
			c, err := Load(env, nil)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			got, err := c.DatabaseSource()
			if tc.refused {
				var ce *Error
				if !errors.As(err, &ce) || ce.Var != "DATABASE_URL" || strings.Contains(err.Error(), "\n") {
					t.Fatalf("want one line naming DATABASE_URL, got %v", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("DatabaseSource() = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestDatabaseURLErrorsDoNotQuoteThePassword(t *testing.T) {
	t.Parallel()
	_, err := Load(map[string]string{"SESSION_KEYS": goodKey, "DATABASE_URL": "mysql://bit:hunter2@db/x"}, nil)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("err = %v", err)
	}
}

func TestDatabaseKind(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]string{
		"postgres://u@h/db": "postgres", "postgresql://u@h/db": "postgres", "sqlite:bit.db": "sqlite", "file:/x.db": "sqlite",
	} {
		if got := DatabaseKind(src); got != want {
			t.Errorf("DatabaseKind(%q) = %q, want %q", src, got, want)
		}
	}
}
