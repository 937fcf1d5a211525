package sqlitestore

import "io/fs"

// MigrationsFS is the embedded migrations folder, for tests that build a database of an older schema.
func MigrationsFS() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // embedded at build time: cannot fail
	}
	return sub
}
