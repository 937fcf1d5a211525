package handlers

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/anitab-org/bridge-in-tech-bff/config"
	"github.com/anitab-org/bridge-in-tech-bff/internal/disconnect"
	"github.com/anitab-org/bridge-in-tech-bff/internal/ledger"
)

// Keys of the values middleware keeps in a request's locals.
const (
	localRequestID = "bff.request_id"
	localUserID    = "bff.user_id"
)

const (
	headerRequestID = "X-Request-ID"
	headerCSRF      = "X-CSRF"
	maxRequestIDLen = 128
)

// recoverPanics turns a panic into a 500 JSON answer and one log line with the stack. It is a safety net:
// nothing a client sends is meant to reach it.
func (s *Server) recoverPanics(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic while serving a request", "request_id", requestIDOf(c), "route", routeOf(c),
				"panic", fmt.Sprintf("%T", r), "stack", string(debug.Stack()))
			err = fiber.NewError(fiber.StatusInternalServerError)
		}
	}()
	return c.Next()
}

// requestID takes a well-formed X-Request-ID from the caller or makes one, returns it, and keeps it for the logs
// and for MS.
func (s *Server) requestID(c *fiber.Ctx) error {
	id := c.Get(headerRequestID)
	if !validRequestID(id) {
		id = newRequestID()
	}
	c.Locals(localRequestID, id)
	c.Set(headerRequestID, id)
	return c.Next()
}

// newRequestID is a random (version 4) UUID. Its bits come from math/rand/v2's generator (ChaCha8, seeded by
// the runtime from the system's randomness): a request id needs to be unique and unguessable enough that one
// request cannot name another's, not a key, and this needs no system call and no lock per request, where
// crypto/rand may make one; uuid.NewString would also read through an io.Reader, a second allocation.
func newRequestID() string {
	var u uuid.UUID
	binary.LittleEndian.PutUint64(u[:8], mrand.Uint64())
	binary.LittleEndian.PutUint64(u[8:], mrand.Uint64())
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u.String()
}

func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		ch := id[i]
		ok := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' ||
			ch == '-' || ch == '_' || ch == '.' || ch == ':'
		if !ok {
			return false
		}
	}
	return true
}

