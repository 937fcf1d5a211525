package bit

import (
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"strings"
	"testing"
)

// body marshals base with the changes applied (a nil value deletes the key; use jsonNull for null).
func body(base map[string]any, changes map[string]any) []byte {
	m := maps.Clone(base)
	for k, v := range changes {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

const jsonNull = rawJSON("null")

func validAdditionalInfo() map[string]any {
	return map[string]any{"is_organization_rep": true, "timezone": "Asia/Jakarta", "phone": "+62 21-555",
		"mobile": "", "personal_website": "https://me.example.org"}
}

func validBackground() map[string]any {
	return map[string]any{
		"gender": "Female", "age": "Between 25 to 34 yo", "ethnicity": "Asian", "sexual_orientation": "LGBTIA+",
		"religion": "Other", "physical_ability": "Prefer not to say", "mental_ability": "Not Applicable",
		"socio_economic": "Upper class/Elite", "highest_education": "Bachelor's Degree",
		"years_of_experience": "Between 5 to 10 year", "gender_other": "", "ethnicity_other": "",
		"sexual_orientation_other": "", "religion_other": "Pastafarian", "physical_ability_other": "",
		"mental_ability_other": "", "socio_economic_other": "", "highest_education_other": "", "is_public": false,
	}
}

func validOrganization() map[string]any {
	return map[string]any{"representative_department": "Outreach", "name": "Women Who Code",
		"email": "hello@wwc.example.org", "about": "", "address": "", "website": "https://wwc.example.org",
		"timezone": "GMT0", "phone": "+1 555 0100", "status": "Draft"}
}

func validProgram() map[string]any {
	m := map[string]any{"program_name": "Spring", "start_date": "2026-03-01 09:00", "end_date": "2026-06-01 17:30",
		"description": "d", "payment_currency": "USD", "payment_amount": 100, "contact_type": "Remote",
		"zone": "Global", "contact_name": "Ada", "contact_department": "", "program_address": "",
		"contact_phone": "+1 555", "contact_mobile": "", "contact_email": "ada@example.org",
		"program_website": "", "irc_channel": "", "status": "Open"}
	for _, k := range []string{"target_skills", "student_responsibility", "mentor_responsibility",
		"organization_responsibility", "student_requirements", "mentor_requirements", "resources_provided", "tags"} {
		m[k] = []string{""}
	}
	for _, k := range []string{"gender", "age", "ethnicity", "sexual_orientation", "religion", "physical_ability",
		"mental_ability", "socio_economic", "highest_education", "years_of_experience", "other"} {
		m["target_candidate_"+k] = ""
	}
	return m
}

type decodeCase struct {
	name    string
	body    []byte
	message string            // "" = success
	fields  map[string]string // the schema texts expected, when message is MsgInputValidationFailed
}

func checkDecode(t *testing.T, tc decodeCase, err error) {
	t.Helper()
	if tc.message == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error %q", err, tc.message)
	}
	if e.Code != Invalid || e.Status() != 400 || e.Message != tc.message {
		t.Errorf("got %s %d %q, want invalid 400 %q", e.Code, e.Status(), e.Message, tc.message)
	}
	if tc.fields != nil && !reflect.DeepEqual(e.Fields, tc.fields) {
		t.Errorf("fields %v, want %v", e.Fields, tc.fields)
	}
}

func TestDecodeAdditionalInfo(t *testing.T) {
	v := validAdditionalInfo()
	for _, tc := range []decodeCase{
		{"a complete body decodes", body(v, nil), "", nil},
		{"keys the model does not declare are ignored", body(v, map[string]any{"username": "x"}), "", nil},
		{"a missing required key fails the schema with jsonschema's text", body(v, map[string]any{"timezone": nil}),
			MsgInputValidationFailed, map[string]string{"timezone": "'timezone' is a required property"}},
		{"a string where a boolean belongs names the key", body(v, map[string]any{"is_organization_rep": "yes"}),
			MsgInputValidationFailed, map[string]string{"is_organization_rep": "'yes' is not of type 'boolean'"}},
		{"null is refused for a declared key", body(v, map[string]any{"phone": jsonNull}),
			MsgInputValidationFailed, map[string]string{"phone": "None is not of type 'string'"}},
		{"every failing key is listed", body(v, map[string]any{"timezone": 5, "mobile": true}),
			MsgInputValidationFailed, map[string]string{"timezone": "5 is not of type 'string'",
				"mobile": "True is not of type 'string'"}},
		{"a missing optional key is unexpected input", body(v, map[string]any{"personal_website": nil}),
			MsgUnexpectedInput, nil},
		{"an unknown timezone is refused", body(v, map[string]any{"timezone": "Mars/Olympus"}), MsgTimezoneInvalid, nil},
		{"a timezone in the wrong case is refused", body(v, map[string]any{"timezone": "asia/jakarta"}), MsgTimezoneInvalid, nil},
		{"letters in the phone are refused", body(v, map[string]any{"phone": "call me"}), MsgPhoneInvalid, nil},
		{"letters in the mobile are refused", body(v, map[string]any{"mobile": "07x"}), MsgPhoneInvalid, nil},
		{"the phone is checked before the timezone", body(v, map[string]any{"phone": "x", "timezone": "x"}), MsgPhoneInvalid, nil},
		{"an over-long website is refused", body(v, map[string]any{"personal_website": strings.Repeat("w", 255)}),
			"The field personal_website must be at most 254 characters long.", nil},
		{"a NUL character is refused", body(v, map[string]any{"personal_website": "a\u0000b"}),
			"The field personal_website must not contain NUL characters.", nil},
		{"an empty body is not a JSON object", []byte(""), MsgBodyNotJSONObject, nil},
		{"a JSON array is not a JSON object", []byte(`[1]`), MsgBodyNotJSONObject, nil},
		{"broken JSON is not a JSON object", []byte(`{"timezone":`), MsgBodyNotJSONObject, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeAdditionalInfo(tc.body)
			checkDecode(t, tc, err)
			if err == nil && (got.Timezone != "Asia/Jakarta" || !got.IsOrganizationRep || got.Phone != "+62 21-555") {
				t.Errorf("decoded %+v", got)
			}
		})
	}
}

