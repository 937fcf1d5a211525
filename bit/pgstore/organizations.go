package pgstore

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

const orgColumns = `id, rep_id, rep_department, name, email, about, address, website, timezone, phone, status, join_date`

func scanOrganization(row pgx.Row, extra ...any) (bit.Organization, error) {
	var o bit.Organization
	var join int64
	err := row.Scan(append([]any{&o.ID, &o.RepID, &o.RepDepartment, &o.Name, &o.Email, &o.About, &o.Address,
		&o.Website, &o.Timezone, &o.Phone, &o.Status, &join}, extra...)...)
	o.JoinDate = fromUnix(join)
	return o, err
}

// Organization reads the organization with this id.
func (s *Store) Organization(ctx context.Context, id int64) (bit.Organization, error) {
	var o bit.Organization
	err := s.read(ctx, func() (err error) {
		o, err = scanOrganization(s.pool.QueryRow(ctx,
			`SELECT `+orgColumns+` FROM bitschema.organizations WHERE id = $1`, id))
		return err
	})
	if err != nil {
		return bit.Organization{}, s.classify("read organization", err)
	}
	return o, nil
}

// OrganizationByRep reads the organization repID represents.
func (s *Store) OrganizationByRep(ctx context.Context, repID int64) (bit.Organization, error) {
	var o bit.Organization
	err := s.read(ctx, func() (err error) {
		o, err = scanOrganization(s.pool.QueryRow(ctx,
			`SELECT `+orgColumns+` FROM bitschema.organizations WHERE rep_id = $1`, repID))
		return err
	})
	if err != nil {
		return bit.Organization{}, s.classify("read organization", err)
	}
	return o, nil
}

// PutOrganization creates o.RepID's organization or overwrites its nine fields, in a write transaction (write
// says what its error means).
//
// ON CONFLICT handles only its arbiter index (rep_id): when two first saves of one representative race, the
// loser's insert meets the winner's row on the name or email index and fails there, or the two deadlock. So the
// upsert first takes an advisory lock of this representative (a hash of the table and rep_id; a collision only
// makes two writers queue): writers of one organization go one at a time, and a name or email conflict is always
// another organization's. A deadlock with another representative's concurrent save (both claiming the same name
// and email) is retried once: it failed before COMMIT, so it applied nothing.
func (s *Store) PutOrganization(ctx context.Context, o bit.Organization) (bit.Organization, bool, error) {
	for attempt := 0; ; attempt++ {
		var stored bit.Organization
		var created bool
		err := s.write(ctx, "write organization", func(tx pgx.Tx) (err error) {
			stored, created, err = putOrganization(ctx, tx, o)
			return err
		})
		var pe *pgconn.PgError
		if attempt == 0 && errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001") {
			continue
		}
		return stored, created, err
	}
}

func putOrganization(ctx context.Context, tx pgx.Tx, o bit.Organization) (bit.Organization, bool, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('bitschema.organizations.rep_id', $1))`,
		o.RepID); err != nil {
		return bit.Organization{}, false, err
	}
	var created bool
	stored, err := scanOrganization(tx.QueryRow(ctx, `INSERT INTO bitschema.organizations
			(rep_id, rep_department, name, email, about, address, website, timezone, phone, status, join_date, name_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (rep_id) DO UPDATE SET rep_department = EXCLUDED.rep_department, name = EXCLUDED.name,
			name_key = EXCLUDED.name_key,
			email = EXCLUDED.email, about = EXCLUDED.about, address = EXCLUDED.address, website = EXCLUDED.website,
			timezone = EXCLUDED.timezone, phone = EXCLUDED.phone, status = EXCLUDED.status
		RETURNING `+orgColumns+`, xmax = 0`,
		o.RepID, o.RepDepartment, o.Name, o.Email, o.About, o.Address, o.Website, o.Timezone, o.Phone, o.Status,
		unix(o.JoinDate), bit.NameKey(o.Name)), &created)
	return stored, created, err
}

// ListOrganizations returns the published organizations f selects, in id order.
func (s *Store) ListOrganizations(ctx context.Context, f bit.OrganizationFilter) ([]bit.Organization, error) {
	var out []bit.Organization
	err := s.read(ctx, func() (err error) {
		out, err = s.listOrganizations(ctx, f)
		return err
	})
	return out, err
}

func (s *Store) listOrganizations(ctx context.Context, f bit.OrganizationFilter) ([]bit.Organization, error) {
	const op = "list organizations"
	rows, err := s.pool.Query(ctx, `SELECT o.id, o.rep_id, o.rep_department, o.name, o.email, o.about,
			o.address, o.website, o.timezone, o.phone, o.status, o.join_date
		FROM bitschema.organizations o
		JOIN bitschema.users_extension u ON u.user_id = o.rep_id AND u.is_organization_rep
		WHERE o.status = 'Publish' AND o.id > $1 AND strpos(lower(o.name), lower($2)) > 0
		ORDER BY o.id LIMIT $3`, f.AfterID, f.NameContains, f.Limit)
	if err != nil {
		return nil, s.classify(op, err)
	}
	defer rows.Close()
	var out []bit.Organization
	for rows.Next() {
		o, err := scanOrganization(rows)
		if err != nil {
			return nil, s.classify(op, err)
		}
		out = append(out, o)
	}
	return out, s.classify(op, rows.Err())
}
