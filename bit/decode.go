package bit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// The request decoders do the old API's checks before the endpoint's own, in its order (docs/BRIDGEINTECH.md#order-of-checks):
//
//  1. the schema check: the body must be one JSON object; each schema-required key present; each declared key
//     present with its JSON type (null refused, except payment_amount, see below). Failure: 400
//     MsgInputValidationFailed with Fields {"<key>": "'<key>' is a required property"} or
//     {"<key>": "<value> is not of type '<type>'"} (jsonschema's texts; every failing key is listed).
//  2. every key of the model present, schema-optional ones included, else 400 MsgUnexpectedInput.
//  3. the endpoint's checks (Validate), in the old API's order, then lengths.
//
// Keys the model does not declare are ignored, as the old API did (the web sends none, but older clients may).
// The authentication check (401) comes before decoding: the HTTP side verifies the caller first (B10).
//
// Decision: payment_amount may be null (the web's emptied number field sends NaN, which JSON.stringify writes as
// null); the program is then stored without an amount and read back as null.

type kind int

const (
	kString kind = iota
	kBool
	kInt     // an integer (int64); null allowed (payment_amount only)
	kStrings // an array of strings
)

type field struct {
	key      string
	kind     kind
	required bool // schema-required
}

func (k kind) jsonType() string {
	switch k {
	case kBool:
		return "boolean"
	case kInt:
		return "integer"
	case kStrings:
		return "array"
	default:
		return "string"
	}
}

// object is a checked body: the raw JSON value of each declared key, a slice of the body (never a copy). Keys the
// model does not declare are skipped without being kept.
type object map[string][]byte

// Parsing is bounded before it allocates: the body is checked as JSON by json.Valid (no allocation), then walked
// in place (walk.go); a declared key's value is kept as a slice of the body, a list is type-checked item by item
// without decoding, and each string is decoded once, straight from the body, into a string never longer than its
// JSON form (invalid UTF-8 is kept as is, for the length checks to refuse). A list is decoded up to
// maxListItems+1 items: the one past the limit is what the length check refuses, the rest is never decoded. So
// what a decoder holds is at most the body's size again plus a constant (DecodeOverhead).
//
// DecodeOverhead bounds what parsing holds beyond the decoded text itself (list headers: 8 lists of at most 101
// items of 16 bytes; the object's at most 36 entries; a schema failure's texts of at most 50 characters each),
// rounded up. handlers/bodygate.go counts a body twice against BODY_MEMORY (as read, as decoded) plus this.
const DecodeOverhead = 64 << 10

// decodeObject runs steps 1 and 2 for fields.
func decodeObject(body []byte, fields []field) (object, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' || !json.Valid(body) {
		return nil, newError(Invalid, MsgBodyNotJSONObject)
	}
	obj := object{}
	eachMember(body, func(key, value []byte) {
		for _, f := range fields {
			if string(key) == f.key { // a later duplicate wins, as encoding/json's
				obj[f.key] = value
				return
			}
		}
	})
	problems := map[string]string{}
	for _, f := range fields {
		raw, ok := obj[f.key]
		if !ok {
			if f.required {
				problems[f.key] = fmt.Sprintf(msgRequiredFormat, f.key)
			}
			continue
		}
		if text, bad := typeProblem(raw, f.kind); bad {
			problems[f.key] = text
		}
	}
	if len(problems) > 0 {
		return nil, &Error{Code: Invalid, Message: MsgInputValidationFailed, Fields: problems}
	}
	for _, f := range fields {
		if _, ok := obj[f.key]; !ok {
			return nil, newError(Invalid, MsgUnexpectedInput)
		}
	}
	return obj, nil
}

// typeProblem returns jsonschema's text when raw is not of kind k. A list's items are checked in place, not
// decoded.
func typeProblem(raw []byte, k kind) (string, bool) {
	wrong := func(v []byte, t string) (string, bool) {
		return fmt.Sprintf(msgWrongTypeFormat, pythonRepr(v), t), true
	}
	switch k {
	case kString:
		if raw[0] != '"' {
			return wrong(raw, "string")
		}
	case kBool:
		if s := string(raw); s != "true" && s != "false" {
			return wrong(raw, "boolean")
		}
	case kInt:
		if string(raw) == "null" {
			return "", false
		}
		if _, err := strconv.ParseInt(string(raw), 10, 64); err != nil {
			return wrong(raw, "integer")
		}
	case kStrings:
		if raw[0] != '[' {
			return wrong(raw, "array")
		}
		var bad []byte
		eachItem(raw, func(item []byte) bool {
			if item[0] != '"' {
				bad = item
				return false
			}
			return true
		})
		if bad != nil {
			return wrong(bad, "string")
		}
	}
	return "", false
}

