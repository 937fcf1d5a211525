// Package handlers is the BFF's HTTP face: the Fiber app, its one routing table, the middleware, and the HTTP
// side of the session lifecycle (login, logout, the sessions routes), which asks package authn who a request is.
// It is the only package that knows Fiber; it speaks to MS only through msclient and seals cookies only through
// session.
package handlers

import (
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/sync/semaphore"

	"github.com/anitab-org/bridge-in-tech-bff/authn"
	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/config"
	"github.com/anitab-org/bridge-in-tech-bff/msclient"
	"github.com/anitab-org/bridge-in-tech-bff/revocation"
	"github.com/anitab-org/bridge-in-tech-bff/session"
)

// Deps is what the server is built from. Config, MS and Codec are required.
type Deps struct {
	Config *config.Config
	MS     *msclient.Client
	Codec  *session.Codec
	Logger *slog.Logger
	// Metrics receives the server's observations; nil means none are kept.
	Metrics Observer
	// Now is the clock (tests move it); nil means time.Now.
	Now func() time.Time
	// Static, when set, is the single-page app served at "/" (STATIC_DIR, or the demo client in demo mode).
	Static fs.FS
	// BIT serves BridgeInTech's own routes from the database; nil answers them 503.
	BIT *bit.Service
	// Revocations is the memory copy of the ended sessions (revocation.Mirror), checked on every cookie request;
	// nil means none is kept (nothing is revoked).
	Revocations authn.Revocations
	// Revoker ends sessions (revocation.Revoker); nil means logout only clears the browser's cookie.
	Revoker authn.Revoker
	// Sessions is the database's record of logins and the login failures counted for every instance
	// (revocation.Store); nil means neither is kept (the sessions routes answer 503).
	Sessions revocation.Store
}

// Server owns the Fiber app and everything a request needs. It holds no per-user state: the only things shared
// between requests are the resolver (its refresh de-duplication holds in-flight calls only) and the login-abuse
// limiter.
type Server struct {
	watchers sync.Pool // *disconnect.Delayed, reused by watchClient so a quick request allocates no watch
	cfg      *config.Config
	ms       *msclient.Client
	codec    *session.Codec
	log      *slog.Logger
	obs      Observer
	now      func() time.Time
	auth     *authn.Resolver
	revoker  authn.Revoker
	sessions revocation.Store
	logins   *loginLimiter
	openapi  []byte
	// bodyBudget is BODY_MEMORY in bytes, shared by the request bodies being read (bodygate.go).
	bodyBudget *semaphore.Weighted
	bodyWait   time.Duration // how long a body waits for its share of bodyBudget
	// ready and storeReady cache /readyz's checks of MS and of the database (ready.go).
	ready      readyCheck
	storeReady readyCheck
	bit        *bit.Service
	forgets    *accountForgetter // deleted accounts' BridgeInTech data (bit_account.go)
	names      *nameCache        // representatives' MS names (bit_names.go)
	app        *fiber.App
}

// New builds the server and its routes.
func New(d Deps) *Server {
	s := &Server{cfg: d.Config, ms: d.MS, codec: d.Codec, log: d.Logger, obs: d.Metrics, now: d.Now, bit: d.BIT,
		revoker: d.Revoker, sessions: d.Sessions}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.obs == nil {
		s.obs = nopObserver{}
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.auth = authn.New(authn.Config{
		Codec: d.Codec, MS: d.MS, Revocations: d.Revocations, Revoker: d.Revoker,
		VerifyBearer: !d.Config.MSJWTSecret.Empty(), IdleTimeout: d.Config.SessionIdleTimeout,
		AbsoluteTimeout: d.Config.SessionAbsoluteTimeout, MSRecheck: d.Config.SessionMSRecheck,
		Now: s.now, Logger: s.log, Observer: s.obs,
	})
	s.names = newNameCache(d.Config.NameCacheTTL, d.Config.NameCacheSize, s.now)
	doc, err := openAPIDoc()
	if err != nil {
		panic("handlers: building the OpenAPI document: " + err.Error()) // static data; every test run builds it
	}
	s.openapi = doc
	s.logins = newLoginLimiter(d.Config.LoginMaxFailures, d.Config.LoginAddressMaxFailures, d.Config.LoginWindow, s.now)
	s.app = fiber.New(fiber.Config{
		AppName: "bridge-in-tech-bff",
		// Bodies are streamed and limited by gateBody (bodygate.go, configureBodies).
		BodyLimit:             d.Config.BodyLimit,
		StreamRequestBody:     true,
		CaseSensitive:         true,
		StrictRouting:         false,
		DisableStartupMessage: true,
		ReadBufferSize:        16 << 10,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           75 * time.Second,
		ErrorHandler:          s.errorHandler,
		Network:               "tcp",
	})
	s.bodyBudget, s.bodyWait = semaphore.NewWeighted(int64(d.Config.BodyMemory)), bodyBudgetWait
	s.configureBodies()
	s.routes(d.Static)
	s.forgets = newAccountForgetter(s.bit, s.log)
	s.app.Hooks().OnShutdown(s.forgets.stop)
	return s
}

// App is the Fiber app, for Listen, Test and Shutdown.
func (s *Server) App() *fiber.App { return s.app }
