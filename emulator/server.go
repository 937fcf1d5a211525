// Package emulator is an honest in-memory Mentorship System (MS): it answers the REST API of
// docs/MS.md (statuses, messages, shapes, JWTs and the relation state machine) for tests, benchmarks and
// the BFF's demo mode, with hooks to move the clock, inject faults and read the emails MS would send.
package emulator

import (
	"crypto/rand"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of the MS configuration (config.py).
const (
	DefaultAccessTTL  = 10 * time.Minute
	DefaultRefreshTTL = 28 * 24 * time.Hour
)

// Options configures a Server. The zero value is usable: a random secret, MS's lifetimes and the wall clock.
type Options struct {
	Secret     []byte           // HS256 signing key (MS SECRET_KEY); random when empty
	AccessTTL  time.Duration    // access-token lifetime; default 10m
	RefreshTTL time.Duration    // refresh-token lifetime; default 4 weeks
	Now        func() time.Time // the clock for every time decision; default time.Now
	SeedUsers  []SeedUser       // verified users created at start (duplicates of an earlier username or email are skipped)
	AutoVerify bool             // registered users are verified at once (load tests need no confirmation step)
}

// SeedUser is a verified user created when the Server starts. If no seed user has Admin set, the first one
// becomes admin, as MS makes its very first user admin.
type SeedUser struct {
	Username, Name, Email, Password         string
	Admin, NeedMentoring, AvailableToMentor bool
}

// Fault changes every answer, for resilience tests: each answer first waits Delay (or until the client goes
// away), and when Status is not 0 the handler does not run and the answer is that status with MS's JSON
// error body, e.g. {"message": "Internal Server Error"} for 500.
type Fault struct {
	Delay  time.Duration
	Status int
}

// Server is the emulated MS. It implements http.Handler and is safe for concurrent use.
type Server struct {
	secret     []byte
	accessTTL  time.Duration
	refreshTTL time.Duration
	now        func() time.Time
	autoVerify bool

	router *router
	fault  atomic.Pointer[Fault]

	mu sync.RWMutex
	st *state
}

// New builds a Server from opts and creates its seed users.
func New(opts Options) *Server {
	s := &Server{
		secret:     append([]byte(nil), opts.Secret...),
		accessTTL:  opts.AccessTTL,
		refreshTTL: opts.RefreshTTL,
		now:        opts.Now,
		autoVerify: opts.AutoVerify,
		st:         newState(),
	}
	if len(s.secret) == 0 {
		s.secret = make([]byte, 32)
		_, _ = rand.Read(s.secret) // crypto/rand.Read never fails on supported platforms
	}
	if s.accessTTL <= 0 {
		s.accessTTL = DefaultAccessTTL
	}
	if s.refreshTTL <= 0 {
		s.refreshTTL = DefaultRefreshTTL
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.router = newRouter(routes())
	s.seed(opts.SeedUsers)
	return s
}

// ServeHTTP answers one MS request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f := s.fault.Load(); f != nil && f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	rt, params, token, allowed := s.router.find(r.Method, r.URL.Path)
	if rt != nil {
		rt.counter.Add(1)
	}
	if f := s.fault.Load(); f != nil && f.Status != 0 {
		text := http.StatusText(f.Status)
		if text == "" {
			text = msgInternal
		}
		writeReply(w, msg(f.Status, text))
		return
	}
	if rt == nil {
		switch {
		case allowed == nil:
			writeNotFound(w)
		case r.Method == http.MethodOptions:
			w.Header().Set("Allow", allowHeader(allowed))
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusOK)
		default:
			w.Header().Set("Allow", allowHeader(allowed))
			writeReply(w, msg(http.StatusMethodNotAllowed, msgMethodNotAllowed))
		}
		return
	}
	writeReply(w, s.serve(rt, &call{r: r, params: params, token: token, now: s.now()}))
}

// serve runs the checks MS runs before a handler (payload schema first, then the token) and the handler.
func (s *Server) serve(rt *route, c *call) reply {
	if rt.schema != nil {
		if rp, bad := rt.schema.check(c); bad {
			return rp
		}
	}
	if rt.auth != authNone {
		uid, rp, ok := s.authenticate(c.r.Header.Get("Authorization"), rt.auth, c.now)
		if !ok {
			return rp
		}
		c.uid = uid
	}
	return rt.handle(s, c)
}

// Calls returns how many requests reached the route given as "METHOD /pattern", for example "POST /refresh",
// "GET /user" or "PUT /mentorship_relation/{request_id}/accept" (patterns as in Routes). A concrete path such
// as "PUT /mentorship_relation/7/accept" names its route's counter too. Requests to unknown paths and with a
// wrong method are not counted; faulted ones are.
func (s *Server) Calls(route string) int64 {
	if rt, ok := s.router.byKey[route]; ok {
		return rt.counter.Load()
	}
	method, path, ok := strings.Cut(route, " ")
	if !ok {
		return 0
	}
	if rt, _, _, _ := s.router.find(method, path); rt != nil {
		return rt.counter.Load()
	}
	return 0
}

// CallCounts returns the count of every route, keyed "METHOD /pattern".
func (s *Server) CallCounts() map[string]int64 {
	out := make(map[string]int64, len(s.router.routes))
	for k, rt := range s.router.byKey {
		out[k] = rt.counter.Load()
	}
	return out
}

// Routes lists every route as "METHOD /pattern", sorted.
func (s *Server) Routes() []string {
	out := make([]string, 0, len(s.router.byKey))
	for k := range s.router.byKey {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// SetFault sets the fault applied to every following answer; Fault{} clears it.
func (s *Server) SetFault(f Fault) {
	if f == (Fault{}) {
		s.fault.Store(nil)
		return
	}
	s.fault.Store(&f)
}

// LoadUsers makes n verified users for load tests: username "loaduser<i>", password "loadpass<i>", email
// "loaduser<i>@example.org", name "Load User", i = 1..n. They need mentoring and are available to mentor, so
// load scripts can also pair them in relations.
func LoadUsers(n int) []SeedUser {
	out := make([]SeedUser, n)
	for i := range out {
		id := itoa(i + 1)
		out[i] = SeedUser{
			Username:          "loaduser" + id,
			Name:              "Load User",
			Email:             "loaduser" + id + "@example.org",
			Password:          "loadpass" + id,
			NeedMentoring:     true,
			AvailableToMentor: true,
		}
	}
	return out
}
