package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// bound reads userID's binding: known is false without a row, registered invalid for an unknown time.
func bound(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, userID int64) (registered sql.NullInt64, known bool, err error) {
	err = q.QueryRowContext(ctx, `SELECT registered FROM accounts WHERE user_id = ?`, userID).Scan(&registered)
	if errors.Is(err, sql.ErrNoRows) {
		return sql.NullInt64{}, false, nil
	}
	return registered, err == nil, err
}

// BindAccount binds userID's rows to the account registered at registered. The common case, an account already
// bound, is one read without a transaction; anything else runs in one IMMEDIATE transaction, so concurrent binds
// of one id queue and see each other's result.
func (s *Store) BindAccount(ctx context.Context, userID int64, registered time.Time) (bool, error) {
	const op = "bind account"
	want := registered.UnixMicro()
	got, known, err := bound(ctx, s.db, userID)
	if err != nil {
		return false, classify(op, err)
	}
	if known && got.Valid && got.Int64 == want {
		return false, nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, classify(op, err)
	}
	defer func() { _ = tx.Rollback() }()
	got, known, err = bound(ctx, tx, userID)
	if err != nil {
		return false, classify(op, err)
	}
	forgot := known && got.Valid && got.Int64 != want
	if forgot {
		if err := forget(ctx, tx, userID); err != nil {
			return false, classify(op, err)
		}
	}
	if !known || !got.Valid || forgot {
		if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (user_id, registered) VALUES (?, ?)
			ON CONFLICT (user_id) DO UPDATE SET registered = excluded.registered`, userID, want); err != nil {
			return false, classify(op, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, classify(op, err)
	}
	return forgot, nil
}

// ForgetAccount deletes userID's personal rows and binding and archives their organization, in one transaction.
func (s *Store) ForgetAccount(ctx context.Context, userID int64) error {
	const op = "forget account"
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return classify(op, err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := forget(ctx, tx, userID); err != nil {
		return classify(op, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM accounts WHERE user_id = ?`, userID); err != nil {
		return classify(op, err)
	}
	return classify(op, tx.Commit())
}

// forget deletes userID's additional info and personal background and archives their organization, detached
// from them: status Archived, rep_id minus its own id (no MS user's), the representative's department cleared.
func forget(ctx context.Context, tx *sql.Tx, userID int64) error {
	for _, q := range []string{
		`DELETE FROM users_extension WHERE user_id = ?`,
		`DELETE FROM personal_backgrounds WHERE user_id = ?`,
		`UPDATE organizations SET status = 'Archived', rep_id = -id, rep_department = '' WHERE rep_id = ? AND rep_id > 0`,
	} {
		if _, err := tx.ExecContext(ctx, q, userID); err != nil {
			return err
		}
	}
	return nil
}
