package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/msclient"
)

// Members' names come from MS (GET /users/{id}, with the caller's own token), at most one call per BridgeInTech
// request whatever the data. A read about one member (#11, #12, #13, #16, #18) asks MS that once, fresh, as
// docs/BRIDGEINTECH.md requires of reads about another member. The organizations list (#15) takes the names this
// instance already knows from nameCache (BIT_NAME_CACHE_TTL, default 5 minutes: how stale a name may be, and how
// long a deleted representative's organization may stay listed; BIT_NAME_CACHE_SIZE names at most), asks MS for
// one name it does not know, and lists the rest with an empty representative_name until a later request has
// learnt them (bit.ErrNameUnknown). So a slow MS makes a list no slower than one MS call. What MS answered (a
// name and registration time, or 404/403: no such member) is remembered, by every look-up; MS trouble is not.

// nameDefaults are used when the configuration leaves the cache unset (tests building a Server by hand).
const (
	defaultNameTTL  = 5 * time.Minute
	defaultNameSize = 10000
)

// nameEntry is what MS said about one user: a name and registration time, or a refusal (404/403) kept to pass
// through again.
type nameEntry struct {
	name       string
	registered time.Time
	refusal    *msclient.Response
	at         time.Time
}

// nameCache is the per-instance, bounded, short-lived cache of MS names.
type nameCache struct {
	ttl  time.Duration
	size int
	now  func() time.Time

	mu      sync.Mutex
	entries map[int64]nameEntry
}

func newNameCache(ttl time.Duration, size int, now func() time.Time) *nameCache {
	if ttl <= 0 {
		ttl = defaultNameTTL
	}
	if size <= 0 {
		size = defaultNameSize
	}
	return &nameCache{ttl: ttl, size: size, now: now, entries: map[int64]nameEntry{}}
}

func (n *nameCache) get(id int64) (nameEntry, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	e, ok := n.entries[id]
	if ok && n.now().Sub(e.at) >= n.ttl {
		delete(n.entries, id)
		return nameEntry{}, false
	}
	return e, ok
}

// put remembers e for id. When the cache is full, expired entries go first, then arbitrary ones, so it never
// holds more than size names.
func (n *nameCache) put(id int64, e nameEntry) {
	n.mu.Lock()
	defer n.mu.Unlock()
	e.at = n.now()
	if _, ok := n.entries[id]; !ok && len(n.entries) >= n.size {
		for k, old := range n.entries {
			if e.at.Sub(old.at) >= n.ttl {
				delete(n.entries, k)
			}
		}
		for k := range n.entries {
			if len(n.entries) < n.size {
				break
			}
			delete(n.entries, k)
		}
	}
	n.entries[id] = e
}

// msMembers implements bit.Members (and bit.MemberRegistrations) for one request: names from the request's own
// memo, then (for a list) the instance's nameCache, then at most one MS call.
type msMembers struct {
	s      *Server
	caller *bitCaller
	reqID  string
	cached bool // a list: names may come from nameCache
	mu     sync.Mutex
	asked  bool // the list's one MS call for a name is spent (a read about one member asks about that one only)
	names  map[int64]memberAnswer
}

type memberAnswer struct {
	name       string
	registered time.Time // MS's registration_date; zero when it did not say
	err        error
}

// memberRefusal is an MS answer other than 200 to GET /users/{id}: passed through to the client as it came (e.g.
// 404 "User does not exist."). It wraps bit.ErrNoSuchMember for a 404 or 403, so #15 skips that organization.
type memberRefusal struct {
	resp *msclient.Response
}

func (e *memberRefusal) Error() string {
	return fmt.Sprintf("MS answered %d to a member look-up", e.resp.Status)
}

func (e *memberRefusal) Unwrap() error {
	if e.resp.Status == fiber.StatusNotFound || e.resp.Status == fiber.StatusForbidden {
		return bit.ErrNoSuchMember
	}
	return nil
}

// members is the Members of a read about one member: its one MS call is fresh.
func (s *Server) members(c *fiber.Ctx, caller *bitCaller) *msMembers {
	m := &msMembers{s: s, caller: caller, reqID: requestIDOf(c), names: map[int64]memberAnswer{}}
	if caller.name != "" {
		m.names[caller.id] = memberAnswer{name: caller.name}
	}
	return m
}

// listMembers is the Members of a list: names this instance knows, and one MS call for a name it does not.
func (s *Server) listMembers(c *fiber.Ctx, caller *bitCaller) *msMembers {
	m := s.members(c, caller)
	m.cached = true
	return m
}

// MemberName returns the MS name of user id (bit.Members); for a list, bit.ErrNameUnknown once the request's MS
// call is spent on another name.
func (m *msMembers) MemberName(ctx context.Context, id int64) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if a, ok := m.names[id]; ok {
		return a.name, a.err
	}
	if e, ok := m.s.names.get(id); ok && m.cached {
		a := memberAnswer{name: e.name, registered: e.registered}
		if e.refusal != nil {
			a = memberAnswer{err: &memberRefusal{resp: e.refusal}}
		}
		m.names[id] = a
		return a.name, a.err
	}
	if m.asked && m.cached {
		return "", bit.ErrNameUnknown
	}
	m.asked = true
	a := m.ask(ctx, id)
	var ue *msclient.UpstreamError
	var refusal *memberRefusal
	switch {
	case a.err == nil:
		m.s.names.put(id, nameEntry{name: a.name, registered: a.registered})
	case errors.As(a.err, &refusal) && errors.Is(a.err, bit.ErrNoSuchMember):
		m.s.names.put(id, nameEntry{refusal: refusal.resp})
	case errors.As(a.err, &ue):
		return a.name, a.err // MS trouble is not remembered: it is this request's answer anyway
	}
	m.names[id] = a
	return a.name, a.err
}

func (m *msMembers) ask(ctx context.Context, id int64) memberAnswer {
	resp, err := m.s.ms.Do(ctx, msclient.Request{
		Method: fiber.MethodGet, Path: "/users/" + strconv.FormatInt(id, 10), Authorization: m.caller.authorization,
		RequestID: m.reqID, Route: "GET /users/:id",
	})
	if err != nil {
		return memberAnswer{err: err}
	}
	if resp.Status != fiber.StatusOK {
		return memberAnswer{err: &memberRefusal{resp: resp}}
	}
	var u struct {
		Name *string `json:"name"`
	}
	if json.Unmarshal(resp.Body, &u) != nil || u.Name == nil {
		return memberAnswer{err: &msclient.UpstreamError{Kind: msclient.KindBadAnswer, Err: errors.New("GET /users/{id} answered without a name")}}
	}
	a := memberAnswer{name: *u.Name}
	if acc, ok := bit.AccountOfUser(resp.Body); ok && acc.ID == id {
		a.registered = acc.Registered
	}
	return a
}

// MemberRegistered returns the registration time MS gave for id in this request's look-up, or the cached one
// (bit.MemberRegistrations): the Service binds id's rows to that account before showing them.
func (m *msMembers) MemberRegistered(id int64) (time.Time, bool) {
	m.mu.Lock()
	a, ok := m.names[id]
	m.mu.Unlock()
	return a.registered, ok && a.err == nil && !a.registered.IsZero()
}
