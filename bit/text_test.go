package bit

import (
	"encoding/json"
	"testing"
)

func TestTextIsCheckedAsAPersonReadsIt(t *testing.T) {
	org := func(key string, v any) []byte {
		m := validOrganization()
		m[key] = v
		b, _ := json.Marshal(m)
		return b
	}
	prog := func(key string, v any) []byte {
		m := validProgram()
		m[key] = v
		b, _ := json.Marshal(m)
		return b
	}
	for _, tc := range []struct {
		name    string
		decode  func([]byte) error
		body    []byte
		message string // "" when accepted
	}{
		{"an escape character in a website is refused", decodeOrg, org("website", "https://a.example\x1b[31m"), "The field website must not contain control characters or bidirectional overrides."},
		{"a bell in a name is refused", decodeOrg, org("name", "Acme\a"), "The field name must not contain control characters or bidirectional overrides."},
		{"CR/LF in a name is refused", decodeOrg, org("name", "Acme\r\nSet-Cookie: x"), "The field name must not contain control characters or bidirectional overrides."},
		{"a right-to-left override in a name is refused", decodeOrg, org("name", "Acme \u202egnp.exe"), "The field name must not contain control characters or bidirectional overrides."},
		{"an isolate in a department is refused", decodeOrg, org("representative_department", "\u2066x\u2069"), "The field representative_department must not contain control characters or bidirectional overrides."},
		{"line breaks in about are text", decodeOrg, org("about", "line one\r\nline two\tend"), ""},
		{"a C1 control in about is refused", decodeOrg, org("about", "x\u0085y"), "The field about must not contain control characters or bidirectional overrides."},
		{"a javascript: website is refused", decodeOrg, org("website", "javascript:alert(1)"), "The field website must be an absolute http or https URL."},
		{"a relative website is refused", decodeOrg, org("website", "//evil.example"), "The field website must be an absolute http or https URL."},
		{"a website without a scheme is refused", decodeOrg, org("website", "www.example.org"), "The field website must be an absolute http or https URL."},
		{"an http website is taken", decodeOrg, org("website", "http://example.org/path?q=1"), ""},
		{"an empty website is taken", decodeOrg, org("website", ""), ""},
		{"a phone of only white space is refused", decodeOrg, org("phone", " \u2028\u00a0 "), MsgPhoneInvalid},
		{"a phone of only dashes is refused", decodeOrg, org("phone", "--+"), MsgPhoneInvalid},
		{"a data: program website is refused", decodeProg, prog("program_website", "data:text/html,x"), "The field program_website must be an absolute http or https URL."},
		{"a control character in a list item is refused", decodeProg, prog("tags", []string{"ok", "x\x00y"}), "The field tags must not contain NUL characters."},
		{"an escape in a list item is refused", decodeProg, prog("tags", []string{"x\x1by"}), "The field tags must not contain control characters or bidirectional overrides."},
		{"line breaks in a description are text", decodeProg, prog("description", "a\nb"), ""},
		{"a contact mobile without digits is refused", decodeProg, prog("contact_mobile", "+ -"), MsgPhoneInvalid},
		{"a javascript: personal website is refused", decodeInfo, func() []byte {
			m := validAdditionalInfo()
			m["personal_website"] = "JavaScript:alert(1)"
			b, _ := json.Marshal(m)
			return b
		}(), "The field personal_website must be an absolute http or https URL."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.decode(tc.body)
			if tc.message == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e, ok := err.(*Error)
			if !ok || e.Status() != 400 || e.Message != tc.message {
				t.Fatalf("got %v, want 400 %q", err, tc.message)
			}
		})
	}
}

func decodeOrg(b []byte) error  { _, err := DecodeOrganization(b); return err }
func decodeProg(b []byte) error { _, err := DecodeProgram(b); return err }
func decodeInfo(b []byte) error { _, err := DecodeAdditionalInfo(b); return err }

func TestNameKeyMakesLookAlikesOneName(t *testing.T) {
	base := NameKey("Acme Tech")
	for _, tc := range []struct {
		name, variant string
		same          bool
	}{
		{"a zero-width space", "Acme\u200b Tech", true},
		{"a right-to-left override", "Acme Tech\u202e", true},
		{"leading and trailing spaces", "  Acme Tech\u00a0", true},
		{"upper case", "ACME TECH", true},
		{"a Cyrillic е", "Acm\u0435 Tech", true},
		{"a fullwidth A", "\uff21cme Tech", true},
		{"a soft hyphen", "Ac\u00adme Tech", true},
		{"another name with an accent", "Caf\u0065\u0301", false},
		{"a different word", "Acme Labs", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NameKey(tc.variant) == base; got != tc.same {
				t.Errorf("NameKey(%q) == NameKey(\"Acme Tech\"): %v, want %v", tc.variant, got, tc.same)
			}
		})
	}
	if NameKey("Caf\u00e9") != NameKey("Cafe\u0301") {
		t.Error("composed and decomposed é differ")
	}
}
