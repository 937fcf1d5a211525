package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

var _ bit.NameKeyChecker = (*Store)(nil)

// CheckNameKeys fills the name keys of rows written before migration 00005 and reports the rows whose key
// another row holds (bit.NameKeyChecker). Several instances may run it at once: a key another instance has just
// filled is a no-op update here.
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
	rows, err := s.pool.Query(ctx, fmt.Sprintf(`SELECT id, %s FROM bitschema.%s WHERE %s IS NULL ORDER BY id`,
		nameCol, table, keyCol))
	if err != nil {
		return nil, s.classify(op, err)
	}
	type row struct {
		id   int64
		name string
	}
	pending, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var v row
		return v, r.Scan(&v.id, &v.name)
	})
	if err != nil {
		return nil, s.classify(op, err)
	}
	var out []bit.NameCollision
	for _, r := range pending {
		key := bit.NameKey(r.name)
		_, err := s.pool.Exec(ctx, fmt.Sprintf(`UPDATE bitschema.%s SET %s = $1 WHERE id = $2 AND %s IS NULL`,
			table, keyCol, keyCol), key, r.id)
		err = s.classify(op, err)
		if errors.Is(err, bit.ErrDuplicateOrganizationName) || errors.Is(err, bit.ErrDuplicateProgramName) {
			var holder int64
			if err := s.pool.QueryRow(ctx, fmt.Sprintf(`SELECT id FROM bitschema.%s WHERE %s = $1`, table, keyCol), key).
				Scan(&holder); err != nil {
				return out, s.classify(op, err)
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
