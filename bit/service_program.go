package bit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// visibleOrganization returns organization orgID if the caller may see it and its programs, else 404
// MsgNoOrganizationFound.
//
// Privacy decision (B11): the old API showed the programs of Draft and Archived organizations to every member.
// Here only an organization with status Publish whose representative still declares is_organization_rep is
// visible to other members; its representative always sees it.
func (s *Service) visibleOrganization(ctx context.Context, caller, orgID int64) (Organization, error) {
	o, err := s.store.Organization(ctx, orgID)
	if errors.Is(err, ErrNotFound) {
		return Organization{}, newError(NotFound, MsgNoOrganizationFound)
	}
	if err != nil {
		return Organization{}, storeError("read organization", err)
	}
	if o.RepID != caller && o.Status != "Publish" {
		return Organization{}, newError(NotFound, MsgNoOrganizationFound)
	}
	if o.RepID != caller {
		// A representative who withdrew is_organization_rep: hidden like a Draft (its programs too).
		declared, err := s.repDeclared(ctx, o.RepID)
		if err != nil {
			return Organization{}, err
		}
		if !declared {
			return Organization{}, newError(NotFound, MsgNoOrganizationFound)
		}
	}
	return o, nil
}

// programVisible reports whether the caller may see program p of organization o.
//
// Privacy decision: a program with status Draft is shown only to its organization's representative (it is a
// draft); the other statuses are shown to every member who may see the organization.
func programVisible(caller int64, o Organization, p Program) bool {
	return o.RepID == caller || p.Status != "Draft"
}

// ProgramQuery is the paging of #16 GET /organizations/{id}/programs; ParseProgramQuery builds it.
type ProgramQuery struct {
	Page    int // ≥ 1
	PerPage int // 1..MaxProgramsPerPage
}

// Program paging (docs/API.md): without page and per_page the answer is the first DefaultProgramsPerPage
// programs, the old API's bare JSON array, which the web app reads as the whole list.
const (
	DefaultProgramsPerPage = 10
	MaxProgramsPerPage     = 50
)

// programBatch is how many programs a list reads from the store at a time, so a page of large programs is never
// held decoded all at once.
const programBatch = 4

// ParseProgramQuery reads #16's query values as ParseOrganizationQuery does: page an integer, default 1, below 1
// → 1; per_page an integer, default DefaultProgramsPerPage, capped at MaxProgramsPerPage, 0 or negative → the
// default. Values that are not integers get the defaults.
func ParseProgramQuery(page, perPage string) ProgramQuery {
	q := ProgramQuery{Page: 1, PerPage: DefaultProgramsPerPage}
	if n, err := strconv.Atoi(page); err == nil && n > 1 {
		q.Page = n
	}
	if n, err := strconv.Atoi(perPage); err == nil && n > 0 {
		q.PerPage = min(n, MaxProgramsPerPage)
	}
	return q
}

// Programs is #16 GET /organizations/{id}/programs, which any member may call: 404 MsgNoOrganizationFound (also
// for an organization hidden from the caller, see visibleOrganization); then the representative must be an MS
// member (members.MemberName's error is returned unchanged, e.g. MS's 404 "User does not exist."); then 404
// MsgNoProgramFound when no program is visible on the page; else page q of the visible programs in id order
// (B12), with the organization's representative (B4 fixed) and dates in the caller's timezone.
func (s *Service) Programs(ctx context.Context, caller, orgID int64, q ProgramQuery, members Members) ([]ProgramView, error) {
	var out []ProgramView
	err := s.EachProgram(ctx, caller, orgID, q, members, func(v ProgramView) (bool, error) {
		out = append(out, v)
		return true, nil
	})
	return out, err
}

