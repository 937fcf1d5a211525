// Package storeopen opens the bit.Store a database URL names: postgres:// or postgresql:// → bit/pgstore; an
// SQLite file given as a plain path, "sqlite:PATH" (also "sqlite://PATH") or a "file:" URI → bit/sqlitestore.
package storeopen

import (
	"context"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/bit/dburl"
	"github.com/anitab-org/bridge-in-tech-bff/bit/pgstore"
	"github.com/anitab-org/bridge-in-tech-bff/bit/sqlitestore"
)

// Kind names the database a URL selects (bit/dburl, which reads URLs without linking a driver).
type Kind = dburl.Kind

// The kinds of database.
const (
	Postgres = dburl.Postgres
	SQLite   = dburl.SQLite
)

// Parse tells which database url names and returns what its store's Open takes (dburl.Parse).
func Parse(url string) (Kind, string, error) { return dburl.Parse(url) }

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
