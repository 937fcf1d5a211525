package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

// programColumns are the columns a program is read from and written to, after id and organization_id.
const programColumns = `program_name, start_date, end_date, creation_date, description, target_skills,
	target_candidate, payment_currency, payment_amount, contact_type, zone, student_responsibility,
	mentor_responsibility, organization_responsibility, student_requirements, mentor_requirements,
	resources_provided, contact_name, contact_department, program_address, contact_phone, contact_mobile,
	contact_email, program_website, irc_channel, tags, status`

// jsonText is a list or object column: JSON text in the database.
type jsonText struct{ v any }

func (j jsonText) Scan(src any) error {
	switch b := src.(type) {
	case string:
		return json.Unmarshal([]byte(b), j.v)
	case []byte:
		return json.Unmarshal(b, j.v)
	default:
		return fmt.Errorf("sqlitestore: JSON column holds %T", src)
	}
}

func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null" // cannot happen: lists of strings and a struct of strings
	}
	return string(b)
}

func lists(f *bit.ProgramFields) []*[]string {
	return []*[]string{&f.TargetSkills, &f.StudentResponsibility, &f.MentorResponsibility,
		&f.OrganizationResponsibility, &f.StudentRequirements, &f.MentorRequirements, &f.ResourcesProvided, &f.Tags}
}

func scanProgram(row scanner) (bit.Program, error) {
	var p bit.Program
	var start, end, created int64
	var amount sql.NullInt64
	f := &p.ProgramFields
	err := row.Scan(&p.ID, &p.OrganizationID, &f.Name, &start, &end, &created, &f.Description,
		jsonText{&f.TargetSkills}, jsonText{&f.TargetCandidate}, &f.PaymentCurrency, &amount, &f.ContactType, &f.Zone,
		jsonText{&f.StudentResponsibility}, jsonText{&f.MentorResponsibility}, jsonText{&f.OrganizationResponsibility},
		jsonText{&f.StudentRequirements}, jsonText{&f.MentorRequirements}, jsonText{&f.ResourcesProvided},
		&f.ContactName, &f.ContactDepartment, &f.ProgramAddress, &f.ContactPhone, &f.ContactMobile, &f.ContactEmail,
		&f.ProgramWebsite, &f.IRCChannel, jsonText{&f.Tags}, &f.Status)
	if err != nil {
		return bit.Program{}, err
	}
	p.StartDate, p.EndDate, p.CreationDate = fromUnix(start), fromUnix(end), fromUnix(created)
	if amount.Valid {
		n := amount.Int64
		f.PaymentAmount = &n
	}
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
	var amount sql.NullInt64
	if f.PaymentAmount != nil {
		amount = sql.NullInt64{Int64: *f.PaymentAmount, Valid: true}
	}
	for _, l := range lists(&f) {
		if *l == nil {
			*l = []string{}
		}
	}
	return []any{f.Name, unix(p.StartDate), unix(p.EndDate), unix(p.CreationDate), f.Description,
		toJSON(f.TargetSkills), toJSON(f.TargetCandidate), f.PaymentCurrency, amount, f.ContactType, f.Zone,
		toJSON(f.StudentResponsibility), toJSON(f.MentorResponsibility), toJSON(f.OrganizationResponsibility),
		toJSON(f.StudentRequirements), toJSON(f.MentorRequirements), toJSON(f.ResourcesProvided),
		f.ContactName, f.ContactDepartment, f.ProgramAddress, f.ContactPhone, f.ContactMobile, f.ContactEmail,
		f.ProgramWebsite, f.IRCChannel, toJSON(f.Tags), f.Status}
}

// Programs returns the programs f selects, in id order, with a LIMIT.
func (s *Store) Programs(ctx context.Context, f bit.ProgramFilter) ([]bit.Program, error) {
	const op = "list programs"
	rows, err := s.db.QueryContext(ctx, `SELECT id, organization_id, `+programColumns+
		` FROM programs WHERE organization_id = ? AND (? OR status <> 'Draft') ORDER BY id LIMIT ? OFFSET ?`,
		f.OrganizationID, f.WithDrafts, max(f.Limit, 1), max(f.Offset, 0))
	if err != nil {
		return nil, classify(op, err)
	}
	defer func() { _ = rows.Close() }()
	out := []bit.Program{}
	for rows.Next() {
		p, err := scanProgram(rows)
		if err != nil {
			return nil, classify(op, err)
		}
		out = append(out, p)
	}
	return out, classify(op, rows.Err())
}

// Program reads program programID of organization orgID.
func (s *Store) Program(ctx context.Context, orgID, programID int64) (bit.Program, error) {
	p, err := scanProgram(s.db.QueryRowContext(ctx, `SELECT id, organization_id, `+programColumns+
		` FROM programs WHERE id = ? AND organization_id = ?`, programID, orgID))
	if err != nil {
		return bit.Program{}, classify("read program", err)
	}
	return p, nil
}

// CreateProgram inserts p in one write transaction unless its organization already has limit programs
// (limit > 0). SQLite runs one writer at a time, so the count and the insert of this one statement are atomic.
func (s *Store) CreateProgram(ctx context.Context, p bit.Program, limit int) (bit.Program, error) {
	var stored bit.Program
	full := false
	err := s.write(ctx, "create program", func(tx *sql.Tx) (err error) {
		args := append([]any{p.OrganizationID, bit.NameKey(p.Name)}, programArgs(p)...)
		stored, err = scanProgram(tx.QueryRowContext(ctx, `INSERT INTO programs (organization_id, program_name_key, `+
			programColumns+`) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
			WHERE ? <= 0 OR (SELECT count(*) FROM programs WHERE organization_id = ?) < ?
			RETURNING id, organization_id, `+programColumns, append(args, limit, p.OrganizationID, limit)...))
		if errors.Is(err, sql.ErrNoRows) { // nothing inserted: the organization exists (else the foreign key fails) and is full
			full = true
			return nil
		}
		return err
	})
	if err == nil && full {
		err = fmt.Errorf("sqlitestore create program: %w", bit.ErrProgramLimit)
	}
	if err != nil {
		return bit.Program{}, err
	}
	return stored, nil
}

// UpdateProgram overwrites program p.ID of organization p.OrganizationID, keeping its creation date, in one
// write transaction.
func (s *Store) UpdateProgram(ctx context.Context, p bit.Program) (bit.Program, error) {
	args := programArgs(p)
	args = append(args[:3:3], args[4:]...) // without creation_date
	var stored bit.Program
	err := s.write(ctx, "update program", func(tx *sql.Tx) (err error) {
		stored, err = scanProgram(tx.QueryRowContext(ctx, `UPDATE programs SET program_name = ?, start_date = ?,
			end_date = ?, description = ?, target_skills = ?, target_candidate = ?, payment_currency = ?,
			payment_amount = ?, contact_type = ?, zone = ?, student_responsibility = ?, mentor_responsibility = ?,
			organization_responsibility = ?, student_requirements = ?, mentor_requirements = ?,
			resources_provided = ?, contact_name = ?, contact_department = ?, program_address = ?, contact_phone = ?,
			contact_mobile = ?, contact_email = ?, program_website = ?, irc_channel = ?, tags = ?, status = ?,
			program_name_key = ?
			WHERE id = ? AND organization_id = ?
			RETURNING id, organization_id, `+programColumns, append(args, bit.NameKey(p.Name), p.ID, p.OrganizationID)...))
		return err
	})
	if err != nil {
		return bit.Program{}, err
	}
	return stored, nil
}
