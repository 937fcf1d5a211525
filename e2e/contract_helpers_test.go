package e2e

// Helpers of the contract tests (contract_*_test.go): an in-process stack (the MS emulator on httptest behind a
// tap, the BFF on a real loopback listener, one settable clock for both), cookie-jar clients that act as the React
// app does, and table runners. Every request carries its own X-Request-ID; the BFF passes it to MS, so the tap can
// tell, per request, whether the emulator was called and what it answered, and the client checks that the answer
// it got is that answer unchanged.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/config"
	"github.com/anitab-org/bridge-in-tech-bff/emulator"
	"github.com/anitab-org/bridge-in-tech-bff/handlers"
	"github.com/anitab-org/bridge-in-tech-bff/internal/testkit"
	"github.com/anitab-org/bridge-in-tech-bff/msclient"
	"github.com/anitab-org/bridge-in-tech-bff/session"
)

// ctStart is where every contract stack's clock starts (2027-01-15, a fixed instant: runs are reproducible).
var ctStart = time.Unix(1_800_000_000, 0).UTC()

const (
	ctWeek       = 7 * 24 * time.Hour
	ctSessionKey = "0b1c2d3e4f5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
	ctMSSecret   = "contract-ms-secret"
)

// ctMSAnswer is what the emulator answered to one request.
type ctMSAnswer struct {
	method, path string
	status       int
	contentType  string
	body         []byte
}

// ctTap stands in front of the emulator and records its answers by X-Request-ID (the last one wins: a login
// makes two MS calls, a silent refresh one more before the call itself).
type ctTap struct {
	next http.Handler
	mu   sync.Mutex
	byID map[string]ctMSAnswer
}

type ctRecorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *ctRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *ctRecorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(p)
	return r.ResponseWriter.Write(p)
}

func (tp *ctTap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &ctRecorder{ResponseWriter: w}
	tp.next.ServeHTTP(rec, r)
	id := r.Header.Get("X-Request-ID")
	if id == "" {
		return
	}
	tp.mu.Lock()
	defer tp.mu.Unlock()
	tp.byID[id] = ctMSAnswer{method: r.Method, path: r.URL.Path, status: rec.status,
		contentType: w.Header().Get("Content-Type"), body: bytes.Clone(rec.body.Bytes())}
	if rec.status < 300 {
		ctSucceeded.add(r.Method+" "+r.URL.Path, rec.status)
	}
}

// ctSucceeded is every "METHOD /path" of MS that answered a success to a request that came through the BFF.
var ctSucceeded = &ctMessageSet{seen: map[string]map[int]bool{}}

// keys lists the set's entries.
func (m *ctMessageSet) keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.seen))
	for k := range m.seen {
		out = append(out, k)
	}
	return out
}

// ctMatchRoute reports whether "METHOD /concrete/path" fits the emulator route "METHOD /pattern/{param}".
func ctMatchRoute(route, call string) bool {
	rm, rp, _ := strings.Cut(route, " ")
	cm, cp, _ := strings.Cut(call, " ")
	if rm != cm {
		return false
	}
	ps, cs := strings.Split(strings.Trim(rp, "/"), "/"), strings.Split(strings.Trim(cp, "/"), "/")
	if len(ps) != len(cs) {
		return false
	}
	for i := range ps {
		if !strings.HasPrefix(ps[i], "{") && ps[i] != cs[i] {
			return false
		}
	}
	return true
}

func (tp *ctTap) answer(id string) (ctMSAnswer, bool) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	a, ok := tp.byID[id]
	return a, ok
}

// ctStack is one emulator and one BFF.
type ctStack struct {
	t     *testing.T
	clock *testkit.Clock
	ms    *emulator.Server
	msURL string
	tap   *ctTap
	url   string
	users map[string]emulator.SeedUser // seed users by username
	ids   map[string]int64             // seed user ids by username
}

