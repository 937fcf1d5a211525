package sqlitestore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

const orgColumns = `id, rep_id, rep_department, name, email, about, address, website, timezone, phone, status, join_date`

type scanner interface{ Scan(dest ...any) error }

func scanOrganization(row scanner) (bit.Organization, error) {
	var o bit.Organization
	var join int64
	err := row.Scan(&o.ID, &o.RepID, &o.RepDepartment, &o.Name, &o.Email, &o.About, &o.Address, &o.Website,
		&o.Timezone, &o.Phone, &o.Status, &join)
	o.JoinDate = fromUnix(join)
	return o, err
}

// Organization reads the organization with this id.
func (s *Store) Organization(ctx context.Context, id int64) (bit.Organization, error) {
	o, err := scanOrganization(s.db.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organizations WHERE id = ?`, id))
	if err != nil {
		return bit.Organization{}, classify("read organization", err)
	}
	return o, nil
}

// OrganizationByRep reads the organization repID represents.
func (s *Store) OrganizationByRep(ctx context.Context, repID int64) (bit.Organization, error) {
	o, err := scanOrganization(s.db.QueryRowContext(ctx,
		`SELECT `+orgColumns+` FROM organizations WHERE rep_id = ?`, repID))
	if err != nil {
		return bit.Organization{}, classify("read organization", err)
	}
	return o, nil
}

// PutOrganization creates o.RepID's organization or overwrites its nine fields, in one write transaction.
func (s *Store) PutOrganization(ctx context.Context, o bit.Organization) (bit.Organization, bool, error) {
	var stored bit.Organization
	var created bool
	err := s.write(ctx, "write organization", func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM organizations WHERE rep_id = ?`, o.RepID).Scan(&id)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		created = errors.Is(err, sql.ErrNoRows)
		stored, err = scanOrganization(tx.QueryRowContext(ctx, `INSERT INTO organizations
			(rep_id, rep_department, name, email, about, address, website, timezone, phone, status, join_date, name_key)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (rep_id) DO UPDATE SET rep_department = excluded.rep_department, name = excluded.name,
				name_key = excluded.name_key, email = excluded.email, about = excluded.about, address = excluded.address,
				website = excluded.website, timezone = excluded.timezone, phone = excluded.phone,
				status = excluded.status
			RETURNING `+orgColumns,
			o.RepID, o.RepDepartment, o.Name, o.Email, o.About, o.Address, o.Website, o.Timezone, o.Phone, o.Status,
			unix(o.JoinDate), bit.NameKey(o.Name)))
		return err
	})
	if err != nil {
		return bit.Organization{}, false, err
	}
	return stored, created, nil
}

// ListOrganizations returns the published organizations f selects, in id order.
func (s *Store) ListOrganizations(ctx context.Context, f bit.OrganizationFilter) ([]bit.Organization, error) {
	const op = "list organizations"
	rows, err := s.db.QueryContext(ctx, `SELECT o.id, o.rep_id, o.rep_department, o.name, o.email, o.about,
			o.address, o.website, o.timezone, o.phone, o.status, o.join_date
		FROM organizations o JOIN users_extension u ON u.user_id = o.rep_id AND u.is_organization_rep
		WHERE o.status = 'Publish' AND o.id > ? AND instr(lower(o.name), lower(?)) > 0
		ORDER BY o.id LIMIT ?`, f.AfterID, f.NameContains, f.Limit)
	if err != nil {
		return nil, classify(op, err)
	}
	defer func() { _ = rows.Close() }()
	var out []bit.Organization
	for rows.Next() {
		o, err := scanOrganization(rows)
		if err != nil {
			return nil, classify(op, err)
		}
		out = append(out, o)
	}
	return out, classify(op, rows.Err())
}