func TestDecodePersonalBackground(t *testing.T) {
	v := validBackground()
	for _, tc := range []decodeCase{
		{"a complete body decodes", body(v, nil), "", nil},
		{"a value outside its list gets the one background message", body(v, map[string]any{"age": "Ancient"}),
			MsgBackgroundInvalid, nil},
		{"a value in the wrong case is refused", body(v, map[string]any{"gender": "female"}), MsgBackgroundInvalid, nil},
		{"Mental ability Not Applicable is accepted", body(v, map[string]any{"mental_ability": "Not Applicable"}), "", nil},
		{"the web's comma spelling of working class is accepted",
			body(v, map[string]any{"socio_economic": "Working class (e.g. craft workers, factory labourers, restaurant/delivery services workers"}), "", nil},
		{"is_public must be a boolean", body(v, map[string]any{"is_public": "true"}),
			MsgInputValidationFailed, map[string]string{"is_public": "'true' is not of type 'boolean'"}},
		{"a missing category fails the schema", body(v, map[string]any{"religion": nil}),
			MsgInputValidationFailed, map[string]string{"religion": "'religion' is a required property"}},
		{"a missing other text is unexpected input", body(v, map[string]any{"gender_other": nil}), MsgUnexpectedInput, nil},
		{"an over-long other text is refused", body(v, map[string]any{"religion_other": strings.Repeat("é", 255)}),
			"The field religion_other must be at most 254 characters long.", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodePersonalBackground(tc.body)
			checkDecode(t, tc, err)
		})
	}
	t.Run("the web's comma spellings are stored as the backend's", func(t *testing.T) {
		for web, backend := range map[string]string{webWorkingClass: SocioEconomicValues()[3], webUnderclass: SocioEconomicValues()[4]} {
			got, err := DecodePersonalBackground(body(v, map[string]any{"socio_economic": web}))
			if err != nil || got.SocioEconomic != backend {
				t.Errorf("%q decoded as %q, %v; want %q", web, got.SocioEconomic, err, backend)
			}
		}
	})
}

func TestDecodeOrganization(t *testing.T) {
	v := validOrganization()
	for _, tc := range []decodeCase{
		{"a complete body decodes", body(v, nil), "", nil},
		{"the web's disabled fields, when sent, are ignored", body(v, map[string]any{"representative_name": "x", "joinDate": "y"}), "", nil},
		{"a missing about is unexpected input", body(v, map[string]any{"about": nil}), MsgUnexpectedInput, nil},
		{"a missing website fails the schema", body(v, map[string]any{"website": nil}),
			MsgInputValidationFailed, map[string]string{"website": "'website' is a required property"}},
		{"an invalid email is refused first", body(v, map[string]any{"email": "nope", "phone": "x", "status": "x"}), MsgEmailInvalid, nil},
		{"an empty phone is refused", body(v, map[string]any{"phone": ""}), MsgPhoneInvalid, nil},
		{"the phone is checked before the timezone", body(v, map[string]any{"phone": "x", "timezone": "x"}), MsgPhoneInvalid, nil},
		{"the timezone is checked before the status", body(v, map[string]any{"timezone": "x", "status": "x"}), MsgTimezoneInvalid, nil},
		{"an unknown status is refused", body(v, map[string]any{"status": "Published"}), MsgOrganizationStatusInvalid, nil},
		{"a name over 150 characters is refused", body(v, map[string]any{"name": strings.Repeat("n", 151)}),
			"The field name must be at most 150 characters long.", nil},
		{"a phone over 20 characters is refused", body(v, map[string]any{"phone": strings.Repeat("1", 21)}),
			"The field phone must be at most 20 characters long.", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeOrganization(tc.body)
			checkDecode(t, tc, err)
		})
	}
}

