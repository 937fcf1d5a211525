package storetest

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

func testExtremeIDs(t *testing.T, s bit.Store) {
	for _, id := range []int64{0, -1, math.MaxInt64, math.MinInt64} {
		if _, err := s.AdditionalInfo(t.Context(), id); !errors.Is(err, bit.ErrNotFound) {
			t.Errorf("AdditionalInfo(%d): %v", id, err)
		}
		if _, err := s.Organization(t.Context(), id); !errors.Is(err, bit.ErrNotFound) {
			t.Errorf("Organization(%d): %v", id, err)
		}
		if _, err := s.Program(t.Context(), id, id); !errors.Is(err, bit.ErrNotFound) {
			t.Errorf("Program(%d): %v", id, err)
		}
		if ps, err := s.Programs(t.Context(), allOf(id)); err != nil || len(ps) != 0 {
			t.Errorf("Programs(%d): %v, %v", id, ps, err)
		}
	}
	// The largest MS id is a key like any other.
	want := bit.AdditionalInfo{UserID: math.MaxInt64, Timezone: "UTC"}
	mustPutInfo(t, s, want)
	if got, err := s.AdditionalInfo(t.Context(), math.MaxInt64); err != nil || got != want {
		t.Errorf("max id round trip: %+v, %v", got, err)
	}
}

func testUnicode(t *testing.T, s bit.Store) {
	text := "Zoë — 日本語 😀 'quotes' \"double\" \\ back; DROP TABLE x; --" + strings.Repeat("é", 200)
	want := bit.AdditionalInfo{UserID: 1, Timezone: "Asia/Tokyo", PersonalWebsite: text}
	mustPutInfo(t, s, want)
	if got, err := s.AdditionalInfo(t.Context(), 1); err != nil || got != want {
		t.Errorf("additional info: %+v, %v", got, err)
	}
	o := organization(1, "Ωmega 😀 % _")
	o.About = text
	mustPutOrg(t, s, o)
	if got, err := s.OrganizationByRep(t.Context(), 1); err != nil || !sameOrg(got, o) {
		t.Errorf("organization: %+v, %v", got, err)
	}
	p := program(mustPutOrg(t, s, o).ID, "Prögram 😀", 1)
	p.Tags = []string{text, "", "a,b"}
	p.TargetCandidate.Other = text
	stored := mustCreateProgram(t, s, p)
	if got, err := s.Program(t.Context(), p.OrganizationID, stored.ID); err != nil || !sameProgram(got, p) {
		t.Errorf("program: %+v, %v", got, err)
	}
}

func testContextEnded(t *testing.T, s bit.Store) {
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	expired, cancel2 := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancel2()
	for name, ctx := range map[string]context.Context{"canceled": canceled, "expired": expired} {
		calls := map[string]func() error{
			"Ping":           func() error { return s.Ping(ctx) },
			"AdditionalInfo": func() error { _, err := s.AdditionalInfo(ctx, 1); return err },
			"PutAdditionalInfo": func() error {
				_, err := s.PutAdditionalInfo(ctx, bit.AdditionalInfo{UserID: 1, Timezone: "UTC"})
				return err
			},
			"PutOrganization": func() error { _, _, err := s.PutOrganization(ctx, organization(1, "X")); return err },
			"ListOrganizations": func() error {
				_, err := s.ListOrganizations(ctx, bit.OrganizationFilter{Limit: 1})
				return err
			},
			"Programs": func() error { _, err := s.Programs(ctx, allOf(1)); return err },
		}
		for call, f := range calls {
			if err := f(); !errors.Is(err, bit.ErrUnavailable) {
				t.Errorf("%s with a %s context: err = %v, want ErrUnavailable", call, name, err)
			}
		}
	}
	if _, err := s.AdditionalInfo(t.Context(), 1); !errors.Is(err, bit.ErrNotFound) {
		t.Errorf("a write with an ended context was applied: %v", err)
	}
}

func testPing(t *testing.T, s bit.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func testConcurrentOpen(t *testing.T, opener Opener) {
	const n = 5
	stores := make([]bit.Store, n)
	errs := parallel(n, func(i int) error {
		var err error
		stores[i], err = opener(t.Context())
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		t.Cleanup(func() { _ = stores[i].Close() })
	}
	want := bit.AdditionalInfo{UserID: 3, Timezone: "UTC", Phone: "1"}
	mustPutInfo(t, stores[0], want)
	for i, s := range stores {
		if got, err := s.AdditionalInfo(t.Context(), 3); err != nil || got != want {
			t.Errorf("store %d reads %+v, %v", i, got, err)
		}
	}
}
