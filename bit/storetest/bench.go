package storetest

import (
	"fmt"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

// Bench runs the store benchmarks (one operation per iteration, on a database holding 120 users' additional info,
// 20 published organizations and 10 programs) against the stores newDB opens.
func Bench(b *testing.B, newDB NewDatabase) {
	s := open(b, newDB)
	ctx := b.Context()
	for u := int64(101); u <= 200; u++ { // members; 1..20 are the representatives
		if _, err := s.PutAdditionalInfo(ctx, additionalInfo(u, int(u))); err != nil {
			b.Fatal(err)
		}
	}
	var orgID int64
	for rep := int64(1); rep <= 20; rep++ {
		if _, err := s.PutAdditionalInfo(ctx, bit.AdditionalInfo{UserID: rep, IsOrganizationRep: true, Timezone: "UTC"}); err != nil {
			b.Fatal(err)
		}
		o, _, err := s.PutOrganization(ctx, organization(rep, fmt.Sprintf("Org %d", rep)))
		if err != nil {
			b.Fatal(err)
		}
		orgID = o.ID
	}
	var progID int64
	for i := range 10 {
		p, err := s.CreateProgram(ctx, program(orgID, fmt.Sprintf("P%d", i), i), 0)
		if err != nil {
			b.Fatal(err)
		}
		progID = p.ID
	}

	b.Run("ReadAdditionalInfo", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := s.AdditionalInfo(ctx, int64(i%100+101)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("PutAdditionalInfo", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := s.PutAdditionalInfo(ctx, additionalInfo(int64(i%100+101), i)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("PutAdditionalInfoParallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				if _, err := s.PutAdditionalInfo(ctx, additionalInfo(int64(i%100+101), i)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("PutPersonalBackground", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := s.PutPersonalBackground(ctx, background(int64(i%100+101), i)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("PutOrganization", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			o := organization(1, "Org 1")
			o.About = fmt.Sprint(i)
			if _, _, err := s.PutOrganization(ctx, o); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ListOrganizations20", func(b *testing.B) {
		for b.Loop() {
			if orgs, err := s.ListOrganizations(ctx, bit.OrganizationFilter{Limit: 20}); err != nil || len(orgs) != 20 {
				b.Fatal(len(orgs), err)
			}
		}
	})
	b.Run("Programs10", func(b *testing.B) {
		for b.Loop() {
			if ps, err := s.Programs(ctx, allOf(orgID)); err != nil || len(ps) != 10 {
				b.Fatal(len(ps), err)
			}
		}
	})
	b.Run("UpdateProgram", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			p := program(orgID, "P9", i)
			p.ID = progID
			if _, err := s.UpdateProgram(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Ping", func(b *testing.B) {
		for b.Loop() {
			if err := s.Ping(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