func requestIDOf(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

// routeOf is the matched route pattern, never the raw path (so logs and metric labels carry no ids).
func routeOf(c *fiber.Ctx) string {
	if r := c.Route(); r != nil && r.Path != "" {
		return r.Path
	}
	return "unmatched"
}

// observe writes one structured log line per request and feeds the metrics. Errors are answered here, so the
// logged status is the one the client gets.
func (s *Server) observe(c *fiber.Ctx) error {
	var start time.Time
	if !ledger.NoMetrics || !ledger.NoLog {
		start = time.Now()
	}
	if !ledger.NoMetrics {
		s.obs.InFlight(1)
		defer s.obs.InFlight(-1)
	}
	if err := c.Next(); err != nil {
		if herr := s.errorHandler(c, err); herr != nil {
			return herr
		}
	}
	if ledger.NoMetrics && ledger.NoLog {
		return nil
	}
	d := time.Since(start)
	status := c.Response().StatusCode()
	route := routeOf(c)
	if status == fiber.StatusNotFound && !isKnownRoute(route) {
		route = "unmatched"
	}
	method := methodLabel(c.Method())
	if !ledger.NoMetrics {
		s.obs.Request(method, route, status, d)
	}
	if ledger.NoLog || !s.log.Enabled(c.UserContext(), slog.LevelInfo) {
		return nil // LOG_LEVEL above info: don't build a line nobody writes
	}
	// Typed attributes (slog.LogAttrs): no value is boxed into an interface and none is read by reflection.
	var attrs [6]slog.Attr
	attrs[0] = slog.String("method", method)
	attrs[1] = slog.String("route", route)
	attrs[2] = slog.Int("status", status)
	attrs[3] = slog.Float64("duration_ms", float64(d.Microseconds())/1000)
	attrs[4] = slog.String("request_id", requestIDOf(c))
	n := 5
	if uid, ok := c.Locals(localUserID).(int64); ok {
		attrs[5] = slog.Int64("user_id", uid)
		n = 6
	}
	s.log.LogAttrs(c.UserContext(), slog.LevelInfo, "request", attrs[:n]...)
	return nil
}

// methodLabel maps the request method to a constant string. Fiber's c.Method() shares memory with the request
// buffer, which the next request on the connection overwrites: a label that outlives the request (Prometheus
// keeps them) must never be that string. Unknown methods share one label, keeping cardinality bounded.
func methodLabel(m string) string {
	switch m {
	case fiber.MethodGet:
		return fiber.MethodGet
	case fiber.MethodHead:
		return fiber.MethodHead
	case fiber.MethodPost:
		return fiber.MethodPost
	case fiber.MethodPut:
		return fiber.MethodPut
	case fiber.MethodPatch:
		return fiber.MethodPatch
	case fiber.MethodDelete:
		return fiber.MethodDelete
	case fiber.MethodOptions:
		return fiber.MethodOptions
	default:
		return "OTHER"
	}
}

// isKnownRoute keeps metric label cardinality bounded: fall-through handlers report one label.
func isKnownRoute(route string) bool {
	return route != "/" && route != "/api" && route != "unmatched"
}

// csrf guards unsafe methods under /api (docs/API.md#conventions): the Origin (or Sec-Fetch-Site) must be ours or allowed,
// and a request authenticated by the session cookie must carry X-CSRF: 1.
func (s *Server) csrf(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	origin := c.Get(fiber.HeaderOrigin)
	if origin != "" {
		if !s.originAllowed(c, origin) {
			return s.fail(c, fiber.StatusForbidden, "Cross-origin request refused: this origin may not send unsafe requests to the API.")
		}
	} else if c.Get("Sec-Fetch-Site") == "cross-site" {
		return s.fail(c, fiber.StatusForbidden, "Cross-site request refused: the browser marked it cross-site and sent no Origin.")
	}
	if c.Get(fiber.HeaderAuthorization) == "" && s.hasCookie(c) && c.Get(headerCSRF) != "1" {
		return s.fail(c, fiber.StatusForbidden, "Missing header X-CSRF: 1, which requests authenticated by the session cookie must send.")
	}
	return c.Next()
}

// originAllowed reports whether origin is the BFF's own (scheme and Host of this request) or in ALLOWED_ORIGINS.
func (s *Server) originAllowed(c *fiber.Ctx, origin string) bool {
	norm, err := config.NormalizeOrigin(origin)
	if err != nil {
		return false // "null", garbage
	}
	for _, o := range s.cfg.AllowedOrigins {
		if o == norm {
			return true
		}
	}
	own, err := config.NormalizeOrigin(s.scheme(c) + "://" + string(c.Request().Host()))
	return err == nil && own == norm
}

// scheme is the scheme the client used: X-Forwarded-Proto from Heroku's router when proxies are trusted.
func (s *Server) scheme(c *fiber.Ctx) string {
	if s.cfg.TrustProxy {
		if p := strings.ToLower(strings.TrimSpace(strings.Split(c.Get(fiber.HeaderXForwardedProto), ",")[0])); p == "http" || p == "https" {
			return p
		}
	}
	if c.Context().IsTLS() {
		return "https"
	}
	return "http"
}

// clientIP is the caller's address: the last hop Heroku's router appended to X-Forwarded-For when proxies are
// trusted (earlier entries are whatever the client wrote), else the peer address.
func (s *Server) clientIP(c *fiber.Ctx) string {
	if s.cfg.TrustProxy {
		if xff := c.Get(fiber.HeaderXForwardedFor); xff != "" {
			parts := strings.Split(xff, ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	return c.Context().RemoteIP().String()
}

// clientWatchDelay is how long a request runs before watchClient starts watching its connection. Most MS calls
// end sooner and pay only for a timer; the slow ones, where a client gives up, are watched.
const clientWatchDelay = 100 * time.Millisecond

// watchClient gives the rest of the chain a context that is canceled when the client closes its connection,
// so the MS call made for a client that has left stops (within clientWatchDelay) instead of running on to
// MS_TIMEOUT. A silent refresh shared by several requests is detached from this context and carries on.
func (s *Server) watchClient(c *fiber.Ctx) error {
	ctx, cancel := context.WithCancel(c.UserContext())
	w, _ := s.watchers.Get().(*disconnect.Delayed)
	if w == nil {
		w = &disconnect.Delayed{}
	}
	w.Start(c.Context().Conn(), clientWatchDelay, cancel)
	defer func() {
		w.Stop() // before fasthttp reads the connection's next request
		s.watchers.Put(w)
		cancel()
	}()
	c.SetUserContext(ctx)
	return c.Next()
}
