package handlers

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/config"
	"github.com/anitab-org/bridge-in-tech-bff/emulator"
	"github.com/anitab-org/bridge-in-tech-bff/internal/testkit"
	"github.com/anitab-org/bridge-in-tech-bff/msclient"
	"github.com/anitab-org/bridge-in-tech-bff/session"
)

func newClock() *testkit.Clock { return testkit.NewClock(time.Unix(1_800_000_000, 0)) }

// countingObserver counts what the server reports, for tests.
type countingObserver struct {
	nopObserver
	inFlight   atomic.Int64
	rejected   sync.Map     // reason -> *atomic.Int64
	storeCalls sync.Map     // "operation outcome" -> *atomic.Int64
	page       http.Handler // the metrics page; nil: none
}

func (o *countingObserver) Handler() http.Handler { return o.page }

func (o *countingObserver) InFlight(d int) { o.inFlight.Add(int64(d)) }
func (o *countingObserver) StoreCall(op, outcome string, _ time.Duration) {
	v, _ := o.storeCalls.LoadOrStore(op+" "+outcome, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

// StoreUp completes storewatch.Observer; the tests read the state from /readyz instead.
func (o *countingObserver) StoreUp(bool) {}

// storeCalls is how many database calls of operation op ended with outcome.
func (o *countingObserver) storeCallCount(op, outcome string) int64 {
	if v, ok := o.storeCalls.Load(op + " " + outcome); ok {
		return v.(*atomic.Int64).Load()
	}
	return 0
}
func (o *countingObserver) CookieRejected(reason string) {
	v, _ := o.rejected.LoadOrStore(reason, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

var (
	testKey1 = bytes.Repeat([]byte{1}, 32)
	testKey2 = bytes.Repeat([]byte{2}, 32)
)

const testSecret = "test-ms-secret-key"

// stackOpts tune a test stack.
type stackOpts struct {
	logLevel       *slog.Level // the logger's level; nil: debug (every line, for tests that read the log)
	keys           [][]byte
	clock          *testkit.Clock // shared by MS and BFF unless msClock is set
	msClock        *testkit.Clock // MS's own clock, to model clock skew
	verifyLocal    bool           // give the BFF MS_JWT_SECRET
	exposeTokens   bool
	exposeMSTokens bool // EXPOSE_MS_TOKENS=true: the login answer holds the real MS access token
	secure         bool
	users          []emulator.SeedUser
	accessTTL      time.Duration
	origins        []string
	msWrap         func(http.Handler) http.Handler
	static         fs.FS
	msTimeout      time.Duration
	breakerFails   uint32
	breakerOpen    time.Duration
	msURL          string // talk to this MS instead of the emulator (e.g. a closed port)
	loginLimit     int
	env            map[string]string // more settings, e.g. TRUST_PROXY, METRICS_TOKEN
	metricsPage    http.Handler      // the observer's metrics page
	bit            bool              // serve BridgeInTech's routes from an SQLite file of the test's own
	dbTimeout      time.Duration     // storewatch's per-call deadline (default 2s)
	sessions       *fakeSessions     // the revocations, the Revoker and the login records (nil: none)
}

// stack is an emulator and a BFF on real loopback listeners.
type stack struct {
	t     testing.TB
	ms    *emulator.Server
	msURL string
	bff   *Server
	url   string
	codec *session.Codec
	logs  *testkit.SyncBuffer
	obs   *countingObserver
	cfg   *config.Config
	db    string // the SQLite file behind the BridgeInTech routes (with stackOpts.bit)
}

func newStack(t testing.TB, o stackOpts) *stack {
	t.Helper()
	if o.clock == nil {
		o.clock = newClock()
	}
	msClock := o.msClock
	if msClock == nil {
		msClock = o.clock
	}
	if o.keys == nil {
		o.keys = [][]byte{testKey1}
	}
	if o.users == nil {
		o.users = emulator.LoadUsers(3)
	}
	em := emulator.New(emulator.Options{Secret: []byte(testSecret), Now: msClock.Now, SeedUsers: o.users, AccessTTL: o.accessTTL})
	var h http.Handler = em
	if o.msWrap != nil {
		h = o.msWrap(em)
	}
	msSrv := httptest.NewServer(h)
	t.Cleanup(msSrv.Close)

	msURL := msSrv.URL
	if o.msURL != "" {
		msURL = o.msURL
	}
	env := map[string]string{
		"SESSION_KEYS": "0101010101010101010101010101010101010101010101010101010101010101",
		"MS_BASE_URL":  msURL, "COOKIE_SECURE": "false", "HOST": "127.0.0.1", "PORT": "0",
		// The tests that move the clock by weeks are about the refresh token's life; the idle timeout's own
		// tests set it (sessions_test.go).
		"SESSION_IDLE_TIMEOUT": "720h",
	}
	if o.loginLimit > 0 {
		env["LOGIN_MAX_FAILURES"] = fmt.Sprint(o.loginLimit)
	}
	if o.secure {
		env["COOKIE_SECURE"] = "true"
	}
	if o.verifyLocal {
		env["MS_JWT_SECRET"] = testSecret
	}
	if o.exposeTokens {
		env["EXPOSE_TOKENS"] = "true"
	}
	if o.exposeMSTokens {
		env["EXPOSE_MS_TOKENS"] = "true"
	}
	if len(o.origins) > 0 {
		env["ALLOWED_ORIGINS"] = strings.Join(o.origins, ",")
	}
	for k, v := range o.env {
		env[k] = v
	}
	cfg, err := config.Load(env, nil)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	cfg.SessionKeys = o.keys
	logs := &testkit.SyncBuffer{}
	level := slog.LevelDebug
	if o.logLevel != nil {
		level = *o.logLevel
	}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: level}))
	var jwtSecret []byte
	if o.verifyLocal {
		jwtSecret = []byte(testSecret)
	}
	if o.msTimeout == 0 {
		o.msTimeout = 5 * time.Second
	}
	ms, err := msclient.New(msclient.Config{BaseURL: msURL, Timeout: o.msTimeout, JWTSecret: jwtSecret, Logger: logger,
		BreakerFailures: o.breakerFails, BreakerOpenFor: o.breakerOpen})
	if err != nil {
		t.Fatalf("msclient: %v", err)
	}
	codec, err := session.NewCodec(cfg.CookieName(), o.keys)
	if err != nil {
		t.Fatalf("codec: %v", err)
	}
	obs := &countingObserver{page: o.metricsPage}
	var svc *bit.Service
	var dbPath string
	if o.bit {
		svc, dbPath = openTestStore(t, obs, o.dbTimeout, o.clock)
	}
	d := Deps{Config: cfg, MS: ms, Codec: codec, Logger: logger, Metrics: obs, Now: o.clock.Now, Static: o.static, BIT: svc}
	if o.sessions != nil {
		d.Revocations, d.Revoker, d.Sessions = o.sessions.run(t, o.clock.Now, logger)
	}
	srv := New(d)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.App().Listener(ln) }()
	t.Cleanup(func() { _ = srv.App().ShutdownWithTimeout(5 * time.Second) })
	return &stack{t: t, ms: em, msURL: msURL, bff: srv, url: "http://" + ln.Addr().String(), codec: codec, logs: logs, obs: obs, cfg: cfg, db: dbPath}
}

