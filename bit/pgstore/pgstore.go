// Package pgstore implements bit.Store on PostgreSQL through pgx (pgxpool): the production database of the BFF
// (DATABASE_URL, e.g. Heroku Postgres). BridgeInTech's tables live in their own schema, bitschema (as the old
// backend's), and the store never reads or writes any other schema. Its versioned migrations (migrations/*.sql,
// embedded) are applied by pressly/goose at Open under a PostgreSQL advisory lock (goose's session locker), so
// several instances starting at once on a fresh database all succeed and the migrations run once.
package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the PostgreSQL schema that holds BridgeInTech's tables and goose's version table.
const Schema = "bitschema"

// migrationLockID is the advisory lock key goose's session locker takes while migrating ("bitschem" in ASCII).
const migrationLockID int64 = 0x626974736368656d

// Store is a bit.Store on a PostgreSQL pool. It is safe for concurrent use.
type Store struct {
	pool     *pgxpool.Pool
	watchPID atomic.Uint32 // the backend of the latest revocation watch (tests end it to cut the watch)
}

var _ bit.Store = (*Store)(nil)

// Options tune Open; the zero value is fine.
type Options struct {
	MaxConns int32 // the pool's size; default pgxpool's (max(4, GOMAXPROCS)), or the URL's pool_max_conns
	// Tracer, when set, sees every statement the pool's connections send (pgx's hook; tests use it to hang a
	// session at a chosen statement).
	Tracer pgx.QueryTracer
}

// Open connects to the database at url (postgres:// or postgresql://, libpq parameters such as sslmode and
// pgxpool's pool_max_conns allowed), creates schema bitschema if needed and applies the migrations. The database
// must answer within ctx's deadline; if not, the error wraps bit.ErrUnavailable.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("pgstore: parse database URL: %w", redact(err))
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if opts.Tracer != nil {
		cfg.ConnConfig.Tracer = opts.Tracer
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", redact(err))
	}
	s := &Store{pool: pool}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgstore: migrate: %w", err)
	}
	return s, nil
}

// CheckURL reports whether url is a database URL Open can use (its syntax only; nothing is dialled). The error
// never quotes url.
func CheckURL(url string) error {
	if _, err := pgxpool.ParseConfig(url); err != nil {
		return fmt.Errorf("pgstore: parse database URL: %w", redact(err))
	}
	return nil
}

// redact drops a parse error's text, which may quote the URL and its password.
func redact(err error) error {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		return errors.New("invalid database URL (not shown: it may hold a password)")
	}
	return err
}

// migrate creates the schema (a concurrent creator's duplicate is fine) and runs goose under its advisory lock.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+Schema); err != nil {
		var pe *pgconn.PgError
		// Two sessions creating the schema at once: the loser gets a unique violation; the schema exists.
		if !errors.As(err, &pe) || (pe.Code != "23505" && pe.Code != "42P06") {
			return s.classify("create schema", err)
		}
	}
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrationLockID), lock.WithLockTimeout(1, 300))
	if err != nil {
		return err
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	db := stdlib.OpenDBFromPool(s.pool)
	defer func() { _ = db.Close() }()
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithTableName(Schema+".goose_db_version"), goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return s.classify("migrate", err)
	}
	return nil
}

// Ping checks that the database answers a query within ctx.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.classify("ping", s.pool.QueryRow(ctx, `SELECT 1`).Scan(&one))
}

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// classify maps a pgx error onto bit's sentinels: no rows or a missing parent row → ErrNotFound; a unique key →
// the matching duplicate error; connection failures, the context's end, server shutdown, resource exhaustion
// and serialization failures → ErrUnavailable. Other server errors are returned wrapped as is.
func (s *Store) classify(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("pgstore %s: %w", op, bit.ErrNotFound)
	}
	if lostConnection(err) {
		// The server went away (restarted, failed over): every pooled connection is stale, not just this one.
		// Drop them all now, so the next calls dial afresh instead of each finding out by failing.
		s.pool.Reset()
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		// No answer from the server: refused, reset, timed out, pool closed, context ended.
		return fmt.Errorf("pgstore %s: %w (%w)", op, bit.ErrUnavailable, err)
	}
	switch {
	case pe.Code == "23505":
		switch pe.ConstraintName {
		case "organizations_name_key", "organizations_name_key_unique":
			return fmt.Errorf("pgstore %s: %w", op, bit.ErrDuplicateOrganizationName)
		case "organizations_email_key":
			return fmt.Errorf("pgstore %s: %w", op, bit.ErrDuplicateOrganizationEmail)
		case "programs_program_name_key", "programs_program_name_key_unique":
			return fmt.Errorf("pgstore %s: %w", op, bit.ErrDuplicateProgramName)
		}
	case pe.Code == "23503":
		return fmt.Errorf("pgstore %s: %w", op, bit.ErrNotFound)
	case pe.Code == "57014", pe.Code == "40001", pe.Code == "40P01", // canceled, serialization, deadlock
		len(pe.Code) == 5 && (pe.Code[:2] == "08" || pe.Code[:2] == "53" || pe.Code[:2] == "57"):
		return fmt.Errorf("pgstore %s: %w (%w)", op, bit.ErrUnavailable, err)
	}
	return fmt.Errorf("pgstore %s: %w", op, err)
}