// ctSeed makes a verified seed user; flags is any of "admin", "mentor" (available to mentor), "mentee" (needs
// mentoring). Passwords are the username plus "-pass1".
func ctSeed(username, name string, flags ...string) emulator.SeedUser {
	return emulator.SeedUser{
		Username: username, Name: name, Email: username + "@example.org", Password: username + "-pass1",
		Admin: slices.Contains(flags, "admin"), AvailableToMentor: slices.Contains(flags, "mentor"),
		NeedMentoring: slices.Contains(flags, "mentee"),
	}
}

// newCtStack starts an emulator seeded with users (ids 1, 2, ... in order) and a BFF in front of it.
func newCtStack(t *testing.T, users ...emulator.SeedUser) *ctStack {
	t.Helper()
	clock := testkit.NewClock(ctStart)
	em := emulator.New(emulator.Options{
		Secret: []byte(ctMSSecret), Now: clock.Now, SeedUsers: users,
		// Long sessions: the state-machine tests move the clock by weeks and the session must live through it.
		RefreshTTL: 2 * 365 * 24 * time.Hour,
	})
	tap := &ctTap{next: em, byID: map[string]ctMSAnswer{}}
	msSrv := httptest.NewServer(tap)
	t.Cleanup(msSrv.Close)

	cfg, err := config.Load(map[string]string{
		"SESSION_KEYS": ctSessionKey, "MS_BASE_URL": msSrv.URL, "COOKIE_SECURE": "false",
		"HOST": "127.0.0.1", "PORT": "0", "LOGIN_MAX_FAILURES": "1000",
		// The sessions live through the weeks the clock moves too (docs/SESSIONS.md: the timeouts).
		"SESSION_IDLE_TIMEOUT": "17520h", "SESSION_ABSOLUTE_TIMEOUT": "17520h",
	}, nil)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	logger := slog.New(slog.DiscardHandler)
	ms, err := msclient.New(msclient.Config{BaseURL: msSrv.URL, Timeout: 5 * time.Second, Logger: logger})
	if err != nil {
		t.Fatalf("msclient: %v", err)
	}
	codec, err := session.NewCodec(cfg.CookieName(), cfg.SessionKeys)
	if err != nil {
		t.Fatalf("codec: %v", err)
	}
	srv := handlers.New(handlers.Deps{Config: cfg, MS: ms, Codec: codec, Logger: logger, Now: clock.Now})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.App().Listener(ln) }()
	t.Cleanup(func() { _ = srv.App().ShutdownWithTimeout(5 * time.Second) })

	s := &ctStack{t: t, clock: clock, ms: em, msURL: msSrv.URL, tap: tap, url: "http://" + ln.Addr().String(),
		users: map[string]emulator.SeedUser{}, ids: map[string]int64{}}
	for i, u := range users {
		s.users[u.Username] = u
		s.ids[u.Username] = int64(i + 1)
	}
	return s
}

// id is a seed user's id.
func (s *ctStack) id(username string) int64 {
	s.t.Helper()
	id, ok := s.ids[username]
	if !ok {
		s.t.Fatalf("no seed user %q", username)
	}
	return id
}

// ctClient is one browser tab of the React app: its own cookie jar, X-CSRF: 1 on writes.
type ctClient struct {
	s    *ctStack
	name string
	http *http.Client
}

func (s *ctStack) client(name string) *ctClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return &ctClient{s: s, name: name, http: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
}

// as is a client logged in as the seed user username.
func (s *ctStack) as(username string) *ctClient {
	s.t.Helper()
	c := s.client(username)
	u, ok := s.users[username]
	if !ok {
		s.t.Fatalf("no seed user %q", username)
	}
	c.mustLogin(s.t, u.Username, u.Password)
	return c
}

// ctRaw is a request body sent exactly as given, with Content-Type: application/json.
type ctRaw string

// ctAnswer is one answer of the BFF, and what the emulator answered to the same request, if it was called.
type ctAnswer struct {
	status   int
	header   http.Header
	body     []byte
	msCalled bool
	ms       ctMSAnswer
}

func (a ctAnswer) String() string {
	b := a.body
	if len(b) > 300 {
		b = append(b[:300:300], "..."...)
	}
	return fmt.Sprintf("%d %s", a.status, b)
}

