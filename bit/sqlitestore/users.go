package sqlitestore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

// AdditionalInfo reads userID's row.
func (s *Store) AdditionalInfo(ctx context.Context, userID int64) (bit.AdditionalInfo, error) {
	a := bit.AdditionalInfo{UserID: userID}
	err := s.db.QueryRowContext(ctx, `SELECT is_organization_rep, timezone, phone, mobile, personal_website
		FROM users_extension WHERE user_id = ?`, userID).
		Scan(&a.IsOrganizationRep, &a.Timezone, &a.Phone, &a.Mobile, &a.PersonalWebsite)
	if err != nil {
		return bit.AdditionalInfo{}, classify("read additional info", err)
	}
	return a, nil
}

// upsert runs exists (a query returning a row when the key is taken) then write, in one write transaction
// (IMMEDIATE), so concurrent writers of one key queue and the first one alone reports created.
func (s *Store) upsert(ctx context.Context, op, exists string, key int64, write string, args ...any) (bool, error) {
	var created bool
	err := s.write(ctx, op, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, exists, key).Scan(&one)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		created = errors.Is(err, sql.ErrNoRows)
		_, err = tx.ExecContext(ctx, write, args...)
		return err
	})
	if err != nil {
		return false, err
	}
	return created, nil
}

// PutAdditionalInfo creates or overwrites a.UserID's whole row.
func (s *Store) PutAdditionalInfo(ctx context.Context, a bit.AdditionalInfo) (bool, error) {
	return s.upsert(ctx, "write additional info", `SELECT 1 FROM users_extension WHERE user_id = ?`, a.UserID,
		`INSERT INTO users_extension (user_id, is_organization_rep, timezone, phone, mobile, personal_website)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET is_organization_rep = excluded.is_organization_rep,
			timezone = excluded.timezone, phone = excluded.phone, mobile = excluded.mobile,
			personal_website = excluded.personal_website`,
		a.UserID, a.IsOrganizationRep, a.Timezone, a.Phone, a.Mobile, a.PersonalWebsite)
}

const backgroundColumns = `gender, age, ethnicity, sexual_orientation, religion, physical_ability, mental_ability,
	socio_economic, highest_education, years_of_experience, gender_other, ethnicity_other, sexual_orientation_other,
	religion_other, physical_ability_other, mental_ability_other, socio_economic_other, highest_education_other,
	is_public`

func backgroundFields(b *bit.PersonalBackground) []any {
	return []any{&b.Gender, &b.Age, &b.Ethnicity, &b.SexualOrientation, &b.Religion, &b.PhysicalAbility,
		&b.MentalAbility, &b.SocioEconomic, &b.HighestEducation, &b.YearsOfExperience, &b.GenderOther,
		&b.EthnicityOther, &b.SexualOrientationOther, &b.ReligionOther, &b.PhysicalAbilityOther,
		&b.MentalAbilityOther, &b.SocioEconomicOther, &b.HighestEducationOther, &b.IsPublic}
}

// PersonalBackground reads userID's row.
func (s *Store) PersonalBackground(ctx context.Context, userID int64) (bit.PersonalBackground, error) {
	b := bit.PersonalBackground{UserID: userID}
	err := s.db.QueryRowContext(ctx, `SELECT `+backgroundColumns+` FROM personal_backgrounds WHERE user_id = ?`,
		userID).Scan(backgroundFields(&b)...)
	if err != nil {
		return bit.PersonalBackground{}, classify("read personal background", err)
	}
	return b, nil
}

// PutPersonalBackground creates or overwrites b.UserID's whole row.
func (s *Store) PutPersonalBackground(ctx context.Context, b bit.PersonalBackground) (bool, error) {
	args := []any{b.UserID}
	for _, p := range backgroundFields(&b) {
		switch v := p.(type) {
		case *string:
			args = append(args, *v)
		case *bool:
			args = append(args, *v)
		}
	}
	return s.upsert(ctx, "write personal background", `SELECT 1 FROM personal_backgrounds WHERE user_id = ?`,
		b.UserID, `INSERT INTO personal_backgrounds (user_id, `+backgroundColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET gender = excluded.gender, age = excluded.age,
			ethnicity = excluded.ethnicity, sexual_orientation = excluded.sexual_orientation,
			religion = excluded.religion, physical_ability = excluded.physical_ability,
			mental_ability = excluded.mental_ability, socio_economic = excluded.socio_economic,
			highest_education = excluded.highest_education, years_of_experience = excluded.years_of_experience,
			gender_other = excluded.gender_other, ethnicity_other = excluded.ethnicity_other,
			sexual_orientation_other = excluded.sexual_orientation_other, religion_other = excluded.religion_other,
			physical_ability_other = excluded.physical_ability_other,
			mental_ability_other = excluded.mental_ability_other,
			socio_economic_other = excluded.socio_economic_other,
			highest_education_other = excluded.highest_education_other, is_public = excluded.is_public`,
		args...)
}