// client is one browser: its own cookie jar.
type client struct {
	t    testing.TB
	s    *stack
	http *http.Client
}

func (s *stack) newClient() *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return &client{t: s.t, s: s, http: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
}

// answer is one HTTP answer, body read.
type answer struct {
	Status int
	Header http.Header
	Body   []byte
}

func (a answer) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object (%d): %q", a.Status, a.Body)
	}
	return m
}

func (a answer) message(t testing.TB) string {
	t.Helper()
	m, _ := a.json(t)["message"].(string)
	return m
}

// do sends a request; unsafe methods carry X-CSRF: 1 as the app does. Header pairs may follow.
func (c *client) do(method, path string, body any, headers ...string) answer {
	c.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		raw = j
	}
	status, h, data := testkit.Send(c.t, c.http, testkit.AppRequest(c.t, method, c.s.url+path, raw, headers...))
	return answer{Status: status, Header: h, Body: data}
}

func (c *client) login(username, password string) answer {
	c.t.Helper()
	return c.do(http.MethodPost, "/api/login", map[string]string{"username": username, "password": password})
}

func (c *client) mustLogin(u emulator.SeedUser) map[string]any {
	c.t.Helper()
	a := c.login(u.Username, u.Password)
	if a.Status != http.StatusOK {
		c.t.Fatalf("login %s: %d %s", u.Username, a.Status, a.Body)
	}
	return a.json(c.t)
}

