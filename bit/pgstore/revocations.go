package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/anitab-org/bridge-in-tech-bff/revocation"
)

// The ends of sessions on PostgreSQL (revocation.Store; migration 00006). Revoke takes a transaction-scoped
// advisory lock before it draws the next cursor, so revocations commit in cursor order and a reader following
// the cursor never skips one that committed late; it sends NOTIFY in the same transaction (delivered at commit).
// Each instance's watch LISTENs on a connection of its own, outside the pool.

var _ revocation.Store = (*Store)(nil)

const (
	// revocationChannel is the NOTIFY channel of revocations.
	revocationChannel = Schema + "_revocations"
	// revocationLockID serialises revocation inserts ("bitrevoc" in ASCII).
	revocationLockID int64 = 0x6269747265766f63
)

// Revoke implements revocation.Store: a new entry, or a later Until for a stored one, is stored with a new cursor
// and notifies every watch; an entry stored already with the same or a later Until changes nothing.
func (s *Store) Revoke(ctx context.Context, e revocation.Entry) error {
	if err := e.Validate(); err != nil {
		return fmt.Errorf("pgstore revoke: %w", err)
	}
	until := revocation.UntilSecond(e.Until)
	var sessionID []byte
	var before *int64
	if e.SessionID.IsZero() {
		b := e.Before.Unix()
		before = &b
	} else {
		sessionID = e.SessionID[:]
	}
	key := e.Key()
	return s.write(ctx, "revoke", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, revocationLockID); err != nil {
			return err
		}
		var stored int64
		err := tx.QueryRow(ctx, `SELECT until_at FROM bitschema.session_revocations WHERE entry_key = $1`, key).Scan(&stored)
		switch {
		case err == nil && stored >= until:
			return nil
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM bitschema.session_revocations WHERE entry_key = $1`, key); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO bitschema.session_revocations (entry_key, session_id, user_id, before_at, until_at)
			VALUES ($1, $2, $3, $4, $5)`, key, sessionID, e.UserID, before, until); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `SELECT pg_notify($1, '')`, revocationChannel)
		return err
	})
}

// revocationRows reads entries from rows of (seq, session_id, user_id, before_at, until_at) and the last seq.
func revocationRows(rows pgx.Rows, last int64) ([]revocation.Entry, int64, error) {
	defer rows.Close()
	var out []revocation.Entry
	for rows.Next() {
		var (
			seq, user, until int64
			id               []byte
			before           *int64
		)
		if err := rows.Scan(&seq, &id, &user, &before, &until); err != nil {
			return nil, last, err
		}
		e, err := revocation.EntryOfRow(id, user, before, until)
		if err != nil {
			return nil, last, fmt.Errorf("revocation %d: %w", seq, err)
		}
		out = append(out, e)
		last = max(last, seq)
	}
	return out, last, rows.Err()
}

// Revocations implements revocation.Store. The entries and the cursor come from one snapshot, so an entry stored
// meanwhile is either in the list or after the cursor.
func (s *Store) Revocations(ctx context.Context, now time.Time) ([]revocation.Entry, int64, error) {
	const op = "revocations"
	var (
		out    []revocation.Entry
		cursor int64
	)
	err := s.read(ctx, func() error {
		tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback(ctx) }()
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM bitschema.session_revocations`).Scan(&cursor); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT seq, session_id, user_id, before_at, until_at FROM bitschema.session_revocations
			WHERE until_at > $1 ORDER BY seq`, now.Unix())
		if err != nil {
			return err
		}
		out, _, err = revocationRows(rows, 0)
		return err
	})
	if err != nil {
		return nil, 0, s.classify(op, err)
	}
	return out, cursor, nil
}

// RevocationsSince implements revocation.Store.
func (s *Store) RevocationsSince(ctx context.Context, cursor int64) ([]revocation.Entry, int64, error) {
	var (
		out  []revocation.Entry
		next = cursor
	)
	err := s.read(ctx, func() error {
		rows, err := s.pool.Query(ctx, `SELECT seq, session_id, user_id, before_at, until_at FROM bitschema.session_revocations
			WHERE seq > $1 ORDER BY seq`, cursor)
		if err != nil {
			return err
		}
		out, next, err = revocationRows(rows, cursor)
		return err
	})
	if err != nil {
		return nil, cursor, s.classify("revocations since", err)
	}
	return out, next, nil
}

