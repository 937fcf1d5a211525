package bit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// BindAccount binds a's user id to that MS account (see AccountStore.BindAccount): rows a former account with
// the same id left are forgotten, never shown. The HTTP side calls it wherever MS's answer with registration_date
// is at hand (the login's GET /user, a GET /user passed through, a Bearer caller checked at GET /user); member
// look-ups bind through MemberRegistrations. forgot reports that a former account's rows were forgotten.
//
// A binding this Service has already confirmed is not asked again (see boundCache), so binding at every GET /user
// costs the database nothing once an account is known.
func (s *Service) BindAccount(ctx context.Context, a Account) (forgot bool, err error) {
	return s.bind(ctx, a.ID, a.Registered)
}

// Bound reports whether the account of the MS user object body (as AccountOfUser reads it) is one this Service
// has already bound and still knows bound: then BindAccount would change nothing, and the caller can skip it. It
// is a memory look-up that does not check body is valid JSON (AccountOfUser's dearest part). That is safe because
// a true answer leads to nothing being done: a malformed body can at worst name an account that is already bound,
// and that account needs nothing. A false answer sends the caller to AccountOfUser, which does check. It
// allocates nothing; every GET /user answer goes through it.
func (s *Service) Bound(body []byte) bool {
	a, ok := accountFields(body)
	return ok && s.bound.has(a.ID, a.Registered.UnixMicro())
}

func (s *Service) bind(ctx context.Context, id int64, registered time.Time) (bool, error) {
	micros := registered.UnixMicro()
	if s.bound.has(id, micros) {
		return false, nil
	}
	forgot, err := s.store.BindAccount(ctx, id, registered)
	if err != nil {
		return false, storeError("bind account", err)
	}
	s.bound.put(id, micros)
	return forgot, nil
}

// ForgetAccount forgets a deleted MS account's BridgeInTech data (see AccountStore.ForgetAccount). The HTTP side
// calls it once MS has answered a DELETE /user with success.
func (s *Service) ForgetAccount(ctx context.Context, userID int64) error {
	s.bound.drop(userID)
	if err := s.store.ForgetAccount(ctx, userID); err != nil {
		return storeError("forget account", err)
	}
	s.bound.drop(userID) // a bind that ran meanwhile confirmed what is now forgotten
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
	forgot, err := s.bind(ctx, id, registered)
	if err != nil {
		return "", err
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

// maxBound bounds boundCache: past it the cache starts afresh (about 100 bytes an entry: 10 MB at most).
const maxBound = 100_000

// boundCache remembers the bindings (user id → registration time in Unix microseconds) this Service has stored or
// found in its store, so an account already bound is not asked again. It only ever saves a database read: an
// entry says "this account's rows are bound to it", which stays true until the account is forgotten here
// (ForgetAccount drops the entry) or re-bound to another registration time (which misses the cache, since the
// time differs). Another instance forgetting the account changes nothing that matters here: the rows are gone,
// and a newcomer with the id comes with another registration time. The zero value is ready to use.
type boundCache struct {
	mu sync.Mutex
	m  map[int64]int64
}

func (c *boundCache) has(id, micros int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	got, ok := c.m[id]
	return ok && got == micros
}

func (c *boundCache) put(id, micros int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxBound {
		c.m = make(map[int64]int64)
	}
	c.m[id] = micros
}

func (c *boundCache) drop(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}
