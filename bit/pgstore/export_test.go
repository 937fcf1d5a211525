package pgstore

import "io/fs"

// WatchPID is the backend pid of the latest revocation watch's connection (0 before the first).
func (s *Store) WatchPID() uint32 { return s.watchPID.Load() }

// MigrationsFS is the embedded migrations folder, for tests that build a database of an older schema.
func MigrationsFS() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // embedded at build time: cannot fail
	}
	return sub
}