// message is the "message" of a {"message": ...} body, "" for any other body.
func (a ctAnswer) message() string {
	var m map[string]any
	if json.Unmarshal(a.body, &m) != nil {
		return ""
	}
	s, _ := m["message"].(string)
	return s
}

// isMessage reports whether the body is exactly {"message": "<string>"}.
func (a ctAnswer) isMessage() bool {
	var m map[string]any
	if json.Unmarshal(a.body, &m) != nil || len(m) != 1 {
		return false
	}
	_, ok := m["message"].(string)
	return ok
}

func (a ctAnswer) object(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v", a)
	}
	return m
}

func (a ctAnswer) array(t testing.TB) []map[string]any {
	t.Helper()
	var xs []map[string]any
	if err := json.Unmarshal(a.body, &xs); err != nil {
		t.Fatalf("body is not a JSON array of objects: %v", a)
	}
	return xs
}

var ctRequestSeq atomic.Int64

// bffOwned reports whether the BFF itself writes the answer of a successful call to path (its session routes),
// or adapts MS's (GET /api/user/personal_details adds current_organization, the React app's name for
// organization).
func bffOwned(method, path string) bool {
	p, _, _ := strings.Cut(path, "?")
	switch p {
	case "/api/login", "/api/logout", "/api/session", "/api/refresh":
		return true
	case "/api/user/personal_details":
		return method == http.MethodGet
	}
	return false
}

// do sends one request as the app does and checks the pass-through rule: when the emulator answered this request
// and the route is a forwarded one, the client gets exactly the emulator's status, body and content type. Every
// message that arrived unchanged is recorded in ctReached. Header pairs may follow; a "" value removes a header.
func (c *ctClient) do(t testing.TB, method, path string, body any, headers ...string) ctAnswer {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case ctRaw:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		raw = j
	}
	reqID := fmt.Sprintf("ct-%d", ctRequestSeq.Add(1))
	req := testkit.AppRequest(t, method, c.s.url+path, raw, append([]string{"X-Request-ID", reqID}, headers...)...)
	status, h, data := testkit.Send(t, c.http, req)
	a := ctAnswer{status: status, header: h, body: data}
	a.ms, a.msCalled = c.s.tap.answer(reqID)
	if a.msCalled && !(bffOwned(method, path) && a.status < 300) {
		switch {
		case a.status != a.ms.status:
			t.Errorf("%s %s: BFF answered %d, MS had answered %d %s", method, path, a.status, a.ms.status, a.ms.body)
		case !bytes.Equal(a.body, a.ms.body):
			t.Errorf("%s %s: BFF body differs from MS's:\n BFF %q\n MS  %q", method, path, a.body, a.ms.body)
		case a.header.Get("Content-Type") != a.ms.contentType:
			t.Errorf("%s %s: Content-Type %q, MS sent %q", method, path, a.header.Get("Content-Type"), a.ms.contentType)
		default:
			if m := a.message(); m != "" {
				ctReached.add(m, a.status)
			}
		}
	}
	return a
}

func (c *ctClient) login(t testing.TB, username, password string) ctAnswer {
	t.Helper()
	return c.do(t, http.MethodPost, "/api/login", map[string]any{"username": username, "password": password})
}

func (c *ctClient) mustLogin(t testing.TB, username, password string) map[string]any {
	t.Helper()
	a := c.login(t, username, password)
	if a.status != http.StatusOK {
		t.Fatalf("login %s: %v", username, a)
	}
	return a.object(t)
}

// must sends a request that has to succeed with want.
func (c *ctClient) must(t testing.TB, want int, method, path string, body any) ctAnswer {
	t.Helper()
	a := c.do(t, method, path, body)
	if a.status != want {
		t.Fatalf("%s %s as %s: want %d, got %v", method, path, c.name, want, a)
	}
	return a
}

// ctReached is every (message, status) that reached a client unchanged from the emulator, across all tests.
var ctReached = &ctMessageSet{seen: map[string]map[int]bool{}}

type ctMessageSet struct {
	mu   sync.Mutex
	seen map[string]map[int]bool
}

func (m *ctMessageSet) add(msg string, status int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seen[msg] == nil {
		m.seen[msg] = map[int]bool{}
	}
	m.seen[msg][status] = true
}

