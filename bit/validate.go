package bit

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// emailPattern is the old API's email check (validations/organization.py).
var emailPattern = regexp.MustCompile(`^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+$`)

// Length limits. The organization and program limits are the old database's column sizes (exceeding one gave a
// 500 there, B6; here a 400). The old API stored additional info and personal background as unbounded JSON;
// decision: the limits below, generous for what the web's forms hold, so no client fills the database.
const (
	maxUserPhone   = 50  // additional info phone / mobile
	maxWebsite     = 254 // additional info personal_website
	maxFreeText    = 254 // *_other texts, target_candidate_* texts
	maxListItems   = 100 // items of a program's list field
	maxOrgDept     = 150 // representative_department
	maxOrgName     = 150 // name
	maxEmail       = 254 // email, contact_email
	maxOrgAbout    = 500 // about
	maxOrgAddress  = 254 // address
	maxOrgWebsite  = 150 // website
	maxPhone       = 20  // organization phone, contact_phone, contact_mobile
	maxProgramName = 100 // program_name
	maxDescription = 500 // description
	maxSkill       = 150 // items of target_skills and tags
	maxDuty        = 250 // items of the responsibility / requirement / resource lists
	maxCurrency    = 3   // payment_currency
	maxContactName = 50  // contact_name
	maxContactDept = 150 // contact_department
	maxProgAddress = 250 // program_address
	maxLink        = 254 // program_website, irc_channel
)

// validPhone is the old API's `^[0-9\s\-\+]+$` (digits, white space, '-' and '+') with at least one digit.
func validPhone(s string) bool {
	digit := false
	for _, r := range s {
		if !(r >= '0' && r <= '9') && r != '-' && r != '+' && !unicode.IsSpace(r) {
			return false
		}
		digit = digit || (r >= '0' && r <= '9')
	}
	return digit
}

func validEmail(s string) bool { return emailPattern.MatchString(s) }

// limits collects the first over-long or NUL-holding field of a body, in the order checked.
type limits struct{ err *Error }

// text checks a one-line text field: no NUL, UTF-8, no control character or bidirectional override (text.go),
// at most max characters.
func (l *limits) text(key, v string, max int) { l.check(key, v, max, false) }

// multiLine checks a text field that may hold tab, LF and CR as text does otherwise.
func (l *limits) multiLine(key, v string, max int) { l.check(key, v, max, true) }

func (l *limits) check(key, v string, max int, multiLine bool) {
	if l.err != nil {
		return
	}
	switch {
	case strings.IndexByte(v, 0) >= 0:
		l.err = newError(Invalid, fmt.Sprintf(msgNULFormat, key))
	case !utf8.ValidString(v):
		l.err = newError(Invalid, fmt.Sprintf(msgUTF8Format, key))
	case hasForbiddenRune(v, multiLine):
		l.err = newError(Invalid, fmt.Sprintf(msgControlFormat, key))
	case utf8.RuneCountInString(v) > max:
		l.err = newError(Invalid, fmt.Sprintf(msgTooLongFormat, key, max))
	}
}

// link checks a URL field as text does, then that it is empty or an absolute http or https URL.
func (l *limits) link(key, v string, max int) {
	l.text(key, v, max)
	if l.err == nil && v != "" && !validURL(v) {
		l.err = newError(Invalid, fmt.Sprintf(msgURLFormat, key))
	}
}

func (l *limits) list(key string, v []string, maxItem int) {
	if l.err == nil && len(v) > maxListItems {
		l.err = newError(Invalid, fmt.Sprintf(msgTooManyItemsFormat, key, maxListItems))
	}
	for _, s := range v {
		l.text(key, s, maxItem)
	}
}