// write runs fn in one transaction and commits it, and its error tells the truth about the write
// (docs/DATABASE.md):
//
//   - BEGIN carries SET LOCAL statement_timeout set to what is left of ctx's deadline, so a statement that
//     reaches the server late (its backend was hung) is abandoned by PostgreSQL itself, and a statement that
//     waits for a row lock held by a hung transaction gets a definite refusal instead of a silent wait;
//   - any failure before COMMIT is sent (no connection, BEGIN or a statement failed or timed out, the connection
//     broke) applied nothing: PostgreSQL commits only on COMMIT, and a session whose client closed the connection
//     (pgx closes it when the context ends mid-statement) is rolled back. The error is classify's: it wraps
//     bit.ErrUnavailable for every failure to answer, or the domain sentinel (a taken name...);
//   - COMMIT answered: done, or (an ERROR such as a serialization failure, or ROLLBACK for an aborted
//     transaction) nothing applied;
//   - COMMIT sent but unanswered (deadline, lost connection), or answered with what may follow the commit record
//     (a FATAL, a cancel or timeout): the write may have been applied, and the error wraps bit.ErrOutcomeUnknown.
//
// A write applied late (its COMMIT buffered in a hung backend) never overwrites a newer one: its transaction
// holds the row locks of what it wrote until then, so another writer of those rows waits for it (and is refused
// at its own statement timeout) instead of being acknowledged first.
func (s *Store) write(ctx context.Context, op string, fn func(pgx.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{BeginQuery: beginQuery(ctx)})
	if err != nil {
		return s.classify(op, err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if err := fn(tx); err != nil {
		return s.classify(op, err)
	}
	err = tx.Commit(ctx)
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if pgconn.SafeToRetry(err) || errors.Is(err, pgx.ErrTxCommitRollback) ||
		errors.As(err, &pe) && pe.Severity == "ERROR" && !strings.HasPrefix(pe.Code, "57") {
		return s.classify(op, err) // COMMIT never sent, or refused (a deferred check, serialization): nothing applied
	}
	// Anything else may follow the commit record: a FATAL (shutdown), or a cancel or timeout (class 57) that
	// PostgreSQL may act on only once the commit is done.
	if lostConnection(err) {
		s.pool.Reset()
	}
	return fmt.Errorf("pgstore %s: %w (commit sent, no answer: %w)", op, bit.ErrOutcomeUnknown, err)
}

// beginQuery is the BEGIN of a write: with a statement timeout of what is left of ctx's deadline (at least 1 ms),
// or plain when ctx has none.
func beginQuery(ctx context.Context) string {
	deadline, ok := ctx.Deadline()
	if !ok {
		return "begin"
	}
	ms := max(time.Until(deadline).Milliseconds(), 1)
	return fmt.Sprintf("begin; set local statement_timeout = %d", ms)
}

// read runs a read-only query, and runs it once more when it failed because its pooled connection was lost
// (after a database restart every pooled connection is stale, and the first call on each would fail): a read
// can always be repeated, and the pool is reset by then, so the second try dials a fresh connection. Writes are
// not repeated: whether a lost write committed is unknown.
func (s *Store) read(ctx context.Context, query func() error) error {
	err := query()
	if err != nil && ctx.Err() == nil && lostConnection(err) {
		s.pool.Reset()
		err = query()
	}
	return err
}

// lostConnection reports whether err says the connection to the server broke (closed, reset, the server shut
// down), as opposed to the server refusing a statement, no rows, a timeout or the caller's context ending.
func lostConnection(err error) bool {
	if err == nil || errors.Is(err, pgx.ErrNoRows) || errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) { // admin or crash shutdown, cannot connect now, connection exceptions
		return pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" || strings.HasPrefix(pe.Code, "08")
	}
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

func unix(t time.Time) int64 { return t.Unix() }

func fromUnix(s int64) time.Time { return time.Unix(s, 0).UTC() }
