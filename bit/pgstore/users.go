package pgstore

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

// AdditionalInfo reads userID's row.
func (s *Store) AdditionalInfo(ctx context.Context, userID int64) (bit.AdditionalInfo, error) {
	a := bit.AdditionalInfo{UserID: userID}
	err := s.read(ctx, func() error {
		return s.pool.QueryRow(ctx, `SELECT is_organization_rep, timezone, phone, mobile, personal_website
			FROM bitschema.users_extension WHERE user_id = $1`, userID).
			Scan(&a.IsOrganizationRep, &a.Timezone, &a.Phone, &a.Mobile, &a.PersonalWebsite)
	})
	if err != nil {
		return bit.AdditionalInfo{}, s.classify("read additional info", err)
	}
	return a, nil
}

// PutAdditionalInfo creates or overwrites a.UserID's whole row in one statement of a write transaction (write
// says what its error means). created comes from xmax = 0: the row version was inserted, not updated.
func (s *Store) PutAdditionalInfo(ctx context.Context, a bit.AdditionalInfo) (bool, error) {
	var created bool
	err := s.write(ctx, "write additional info", func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO bitschema.users_extension
			(user_id, is_organization_rep, timezone, phone, mobile, personal_website)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (user_id) DO UPDATE SET is_organization_rep = EXCLUDED.is_organization_rep,
			timezone = EXCLUDED.timezone, phone = EXCLUDED.phone, mobile = EXCLUDED.mobile,
			personal_website = EXCLUDED.personal_website
		RETURNING xmax = 0`,
			a.UserID, a.IsOrganizationRep, a.Timezone, a.Phone, a.Mobile, a.PersonalWebsite).Scan(&created)
	})
	if err != nil {
		return false, err
	}
	return created, nil
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
	err := s.read(ctx, func() error {
		return s.pool.QueryRow(ctx, `SELECT `+backgroundColumns+` FROM bitschema.personal_backgrounds
			WHERE user_id = $1`, userID).Scan(backgroundFields(&b)...)
	})
	if err != nil {
		return bit.PersonalBackground{}, s.classify("read personal background", err)
	}
	return b, nil
}

// PutPersonalBackground creates or overwrites b.UserID's whole row in one statement of a write transaction.
func (s *Store) PutPersonalBackground(ctx context.Context, b bit.PersonalBackground) (bool, error) {
	var created bool
	err := s.write(ctx, "write personal background", func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO bitschema.personal_backgrounds (user_id, `+backgroundColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
		ON CONFLICT (user_id) DO UPDATE SET gender = EXCLUDED.gender, age = EXCLUDED.age,
			ethnicity = EXCLUDED.ethnicity, sexual_orientation = EXCLUDED.sexual_orientation,
			religion = EXCLUDED.religion, physical_ability = EXCLUDED.physical_ability,
			mental_ability = EXCLUDED.mental_ability, socio_economic = EXCLUDED.socio_economic,
			highest_education = EXCLUDED.highest_education, years_of_experience = EXCLUDED.years_of_experience,
			gender_other = EXCLUDED.gender_other, ethnicity_other = EXCLUDED.ethnicity_other,
			sexual_orientation_other = EXCLUDED.sexual_orientation_other, religion_other = EXCLUDED.religion_other,
			physical_ability_other = EXCLUDED.physical_ability_other,
			mental_ability_other = EXCLUDED.mental_ability_other,
			socio_economic_other = EXCLUDED.socio_economic_other,
			highest_education_other = EXCLUDED.highest_education_other, is_public = EXCLUDED.is_public
		RETURNING xmax = 0`,
			b.UserID, b.Gender, b.Age, b.Ethnicity, b.SexualOrientation, b.Religion, b.PhysicalAbility,
			b.MentalAbility, b.SocioEconomic, b.HighestEducation, b.YearsOfExperience, b.GenderOther,
			b.EthnicityOther, b.SexualOrientationOther, b.ReligionOther, b.PhysicalAbilityOther,
			b.MentalAbilityOther, b.SocioEconomicOther, b.HighestEducationOther, b.IsPublic).Scan(&created)
	})
	if err != nil {
		return false, err
	}
	return created, nil
}