// Validate checks a #6 body after decoding: phone, then mobile (when not empty), then timezone, then lengths.
func (a AdditionalInfo) Validate() error {
	if (a.Phone != "" && !validPhone(a.Phone)) || (a.Mobile != "" && !validPhone(a.Mobile)) {
		return newError(Invalid, MsgPhoneInvalid)
	}
	if !IsTimezone(a.Timezone) {
		return newError(Invalid, MsgTimezoneInvalid)
	}
	var l limits
	l.text("phone", a.Phone, maxUserPhone)
	l.text("mobile", a.Mobile, maxUserPhone)
	l.link("personal_website", a.PersonalWebsite, maxWebsite)
	if l.err != nil {
		return l.err
	}
	return nil
}

// The web's two SocioEconomic spellings with commas (web backgrounds.js) and the values they mean.
const (
	webWorkingClass = "Working class (e.g. craft workers, factory labourers, restaurant/delivery services workers"
	webUnderclass   = "Underclass, working but with wages under poverty line, receiving Social Benefit from Government"
)

// normalize maps the web's spellings of a SocioEconomic value to the backend's (docs/BRIDGEINTECH.md#enumerations).
func (b *PersonalBackground) normalize() {
	switch b.SocioEconomic {
	case webWorkingClass:
		b.SocioEconomic = "Working class (e.g. craft workers factory labourers restaurant/delivery services workers"
	case webUnderclass:
		b.SocioEconomic = "Underclass working but with wages under poverty line receiving Social Benefit from Government"
	}
}

// Validate checks a #8 body after decoding (and after the web's SocioEconomic spellings were mapped): every
// category must be a value of its enumeration (one 400 for all), then the lengths of the *_other texts.
func (b PersonalBackground) Validate() error {
	if !IsGender(b.Gender) || !IsAge(b.Age) || !IsEthnicity(b.Ethnicity) || !IsSexualOrientation(b.SexualOrientation) ||
		!IsReligion(b.Religion) || !IsPhysicalAbility(b.PhysicalAbility) || !IsMentalAbility(b.MentalAbility) ||
		!IsSocioEconomic(b.SocioEconomic) || !IsHighestEducation(b.HighestEducation) ||
		!IsYearsOfExperience(b.YearsOfExperience) {
		return newError(Invalid, MsgBackgroundInvalid)
	}
	var l limits
	l.text("gender_other", b.GenderOther, maxFreeText)
	l.text("ethnicity_other", b.EthnicityOther, maxFreeText)
	l.text("sexual_orientation_other", b.SexualOrientationOther, maxFreeText)
	l.text("religion_other", b.ReligionOther, maxFreeText)
	l.text("physical_ability_other", b.PhysicalAbilityOther, maxFreeText)
	l.text("mental_ability_other", b.MentalAbilityOther, maxFreeText)
	l.text("socio_economic_other", b.SocioEconomicOther, maxFreeText)
	l.text("highest_education_other", b.HighestEducationOther, maxFreeText)
	if l.err != nil {
		return l.err
	}
	return nil
}

// Validate checks a #14 body after decoding, in the old API's order: email, phone, timezone, status; then the
// lengths (B6: 400, not 500).
func (o OrganizationInput) Validate() error {
	switch {
	case !validEmail(o.Email):
		return newError(Invalid, MsgEmailInvalid)
	case !validPhone(o.Phone):
		return newError(Invalid, MsgPhoneInvalid)
	case !IsTimezone(o.Timezone):
		return newError(Invalid, MsgTimezoneInvalid)
	case !IsOrganizationStatus(o.Status):
		return newError(Invalid, MsgOrganizationStatusInvalid)
	}
	var l limits
	l.text("representative_department", o.RepresentativeDepartment, maxOrgDept)
	l.text("name", o.Name, maxOrgName)
	l.text("email", o.Email, maxEmail)
	l.multiLine("about", o.About, maxOrgAbout)
	l.multiLine("address", o.Address, maxOrgAddress)
	l.link("website", o.Website, maxOrgWebsite)
	l.text("phone", o.Phone, maxPhone)
	if l.err != nil {
		return l.err
	}
	return nil
}