// EachProgram runs the checks of Programs, then hands the programs of page q to emit one at a time, reading
// them from the store a few at a time, so the caller can encode each into its answer and let it go. emit
// returning false stops the page early (the answer's byte ceiling); an error from emit is returned as is. When
// no program is visible on the page (emit was never called), the error is 404 MsgNoProgramFound.
func (s *Service) EachProgram(ctx context.Context, caller, orgID int64, q ProgramQuery, members Members,
	emit func(ProgramView) (more bool, err error)) error {
	q.Page, q.PerPage = max(q.Page, 1), max(min(q.PerPage, MaxProgramsPerPage), 1)
	o, err := s.visibleOrganization(ctx, caller, orgID)
	if err != nil {
		return err
	}
	repName, err := s.member(ctx, members, o.RepID, MsgNoOrganizationFound)
	if err != nil {
		return err
	}
	loc, err := s.callerZone(ctx, caller)
	if err != nil {
		return err
	}
	if q.Page-1 > (1<<31)/q.PerPage { // past any organization's programs; no int overflow below
		return newError(NotFound, MsgNoProgramFound)
	}
	offset := (q.Page - 1) * q.PerPage
	emitted := 0
	for emitted < q.PerPage {
		limit := min(programBatch, q.PerPage-emitted)
		ps, err := s.store.Programs(ctx, ProgramFilter{OrganizationID: orgID, WithDrafts: o.RepID == caller,
			Offset: offset + emitted, Limit: limit})
		if err != nil {
			return storeError("list programs", err)
		}
		for _, p := range ps {
			more, err := emit(programView(p, o, repName, loc))
			if err != nil {
				return err
			}
			emitted++
			if !more {
				return nil
			}
		}
		if len(ps) < limit {
			break
		}
	}
	if emitted == 0 {
		return newError(NotFound, MsgNoProgramFound)
	}
	return nil
}

// Program is #18 GET /organizations/{id}/programs/{program_id}: the checks of Programs, then 404
// MsgProgramNotInOrganization when the program is missing, in another organization or hidden from the caller.
func (s *Service) Program(ctx context.Context, caller, orgID, programID int64, members Members) (ProgramView, error) {
	o, err := s.visibleOrganization(ctx, caller, orgID)
	if err != nil {
		return ProgramView{}, err
	}
	repName, err := s.member(ctx, members, o.RepID, MsgNoOrganizationFound)
	if err != nil {
		return ProgramView{}, err
	}
	p, err := s.store.Program(ctx, orgID, programID)
	if errors.Is(err, ErrNotFound) || (err == nil && !programVisible(caller, o, p)) {
		return ProgramView{}, newError(NotFound, MsgProgramNotInOrganization)
	}
	if err != nil {
		return ProgramView{}, storeError("read program", err)
	}
	loc, err := s.callerZone(ctx, caller)
	if err != nil {
		return ProgramView{}, err
	}
	return programView(p, o, repName, loc), nil
}

// ownOrganization runs checks 6–8 of #17/#19: 403 MsgNotOrganizationRep, 404 MsgOrganizationDoesNotExist, 403
// MsgNotRepOfThisOrganization. It returns the caller's timezone for the program dates.
func (s *Service) ownOrganization(ctx context.Context, caller, orgID int64) (*time.Location, error) {
	info, err := s.requireRep(ctx, caller)
	if err != nil {
		return nil, err
	}
	o, err := s.store.Organization(ctx, orgID)
	if errors.Is(err, ErrNotFound) {
		return nil, newError(NotFound, MsgOrganizationDoesNotExist)
	}
	if err != nil {
		return nil, storeError("read organization", err)
	}
	if o.RepID != caller {
		return nil, newError(Forbidden, MsgNotRepOfThisOrganization)
	}
	return s.location(info.Timezone), nil
}

// programFromInput converts in's dates from the caller's timezone (checked by Validate, so parse errors cannot
// happen here but are still answered 400).
func programFromInput(in ProgramInput, loc *time.Location) (Program, error) {
	start, err1 := time.ParseInLocation(InputDateLayout, in.StartDate, loc)
	end, err2 := time.ParseInLocation(InputDateLayout, in.EndDate, loc)
	if err1 != nil || err2 != nil {
		return Program{}, newError(Invalid, MsgDateInvalid)
	}
	return Program{StartDate: start.UTC(), EndDate: end.UTC(), ProgramFields: in.ProgramFields}, nil
}

// checkedProgram runs the checks #17 and #19 share, in the old API's order: in's own (as DecodeProgram does),
// then 6–8 (see ownOrganization); then it reads in's dates in the caller's timezone.
func (s *Service) checkedProgram(ctx context.Context, caller, orgID int64, in ProgramInput) (Program, error) {
	in.normalize()
	if err := in.Validate(); err != nil {
		return Program{}, err
	}
	loc, err := s.ownOrganization(ctx, caller, orgID)
	if err != nil {
		return Program{}, err
	}
	return programFromInput(in, loc)
}