// WatchRevocations implements revocation.Store: LISTEN on a connection of its own (not the pool's: it is held for
// as long as the watch runs), wake once listening, then once per notification. A lost connection ends the watch
// with its error; the caller catches up and watches again.
func (s *Store) WatchRevocations(ctx context.Context, wake func()) error {
	const op = "watch revocations"
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return s.classify(op, err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, `LISTEN `+revocationChannel); err != nil {
		return s.classify(op, err)
	}
	s.watchPID.Store(conn.PgConn().PID())
	wake()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("pgstore %s: %w", op, ctx.Err())
			}
			return s.classify(op, err)
		}
		wake()
	}
}

// PurgeRevocations implements revocation.Store.
func (s *Store) PurgeRevocations(ctx context.Context, now time.Time) error {
	t := now.Unix()
	return s.write(ctx, "purge revocations", func(tx pgx.Tx) error {
		for _, q := range []string{
			`DELETE FROM bitschema.session_revocations WHERE until_at <= $1`,
			`DELETE FROM bitschema.session_logins WHERE until_at <= $1`,
			`DELETE FROM bitschema.login_failures WHERE expires_at <= $1`,
		} {
			if _, err := tx.Exec(ctx, q, t); err != nil {
				return err
			}
		}
		return nil
	})
}

// RecordLogin implements revocation.Store.
func (s *Store) RecordLogin(ctx context.Context, r revocation.Record) error {
	return s.write(ctx, "record login", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO bitschema.session_logins (session_id, user_id, login_at, until_at, device)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (session_id) DO UPDATE SET user_id = excluded.user_id,
			login_at = excluded.login_at, until_at = excluded.until_at, device = excluded.device`,
			r.SessionID[:], r.UserID, r.LoginAt.Unix(), revocation.UntilSecond(r.Until), r.Device)
		return err
	})
}

// Logins implements revocation.Store.
func (s *Store) Logins(ctx context.Context, userID int64, now time.Time) ([]revocation.Record, error) {
	var out []revocation.Record
	err := s.read(ctx, func() error {
		out = out[:0]
		rows, err := s.pool.Query(ctx, `SELECT session_id, login_at, until_at, device FROM bitschema.session_logins
			WHERE user_id = $1 AND until_at > $2 ORDER BY login_at DESC, session_id`, userID, now.Unix())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id           []byte
				login, until int64
				device       string
			)
			if err := rows.Scan(&id, &login, &until, &device); err != nil {
				return err
			}
			r := revocation.Record{UserID: userID, LoginAt: fromUnix(login), Until: fromUnix(until), Device: device}
			copy(r.SessionID[:], id)
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, s.classify("logins", err)
	}
	return out, nil
}

// AddLoginFailure implements revocation.Store: one statement, so concurrent failures of one key each count once
// (the row's lock orders them).
func (s *Store) AddLoginFailure(ctx context.Context, key string, now time.Time, window time.Duration) (int, error) {
	var n int
	t := now.Unix()
	err := s.write(ctx, "add login failure", func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO bitschema.login_failures AS f (failure_key, expires_at, failures)
			VALUES ($1, $2, 1)
			ON CONFLICT (failure_key) DO UPDATE SET
				failures   = CASE WHEN f.expires_at <= $3 THEN 1 ELSE f.failures + 1 END,
				expires_at = CASE WHEN f.expires_at <= $3 THEN excluded.expires_at ELSE f.expires_at END
			RETURNING failures`, key, t+int64(window/time.Second), t).Scan(&n)
	})
	return n, err
}

// LoginFailures implements revocation.Store.
func (s *Store) LoginFailures(ctx context.Context, key string, now time.Time, _ time.Duration) (int, error) {
	var n int
	err := s.read(ctx, func() error {
		return s.pool.QueryRow(ctx, `SELECT failures FROM bitschema.login_failures WHERE failure_key = $1 AND expires_at > $2`,
			key, now.Unix()).Scan(&n)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, s.classify("login failures", err)
	}
	return n, nil
}

// ClearLoginFailures implements revocation.Store.
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	return s.write(ctx, "clear login failures", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM bitschema.login_failures WHERE failure_key = $1`, key)
		return err
	})
}
