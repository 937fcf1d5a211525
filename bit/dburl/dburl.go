// Package dburl reads a database URL: which database it names (PostgreSQL or an SQLite file) and what that
// database's store opens. It imports no driver, so configuration checks (config) can use it without linking pgx
// or SQLite; bit/storeopen opens what it names.
package dburl

import (
	"fmt"
	"strings"
)

// Kind names the database a URL selects.
type Kind string

// The kinds of database.
const (
	Postgres Kind = "postgres"
	SQLite   Kind = "sqlite"
)

// Parse tells which database url names and returns what its store's Open takes: the URL itself for PostgreSQL
// (postgres:// or postgresql://), the file path or "file:" URI for SQLite (a plain path, "sqlite:PATH",
// "sqlite://PATH" or a "file:" URI). The error never quotes url (it may hold a password).
func Parse(url string) (Kind, string, error) {
	lower := strings.ToLower(url)
	switch {
	case url == "":
		return "", "", fmt.Errorf("storeopen: empty database URL")
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"):
		return Postgres, url, nil
	case strings.HasPrefix(lower, "sqlite://"):
		return sqlitePath(url[len("sqlite://"):])
	case strings.HasPrefix(lower, "sqlite:"):
		return sqlitePath(url[len("sqlite:"):])
	case strings.HasPrefix(lower, "file:"):
		return SQLite, url, nil
	case strings.Contains(url, "://"):
		scheme, _, _ := strings.Cut(url, "://")
		return "", "", fmt.Errorf("storeopen: unsupported database URL scheme %q (use postgres://, sqlite: or a file path)", scheme)
	default:
		return SQLite, url, nil
	}
}

func sqlitePath(p string) (Kind, string, error) {
	if p == "" {
		return "", "", fmt.Errorf("storeopen: sqlite: URL names no file")
	}
	return SQLite, p, nil
}