// CreateProgram is #17 POST /organizations/{id}/programs/program: validates in (as DecodeProgram does), then
// checks 6–8 (see ownOrganization), then inserts the program with creation_date now: 201 MsgProgramCreated, or
// 409 MsgProgramNameTaken when any organization has a program of that name. Dates are read in the caller's
// timezone. Decision: the order of start and end is not checked (as the old API).
func (s *Service) CreateProgram(ctx context.Context, caller, orgID int64, in ProgramInput) (Outcome, error) {
	p, err := s.checkedProgram(ctx, caller, orgID, in)
	if err != nil {
		return Outcome{}, err
	}
	if !s.creates.allow(caller, s.now()) {
		return Outcome{}, newError(TooMany, MsgProgramCreateRate)
	}
	p.OrganizationID = orgID
	p.CreationDate = s.now().UTC().Truncate(time.Second)
	if _, err := s.store.CreateProgram(ctx, p, s.programLimit); err != nil {
		switch {
		case errors.Is(err, ErrNotFound):
			return Outcome{}, newError(NotFound, MsgOrganizationDoesNotExist)
		case errors.Is(err, ErrProgramLimit):
			return Outcome{}, newError(Forbidden, fmt.Sprintf(msgProgramLimitFormat, s.programLimit))
		}
		return Outcome{}, storeError("create program", err)
	}
	return Outcome{Created: true, Message: MsgProgramCreated}, nil
}

// UpdateProgram is #19 PUT /organizations/{id}/programs/{program_id}: as CreateProgram up to check 8, then
// overwrites every field of the program keeping creation_date: 200 MsgProgramUpdated; 404
// MsgProgramNotInOrganization when the program is missing or belongs to another organization (B5 fixed); 409
// MsgProgramNameTaken when another program has the name (B6).
func (s *Service) UpdateProgram(ctx context.Context, caller, orgID, programID int64, in ProgramInput) (Outcome, error) {
	p, err := s.checkedProgram(ctx, caller, orgID, in)
	if err != nil {
		return Outcome{}, err
	}
	p.ID, p.OrganizationID = programID, orgID
	if _, err := s.store.UpdateProgram(ctx, p); err != nil {
		if errors.Is(err, ErrNotFound) {
			return Outcome{}, newError(NotFound, MsgProgramNotInOrganization)
		}
		return Outcome{}, storeError("update program", err)
	}
	return Outcome{Message: MsgProgramUpdated}, nil
}

func programView(p Program, o Organization, repName string, loc *time.Location) ProgramView {
	f := p.ProgramFields
	return ProgramView{
		ID: p.ID, ProgramName: f.Name, OrganizationID: o.ID, OrganizationName: o.Name,
		RepresentativeID: o.RepID, RepresentativeName: repName,
		StartDate: formatDate(p.StartDate, loc), EndDate: formatDate(p.EndDate, loc),
		Description: f.Description, TargetSkills: nonNil(f.TargetSkills), TargetCandidate: f.TargetCandidate,
		PaymentCurrency: f.PaymentCurrency, PaymentAmount: f.PaymentAmount, ContactType: f.ContactType, Zone: f.Zone,
		StudentResponsibility: nonNil(f.StudentResponsibility), MentorResponsibility: nonNil(f.MentorResponsibility),
		OrganizationResponsibility: nonNil(f.OrganizationResponsibility),
		StudentRequirements:        nonNil(f.StudentRequirements), MentorRequirements: nonNil(f.MentorRequirements),
		ResourcesProvided: nonNil(f.ResourcesProvided),
		ContactName:       f.ContactName, ContactDepartment: f.ContactDepartment, ProgramAddress: f.ProgramAddress,
		ContactPhone: f.ContactPhone, ContactMobile: f.ContactMobile, ContactEmail: f.ContactEmail,
		ProgramWebsite: f.ProgramWebsite, IRCChannel: f.IRCChannel, Tags: nonNil(f.Tags), Status: f.Status,
		CreationDate: formatDate(p.CreationDate, loc),
	}
}

// nonNil returns l, or an empty list for nil (the web calls .join on every list field).
func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