func TestDecodeProgram(t *testing.T) {
	v := validProgram()
	for _, tc := range []decodeCase{
		{"a complete body decodes", body(v, nil), "", nil},
		{"a null payment amount (the web's emptied field) is accepted", body(v, map[string]any{"payment_amount": jsonNull}), "", nil},
		{"a fractional payment amount fails the schema", body(v, map[string]any{"payment_amount": 1.5}),
			MsgInputValidationFailed, map[string]string{"payment_amount": "1.5 is not of type 'integer'"}},
		{"a payment amount beyond int64 fails the schema", body(v, map[string]any{"payment_amount": rawJSON("99999999999999999999")}),
			MsgInputValidationFailed, map[string]string{"payment_amount": "99999999999999999999 is not of type 'integer'"}},
		{"a list of numbers fails the schema naming the list", body(v, map[string]any{"tags": []int{1}}),
			MsgInputValidationFailed, map[string]string{"tags": "1 is not of type 'string'"}},
		{"a string where a list belongs fails the schema", body(v, map[string]any{"tags": "a,b"}),
			MsgInputValidationFailed, map[string]string{"tags": "'a,b' is not of type 'array'"}},
		{"a missing program name fails the schema", body(v, map[string]any{"program_name": nil}),
			MsgInputValidationFailed, map[string]string{"program_name": "'program_name' is a required property"}},
		{"a missing optional key is unexpected input", body(v, map[string]any{"irc_channel": nil}), MsgUnexpectedInput, nil},
		{"an empty contact email is missing", body(v, map[string]any{"contact_email": ""}), MsgEmailMissing, nil},
		{"an invalid contact email is refused", body(v, map[string]any{"contact_email": "a@b"}), MsgEmailInvalid, nil},
		{"an empty contact phone is missing", body(v, map[string]any{"contact_phone": ""}), MsgPhoneMissing, nil},
		{"a bad contact mobile is refused", body(v, map[string]any{"contact_mobile": "abc"}), MsgPhoneInvalid, nil},
		{"an unknown status is refused", body(v, map[string]any{"status": "Published"}), MsgProgramStatusInvalid, nil},
		{"an unknown contact type is refused", body(v, map[string]any{"contact_type": "Carrier pigeon"}), MsgContactTypeInvalid, nil},
		{"an unknown zone is refused", body(v, map[string]any{"zone": "Orbit"}), MsgZoneInvalid, nil},
		{"a date with seconds is refused", body(v, map[string]any{"start_date": "2026-03-01 09:00:00"}), MsgDateInvalid, nil},
		{"a date with the web's T is refused", body(v, map[string]any{"end_date": "2026-03-01T09:00"}), MsgDateInvalid, nil},
		{"an impossible date is refused", body(v, map[string]any{"end_date": "2026-02-30 09:00"}), MsgDateInvalid, nil},
		{"a program name over 100 characters is refused", body(v, map[string]any{"program_name": strings.Repeat("p", 101)}),
			"The field program_name must be at most 100 characters long.", nil},
		{"a tag over 150 characters is refused", body(v, map[string]any{"tags": []string{strings.Repeat("t", 151)}}),
			"The field tags must be at most 150 characters long.", nil},
		{"more than 100 items in a list are refused", body(v, map[string]any{"tags": make([]string, 101)}),
			"The field tags must have at most 100 items.", nil},
		{"a currency over 3 characters is refused", body(v, map[string]any{"payment_currency": "EURO"}),
			"The field payment_currency must be at most 3 characters long.", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeProgram(tc.body)
			checkDecode(t, tc, err)
		})
	}
	t.Run("the decoded program holds what was sent", func(t *testing.T) {
		got, err := DecodeProgram(body(v, map[string]any{"tags": []string{"a", "b"}, "payment_amount": jsonNull}))
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Spring" || got.StartDate != "2026-03-01 09:00" || got.PaymentAmount != nil ||
			!reflect.DeepEqual(got.Tags, []string{"a", "b"}) || !reflect.DeepEqual(got.TargetSkills, []string{""}) ||
			got.ContactType != "Remote" || got.ContactEmail != "ada@example.org" {
			t.Errorf("decoded %+v", got)
		}
	})
}
