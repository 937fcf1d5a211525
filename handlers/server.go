// Package handlers is the BFF's HTTP face: the Fiber app, its one routing table, the middleware and the session
// lifecycle (login, silent refresh, logout). It is the only package that knows Fiber; it speaks to MS only through
// msclient and seals cookies only through session.
package handlers

import (
	"io/fs"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/sync/singleflight"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/config"
	"github.com/anitab-org/bridge-in-tech-bff/msclient"
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
}

// Server owns the Fiber app and everything a request needs. It holds no per-user state: the only things shared
// between requests are the refresh de-duplication group (in-flight calls only) and the login-abuse limiter.
type Server struct {
	cfg     *config.Config
	ms      *msclient.Client
	codec   *session.Codec
	log     *slog.Logger
	obs     Observer
	now     func() time.Time
	refresh singleflight.Group
	logins  *loginLimiter
	openapi []byte
	bit     *bit.Service
	app     *fiber.App
}

// New builds the server and its routes.
func New(d Deps) *Server {
	s := &Server{cfg: d.Config, ms: d.MS, codec: d.Codec, log: d.Logger, obs: d.Metrics, now: d.Now, bit: d.BIT}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.obs == nil {
		s.obs = nopObserver{}
	}
	if s.now == nil {
		s.now = time.Now
	}
	doc, err := openAPIDoc()
	if err != nil {
		panic("handlers: building the OpenAPI document: " + err.Error()) // static data; every test run builds it
	}
	s.openapi = doc
	s.logins = newLoginLimiter(d.Config.LoginMaxFailures, d.Config.LoginWindow, s.now)
	s.app = fiber.New(fiber.Config{
		AppName: "bridge-in-tech-bff",
		// fasthttp's own limit is a hard cap that resets the connection; the contract's limit is enforced by
		// limitBody below it, after the body has been read, so the client gets a clean 413 JSON answer.
		BodyLimit:             2 * d.Config.BodyLimit,
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
	s.routes(d.Static)
	return s
}

// App is the Fiber app, for Listen, Test and Shutdown.
func (s *Server) App() *fiber.App { return s.app }