// reprBytes is how much of a value pythonRepr reads: enough for its 40 characters however they are escaped.
const reprBytes = 256

// pythonRepr writes a JSON value roughly as Python's repr does in jsonschema's texts (None, True, 'text'), cut
// to 40 characters so a huge value is not echoed back (only its first reprBytes are read).
func pythonRepr(raw []byte) string {
	long := len(raw) > reprBytes
	if long {
		raw = raw[:reprBytes]
	}
	s := string(raw)
	switch {
	case s == "null":
		return "None"
	case s == "true":
		return "True"
	case s == "false":
		return "False"
	case strings.HasPrefix(s, `"`):
		s = "'" + strings.ToValidUTF8(unquote(raw), "\ufffd") + "'"
	}
	if r := []rune(s); len(r) > 40 || long {
		s = string(r[:min(len(r), 40)]) + "…"
	}
	return s
}

func (o object) str(key string) string { return unquote(o[key]) }

func (o object) boolean(key string) bool { return string(o[key]) == "true" }

// strs decodes a list of strings up to maxListItems+1 items (the one past the limit makes Validate refuse it).
func (o object) strs(key string) []string {
	v := []string{}
	eachItem(o[key], func(item []byte) bool {
		v = append(v, unquote(item))
		return len(v) <= maxListItems
	})
	return v
}

func (o object) intPtr(key string) *int64 {
	n, err := strconv.ParseInt(string(o[key]), 10, 64)
	if err != nil {
		return nil // null
	}
	return &n
}

var additionalInfoFields = []field{
	{"is_organization_rep", kBool, true},
	{"timezone", kString, true},
	{"phone", kString, false},
	{"mobile", kString, false},
	{"personal_website", kString, false},
}

// DecodeAdditionalInfo decodes and validates the body of #6 PUT /user/additional_info. UserID is left 0.
func DecodeAdditionalInfo(body []byte) (AdditionalInfo, error) {
	o, err := decodeObject(body, additionalInfoFields)
	if err != nil {
		return AdditionalInfo{}, err
	}
	a := AdditionalInfo{
		IsOrganizationRep: o.boolean("is_organization_rep"), Timezone: o.str("timezone"),
		Phone: o.str("phone"), Mobile: o.str("mobile"), PersonalWebsite: o.str("personal_website"),
	}
	return a, a.Validate()
}

var personalBackgroundFields = []field{
	{"gender", kString, true}, {"age", kString, true}, {"ethnicity", kString, true},
	{"sexual_orientation", kString, true}, {"religion", kString, true}, {"physical_ability", kString, true},
	{"mental_ability", kString, true}, {"socio_economic", kString, true}, {"highest_education", kString, true},
	{"years_of_experience", kString, true},
	{"gender_other", kString, false}, {"ethnicity_other", kString, false}, {"sexual_orientation_other", kString, false},
	{"religion_other", kString, false}, {"physical_ability_other", kString, false},
	{"mental_ability_other", kString, false}, {"socio_economic_other", kString, false},
	{"highest_education_other", kString, false},
	{"is_public", kBool, true},
}

// DecodePersonalBackground decodes and validates the body of #8 PUT /user/personal_background (the web's
// comma spellings of two SocioEconomic values are accepted and stored as the backend's). UserID is left 0.
func DecodePersonalBackground(body []byte) (PersonalBackground, error) {
	o, err := decodeObject(body, personalBackgroundFields)
	if err != nil {
		return PersonalBackground{}, err
	}
	b := PersonalBackground{
		Gender: o.str("gender"), Age: o.str("age"), Ethnicity: o.str("ethnicity"),
		SexualOrientation: o.str("sexual_orientation"), Religion: o.str("religion"),
		PhysicalAbility: o.str("physical_ability"), MentalAbility: o.str("mental_ability"),
		SocioEconomic: o.str("socio_economic"), HighestEducation: o.str("highest_education"),
		YearsOfExperience: o.str("years_of_experience"),
		GenderOther:       o.str("gender_other"), EthnicityOther: o.str("ethnicity_other"),
		SexualOrientationOther: o.str("sexual_orientation_other"), ReligionOther: o.str("religion_other"),
		PhysicalAbilityOther: o.str("physical_ability_other"), MentalAbilityOther: o.str("mental_ability_other"),
		SocioEconomicOther: o.str("socio_economic_other"), HighestEducationOther: o.str("highest_education_other"),
		IsPublic: o.boolean("is_public"),
	}
	b.normalize()
	return b, b.Validate()
}

