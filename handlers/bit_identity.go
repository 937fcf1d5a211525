package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/msclient"
	"github.com/anitab-org/bridge-in-tech-bff/secret"
)

// bitCaller is who a BridgeInTech route acts for. id comes only from what was verified: the user id sealed in the
// session cookie (AEAD: nobody can forge or alter it), the identity of a Bearer token whose HS256 signature and
// expiry were checked with MS_JWT_SECRET, or, without that secret, the id MS itself answers for the token at
// GET /user. An unverified claim is never used.
type bitCaller struct {
	id            int64
	authorization secret.String // what MS gets for the representatives' names
	viaCookie     bool
	name          string // the caller's MS name, when GET /user was already asked
}

// resolveBITCaller authenticates a BridgeInTech request through the resolver. needMS says the route will call MS
// with the caller's token (representatives' names): a cookie session is then refreshed first when its access
// token is about to expire; a route that needs no MS call re-asks MS about a session it has trusted for longer
// than SESSION_MS_RECHECK. A Bearer write is confirmed with MS first. When it returns nil it has already
// answered (401, 503, or MS's own answer) and its error is what the handler returns.
func (s *Server) resolveBITCaller(c *fiber.Ctx, needMS bool) (*bitCaller, error) {
	q := s.authRequest(c)
	q.Identity, q.CallsMS, q.Recheck = true, needMS, !needMS
	q.Write = c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead
	res := s.resolve(c, q)
	if !res.OK() {
		return nil, s.refuse(c, &res)
	}
	s.settle(c, &res)
	return &bitCaller{id: res.UserID, authorization: res.Authorization, viaCookie: res.ViaCookie, name: res.Name}, nil
}

// msMembers implements bit.Members for one request: MS GET /users/{id} with the caller's own token, each id asked
// at most once.
type msMembers struct {
	s      *Server
	caller *bitCaller
	reqID  string
	mu     sync.Mutex
	names  map[int64]memberAnswer
}

type memberAnswer struct {
	name string
	err  error
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

func (s *Server) members(c *fiber.Ctx, caller *bitCaller) *msMembers {
	m := &msMembers{s: s, caller: caller, reqID: requestIDOf(c), names: map[int64]memberAnswer{}}
	if caller.name != "" {
		m.names[caller.id] = memberAnswer{name: caller.name}
	}
	return m
}

// MemberName returns the MS name of user id (bit.Members).
func (m *msMembers) MemberName(ctx context.Context, id int64) (string, error) {
	m.mu.Lock()
	a, ok := m.names[id]
	m.mu.Unlock()
	if ok {
		return a.name, a.err
	}
	a = m.ask(ctx, id)
	var ue *msclient.UpstreamError
	if !errors.As(a.err, &ue) { // MS trouble is not remembered: it is this request's answer anyway
		m.mu.Lock()
		m.names[id] = a
		m.mu.Unlock()
	}
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
	return memberAnswer{name: *u.Name}
}
