package bit_test

import (
	"encoding/json"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

// TestAccountOfUserReadsAsEncodingJSONDoes compares AccountOfUser with encoding/json on MS's user objects and on
// bodies that are not: the same account, or no account, for each.
func TestAccountOfUserReadsAsEncodingJSONDoes(t *testing.T) {
	for _, body := range []string{
		`{"id": 7, "username": "ada", "registration_date": 1700000000.123456}`,
		`{"registration_date": 1700000000, "id": 7}`,
		` {"nested": {"id": 9, "registration_date": 1}, "id": 8, "registration_date": 1.5e9, "x": [1, {"id": 2}]} `,
		`{"id": 7, "id": 8, "registration_date": 1}`,
		`{"id": null, "registration_date": 1}`,
		`{"id": 7}`,
		`{"id": 7.5, "registration_date": 1}`,
		`{"id": "7", "registration_date": 1}`,
		`{"id": 7, "registration_date": "1"}`,
		`{"id": 7, "registration_date": 1`,
		`[{"id": 7, "registration_date": 1}]`,
		`{"i\u0064": 7, "registration_date": 1}`,
		``, `null`, `{}`,
	} {
		want, wantOK := viaEncodingJSON([]byte(body))
		got, ok := bit.AccountOfUser([]byte(body))
		if ok != wantOK || ok && (got.ID != want.ID || !got.Registered.Equal(want.Registered)) {
			t.Errorf("%s: got %+v %v, encoding/json reads %+v %v", body, got, ok, want, wantOK)
		}
	}
	if n := testing.AllocsPerRun(100, func() {
		bit.AccountOfUser([]byte(`{"id": 7, "username": "ada", "registration_date": 1700000000.123456}`))
	}); n != 0 {
		t.Errorf("AccountOfUser allocates %v times, want 0", n)
	}
}

func viaEncodingJSON(body []byte) (bit.Account, bool) {
	var u struct {
		ID         *int64   `json:"id"`
		Registered *float64 `json:"registration_date"`
	}
	if json.Unmarshal(body, &u) != nil || u.ID == nil || u.Registered == nil {
		return bit.Account{}, false
	}
	return bit.Account{ID: *u.ID, Registered: bit.RegistrationTime(*u.Registered)}, true
}

// FuzzAccountFields: the walk Service.Bound does on every GET /user answer, without first checking the body is
// valid JSON, never panics or reads outside the body, whatever the bytes; and on valid JSON it reads what
// encoding/json reads (keys matched exactly, the last of a repeated key counting).
func FuzzAccountFields(f *testing.F) {
	for _, s := range []string{
		`{"id": 7, "username": "ada", "registration_date": 1700000000.123456}`,
		`{"i\u0064": 7, "registration_date": 1}`, `{"id": 7, "id": 8, "registration_date": 1}`,
		`{"`, `{"id"`, `{"id":`, `{"id": 7, "registration_date": 1`, `{"a\"`, `{"id" 7}`, `{"x": [1, {"id": 2}`,
		`{"ID": 7, "registration_date": 1}`, `{"id": null, "registration_date": 1}`, ` {} `,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, ok := bit.AccountFields(body)
		if !json.Valid(body) {
			return
		}
		want, wantOK := exactKeys(body)
		if ok != wantOK || ok && (got.ID != want.ID || !got.Registered.Equal(want.Registered)) {
			t.Errorf("%q: walked %+v %v, encoding/json reads %+v %v", body, got, ok, want, wantOK)
		}
	})
}

// exactKeys reads an account as encoding/json does, but with keys matched exactly (a struct's fields match
// case-insensitively).
func exactKeys(body []byte) (bit.Account, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return bit.Account{}, false
	}
	var id *int64
	var reg *float64
	if json.Unmarshal(m["id"], &id) != nil || json.Unmarshal(m["registration_date"], &reg) != nil || id == nil || reg == nil {
		return bit.Account{}, false
	}
	return bit.Account{ID: *id, Registered: bit.RegistrationTime(*reg)}, true
}
