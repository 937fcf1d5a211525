package bit

import (
	"context"
	"errors"
	"fmt"
)

// demoOrganizations are the organizations Seed creates, one per representative, each with two programs.
func demoOrganizations() []OrganizationInput {
	return []OrganizationInput{
		{RepresentativeDepartment: "Community", Name: "Open Source Women", Email: "hello@oswomen.example.org",
			About: "A community that mentors women into open source.", Address: "Remote",
			Website: "https://oswomen.example.org", Timezone: "Europe/London", Phone: "+44 20 7946 0000", Status: "Publish"},
		{RepresentativeDepartment: "Education", Name: "Code Bridge Academy", Email: "contact@codebridge.example.org",
			About: "Evening classes and mentoring for career changers.", Address: "12 Harbour Road, Lagos",
			Website: "https://codebridge.example.org", Timezone: "Africa/Lagos", Phone: "+234 1 000 0000", Status: "Publish"},
		{RepresentativeDepartment: "Engineering", Name: "Tech Ladder Foundation", Email: "team@techladder.example.org",
			About: "Scholarships and mentors for underrepresented engineers.", Address: "500 Market St, San Francisco",
			Website: "https://techladder.example.org", Timezone: "America/Los_Angeles", Phone: "+1 415 555 0100", Status: "Publish"},
	}
}

func demoPrograms(org string) []ProgramInput {
	mk := func(name, start, end, status string) ProgramInput {
		p := ProgramInput{StartDate: start, EndDate: end, ProgramFields: ProgramFields{
			Name: name, Description: "A " + org + " mentoring program.",
			TargetSkills: []string{"Go", "React"}, ContactType: "Remote", Zone: "Global",
			StudentResponsibility: []string{"Attend weekly calls"}, MentorResponsibility: []string{"Review code"},
			OrganizationResponsibility: []string{"Match mentors"}, StudentRequirements: []string{"Basic programming"},
			MentorRequirements: []string{"Two years of experience"}, ResourcesProvided: []string{"Laptop loan"},
			ContactName: "Program Team", ContactDepartment: "Programs", ProgramAddress: "Remote",
			ContactPhone: "+1 555 0100", ContactEmail: "programs@example.org", ProgramWebsite: "https://example.org",
			Tags: []string{"mentoring"}, Status: status, PaymentCurrency: "USD",
		}}
		p.TargetCandidate.Other = "Anyone curious"
		return p
	}
	return []ProgramInput{
		mk(org+" Spring Cohort", "2026-03-01 09:00", "2026-06-30 17:00", "Open"),
		mk(org+" Autumn Cohort", "2026-09-01 09:00", "2026-12-15 17:00", "In_Progress"),
	}
}

// Seed creates demo data (demo mode): for each of the first three repIDs (demo users' MS ids), additional info
// declaring them an organization representative (unless they have some: one who declared they are not a
// representative is skipped), a published organization and two programs. It is idempotent: a representative who already has an organization is left alone, so a demo database
// kept in a file is seeded once.
func (s *Service) Seed(ctx context.Context, repIDs []int64) error {
	orgs := demoOrganizations()
	for i, rep := range repIDs {
		if i >= len(orgs) {
			break
		}
		if _, err := s.store.OrganizationByRep(ctx, rep); err == nil {
			continue
		} else if !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("seed: %w", err)
		}
		info, err := s.store.AdditionalInfo(ctx, rep)
		switch {
		case errors.Is(err, ErrNotFound):
			info = AdditionalInfo{IsOrganizationRep: true, Timezone: orgs[i].Timezone, PersonalWebsite: orgs[i].Website}
			if _, err := s.PutAdditionalInfo(ctx, rep, info); err != nil {
				return fmt.Errorf("seed additional info of %d: %w", rep, err)
			}
		case err != nil:
			return fmt.Errorf("seed: %w", err)
		case !info.IsOrganizationRep:
			continue // the user has said they represent no organization; leave them alone
		}
		if _, err := s.PutOrganization(ctx, rep, orgs[i]); err != nil {
			return fmt.Errorf("seed organization of %d: %w", rep, err)
		}
		o, err := s.store.OrganizationByRep(ctx, rep)
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		for _, p := range demoPrograms(orgs[i].Name) {
			if _, err := s.CreateProgram(ctx, rep, o.ID, p); err != nil {
				return fmt.Errorf("seed program %q: %w", p.Name, err)
			}
		}
	}
	return nil
}
