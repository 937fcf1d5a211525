// Package storeopen opens the bit.Store a database URL names: postgres:// or postgresql:// → bit/pgstore; an
// SQLite file given as a plain path, "sqlite:PATH" (also "sqlite://PATH") or a "file:" URI → bit/sqlitestore.
package storeopen

import (
	"context"
	"fmt"
	"strings"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/bit/pgstore"
	"github.com/anitab-org/bridge-in-tech-bff/bit/sqlitestore"
)

// Kind names the database a URL selects.
type Kind string

// The kinds of database.
const (
	Postgres Kind = "postgres"
	SQLite   Kind = "sqlite"
)

// Parse tells which database url names and returns what its store's Open takes: the URL itself for PostgreSQL,
// the file path or "file:" URI for SQLite. The error never quotes url (it may hold a password).
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

// Check reports whether url names a database Open can try: a known scheme and, for PostgreSQL, a URL pgx can
// parse. It dials nothing, so a malformed URL can stop a program at start while an unreachable database does
// not. The error never quotes url.
func Check(url string) error {
	kind, target, err := Parse(url)
	if err != nil {
		return err
	}
	if kind == Postgres {
		return pgstore.CheckURL(target)
	}
	return nil
}

func sqlitePath(p string) (Kind, string, error) {
	if p == "" {
		return "", "", fmt.Errorf("storeopen: sqlite: URL names no file")
	}
	return SQLite, p, nil
}

// Open opens and migrates the store url names (see Parse). ctx bounds the connection and the migrations.
func Open(ctx context.Context, url string) (bit.Store, Kind, error) {
	kind, target, err := Parse(url)
	if err != nil {
		return nil, "", err
	}
	switch kind {
	case Postgres:
		s, err := pgstore.Open(ctx, target, pgstore.Options{})
		if err != nil {
			return nil, kind, err
		}
		return s, kind, nil
	default:
		s, err := sqlitestore.Open(ctx, target)
		if err != nil {
			return nil, kind, err
		}
		return s, kind, nil
	}
}
