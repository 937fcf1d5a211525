package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/revocation"
)

// The ends of sessions on SQLite (revocation.Store; migration 00006). Several processes on one host may share the
// file, and SQLite has no push: every Revoke bumps a one-row change counter in its own transaction, and a watch
// polls that counter (one indexed read of one row) every WatchEvery. The cursor is the AUTOINCREMENT row id:
// SQLite runs one write transaction at a time, so rows commit in cursor order and a reader following the cursor
// misses none.

var _ revocation.Store = (*Store)(nil)

// WatchEvery is how often WatchRevocations reads the change counter: a revocation stored by another process
// reaches this one's memory within about this long.
const WatchEvery = time.Second

// Revoke implements revocation.Store: a new entry, or a later Until for a stored one, is stored with a new cursor
// and bumps the change counter; an entry stored already with the same or a later Until changes nothing.
func (s *Store) Revoke(ctx context.Context, e revocation.Entry) error {
	if err := e.Validate(); err != nil {
		return fmt.Errorf("sqlitestore revoke: %w", err)
	}
	until := revocation.UntilSecond(e.Until)
	var sessionID []byte
	var before sql.NullInt64
	if e.SessionID.IsZero() {
		before = sql.NullInt64{Int64: e.Before.Unix(), Valid: true}
	} else {
		sessionID = e.SessionID[:]
	}
	return s.write(ctx, "revoke", func(tx *sql.Tx) error {
		var stored int64
		err := tx.QueryRowContext(ctx, `SELECT until_at FROM session_revocations WHERE entry_key = ?`, e.Key()).Scan(&stored)
		switch {
		case err == nil && stored >= until:
			return nil
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM session_revocations WHERE entry_key = ?`, e.Key()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO session_revocations (entry_key, session_id, user_id, before_at, until_at)
			VALUES (?, ?, ?, ?, ?)`, e.Key(), sessionID, e.UserID, before, until); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE session_revocation_changes SET counter = counter + 1 WHERE id = 1`)
		return err
	})
}

// revocationRows reads entries from rows of (seq, session_id, user_id, before_at, until_at) and the last seq.
func revocationRows(rows *sql.Rows, last int64) ([]revocation.Entry, int64, error) {
	defer rows.Close()
	var out []revocation.Entry
	for rows.Next() {
		var (
			seq, user, until int64
			id               []byte
			before           sql.NullInt64
		)
		if err := rows.Scan(&seq, &id, &user, &before, &until); err != nil {
			return nil, last, err
		}
		var b *int64
		if before.Valid {
			b = &before.Int64
		}
		e, err := revocation.EntryOfRow(id, user, b, until)
		if err != nil {
			return nil, last, fmt.Errorf("revocation %d: %w", seq, err)
		}
		out = append(out, e)
		last = max(last, seq)
	}
	return out, last, rows.Err()
}

// Revocations implements revocation.Store. The entries and the cursor come from one read transaction, so an
// entry stored meanwhile is either in the list or after the cursor.
func (s *Store) Revocations(ctx context.Context, now time.Time) ([]revocation.Entry, int64, error) {
	const op = "revocations"
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, classify(op, err)
	}
	defer func() { _ = tx.Rollback() }()
	var cursor int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM session_revocations`).Scan(&cursor); err != nil {
		return nil, 0, classify(op, err)
	}
	// The cursor may be above every live row (the newest was purged), so AUTOINCREMENT's own record counts too.
	var seqMax sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT seq FROM sqlite_sequence WHERE name = 'session_revocations'`).Scan(&seqMax); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, 0, classify(op, err)
	}
	cursor = max(cursor, seqMax.Int64)
	rows, err := tx.QueryContext(ctx, `SELECT seq, session_id, user_id, before_at, until_at FROM session_revocations
		WHERE until_at > ? ORDER BY seq`, now.Unix())
	if err != nil {
		return nil, 0, classify(op, err)
	}
	out, _, err := revocationRows(rows, 0)
	if err != nil {
		return nil, 0, classify(op, err)
	}
	return out, cursor, classify(op, tx.Commit())
}

// RevocationsSince implements revocation.Store.
func (s *Store) RevocationsSince(ctx context.Context, cursor int64) ([]revocation.Entry, int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, session_id, user_id, before_at, until_at FROM session_revocations
		WHERE seq > ? ORDER BY seq`, cursor)
	if err != nil {
		return nil, cursor, classify("revocations since", err)
	}
	out, next, err := revocationRows(rows, cursor)
	if err != nil {
		return nil, cursor, classify("revocations since", err)
	}
	return out, next, nil
}

