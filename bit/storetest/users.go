package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

func additionalInfo(user int64, i int) bit.AdditionalInfo {
	return bit.AdditionalInfo{
		UserID: user, IsOrganizationRep: i%2 == 0, Timezone: bit.Timezones()[i%591],
		Phone: fmt.Sprintf("+1 555 %04d", i), Mobile: fmt.Sprintf("07%09d", i),
		PersonalWebsite: fmt.Sprintf("https://site%d.example.org", i),
	}
}

func background(user int64, i int) bit.PersonalBackground {
	pick := func(vals []string) string { return vals[i%len(vals)] }
	return bit.PersonalBackground{
		UserID: user, Gender: pick(bit.GenderValues()), Age: pick(bit.AgeValues()),
		Ethnicity: pick(bit.EthnicityValues()), SexualOrientation: pick(bit.SexualOrientationValues()),
		Religion: pick(bit.ReligionValues()), PhysicalAbility: pick(bit.PhysicalAbilityValues()),
		MentalAbility: pick(bit.MentalAbilityValues()), SocioEconomic: pick(bit.SocioEconomicValues()),
		HighestEducation: pick(bit.HighestEducationValues()), YearsOfExperience: pick(bit.YearsOfExperienceValues()),
		GenderOther: fmt.Sprintf("g%d", i), EthnicityOther: fmt.Sprintf("e%d", i),
		SexualOrientationOther: fmt.Sprintf("s%d", i), ReligionOther: fmt.Sprintf("r%d", i),
		PhysicalAbilityOther: fmt.Sprintf("p%d", i), MentalAbilityOther: fmt.Sprintf("m%d", i),
		SocioEconomicOther: fmt.Sprintf("se%d", i), HighestEducationOther: fmt.Sprintf("h%d", i),
		IsPublic: i%2 == 1,
	}
}

func mustPutInfo(t *testing.T, s bit.Store, a bit.AdditionalInfo) bool {
	t.Helper()
	created, err := s.PutAdditionalInfo(t.Context(), a)
	if err != nil {
		t.Fatalf("PutAdditionalInfo: %v", err)
	}
	return created
}

func testAdditionalInfoRoundTrip(t *testing.T, s bit.Store) {
	if _, err := s.AdditionalInfo(t.Context(), 7); !errors.Is(err, bit.ErrNotFound) {
		t.Fatalf("before put: err = %v, want ErrNotFound", err)
	}
	want := additionalInfo(7, 3)
	if !mustPutInfo(t, s, want) {
		t.Error("first put reported an update")
	}
	got, err := s.AdditionalInfo(t.Context(), 7)
	if err != nil || got != want {
		t.Fatalf("read %+v, %v; want %+v", got, err, want)
	}
	if _, err := s.AdditionalInfo(t.Context(), 8); !errors.Is(err, bit.ErrNotFound) {
		t.Errorf("another user's row: err = %v, want ErrNotFound", err)
	}
}

func testAdditionalInfoOverwrite(t *testing.T, s bit.Store) {
	mustPutInfo(t, s, additionalInfo(7, 2))
	want := bit.AdditionalInfo{UserID: 7, Timezone: "Asia/Jakarta"} // empty strings overwrite too
	if mustPutInfo(t, s, want) {
		t.Error("second put reported a creation")
	}
	if got, err := s.AdditionalInfo(t.Context(), 7); err != nil || got != want {
		t.Fatalf("read %+v, %v; want %+v", got, err, want)
	}
}

func testBackgroundRoundTrip(t *testing.T, s bit.Store) {
	if _, err := s.PersonalBackground(t.Context(), 9); !errors.Is(err, bit.ErrNotFound) {
		t.Fatalf("before put: err = %v, want ErrNotFound", err)
	}
	for i, want := range []bit.PersonalBackground{background(9, 1), background(9, 4)} {
		created, err := s.PutPersonalBackground(t.Context(), want)
		if err != nil || created != (i == 0) {
			t.Fatalf("put %d: created %v, %v", i, created, err)
		}
		if got, err := s.PersonalBackground(t.Context(), 9); err != nil || got != want {
			t.Fatalf("put %d read %+v, %v; want %+v", i, got, err, want)
		}
	}
}

// parallel runs f(i) for i in 0..n-1 at once and returns the errors.
func parallel(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = f(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

const writers = 12

func testParallelAdditionalInfo(t *testing.T, s bit.Store) {
	parallelPuts(t,
		func(i int) (bool, error) { return s.PutAdditionalInfo(t.Context(), additionalInfo(42, i)) },
		func() (bit.AdditionalInfo, error) { return s.AdditionalInfo(t.Context(), 42) },
		func(i int) bit.AdditionalInfo { return additionalInfo(42, i) })
}

func testParallelBackground(t *testing.T, s bit.Store) {
	parallelPuts(t,
		func(i int) (bool, error) { return s.PutPersonalBackground(t.Context(), background(43, i)) },
		func() (bit.PersonalBackground, error) { return s.PersonalBackground(t.Context(), 43) },
		func(i int) bit.PersonalBackground { return background(43, i) })
}

// parallelPuts runs put for writers at once, each writing its own whole version (want(i)) of one row: every put
// succeeds, exactly one reports a creation, and get then reads back one writer's whole row, never a mix.
func parallelPuts[T any](t *testing.T, put func(i int) (created bool, err error), get func() (T, error), want func(i int) T) {
	t.Helper()
	var creations atomic.Int32
	errs := parallel(writers, func(i int) error {
		created, err := put(i)
		if created {
			creations.Add(1)
		}
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	if n := creations.Load(); n != 1 {
		t.Errorf("%d writers reported a creation, want 1", n)
	}
	got, err := get()
	if err != nil {
		t.Fatal(err)
	}
	for i := range writers {
		if reflect.DeepEqual(got, want(i)) {
			return
		}
	}
	t.Errorf("row %+v is no writer's whole row", got)
}
