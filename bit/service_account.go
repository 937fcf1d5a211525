package bit

import (
	"context"
	"errors"
	"fmt"
)

// BindAccount binds a's user id to that MS account (see AccountStore.BindAccount): rows a former account with
// the same id left are forgotten, never shown. The HTTP side calls it wherever MS's answer with registration_date
// is at hand (the login's GET /user, a GET /user passed through, a Bearer caller checked at GET /user); member
// look-ups bind through MemberRegistrations. forgot reports that a former account's rows were forgotten.
func (s *Service) BindAccount(ctx context.Context, a Account) (forgot bool, err error) {
	forgot, err = s.store.BindAccount(ctx, a.ID, a.Registered)
	if err != nil {
		return false, storeError("bind account", err)
	}
	return forgot, nil
}

// ForgetAccount forgets a deleted MS account's BridgeInTech data (see AccountStore.ForgetAccount). The HTTP side
// calls it once MS has answered a DELETE /user with success.
func (s *Service) ForgetAccount(ctx context.Context, userID int64) error {
	if err := s.store.ForgetAccount(ctx, userID); err != nil {
		return storeError("forget account", err)
	}
	return nil
}

// member asks members for id's name. When members also knows when MS registered id (MemberRegistrations), id's
// rows are bound to that account first; if they were a former account's they are forgotten and member answers
// 404 gone (the error wraps ErrNoSuchMember, so a list skips the row). Members' own errors come back unchanged.
func (s *Service) member(ctx context.Context, members Members, id int64, gone string) (string, error) {
	name, err := members.MemberName(ctx, id)
	if err != nil {
		return "", err
	}
	r, ok := members.(MemberRegistrations)
	if !ok {
		return name, nil
	}
	registered, known := r.MemberRegistered(id)
	if !known {
		return name, nil
	}
	forgot, err := s.store.BindAccount(ctx, id, registered)
	if err != nil {
		return "", storeError("bind account", err)
	}
	if forgot {
		return "", &Error{Code: NotFound, Message: gone,
			Err: fmt.Errorf("user %d's rows belonged to a former account: %w", id, ErrNoSuchMember)}
	}
	return name, nil
}

// repDeclared reports whether repID still declares is_organization_rep. An organization whose representative
// has withdrawn (or has no additional info any more) is hidden from other members like a Draft.
func (s *Service) repDeclared(ctx context.Context, repID int64) (bool, error) {
	info, err := s.store.AdditionalInfo(ctx, repID)
	switch {
	case errors.Is(err, ErrNotFound):
		return false, nil
	case err != nil:
		return false, storeError("read representative's additional info", err)
	}
	return info.IsOrganizationRep, nil
}