func (m *ctMessageSet) has(msg string, status int) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.seen[msg][status]
}

// ctCase is one line of a contract table: a request, and the answer the contract promises.
type ctCase struct {
	name    string             // a sentence
	before  func(t *testing.T) // optional set-up, run just before the request
	who     *ctClient          // who sends it
	method  string
	path    string
	body    any
	headers []string // extra header pairs
	status  int
	msg     string                         // the exact {"message": ...} expected, when set
	check   func(t *testing.T, a ctAnswer) // shape checks for other answers
}

// ctRunTable runs cases in order (later cases may depend on earlier ones), each as a subtest.
func ctRunTable(t *testing.T, cases []ctCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.before != nil {
				tc.before(t)
			}
			a := tc.who.do(t, tc.method, tc.path, tc.body, tc.headers...)
			if a.status != tc.status {
				t.Errorf("%s %s as %s: status %d, want %d (%s)", tc.method, tc.path, tc.who.name, a.status, tc.status, a.body)
			}
			if tc.msg != "" {
				if !a.isMessage() || a.message() != tc.msg {
					t.Errorf("%s %s: body %s, want {\"message\": %q}", tc.method, tc.path, a.body, tc.msg)
				}
				if !a.msCalled {
					t.Errorf("%s %s: the emulator was not called; the message came from the BFF", tc.method, tc.path)
				}
			}
			if tc.check != nil {
				tc.check(t, a)
			}
		})
	}
}

// Key sets of docs/MS.md#shapes.
var (
	ctFullUserKeys = []string{"id", "name", "username", "email", "terms_and_conditions_checked", "is_admin",
		"registration_date", "is_email_verified", "email_verification_date", "bio", "location", "occupation",
		"organization", "slack_username", "social_media_links", "skills", "interests", "resume_url", "photo_url",
		"need_mentoring", "available_to_mentor", "current_mentorship_role", "membership_status"}
	ctPublicUserKeys = []string{"id", "username", "name", "slack_username", "bio", "location", "occupation",
		"organization", "interests", "skills", "need_mentoring", "available_to_mentor", "is_available", "registration_date"}
	ctAdminKeys = []string{"id", "username", "name", "slack_username", "bio", "location", "occupation",
		"organization", "skills"}
	ctRelationKeys = []string{"id", "action_user_id", "sent_by_me", "mentor", "mentee", "creation_date",
		"accept_date", "start_date", "end_date", "state", "notes"}
	ctDashboardRelationKeys = []string{"id", "action_user_id", "mentor", "mentee", "creation_date", "accept_date",
		"start_date", "end_date", "state", "notes"}
	ctTaskItemKeys    = []string{"id", "description", "created_at", "completed_at"}
	ctStoredTaskKeys  = []string{"id", "description", "is_done", "created_at", "completed_at"}
	ctCommentKeys     = []string{"id", "user_id", "task_id", "relation_id", "creation_date", "modification_date", "comment"}
	ctHomeKeys        = []string{"name", "pending_requests", "accepted_requests", "rejected_requests", "completed_relations", "cancelled_relations", "achievements"}
	ctDashStateKeys   = []string{"accepted", "rejected", "completed", "cancelled", "pending"}
	ctLoginAnswerKeys = []string{"user", "access_expires_at", "session_expires_at"}
)

// ctKeys checks that m has exactly the keys want.
func ctKeys(t testing.TB, what string, m map[string]any, want []string) {
	t.Helper()
	got := make([]string, 0, len(m))
	for k := range m {
		got = append(got, k)
	}
	sort.Strings(got)
	w := slices.Clone(want)
	sort.Strings(w)
	if !slices.Equal(got, w) {
		t.Errorf("%s keys %v, want %v", what, got, w)
	}
}

// ctAllKeys checks every element of xs with ctKeys.
func ctAllKeys(t testing.TB, what string, xs []map[string]any, want []string) {
	t.Helper()
	for i, x := range xs {
		ctKeys(t, fmt.Sprintf("%s[%d]", what, i), x, want)
	}
}

