package storetest

import (
	"errors"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

// lookAlikes are names a reader cannot tell from "Acme Tech" (bit.NameKey gives them its key).
var lookAlikes = []struct{ name, variant string }{
	{"a zero-width space", "Acme\u200b Tech"},
	{"a trailing space", "Acme Tech "},
	{"letter case", "ACME tech"},
	{"a Cyrillic а", "Acm\u0435 Tech"},
	{"a doubled inner space", "Acme  Tech"},
	{"a fullwidth letter", "\uff21cme Tech"},
	{"a Greek capital alpha", "\u0391cme Tech"},
}

func testLookAlikeOrganizationNames(t *testing.T, s bit.Store) {
	mustPutOrg(t, s, organization(1, "Acme Tech"))
	for i, tc := range lookAlikes {
		t.Run(tc.name, func(t *testing.T) {
			o := organization(int64(10+i), tc.variant)
			if _, _, err := s.PutOrganization(t.Context(), o); !errors.Is(err, bit.ErrDuplicateOrganizationName) {
				t.Errorf("organization named %q: err = %v, want ErrDuplicateOrganizationName", tc.variant, err)
			}
		})
	}
	if _, _, err := s.PutOrganization(t.Context(), organization(1, "ACME TECH")); err != nil {
		t.Errorf("the owner recasing its own name: %v", err)
	}
}

func testLookAlikeProgramNames(t *testing.T, s bit.Store) {
	a := mustPutOrg(t, s, organization(1, "A"))
	b := mustPutOrg(t, s, organization(2, "B"))
	own := mustCreateProgram(t, s, program(a.ID, "Acme Tech", 1))
	other := mustCreateProgram(t, s, program(b.ID, "Other", 2))
	for i, tc := range lookAlikes {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.CreateProgram(t.Context(), program(b.ID, tc.variant, 10+i), 0); !errors.Is(err, bit.ErrDuplicateProgramName) {
				t.Errorf("create %q: err = %v, want ErrDuplicateProgramName", tc.variant, err)
			}
			renamed := program(b.ID, tc.variant, 10+i)
			renamed.ID = other.ID
			if _, err := s.UpdateProgram(t.Context(), renamed); !errors.Is(err, bit.ErrDuplicateProgramName) {
				t.Errorf("rename to %q: err = %v, want ErrDuplicateProgramName", tc.variant, err)
			}
		})
	}
	recased := program(a.ID, "ACME TECH", 1)
	recased.ID = own.ID
	if _, err := s.UpdateProgram(t.Context(), recased); err != nil {
		t.Errorf("the owner recasing its own program's name: %v", err)
	}
}
