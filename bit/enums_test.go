package bit

import (
	"slices"
	"testing"
	"time"
)

func TestEveryTimezoneValueLoadsInGo(t *testing.T) {
	tz := Timezones()
	if len(tz) != 591 {
		t.Fatalf("%d timezone values, want 591", len(tz))
	}
	if !slices.IsSorted(tz) {
		t.Error("timezone values are not in ASCII order")
	}
	for _, name := range tz {
		if _, err := time.LoadLocation(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if !IsTimezone(name) {
			t.Errorf("IsTimezone(%q) = false", name)
		}
	}
}

func TestEnumerationsAcceptExactlyTheirValues(t *testing.T) {
	for _, tc := range []struct {
		name  string
		is    func(string) bool
		vals  []string
		count int
	}{
		{"organization status", IsOrganizationStatus, OrganizationStatusValues(), 3},
		{"program status", IsProgramStatus, ProgramStatusValues(), 5},
		{"contact type", IsContactType, ContactTypeValues(), 3},
		{"zone", IsZone, ZoneValues(), 3},
		{"gender", IsGender, GenderValues(), 5},
		{"age", IsAge, AgeValues(), 10},
		{"ethnicity", IsEthnicity, EthnicityValues(), 9},
		{"sexual orientation", IsSexualOrientation, SexualOrientationValues(), 5},
		{"religion", IsReligion, ReligionValues(), 8},
		{"physical ability", IsPhysicalAbility, PhysicalAbilityValues(), 5},
		{"mental ability", IsMentalAbility, MentalAbilityValues(), 5},
		{"socio-economic", IsSocioEconomic, SocioEconomicValues(), 8},
		{"highest education", IsHighestEducation, HighestEducationValues(), 9},
		{"years of experience", IsYearsOfExperience, YearsOfExperienceValues(), 7},
	} {
		t.Run(tc.name+" has its values and no other", func(t *testing.T) {
			if len(tc.vals) != tc.count {
				t.Errorf("%d values, want %d", len(tc.vals), tc.count)
			}
			for _, v := range tc.vals {
				if !tc.is(v) {
					t.Errorf("%q refused", v)
				}
			}
			for _, v := range []string{"", tc.vals[0] + " ", " " + tc.vals[0], tc.vals[0] + "\n" + tc.vals[1], "\n"} {
				if tc.is(v) {
					t.Errorf("%q accepted", v)
				}
			}
		})
	}
}

func TestCodesMapToTheirHTTPStatus(t *testing.T) {
	for code, want := range map[Code]int{Invalid: 400, Forbidden: 403, NotFound: 404, Conflict: 409,
		Unavailable: 503, Unknown: 504, Internal: 500, Code("other"): 500} {
		if got := code.Status(); got != want {
			t.Errorf("%s: %d, want %d", code, got, want)
		}
	}
	if got := ErrorStatus(ErrUnavailable); got != 503 {
		t.Errorf("ErrorStatus(ErrUnavailable) = %d", got)
	}
	if got := ErrorStatus(ErrOutcomeUnknown); got != 504 {
		t.Errorf("ErrorStatus(ErrOutcomeUnknown) = %d", got)
	}
}