// WatchRevocations implements revocation.Store: it reads the change counter every WatchEvery and wakes when it
// moved (and once at the start). A read that fails (the store closed, the file gone) ends the watch with its
// error; the caller catches up and watches again.
func (s *Store) WatchRevocations(ctx context.Context, wake func()) error {
	return s.watch(ctx, WatchEvery, wake)
}

func (s *Store) watch(ctx context.Context, every time.Duration, wake func()) error {
	read := func() (int64, error) {
		var n int64
		err := s.db.QueryRowContext(ctx, `SELECT counter FROM session_revocation_changes WHERE id = 1`).Scan(&n)
		return n, classify("watch revocations", err)
	}
	seen, err := read()
	if err != nil {
		return err
	}
	wake()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("sqlitestore watch revocations: %w", ctx.Err())
		case <-t.C:
		}
		n, err := read()
		if err != nil {
			return err
		}
		if n != seen {
			seen = n
			wake()
		}
	}
}

// PurgeRevocations implements revocation.Store.
func (s *Store) PurgeRevocations(ctx context.Context, now time.Time) error {
	t := now.Unix()
	return s.write(ctx, "purge revocations", func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM session_revocations WHERE until_at <= ?`,
			`DELETE FROM session_logins WHERE until_at <= ?`,
			`DELETE FROM login_failures WHERE expires_at <= ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, t); err != nil {
				return err
			}
		}
		return nil
	})
}

// RecordLogin implements revocation.Store.
func (s *Store) RecordLogin(ctx context.Context, r revocation.Record) error {
	return s.write(ctx, "record login", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO session_logins (session_id, user_id, login_at, until_at, device)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET user_id = excluded.user_id,
			login_at = excluded.login_at, until_at = excluded.until_at, device = excluded.device`,
			r.SessionID[:], r.UserID, r.LoginAt.Unix(), revocation.UntilSecond(r.Until), r.Device)
		return err
	})
}

// Logins implements revocation.Store.
func (s *Store) Logins(ctx context.Context, userID int64, now time.Time) ([]revocation.Record, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT session_id, login_at, until_at, device FROM session_logins
		WHERE user_id = ? AND until_at > ? ORDER BY login_at DESC, session_id`, userID, now.Unix())
	if err != nil {
		return nil, classify("logins", err)
	}
	defer rows.Close()
	var out []revocation.Record
	for rows.Next() {
		var (
			id           []byte
			login, until int64
			device       string
		)
		if err := rows.Scan(&id, &login, &until, &device); err != nil {
			return nil, classify("logins", err)
		}
		r := revocation.Record{UserID: userID, LoginAt: fromUnix(login), Until: fromUnix(until), Device: device}
		copy(r.SessionID[:], id)
		out = append(out, r)
	}
	return out, classify("logins", rows.Err())
}

// AddLoginFailure implements revocation.Store: one statement, so concurrent failures of one key each count once.
func (s *Store) AddLoginFailure(ctx context.Context, key string, now time.Time, window time.Duration) (int, error) {
	var n int
	t := now.Unix()
	err := s.write(ctx, "add login failure", func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO login_failures (failure_key, expires_at, failures) VALUES (?, ?, 1)
			ON CONFLICT (failure_key) DO UPDATE SET
				failures   = CASE WHEN login_failures.expires_at <= ? THEN 1 ELSE login_failures.failures + 1 END,
				expires_at = CASE WHEN login_failures.expires_at <= ? THEN excluded.expires_at ELSE login_failures.expires_at END
			RETURNING failures`, key, t+int64(window/time.Second), t, t).Scan(&n)
	})
	return n, err
}

// LoginFailures implements revocation.Store.
func (s *Store) LoginFailures(ctx context.Context, key string, now time.Time, _ time.Duration) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT failures FROM login_failures WHERE failure_key = ? AND expires_at > ?`,
		key, now.Unix()).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, classify("login failures", err)
}

// ClearLoginFailures implements revocation.Store.
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	return s.write(ctx, "clear login failures", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE failure_key = ?`, key)
		return err
	})
}
