package sqlitestore

import (
	"context"
	"errors"
	"fmt"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

var _ bit.NameKeyChecker = (*Store)(nil)

// CheckNameKeys fills the name keys of rows written before migration 00005 and reports the rows whose key
// another row holds (bit.NameKeyChecker).
func (s *Store) CheckNameKeys(ctx context.Context) ([]bit.NameCollision, error) {
	var out []bit.NameCollision
	for _, t := range []struct{ table, name, key string }{
		{"organizations", "name", "name_key"},
		{"programs", "program_name", "program_name_key"},
	} {
		found, err := s.fillKeys(ctx, t.table, t.name, t.key)
		if err != nil {
			return out, err
		}
		out = append(out, found...)
	}
	return out, nil
}

func (s *Store) fillKeys(ctx context.Context, table, nameCol, keyCol string) ([]bit.NameCollision, error) {
	op := "check name keys of " + table
	rows, err := s.db.QueryContext(ctx, fmt.Sprintf(`SELECT id, %s FROM %s WHERE %s IS NULL ORDER BY id`,
		nameCol, table, keyCol))
	if err != nil {
		return nil, classify(op, err)
	}
	type row struct {
		id   int64
		name string
	}
	var pending []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.name); err != nil {
			_ = rows.Close()
			return nil, classify(op, err)
		}
		pending = append(pending, r)
	}
	if err := rows.Err(); err != nil {
		_ = rows.Close()
		return nil, classify(op, err)
	}
	_ = rows.Close()
	var out []bit.NameCollision
	for _, r := range pending {
		key := bit.NameKey(r.name)
		_, err := s.db.ExecContext(ctx, fmt.Sprintf(`UPDATE %s SET %s = ? WHERE id = ?`, table, keyCol), key, r.id)
		err = classify(op, err)
		if errors.Is(err, bit.ErrDuplicateOrganizationName) || errors.Is(err, bit.ErrDuplicateProgramName) {
			var holder int64
			if err := s.db.QueryRowContext(ctx, fmt.Sprintf(`SELECT id FROM %s WHERE %s = ?`, table, keyCol), key).
				Scan(&holder); err != nil {
				return out, classify(op, err)
			}
			out = append(out, bit.NameCollision{Table: table, ID: r.id, Name: r.name, HeldBy: holder})
			continue
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}
