package sqlitestore

import (
	"database/sql"
	"io/fs"
)

// MigrationsFS is the embedded migrations folder, for tests that build a database of an older schema.
func MigrationsFS() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // embedded at build time: cannot fail
	}
	return sub
}

// DBStats is the pool's statistics, for the test that the pool is bounded.
func (s *Store) DBStats() sql.DBStats { return s.db.Stats() }

// MaxConns is the pool's bound.
const MaxConns = maxConns
