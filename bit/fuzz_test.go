package bit

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"unicode/utf8"
)

// checkDecodeError: a decoder's refusal is always a 400 *Error with a message, and its texts stay short.
func checkDecodeError(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a *bit.Error", err)
	}
	if e.Code != Invalid || e.Message == "" {
		t.Fatalf("refusal %s %q, want invalid with a message", e.Code, e.Message)
	}
	for k, v := range e.Fields {
		if utf8.RuneCountInString(v) > 200 {
			t.Fatalf("field text too long: %q: %q", k, v)
		}
	}
}

// fuzzDecoder checks a decoder on arbitrary bytes: no panic; a refusal is a 400 *Error; what it accepts passes
// Validate and decodes to the same value when sent again (encoded by encode).
func fuzzDecoder[T any](f *testing.F, seeds []map[string]any, decode func([]byte) (T, error), validate func(T) error,
	encode func(T) map[string]any) {
	for _, s := range seeds {
		b, _ := json.Marshal(s)
		f.Add(b)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"timezone": null, "phone": 1e400}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := decode(data)
		if err != nil {
			checkDecodeError(t, err)
			return
		}
		if err := validate(v); err != nil {
			t.Fatalf("accepted %q but Validate says %v", data, err)
		}
		again, err := json.Marshal(encode(v))
		if err != nil {
			t.Fatal(err)
		}
		v2, err := decode(again)
		if err != nil || !reflect.DeepEqual(v, v2) {
			t.Fatalf("re-sent %s decoded as %+v, %v; want %+v", again, v2, err, v)
		}
	})
}

func FuzzDecodeAdditionalInfo(f *testing.F) {
	fuzzDecoder(f, []map[string]any{validAdditionalInfo()}, DecodeAdditionalInfo, AdditionalInfo.Validate,
		func(a AdditionalInfo) map[string]any {
			return map[string]any{"is_organization_rep": a.IsOrganizationRep, "timezone": a.Timezone, "phone": a.Phone,
				"mobile": a.Mobile, "personal_website": a.PersonalWebsite}
		})
}

func FuzzDecodePersonalBackground(f *testing.F) {
	fuzzDecoder(f, []map[string]any{validBackground()}, DecodePersonalBackground, PersonalBackground.Validate,
		func(b PersonalBackground) map[string]any {
			var m map[string]any
			raw, _ := json.Marshal(b)
			_ = json.Unmarshal(raw, &m)
			delete(m, "user_id")
			return m
		})
}

func FuzzDecodeOrganization(f *testing.F) {
	fuzzDecoder(f, []map[string]any{validOrganization()}, DecodeOrganization, OrganizationInput.Validate,
		func(o OrganizationInput) map[string]any {
			var m map[string]any
			raw, _ := json.Marshal(o)
			_ = json.Unmarshal(raw, &m)
			return m
		})
}

func FuzzDecodeProgram(f *testing.F) {
	fuzzDecoder(f, []map[string]any{validProgram()}, DecodeProgram, ProgramInput.Validate,
		func(p ProgramInput) map[string]any {
			v := ProgramView{ProgramName: p.Name, StartDate: p.StartDate, EndDate: p.EndDate, Description: p.Description,
				TargetSkills: p.TargetSkills, TargetCandidate: p.TargetCandidate, PaymentCurrency: p.PaymentCurrency,
				PaymentAmount: p.PaymentAmount, ContactType: p.ContactType, Zone: p.Zone,
				StudentResponsibility: p.StudentResponsibility, MentorResponsibility: p.MentorResponsibility,
				OrganizationResponsibility: p.OrganizationResponsibility, StudentRequirements: p.StudentRequirements,
				MentorRequirements: p.MentorRequirements, ResourcesProvided: p.ResourcesProvided,
				ContactName: p.ContactName, ContactDepartment: p.ContactDepartment, ProgramAddress: p.ProgramAddress,
				ContactPhone: p.ContactPhone, ContactMobile: p.ContactMobile, ContactEmail: p.ContactEmail,
				ProgramWebsite: p.ProgramWebsite, IRCChannel: p.IRCChannel, Tags: p.Tags, Status: p.Status}
			var m map[string]any
			raw, _ := json.Marshal(v)
			_ = json.Unmarshal(raw, &m)
			return m
		})
}
