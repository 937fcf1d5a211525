package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

// programColumns are the columns a program is read from and written to, after id and organization_id. The list
// fields and the target candidate are jsonb (pgx encodes and decodes them with encoding/json).
const programColumns = `program_name, start_date, end_date, creation_date, description, target_skills,
	target_candidate, payment_currency, payment_amount, contact_type, zone, student_responsibility,
	mentor_responsibility, organization_responsibility, student_requirements, mentor_requirements,
	resources_provided, contact_name, contact_department, program_address, contact_phone, contact_mobile,
	contact_email, program_website, irc_channel, tags, status`

func lists(f *bit.ProgramFields) []*[]string {
	return []*[]string{&f.TargetSkills, &f.StudentResponsibility, &f.MentorResponsibility,
		&f.OrganizationResponsibility, &f.StudentRequirements, &f.MentorRequirements, &f.ResourcesProvided, &f.Tags}
}

func scanProgram(row pgx.Row) (bit.Program, error) {
	var p bit.Program
	var start, end, created int64
	f := &p.ProgramFields
	err := row.Scan(&p.ID, &p.OrganizationID, &f.Name, &start, &end, &created, &f.Description,
		&f.TargetSkills, &f.TargetCandidate, &f.PaymentCurrency, &f.PaymentAmount, &f.ContactType, &f.Zone,
		&f.StudentResponsibility, &f.MentorResponsibility, &f.OrganizationResponsibility,
		&f.StudentRequirements, &f.MentorRequirements, &f.ResourcesProvided,
		&f.ContactName, &f.ContactDepartment, &f.ProgramAddress, &f.ContactPhone, &f.ContactMobile, &f.ContactEmail,
		&f.ProgramWebsite, &f.IRCChannel, &f.Tags, &f.Status)
	if err != nil {
		return bit.Program{}, err
	}
	p.StartDate, p.EndDate, p.CreationDate = fromUnix(start), fromUnix(end), fromUnix(created)
	for _, l := range lists(f) {
		if *l == nil {
			*l = []string{}
		}
	}
	return p, nil
}

// programArgs are the values of programColumns for p.
func programArgs(p bit.Program) []any {
	f := p.ProgramFields
	for _, l := range lists(&f) {
		if *l == nil {
			*l = []string{}
		}
	}
	return []any{f.Name, unix(p.StartDate), unix(p.EndDate), unix(p.CreationDate), f.Description,
		f.TargetSkills, f.TargetCandidate, f.PaymentCurrency, f.PaymentAmount, f.ContactType, f.Zone,
		f.StudentResponsibility, f.MentorResponsibility, f.OrganizationResponsibility,
		f.StudentRequirements, f.MentorRequirements, f.ResourcesProvided,
		f.ContactName, f.ContactDepartment, f.ProgramAddress, f.ContactPhone, f.ContactMobile, f.ContactEmail,
		f.ProgramWebsite, f.IRCChannel, f.Tags, f.Status}
}

// Programs returns the programs f selects, in id order, with a LIMIT.
func (s *Store) Programs(ctx context.Context, f bit.ProgramFilter) ([]bit.Program, error) {
	var out []bit.Program
	err := s.read(ctx, func() (err error) {
		out, err = s.programs(ctx, f)
		return err
	})
	return out, err
}

func (s *Store) programs(ctx context.Context, f bit.ProgramFilter) ([]bit.Program, error) {
	const op = "list programs"
	rows, err := s.pool.Query(ctx, `SELECT id, organization_id, `+programColumns+
		` FROM bitschema.programs WHERE organization_id = $1 AND ($2 OR status <> 'Draft')
		ORDER BY id LIMIT $3 OFFSET $4`, f.OrganizationID, f.WithDrafts, max(f.Limit, 1), max(f.Offset, 0))
	if err != nil {
		return nil, s.classify(op, err)
	}
	defer rows.Close()
	out := []bit.Program{}
	for rows.Next() {
		p, err := scanProgram(rows)
		if err != nil {
			return nil, s.classify(op, err)
		}
		out = append(out, p)
	}
	return out, s.classify(op, rows.Err())
}

// Program reads program programID of organization orgID.
func (s *Store) Program(ctx context.Context, orgID, programID int64) (bit.Program, error) {
	var p bit.Program
	err := s.read(ctx, func() (err error) {
		p, err = scanProgram(s.pool.QueryRow(ctx, `SELECT id, organization_id, `+programColumns+
			` FROM bitschema.programs WHERE id = $1 AND organization_id = $2`, programID, orgID))
		return err
	})
	if err != nil {
		return bit.Program{}, s.classify("read program", err)
	}
	return p, nil
}

// CreateProgram inserts p in a write transaction (write says what its error means) unless its organization
// already has limit programs (limit > 0). The organization's row is locked first, so concurrent creations in one
// organization count one after the other (the count is a second statement: under READ COMMITTED it sees the
// programs the previous holder of the lock committed).
func (s *Store) CreateProgram(ctx context.Context, p bit.Program, limit int) (bit.Program, error) {
	var stored bit.Program
	full := false
	err := s.write(ctx, "create program", func(tx pgx.Tx) (err error) {
		var id int64
		if err := tx.QueryRow(ctx, `SELECT id FROM bitschema.organizations WHERE id = $1 FOR UPDATE`,
			p.OrganizationID).Scan(&id); err != nil {
			return err // no rows: the organization is missing (ErrNotFound)
		}
		stored, err = scanProgram(tx.QueryRow(ctx, `INSERT INTO bitschema.programs (organization_id, `+
			programColumns+`, program_name_key) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
			$15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $30
			WHERE $29 <= 0 OR (SELECT count(*) FROM bitschema.programs WHERE organization_id = $1) < $29
			RETURNING id, organization_id, `+programColumns,
			append(append([]any{p.OrganizationID}, programArgs(p)...), limit, bit.NameKey(p.Name))...))
		if errors.Is(err, pgx.ErrNoRows) { // nothing inserted: the organization is full
			full = true
			return nil
		}
		return err
	})
	if err == nil && full {
		err = fmt.Errorf("pgstore create program: %w", bit.ErrProgramLimit)
	}
	if err != nil {
		return bit.Program{}, err
	}
	return stored, nil
}

// UpdateProgram overwrites program p.ID of organization p.OrganizationID, keeping its creation date, in a write
// transaction.
func (s *Store) UpdateProgram(ctx context.Context, p bit.Program) (bit.Program, error) {
	args := programArgs(p)
	args = append(args[:3:3], args[4:]...) // without creation_date
	var stored bit.Program
	err := s.write(ctx, "update program", func(tx pgx.Tx) (err error) {
		stored, err = scanProgram(tx.QueryRow(ctx, `UPDATE bitschema.programs SET program_name = $1,
			start_date = $2, end_date = $3, description = $4, target_skills = $5, target_candidate = $6,
			payment_currency = $7, payment_amount = $8, contact_type = $9, zone = $10, student_responsibility = $11,
			mentor_responsibility = $12, organization_responsibility = $13, student_requirements = $14,
			mentor_requirements = $15, resources_provided = $16, contact_name = $17, contact_department = $18,
			program_address = $19, contact_phone = $20, contact_mobile = $21, contact_email = $22,
			program_website = $23, irc_channel = $24, tags = $25, status = $26, program_name_key = $29
			WHERE id = $27 AND organization_id = $28
			RETURNING id, organization_id, `+programColumns, append(args, p.ID, p.OrganizationID, bit.NameKey(p.Name))...))
		return err
	})
	if err != nil {
		return bit.Program{}, err
	}
	return stored, nil
}
