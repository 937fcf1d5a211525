package bit

import (
	"context"
	"errors"
)

// AdditionalInfo is #5 GET /user/additional_info: the caller's own row, or 404 MsgAdditionalInfoNotFound.
func (s *Service) AdditionalInfo(ctx context.Context, caller int64) (AdditionalInfo, error) {
	info, err := s.store.AdditionalInfo(ctx, caller)
	if errors.Is(err, ErrNotFound) {
		return AdditionalInfo{}, newError(NotFound, MsgAdditionalInfoNotFound)
	}
	if err != nil {
		return AdditionalInfo{}, storeError("read additional info", err)
	}
	return info, nil
}

// PutAdditionalInfo is #6 PUT /user/additional_info: validates in (as DecodeAdditionalInfo does) and overwrites
// the caller's whole row: 201 MsgAdditionalInfoCreated or 200 MsgAdditionalInfoUpdated. in.UserID is ignored.
func (s *Service) PutAdditionalInfo(ctx context.Context, caller int64, in AdditionalInfo) (Outcome, error) {
	if err := in.Validate(); err != nil {
		return Outcome{}, err
	}
	in.UserID = caller
	created, err := s.store.PutAdditionalInfo(ctx, in)
	if err != nil {
		return Outcome{}, storeError("write additional info", err)
	}
	if created {
		return Outcome{Created: true, Message: MsgAdditionalInfoCreated}, nil
	}
	return Outcome{Message: MsgAdditionalInfoUpdated}, nil
}

// UserAdditionalInfo is #12 GET /users/{id}/additional_info, which any member may call.
//
// Privacy decision: the old API showed anyone's phone and mobile to every member (B11). Here a member reading
// someone else's additional info gets "phone" and "mobile" as "" (the keys stay, so clients keep working);
// is_organization_rep, timezone and personal_website are shown. The caller reading their own id gets everything.
// 404 MsgUserAdditionalInfoNotFound when the user has none. Another member's row is shown only while MS knows
// that member (members.MemberName; MS's refusal, e.g. 404 "User does not exist.", comes back unchanged) and it is
// bound to their account (see BindAccount).
func (s *Service) UserAdditionalInfo(ctx context.Context, caller, userID int64, members Members) (AdditionalInfo, error) {
	info, err := s.store.AdditionalInfo(ctx, userID)
	if errors.Is(err, ErrNotFound) {
		return AdditionalInfo{}, newError(NotFound, MsgUserAdditionalInfoNotFound)
	}
	if err != nil {
		return AdditionalInfo{}, storeError("read additional info", err)
	}
	if userID != caller {
		if _, err := s.member(ctx, members, userID, MsgUserAdditionalInfoNotFound); err != nil {
			return AdditionalInfo{}, err
		}
		info.Phone, info.Mobile = "", ""
	}
	return info, nil
}

// PersonalBackground is #7 GET /user/personal_background: the caller's own row, or 404 MsgBackgroundNotFound.
func (s *Service) PersonalBackground(ctx context.Context, caller int64) (PersonalBackground, error) {
	b, err := s.store.PersonalBackground(ctx, caller)
	if errors.Is(err, ErrNotFound) {
		return PersonalBackground{}, newError(NotFound, MsgBackgroundNotFound)
	}
	if err != nil {
		return PersonalBackground{}, storeError("read personal background", err)
	}
	return b, nil
}

// PutPersonalBackground is #8 PUT /user/personal_background: validates in (as DecodePersonalBackground does)
// and overwrites the caller's whole row: 201 MsgBackgroundCreated or 200 MsgBackgroundUpdated.
func (s *Service) PutPersonalBackground(ctx context.Context, caller int64, in PersonalBackground) (Outcome, error) {
	in.normalize()
	if err := in.Validate(); err != nil {
		return Outcome{}, err
	}
	in.UserID = caller
	created, err := s.store.PutPersonalBackground(ctx, in)
	if err != nil {
		return Outcome{}, storeError("write personal background", err)
	}
	if created {
		return Outcome{Created: true, Message: MsgBackgroundCreated}, nil
	}
	return Outcome{Message: MsgBackgroundUpdated}, nil
}

// UserPersonalBackground is #11 GET /users/{id}/personal_background, which any member may call: 404
// MsgUserBackgroundNotFound when there is none, 403 MsgUserBackgroundNotPublic when its owner has not made it
// public.
//
// Decision: the owner reading their own id always gets it, public or not (the old API refused them too; reading
// one's own data harms nobody's privacy). Another member's row is shown only while MS knows that member, as in
// UserAdditionalInfo (asked before the is_public check, so a deleted member's row is a 404, not a 403).
func (s *Service) UserPersonalBackground(ctx context.Context, caller, userID int64, members Members) (PersonalBackground, error) {
	b, err := s.store.PersonalBackground(ctx, userID)
	if errors.Is(err, ErrNotFound) {
		return PersonalBackground{}, newError(NotFound, MsgUserBackgroundNotFound)
	}
	if err != nil {
		return PersonalBackground{}, storeError("read personal background", err)
	}
	if userID != caller {
		if _, err := s.member(ctx, members, userID, MsgUserBackgroundNotFound); err != nil {
			return PersonalBackground{}, err
		}
	}
	if !b.IsPublic && userID != caller {
		return PersonalBackground{}, newError(Forbidden, MsgUserBackgroundNotPublic)
	}
	return b, nil
}
