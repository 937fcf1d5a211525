package e2e

import (
	"encoding/json"
	"testing"
)

// Helpers of the BridgeInTech end-to-end tests (bit_*_test.go): the bodies the web app sends and a step runner
// that checks status and exact message.

// bitStep is one request a browser makes and the answer it must get.
type bitStep struct {
	name   string
	b      *browser
	method string
	path   string
	body   any
	status int
	msg    string // the exact "message"; "" when the answer is not a message
}

func runBITSteps(t *testing.T, base string, steps []bitStep) {
	t.Helper()
	for _, st := range steps {
		a := st.b.must(st.method, base+st.path, st.body)
		if a.status != st.status {
			t.Fatalf("%s: %s %s = %d %s, want %d", st.name, st.method, st.path, a.status, a.body, st.status)
		}
		if st.msg != "" {
			if got := a.field(t, "message"); got != st.msg {
				t.Fatalf("%s: %s %s message = %q, want %q", st.name, st.method, st.path, got, st.msg)
			}
		}
	}
}

// decode reads a JSON answer into v.
func decode(t *testing.T, a answer, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("answer %d is not the expected JSON: %s", a.status, a.body)
	}
}

func additionalInfo(rep bool, phone string) map[string]any {
	return map[string]any{"is_organization_rep": rep, "timezone": "Asia/Jakarta", "phone": phone, "mobile": "",
		"personal_website": "https://me.example.org"}
}

// background is the body PersonalBackground.jsx sends: the 10 selects, the 8 *_other texts and is_public.
func background(socio string, public bool) map[string]any {
	return map[string]any{"gender": "Female", "age": "Between 25 to 34 yo", "ethnicity": "Asian",
		"sexual_orientation": "Prefer not to say", "religion": "Prefer not to say", "physical_ability": "Prefer not to say",
		"mental_ability": "Prefer not to say", "socio_economic": socio, "highest_education": "Bachelor's Degree",
		"years_of_experience": "Between 1 to 3 years", "gender_other": "", "ethnicity_other": "",
		"sexual_orientation_other": "", "religion_other": "", "physical_ability_other": "", "mental_ability_other": "",
		"socio_economic_other": "", "highest_education_other": "", "is_public": public}
}

// organization is the body EditOrganization.jsx sends (its nine model keys), with change applied.
func organization(name string, change func(map[string]any)) map[string]any {
	o := map[string]any{"representative_department": "Outreach", "name": name, "email": "team@bridge.example.org",
		"about": "We mentor.", "address": "1 Main St", "website": "https://bridge.example.org", "timezone": "GMT0",
		"phone": "+1 555 0100", "status": "Publish"}
	if change != nil {
		change(o)
	}
	return o
}

// program is the body EditProgram.jsx sends (its 36 keys; list fields split on commas), with change applied.
func program(name string, change func(map[string]any)) map[string]any {
	p := map[string]any{"program_name": name, "start_date": "2027-02-01 09:00", "end_date": "2027-05-31 17:00",
		"description": "Twelve weeks of mentoring.", "target_skills": []string{"Go", "SQL"},
		"target_candidate_gender": "Female", "target_candidate_age": "", "target_candidate_ethnicity": "",
		"target_candidate_sexual_orientation": "", "target_candidate_religion": "", "target_candidate_physical_ability": "",
		"target_candidate_mental_ability": "", "target_candidate_socio_economic": "", "target_candidate_highest_education": "",
		"target_candidate_years_of_experience": "", "target_candidate_other": "", "payment_currency": "USD",
		"payment_amount": 100, "contact_type": "Remote", "zone": "Global", "student_responsibility": []string{"Attend"},
		"mentor_responsibility": []string{"Review"}, "organization_responsibility": []string{""},
		"student_requirements": []string{""}, "mentor_requirements": []string{""}, "resources_provided": []string{"Laptop"},
		"contact_name": "Pat", "contact_department": "Programs", "program_address": "Online", "contact_phone": "+1 555 0101",
		"contact_mobile": "", "contact_email": "programs@bridge.example.org", "program_website": "https://bridge.example.org/p",
		"irc_channel": "", "tags": []string{"mentoring"}, "status": "Open"}
	if change != nil {
		change(p)
	}
	return p
}