// cookieValue is the session cookie the jar holds for the BFF.
func (c *client) cookieValue() string {
	req, _ := http.NewRequest(http.MethodGet, c.s.url, nil)
	for _, ck := range c.http.Jar.Cookies(req.URL) {
		if ck.Name == c.s.codec.Name() {
			return ck.Value
		}
	}
	return ""
}

func (c *client) setCookie(value string) {
	req, _ := http.NewRequest(http.MethodGet, c.s.url, nil)
	c.http.Jar.SetCookies(req.URL, []*http.Cookie{{Name: c.s.codec.Name(), Value: value, Path: "/"}})
}

// session opens the client's cookie with the test's codec.
func (c *client) session() session.Session {
	c.t.Helper()
	sess, _, err := c.s.codec.Open(c.cookieValue())
	if err != nil {
		c.t.Fatalf("client cookie does not open: %v", err)
	}
	return sess
}

// msLogin logs in at the emulator directly, as an API client would, and returns the raw tokens.
func (s *stack) msLogin(u emulator.SeedUser) (access, refresh string) {
	s.t.Helper()
	return testkit.MSLogin(s.t, s.msURL, u.Username, u.Password)
}

// setCookieHeaders returns the raw Set-Cookie lines naming the session cookie.
func setCookieHeaders(h http.Header, name string) []string {
	var out []string
	for _, v := range h.Values("Set-Cookie") {
		if strings.HasPrefix(v, name+"=") {
			out = append(out, v)
		}
	}
	return out
}

func isClearing(line string) bool {
	return strings.Contains(line, "Max-Age=0")
}

// rawConn is one client connection on which a test writes requests byte for byte, as no HTTP client would
// (unescaped, pipelined, or abandoned half way), and reads the answers back in order.
type rawConn struct {
	net.Conn
	t  testing.TB
	s  *stack
	br *bufio.Reader
}

// dialRaw opens a connection to the stack's BFF, closed when the test ends.
func (s *stack) dialRaw() *rawConn {
	s.t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { _ = conn.Close() })
	return &rawConn{Conn: conn, t: s.t, s: s, br: bufio.NewReader(conn)}
}

// get is a GET of target exactly as written, with the session cookie and a request id, as bytes on the wire.
func (r *rawConn) get(target, cookie, id string) string {
	return fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\nCookie: %s=%s\r\nX-Request-ID: %s\r\n\r\n",
		target, strings.TrimPrefix(r.s.url, "http://"), r.s.codec.Name(), cookie, id)
}

// send writes requests as they are.
func (r *rawConn) send(requests ...string) {
	r.t.Helper()
	if _, err := io.WriteString(r.Conn, strings.Join(requests, "")); err != nil {
		r.t.Fatal(err)
	}
}

// answer reads the next answer on the connection, waiting at most 10 s.
func (r *rawConn) answer() answer {
	r.t.Helper()
	_ = r.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(r.br, nil)
	if err != nil {
		r.t.Fatalf("reading an answer: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		r.t.Fatalf("reading an answer's body: %v", err)
	}
	return answer{Status: resp.StatusCode, Header: resp.Header, Body: body}
}