// normalize makes every list field non-nil.
func (p *ProgramInput) normalize() {
	for _, l := range []*[]string{&p.TargetSkills, &p.StudentResponsibility, &p.MentorResponsibility,
		&p.OrganizationResponsibility, &p.StudentRequirements, &p.MentorRequirements, &p.ResourcesProvided, &p.Tags} {
		if *l == nil {
			*l = []string{}
		}
	}
}

// Validate checks a #17/#19 body after decoding, in the old API's order: email missing, email invalid, phone
// missing, phone then mobile pattern, status; then (B7: 400, not 500) contact_type, zone, the two dates'
// form, and the lengths.
func (p ProgramInput) Validate() error {
	switch {
	case p.ContactEmail == "":
		return newError(Invalid, MsgEmailMissing)
	case !validEmail(p.ContactEmail):
		return newError(Invalid, MsgEmailInvalid)
	case p.ContactPhone == "":
		return newError(Invalid, MsgPhoneMissing)
	case !validPhone(p.ContactPhone), p.ContactMobile != "" && !validPhone(p.ContactMobile):
		return newError(Invalid, MsgPhoneInvalid)
	case !IsProgramStatus(p.Status):
		return newError(Invalid, MsgProgramStatusInvalid)
	case !IsContactType(p.ContactType):
		return newError(Invalid, MsgContactTypeInvalid)
	case !IsZone(p.Zone):
		return newError(Invalid, MsgZoneInvalid)
	case !validInputDate(p.StartDate), !validInputDate(p.EndDate):
		return newError(Invalid, MsgDateInvalid)
	}
	var l limits
	l.text("program_name", p.Name, maxProgramName)
	l.multiLine("description", p.Description, maxDescription)
	l.list("target_skills", p.TargetSkills, maxSkill)
	tc := p.TargetCandidate
	for _, f := range []struct{ key, v string }{
		{"target_candidate_gender", tc.Gender}, {"target_candidate_age", tc.Age},
		{"target_candidate_ethnicity", tc.Ethnicity}, {"target_candidate_sexual_orientation", tc.SexualOrientation},
		{"target_candidate_religion", tc.Religion}, {"target_candidate_physical_ability", tc.PhysicalAbility},
		{"target_candidate_mental_ability", tc.MentalAbility}, {"target_candidate_socio_economic", tc.SocioEconomic},
		{"target_candidate_highest_education", tc.HighestEducation},
		{"target_candidate_years_of_experience", tc.YearsOfExperience}, {"target_candidate_other", tc.Other},
	} {
		l.text(f.key, f.v, maxFreeText)
	}
	l.text("payment_currency", p.PaymentCurrency, maxCurrency)
	l.list("student_responsibility", p.StudentResponsibility, maxDuty)
	l.list("mentor_responsibility", p.MentorResponsibility, maxDuty)
	l.list("organization_responsibility", p.OrganizationResponsibility, maxDuty)
	l.list("student_requirements", p.StudentRequirements, maxDuty)
	l.list("mentor_requirements", p.MentorRequirements, maxDuty)
	l.list("resources_provided", p.ResourcesProvided, maxDuty)
	l.text("contact_name", p.ContactName, maxContactName)
	l.text("contact_department", p.ContactDepartment, maxContactDept)
	l.multiLine("program_address", p.ProgramAddress, maxProgAddress)
	l.text("contact_phone", p.ContactPhone, maxPhone)
	l.text("contact_mobile", p.ContactMobile, maxPhone)
	l.text("contact_email", p.ContactEmail, maxEmail)
	l.link("program_website", p.ProgramWebsite, maxLink)
	l.text("irc_channel", p.IRCChannel, maxLink)
	l.list("tags", p.Tags, maxSkill)
	if l.err != nil {
		return l.err
	}
	return nil
}

// validInputDate reports whether s has the form "YYYY-MM-DD HH:MM" (a real date and time).
func validInputDate(s string) bool {
	_, err := time.Parse(InputDateLayout, s)
	return err == nil
}
