package pgstore

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// BindAccount binds userID's rows to the account registered at registered. The common case, an account already
// bound, is one read; anything else runs in one transaction that inserts the binding or locks its row (FOR
// UPDATE), so concurrent binds of one id go one at a time and see each other's result.
func (s *Store) BindAccount(ctx context.Context, userID int64, registered time.Time) (bool, error) {
	const op = "bind account"
	want := registered.UnixMicro()
	var got *int64
	err := s.read(ctx, func() error {
		return s.pool.QueryRow(ctx, `SELECT registered FROM bitschema.accounts WHERE user_id = $1`, userID).Scan(&got)
	})
	if err == nil && got != nil && *got == want {
		return false, nil
	}
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return false, s.classify(op, err)
	}
	var forgot bool
	err = s.write(ctx, op, func(tx pgx.Tx) error { // one transaction, its outcome told truthfully (write)
		tag, err := tx.Exec(ctx, `INSERT INTO bitschema.accounts (user_id, registered) VALUES ($1, $2)
			ON CONFLICT (user_id) DO NOTHING`, userID, want)
		if err != nil || tag.RowsAffected() == 1 {
			return err // first sight: bound
		}
		var got *int64
		if err := tx.QueryRow(ctx, `SELECT registered FROM bitschema.accounts WHERE user_id = $1 FOR UPDATE`,
			userID).Scan(&got); err != nil {
			return err
		}
		if got != nil && *got == want {
			return nil
		}
		if got != nil { // another account's rows
			if err := forget(ctx, tx, userID); err != nil {
				return err
			}
			forgot = true
		}
		_, err = tx.Exec(ctx, `UPDATE bitschema.accounts SET registered = $2 WHERE user_id = $1`, userID, want)
		return err
	})
	if err != nil {
		return false, err
	}
	return forgot, nil
}

// ForgetAccount deletes userID's personal rows and binding and archives their organization, in one transaction.
func (s *Store) ForgetAccount(ctx context.Context, userID int64) error {
	return s.write(ctx, "forget account", func(tx pgx.Tx) error {
		if err := forget(ctx, tx, userID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM bitschema.accounts WHERE user_id = $1`, userID)
		return err
	})
}

// forget deletes userID's additional info and personal background and archives their organization, detached
// from them: status Archived, rep_id minus its own id (no MS user's), the representative's department cleared.
// It first takes PutOrganization's advisory lock of this representative, so a concurrent save of their
// organization runs wholly before or after.
func forget(ctx context.Context, tx pgx.Tx, userID int64) error {
	for _, q := range []string{
		`SELECT pg_advisory_xact_lock(hashtextextended('bitschema.organizations.rep_id', $1))`,
		`DELETE FROM bitschema.users_extension WHERE user_id = $1`,
		`DELETE FROM bitschema.personal_backgrounds WHERE user_id = $1`,
		`UPDATE bitschema.organizations SET status = 'Archived', rep_id = -id, rep_department = ''
			WHERE rep_id = $1 AND rep_id > 0`,
	} {
		if _, err := tx.Exec(ctx, q, userID); err != nil {
			return err
		}
	}
	return nil
}
