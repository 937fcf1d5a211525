// Package sqlitestore implements bit.Store on an SQLite file through the pure-Go modernc.org/sqlite driver: the
// embedded default database of the BFF (demo mode, a single-machine install). The file is opened in WAL mode with
// a busy timeout and foreign keys on; write transactions start IMMEDIATE so concurrent writers queue instead of
// failing. Its versioned migrations (migrations/*.sql, embedded) are applied by pressly/goose at Open.
package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a bit.Store on one SQLite file. It is safe for concurrent use.
type Store struct {
	db *sql.DB
}

var _ bit.Store = (*Store)(nil)

// busyTimeout is how long a statement waits for another connection's write lock before failing (as
// ErrUnavailable).
const busyTimeout = 5 * time.Second

// maxConns bounds the connections the store keeps open. Each SQLite connection holds its own page cache and
// prepared statements in this process, so an unbounded pool (database/sql's default) would let a burst of
// concurrent requests grow the BFF's memory with the burst; beyond maxConns a query waits for a connection,
// within its request's deadline. WAL lets the readers run side by side, and writes take the one write lock in
// turn anyway. At least 2: the name-key backfill writes while it reads (namekeys.go).
const maxConns = 8

// DSN returns the driver's data source name for path: a file path, or a "file:" URI whose query may carry
// SQLite URI parameters. The store's pragmas are appended.
func DSN(path string) string {
	dsn := path
	if !strings.HasPrefix(dsn, "file:") {
		dsn = "file:" + dsn
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"+
		"&_pragma=synchronous(NORMAL)&_txlock=immediate", busyTimeout.Milliseconds())
}

// Open opens (creating if needed) the SQLite database at path (a file path or a "file:" URI) and applies the
// migrations. An in-memory database is refused: each pooled connection would see its own.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || strings.Contains(path, ":memory:") || strings.Contains(path, "mode=memory") {
		return nil, fmt.Errorf("sqlitestore: a database file is needed, got %q", path)
	}
	db, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	s := &Store{db: db}
	if err := s.migrate(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlitestore: migrate %s: %w", path, err)
	}
	return s, nil
}

// migrate applies the embedded migrations. Two processes opening a new file at once can both see it unmigrated;
// the loser's CREATE fails once its IMMEDIATE transaction gets the lock, and the retry then finds the migrations
// applied.
func (s *Store) migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.db, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		_, err = p.Up(ctx)
		if err == nil || attempt == 2 || ctx.Err() != nil {
			return classify("migrate", err)
		}
	}
}

// write runs fn in one IMMEDIATE transaction and commits it. Its error tells the truth about the write
// (docs/DATABASE.md): the database is in this process, so every outcome is known. A write that could not take
// the write lock within the busy timeout or ctx, or whose statement was interrupted when ctx ended (modernc
// interrupts the running statement; database/sql then rolls the transaction back), or whose COMMIT failed (the
// driver rolls back whatever COMMIT left open), applied nothing; the error wraps bit.ErrUnavailable (or the
// domain sentinel classify gives). Only a nil error means applied.
func (s *Store) write(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return classify(op, err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return classify(op, err)
	}
	return classify(op, tx.Commit())
}

// Ping checks that the file answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var n int
	return classify("ping", s.db.QueryRowContext(ctx, "SELECT count(*) FROM users_extension WHERE user_id = 0").Scan(&n))
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// classify maps a driver error onto bit's sentinels: no rows → ErrNotFound; a unique key → the matching
// duplicate error; a missing parent row → ErrNotFound; locks, interrupts, I/O and the context's end →
// ErrUnavailable. Anything else is returned wrapped as is.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlitestore %s: %w", op, bit.ErrNotFound)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.Is(err, sql.ErrConnDone) {
		return fmt.Errorf("sqlitestore %s: %w (%w)", op, bit.ErrUnavailable, err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		code := se.Code()
		switch {
		case code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			msg := se.Error()
			switch {
			case strings.Contains(msg, "organizations.name"):
				return fmt.Errorf("sqlitestore %s: %w", op, bit.ErrDuplicateOrganizationName)
			case strings.Contains(msg, "organizations.email"):
				return fmt.Errorf("sqlitestore %s: %w", op, bit.ErrDuplicateOrganizationEmail)
			case strings.Contains(msg, "programs.program_name"):
				return fmt.Errorf("sqlitestore %s: %w", op, bit.ErrDuplicateProgramName)
			}
		case code == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("sqlitestore %s: %w", op, bit.ErrNotFound)
		}
		switch code & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_INTERRUPT, sqlite3.SQLITE_IOERR,
			sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_NOMEM:
			return fmt.Errorf("sqlitestore %s: %w (%w)", op, bit.ErrUnavailable, err)
		}
	}
	return fmt.Errorf("sqlitestore %s: %w", op, err)
}

func unix(t time.Time) int64 { return t.Unix() }

func fromUnix(s int64) time.Time { return time.Unix(s, 0).UTC() }
