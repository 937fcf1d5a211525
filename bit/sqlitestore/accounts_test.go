package sqlitestore_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/bit/sqlitestore"
)

// TestRowsFromBeforeBindingsAreBoundAtFirstSight: a database with rows written before migration 00004 (their
// registration time unknown) is migrated; the first account that reaches those rows gets them, and another
// registration time afterwards forgets them.
func TestRowsFromBeforeBindingsAreBoundAtFirstSight(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bit.db")
	db, err := sql.Open("sqlite", sqlitestore.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, os.DirFS("migrations"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO users_extension (user_id, is_organization_rep, timezone) VALUES (5, 1, 'UTC')`,
		`INSERT INTO personal_backgrounds (user_id, gender, age, ethnicity, sexual_orientation, religion,
			physical_ability, mental_ability, socio_economic, highest_education, years_of_experience)
			VALUES (5, 'Female', 'Under 18', 'Asian', 'Other', 'Other', 'Other', 'Other', 'Other', 'Other', 'Other')`,
		`INSERT INTO organizations (rep_id, rep_department, name, email, website, timezone, phone, status, join_date)
			VALUES (5, 'D', 'Old Org', 'old@example.org', 'https://old.example.org', 'UTC', '1', 'Publish', 0)`,
	} {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	_ = db.Close()

	s, err := sqlitestore.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	first := bit.RegistrationTime(1709294400.5)
	if forgot, err := s.BindAccount(t.Context(), 5, first); err != nil || forgot {
		t.Fatalf("first sight: forgot %v, %v; want the rows kept", forgot, err)
	}
	if _, err := s.PersonalBackground(t.Context(), 5); err != nil {
		t.Errorf("background after the first binding: %v", err)
	}
	if forgot, err := s.BindAccount(t.Context(), 5, first.AddDate(0, 0, 1)); err != nil || !forgot {
		t.Fatalf("another registration time: forgot %v, %v; want the rows forgotten", forgot, err)
	}
	if o, err := s.Organization(t.Context(), 1); err != nil || o.Status != "Archived" || o.RepID == 5 {
		t.Errorf("old organization after forgetting: %+v, %v", o, err)
	}
}
