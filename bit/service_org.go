package bit

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MyOrganization is #13 GET /organization: the organization the caller represents. 403 MsgNotOrganizationRep
// unless the caller has declared is_organization_rep; 404 MsgOrganizationDoesNotExist when they have none.
// representative_name is members.MemberName(caller); join_date is in the caller's timezone.
func (s *Service) MyOrganization(ctx context.Context, caller int64, members Members) (OrganizationView, error) {
	info, err := s.requireRep(ctx, caller)
	if err != nil {
		return OrganizationView{}, err
	}
	o, err := s.store.OrganizationByRep(ctx, caller)
	if errors.Is(err, ErrNotFound) {
		return OrganizationView{}, newError(NotFound, MsgOrganizationDoesNotExist)
	}
	if err != nil {
		return OrganizationView{}, storeError("read organization", err)
	}
	name, err := s.member(ctx, members, caller, MsgOrganizationDoesNotExist)
	if err != nil {
		return OrganizationView{}, err
	}
	return organizationView(o, name, s.location(info.Timezone)), nil
}

// PutOrganization is #14 PUT /organization: validates in (as DecodeOrganization does), then 403
// MsgNotOrganizationRep unless the caller has declared is_organization_rep, then creates the caller's
// organization (201 MsgOrganizationCreated, join_date now) or overwrites its nine fields keeping join_date (200
// MsgOrganizationUpdated). A name or email another organization has: 409 MsgOrganizationNameTaken /
// MsgOrganizationEmailTaken (B6; the old API answered 500).
func (s *Service) PutOrganization(ctx context.Context, caller int64, in OrganizationInput) (Outcome, error) {
	if err := in.Validate(); err != nil {
		return Outcome{}, err
	}
	if _, err := s.requireRep(ctx, caller); err != nil {
		return Outcome{}, err
	}
	_, created, err := s.store.PutOrganization(ctx, Organization{
		RepID: caller, RepDepartment: in.RepresentativeDepartment, Name: in.Name, Email: in.Email,
		About: in.About, Address: in.Address, Website: in.Website, Timezone: in.Timezone, Phone: in.Phone,
		Status: in.Status, JoinDate: s.now().UTC().Truncate(time.Second),
	})
	if err != nil {
		return Outcome{}, storeError("write organization", err)
	}
	if created {
		return Outcome{Created: true, Message: MsgOrganizationCreated}, nil
	}
	return Outcome{Message: MsgOrganizationUpdated}, nil
}

// ParseOrganizationQuery reads #15's query values as the old API did: name default ""; page an integer, default
// 1, below 1 → 1; per_page an integer, default 10, capped at 50, negative → 20, 0 → 10 (decision: an empty page
// is never what the caller meant). Values that are not integers get the defaults.
func ParseOrganizationQuery(name, page, perPage string) OrganizationQuery {
	q := OrganizationQuery{Name: name, Page: 1, PerPage: 10}
	if n, err := strconv.Atoi(page); err == nil && n > 1 {
		q.Page = n
	}
	if n, err := strconv.Atoi(perPage); err == nil {
		switch {
		case n < 0:
			q.PerPage = 20
		case n == 0:
			q.PerPage = 10
		case n > 50:
			q.PerPage = 50
		default:
			q.PerPage = n
		}
	}
	return q
}

// Organizations is #15 GET /organizations, done as the old API meant (B2, B3 fixed): the organizations with
// status Publish whose representative has declared is_organization_rep and is a verified MS member
// (members.MemberName succeeds; ErrNoSuchMember skips the organization), whose name contains q.Name
// (case-insensitive, taken literally), in id order; filtered first, then paged. representative_name is the
// member's MS name, or "" when members cannot learn it now (ErrNameUnknown: the organization is listed); join_date is in the caller's timezone (GMT0 when they have none). Nothing on the page: 404
// MsgNoOrganizationFound. Another Members error is returned unchanged.
//
// Decision: Draft and Archived organizations are listed to nobody, their representative included (they see
// theirs through #13). Organization email and phone are shown: they are the organization's published contact
// details, not a member's.
func (s *Service) Organizations(ctx context.Context, caller int64, q OrganizationQuery, members Members) ([]OrganizationView, error) {
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage < 1 || q.PerPage > 50 {
		q.PerPage = 10
	}
	// No organization name holds NUL, invalid UTF-8 or more than maxOrgName characters (the decoders refuse them),
	// so such a query matches nothing; PostgreSQL would refuse it as text.
	if strings.IndexByte(q.Name, 0) >= 0 || !utf8.ValidString(q.Name) || utf8.RuneCountInString(q.Name) > maxOrgName {
		return nil, newError(NotFound, MsgNoOrganizationFound)
	}
	loc, err := s.callerZone(ctx, caller)
	if err != nil {
		return nil, err
	}
	skip := (q.Page - 1) * q.PerPage
	batch := max(2*q.PerPage, 20)
	var out []OrganizationView
	var after int64
	for len(out) < q.PerPage {
		orgs, err := s.store.ListOrganizations(ctx, OrganizationFilter{NameContains: q.Name, AfterID: after, Limit: batch})
		if err != nil {
			return nil, storeError("list organizations", err)
		}
		for _, o := range orgs {
			after = o.ID
			name, err := s.member(ctx, members, o.RepID, MsgNoOrganizationFound)
			if errors.Is(err, ErrNoSuchMember) {
				continue
			}
			if errors.Is(err, ErrNameUnknown) { // listed without the name; a later request learns it
				err = nil
			}
			if err != nil {
				return nil, err
			}
			if skip > 0 {
				skip--
				continue
			}
			out = append(out, organizationView(o, name, loc))
			if len(out) == q.PerPage {
				break
			}
		}
		if len(orgs) < batch {
			break
		}
	}
	if len(out) == 0 {
		return nil, newError(NotFound, MsgNoOrganizationFound)
	}
	return out, nil
}

func organizationView(o Organization, repName string, loc *time.Location) OrganizationView {
	return OrganizationView{
		ID: o.ID, RepresentativeID: o.RepID, RepresentativeName: repName, RepresentativeDepartment: o.RepDepartment,
		OrganizationName: o.Name, Email: o.Email, About: o.About, Address: o.Address, Website: o.Website,
		Timezone: o.Timezone, Phone: o.Phone, Status: o.Status, JoinDate: formatDate(o.JoinDate, loc),
	}
}