// ctNum reads a JSON number as int64.
func ctNum(t testing.TB, v any) int64 {
	t.Helper()
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("%v (%T) is not a JSON number", v, v)
	}
	return int64(f)
}

// ctIDs lists the "id" of every element.
func ctIDs(t testing.TB, xs []map[string]any) []int64 {
	t.Helper()
	out := make([]int64, 0, len(xs))
	for _, x := range xs {
		out = append(out, ctNum(t, x["id"]))
	}
	return out
}

// ctEnd is an end_date (float Unix seconds) d after the stack's current time.
func (s *ctStack) end(d time.Duration) float64 {
	return float64(s.clock.Now().Add(d).UnixMicro()) / 1e6
}

// ctRequest is a send_request body.
func ctRequest(mentor, mentee int64, end float64, notes string) map[string]any {
	return map[string]any{"mentor_id": mentor, "mentee_id": mentee, "end_date": end, "notes": notes}
}

// sendRequest sends a mentorship request through the BFF and returns the new relation's id (from the
// requester's list: MS returns none).
func (s *ctStack) sendRequest(t testing.TB, from *ctClient, mentor, mentee int64, d time.Duration, notes string) int64 {
	t.Helper()
	from.must(t, http.StatusCreated, http.MethodPost, "/api/mentorship_relation/send_request", ctRequest(mentor, mentee, s.end(d), notes))
	rs := from.must(t, http.StatusOK, http.MethodGet, "/api/mentorship_relations", nil).array(t)
	var id int64
	for _, r := range rs {
		if n := ctNum(t, r["id"]); n > id && r["notes"] == notes {
			id = n
		}
	}
	if id == 0 {
		t.Fatalf("the request %q is not in the sender's list", notes)
	}
	return id
}

// ctPath formats a request path.
func ctPath(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// msTokens logs in at the emulator directly, as an API client would, and returns the raw tokens.
func (s *ctStack) msTokens(username string) (access, refresh string) {
	s.t.Helper()
	u := s.users[username]
	return testkit.MSLogin(s.t, s.msURL, u.Username, u.Password)
}

// deleteAtMS deletes username's account at the emulator directly, behind the BFF (as another MS client would):
// the user's BFF session lives on, so what MS answers such a session can be checked. (Deleting through the BFF
// ends the session at once: docs/SESSIONS.md.)
func (s *ctStack) deleteAtMS(t testing.TB, username string) {
	t.Helper()
	access, _ := s.msTokens(username)
	req, err := http.NewRequest(http.MethodDelete, s.msURL+"/user", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("deleting %s at MS: %d", username, resp.StatusCode)
	}
}

// hasEmail reports whether the emulator's outbox holds an email of kind to addr.
func (s *ctStack) hasEmail(addr, kind string) bool {
	for _, e := range s.ms.Outbox() {
		if e.To == addr && e.Kind == kind {
			return true
		}
	}
	return false
}

// countEmails counts the outbox's emails of kind to addr.
func (s *ctStack) countEmails(addr, kind string) int {
	n := 0
	for _, e := range s.ms.Outbox() {
		if e.To == addr && e.Kind == kind {
			n++
		}
	}
	return n
}

// ctWantBFF returns a check that the body is exactly {"message": msg} made by the BFF itself (the emulator not
// called).
func ctWantBFF(msg string) func(t *testing.T, a ctAnswer) {
	return func(t *testing.T, a ctAnswer) {
		t.Helper()
		if !a.isMessage() || a.message() != msg {
			t.Errorf("body %s, want {\"message\": %q}", a.body, msg)
		}
		if a.msCalled {
			t.Errorf("the emulator was called; the BFF should have answered by itself")
		}
	}
}

// ctSeedArgs are ctSeed's arguments, for tables that share a cast.
type ctSeedArgs struct {
	username, name string
	flags          []string
}

func ctSeeds(args []ctSeedArgs) []emulator.SeedUser {
	out := make([]emulator.SeedUser, 0, len(args))
	for _, a := range args {
		out = append(out, ctSeed(a.username, a.name, a.flags...))
	}
	return out
}