var organizationFields = []field{
	{"representative_department", kString, true},
	{"name", kString, true},
	{"email", kString, true},
	{"about", kString, false},
	{"address", kString, false},
	{"website", kString, true},
	{"timezone", kString, true},
	{"phone", kString, true},
	{"status", kString, true},
}

// DecodeOrganization decodes and validates the body of #14 PUT /organization.
func DecodeOrganization(body []byte) (OrganizationInput, error) {
	o, err := decodeObject(body, organizationFields)
	if err != nil {
		return OrganizationInput{}, err
	}
	in := OrganizationInput{
		RepresentativeDepartment: o.str("representative_department"), Name: o.str("name"), Email: o.str("email"),
		About: o.str("about"), Address: o.str("address"), Website: o.str("website"), Timezone: o.str("timezone"),
		Phone: o.str("phone"), Status: o.str("status"),
	}
	return in, in.Validate()
}

var programFields = []field{
	{"program_name", kString, true},
	{"start_date", kString, true},
	{"end_date", kString, true},
	{"description", kString, false},
	{"target_skills", kStrings, false},
	{"target_candidate_gender", kString, false},
	{"target_candidate_age", kString, false},
	{"target_candidate_ethnicity", kString, false},
	{"target_candidate_sexual_orientation", kString, false},
	{"target_candidate_religion", kString, false},
	{"target_candidate_physical_ability", kString, false},
	{"target_candidate_mental_ability", kString, false},
	{"target_candidate_socio_economic", kString, false},
	{"target_candidate_highest_education", kString, false},
	{"target_candidate_years_of_experience", kString, false},
	{"target_candidate_other", kString, false},
	{"payment_currency", kString, false},
	{"payment_amount", kInt, false},
	{"contact_type", kString, false},
	{"zone", kString, false},
	{"student_responsibility", kStrings, false},
	{"mentor_responsibility", kStrings, false},
	{"organization_responsibility", kStrings, false},
	{"student_requirements", kStrings, false},
	{"mentor_requirements", kStrings, false},
	{"resources_provided", kStrings, false},
	{"contact_name", kString, false},
	{"contact_department", kString, false},
	{"program_address", kString, false},
	{"contact_phone", kString, false},
	{"contact_mobile", kString, false},
	{"contact_email", kString, false},
	{"program_website", kString, false},
	{"irc_channel", kString, false},
	{"tags", kStrings, false},
	{"status", kString, false},
}

// DecodeProgram decodes and validates the body of #17 POST …/programs/program and #19 PUT …/programs/{id}
// (36 keys; the dates are checked for their form here and read in the caller's timezone by the Service).
func DecodeProgram(body []byte) (ProgramInput, error) {
	o, err := decodeObject(body, programFields)
	if err != nil {
		return ProgramInput{}, err
	}
	in := ProgramInput{
		StartDate: o.str("start_date"), EndDate: o.str("end_date"),
		ProgramFields: ProgramFields{
			Name: o.str("program_name"), Description: o.str("description"), TargetSkills: o.strs("target_skills"),
			TargetCandidate: TargetCandidate{
				Gender: o.str("target_candidate_gender"), Age: o.str("target_candidate_age"),
				Ethnicity:         o.str("target_candidate_ethnicity"),
				SexualOrientation: o.str("target_candidate_sexual_orientation"),
				Religion:          o.str("target_candidate_religion"), PhysicalAbility: o.str("target_candidate_physical_ability"),
				MentalAbility:     o.str("target_candidate_mental_ability"),
				SocioEconomic:     o.str("target_candidate_socio_economic"),
				HighestEducation:  o.str("target_candidate_highest_education"),
				YearsOfExperience: o.str("target_candidate_years_of_experience"), Other: o.str("target_candidate_other"),
			},
			PaymentCurrency: o.str("payment_currency"), PaymentAmount: o.intPtr("payment_amount"),
			ContactType: o.str("contact_type"), Zone: o.str("zone"),
			StudentResponsibility: o.strs("student_responsibility"), MentorResponsibility: o.strs("mentor_responsibility"),
			OrganizationResponsibility: o.strs("organization_responsibility"),
			StudentRequirements:        o.strs("student_requirements"), MentorRequirements: o.strs("mentor_requirements"),
			ResourcesProvided: o.strs("resources_provided"),
			ContactName:       o.str("contact_name"), ContactDepartment: o.str("contact_department"),
			ProgramAddress: o.str("program_address"), ContactPhone: o.str("contact_phone"),
			ContactMobile: o.str("contact_mobile"), ContactEmail: o.str("contact_email"),
			ProgramWebsite: o.str("program_website"), IRCChannel: o.str("irc_channel"), Tags: o.strs("tags"),
			Status: o.str("status"),
		},
	}
	return in, in.Validate()
}
