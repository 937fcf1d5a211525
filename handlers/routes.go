package handlers

import (
	"io/fs"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/cors"

	"github.com/anitab-org/bridge-in-tech-bff/internal/ledger"
)

// authKind says how a forwarded route is authenticated at MS.
type authKind int

const (
	authAccess authKind = iota // the user's access token (cookie session or their own Bearer header)
	authNone                   // forwarded without credentials
)

// bodyKind says what body a route takes.
type bodyKind int

const (
	bodyNone   bodyKind = iota // none is forwarded
	bodyObject                 // a JSON object is required
)

// msRoute is one line of the routing table: a BFF path under /api and the MS endpoint it reaches. Path
// parameters are written the same way on both sides (":name"); ":token" is any segment, every other parameter an
// integer id.
type msRoute struct {
	method  string
	path    string // MS path, e.g. "/mentorship_relation/:request_id/accept"; the BFF serves it at "/api" + path
	auth    authKind
	body    bodyKind
	summary string // one line for the OpenAPI document
}

// msRoutes is every MS endpoint of docs/MS.md#endpoints that the BFF forwards as-is. Adding an endpoint is one line.
// POST /login and POST /refresh are not here: the BFF's own session handlers own them.
var msRoutes = [...]msRoute{
	// Account (docs/MS.md#auth-and-account).
	{fiber.MethodPost, "/register", authNone, bodyObject, "Register a new user (MS sends a confirmation e-mail)."},
	{fiber.MethodGet, "/user/confirm_email/:token", authNone, bodyNone, "Confirm an e-mail address with the token from the confirmation link."},
	{fiber.MethodPost, "/user/resend_email", authNone, bodyObject, "Send the confirmation e-mail again."},
	{fiber.MethodGet, "/user", authAccess, bodyNone, "The logged-in user's full profile."},
	{fiber.MethodPut, "/user", authAccess, bodyObject, "Update the logged-in user's profile."},
	{fiber.MethodDelete, "/user", authAccess, bodyNone, "Delete the logged-in user's account."},
	{fiber.MethodPut, "/user/change_password", authAccess, bodyObject, "Change the logged-in user's password."},
	// Users, home, dashboard (§3.2).
	{fiber.MethodGet, "/users/verified", authAccess, bodyNone, "List verified users (search, page, per_page)."},
	{fiber.MethodGet, "/users/:user_id", authAccess, bodyNone, "One user's public profile."},
	{fiber.MethodGet, "/home", authAccess, bodyNone, "Home page statistics and recent achievements."},
	{fiber.MethodGet, "/dashboard", authAccess, bodyNone, "Dashboard: relations by role and state, tasks."},
	// Admin (§3.3).
	{fiber.MethodPost, "/admin/new", authAccess, bodyObject, "Make a user an admin (admins only)."},
	{fiber.MethodPost, "/admin/remove", authAccess, bodyObject, "Revoke a user's admin status (admins only)."},
	{fiber.MethodGet, "/admins", authAccess, bodyNone, "List the other admins (admins only)."},
	// Mentorship relations (§3.4).
	{fiber.MethodPost, "/mentorship_relation/send_request", authAccess, bodyObject, "Send a mentorship request."},
	{fiber.MethodGet, "/mentorship_relations", authAccess, bodyNone, "The user's mentorship relations (relation_state filter)."},
	{fiber.MethodGet, "/mentorship_relations/past", authAccess, bodyNone, "Relations whose end date has passed."},
	{fiber.MethodGet, "/mentorship_relations/current", authAccess, bodyNone, "The user's accepted relation, or a message."},
	{fiber.MethodGet, "/mentorship_relations/pending", authAccess, bodyNone, "Pending requests, sent and received."},
	{fiber.MethodPut, "/mentorship_relation/:request_id/accept", authAccess, bodyNone, "Accept a pending request."},
	{fiber.MethodPut, "/mentorship_relation/:request_id/reject", authAccess, bodyNone, "Reject a pending request."},
	{fiber.MethodPut, "/mentorship_relation/:request_id/cancel", authAccess, bodyNone, "Cancel an accepted relation."},
	{fiber.MethodDelete, "/mentorship_relation/:request_id", authAccess, bodyNone, "Delete a pending request one sent."},
	// Tasks (§3.5).
	{fiber.MethodPost, "/mentorship_relation/:relation_id/task", authAccess, bodyObject, "Create a task in an accepted relation."},
	{fiber.MethodGet, "/mentorship_relation/:relation_id/tasks", authAccess, bodyNone, "List a relation's tasks."},
	{fiber.MethodPut, "/mentorship_relation/:relation_id/task/:task_id/complete", authAccess, bodyNone, "Mark a task done."},
	{fiber.MethodDelete, "/mentorship_relation/:relation_id/task/:task_id", authAccess, bodyNone, "Delete a task."},
	// Task comments (§3.6).
	{fiber.MethodPost, "/mentorship_relation/:relation_id/task/:task_id/comment", authAccess, bodyObject, "Comment on a task."},
	{fiber.MethodPut, "/mentorship_relation/:relation_id/task/:task_id/comment/:comment_id", authAccess, bodyObject, "Edit one's own comment."},
	{fiber.MethodDelete, "/mentorship_relation/:relation_id/task/:task_id/comment/:comment_id", authAccess, bodyNone, "Delete one's own comment."},
	{fiber.MethodGet, "/mentorship_relation/:relation_id/task/:task_id/comments", authAccess, bodyNone, "List a task's comments."},
}

// aliases are BFF paths the existing React client uses for an MS endpoint (docs/API.md#forwarded-routes). GET /users is
// MS's /users/verified, as the old backend's /users was: the member list never shows unverified accounts, and
// MS's own /users (which does) is not served.
var aliases = [...]struct{ method, path, target, summary string }{
	{fiber.MethodGet, "/user/personal_details", "/user", "The logged-in user's profile (GET /api/user), with current_organization beside organization."},
	{fiber.MethodPut, "/user/personal_details", "/user", "Update the profile (PUT /api/user); current_organization is saved as organization."},
	{fiber.MethodGet, "/users", "/users/verified", "List verified users (MS /users/verified; search, page, per_page)."},
}

// RouteInfo names one route the BFF serves.
type RouteInfo struct {
	Method string
	Path   string // Fiber pattern, e.g. "/api/mentorship_relation/:request_id/accept"
}

// APIRoutes lists every route the BFF serves under /api, from the routing table, in a stable order.
func APIRoutes() []RouteInfo {
	out := []RouteInfo{
		{fiber.MethodPost, "/api/login"},
		{fiber.MethodPost, "/api/logout"},
		{fiber.MethodGet, "/api/session"},
		{fiber.MethodPost, "/api/refresh"},
		{fiber.MethodGet, "/api/openapi.json"},
		{fiber.MethodGet, "/api/sessions"},
		{fiber.MethodPost, "/api/sessions/end-all"},
		{fiber.MethodDelete, "/api/sessions/:id"},
	}
	for _, r := range msRoutes {
		out = append(out, RouteInfo{r.method, "/api" + r.path})
	}
	for _, a := range aliases {
		out = append(out, RouteInfo{a.method, "/api" + a.path})
	}
	for _, r := range bitRoutes {
		out = append(out, RouteInfo{r.method, "/api" + r.path})
	}
	return out
}

func lookupRoute(method, path string) (msRoute, bool) {
	for _, r := range msRoutes {
		if r.method == method && r.path == path {
			return r, true
		}
	}
	return msRoute{}, false
}

// routes registers middleware and every route. Order matters: middleware, API, extras (SPA), then 404.
func (s *Server) routes(static fs.FS) {
	app := s.app
	// The ledger's switches (internal/ledger) are constants: false in every real build, where this registers
	// recoverPanics, requestID, apiHeaders, observe, CORS and gateBody, in that order.
	app.Use(s.recoverPanics)
	if !ledger.NoRequestID {
		app.Use(s.requestID)
	}
	if !ledger.NoHeaders {
		app.Use(s.apiHeaders)
	}
	app.Use(s.observe)
	if len(s.cfg.AllowedOrigins) > 0 && !ledger.NoCORS {
		// Only listed origins get CORS headers, with credentials; without a list nobody does (never "*").
		app.Use(cors.New(cors.Config{
			AllowOrigins:     strings.Join(s.cfg.AllowedOrigins, ","),
			AllowMethods:     "GET,POST,PUT,PATCH,DELETE,HEAD,OPTIONS",
			AllowHeaders:     "Content-Type,Authorization,X-CSRF,X-Request-ID",
			ExposeHeaders:    "X-Request-ID,Retry-After",
			AllowCredentials: true,
			MaxAge:           600,
		}))
	}
	if !ledger.NoBodyGate {
		app.Use(s.gateBody) // after CORS, so its refusals carry the CORS headers too (docs/API.md#cross-origin-use)
	}

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	s.mountMetrics(app) // metricsguard.go: behind METRICS_TOKEN, or on METRICS_ADDR, never public

	// The CSRF guard runs per route (not as group middleware) so logs and metrics name the route it refused.
	// watchClient guards the routes that call MS: a client that leaves cancels the call.
	api := app.Group("/api")
	api.Post("/login", s.guarded(true, s.login)...)
	api.Post("/logout", s.guarded(false, s.logout)...)
	api.Get("/session", s.sessionInfo)
	api.Post("/refresh", s.guarded(true, s.refreshNow)...)
	api.Get("/openapi.json", s.serveOpenAPI)
	api.Get("/sessions", s.guarded(true, s.listSessions)...)
	api.Post("/sessions/end-all", s.guarded(true, s.endAllSessions)...)
	api.Delete("/sessions/:id", s.guarded(true, s.endOneSession)...)
	for _, r := range msRoutes {
		api.Add(r.method, r.path, s.guarded(true, s.forward(r))...)
	}
	for _, a := range aliases {
		target, ok := lookupRoute(a.method, a.target)
		if !ok {
			panic("handlers: alias " + a.path + " names no route") // a programming error caught by every test run
		}
		h := s.forward(target)
		if a.path == "/user/personal_details" {
			h = s.personalDetails(h) // current_organization, the app's name for MS's organization
		}
		api.Add(a.method, a.path, s.guarded(true, h)...)
	}
	for _, r := range bitRoutes { // watched too: a client that leaves stops its MS and database calls
		api.Add(r.method, r.path, s.guarded(true, s.bitHandler(r))...)
	}
	api.Use(s.csrf, s.apiNotFound) // unknown paths get the same CSRF answer as known ones (docs/API.md#conventions)
	if static != nil {
		s.serveSPA(app, static)
	}
	app.Use(s.notFound)
}

// guarded is an API route's chain: the CSRF guard, then (watch: the routes that call MS or the database) the
// disconnect watch, then h. Every real build has both; the ledger's measuring builds can leave either out.
func (s *Server) guarded(watch bool, h ...fiber.Handler) []fiber.Handler {
	out := make([]fiber.Handler, 0, 2+len(h))
	if !ledger.NoCSRF {
		out = append(out, s.csrf)
	}
	if watch && !ledger.NoDisconnect {
		out = append(out, s.watchClient)
	}
	return append(out, h...)
}

// apiNotFound answers every /api path outside the table: 405 when the path exists with another method, else 404.
func (s *Server) apiNotFound(c *fiber.Ctx) error {
	path := strings.TrimSuffix(c.Path(), "/")
	for _, r := range APIRoutes() {
		if matchPattern(r.Path, path) {
			c.Set(fiber.HeaderAllow, allowedMethods(path))
			return s.fail(c, fiber.StatusMethodNotAllowed, "The method is not allowed for the requested URL.")
		}
	}
	return s.fail(c, fiber.StatusNotFound, "There is no such API route.")
}

func (s *Server) notFound(c *fiber.Ctx) error {
	return s.fail(c, fiber.StatusNotFound, "Not found.")
}

func allowedMethods(path string) string {
	var ms []string
	for _, r := range APIRoutes() {
		if matchPattern(r.Path, path) {
			ms = append(ms, r.Method)
		}
	}
	return strings.Join(ms, ", ")
}

// matchPattern reports whether a concrete path fits a Fiber pattern with ":param" segments.
func matchPattern(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if strings.HasPrefix(ps[i], ":") {
			if xs[i] == "" {
				return false
			}
			continue
		}
		if ps[i] != xs[i] {
			return false
		}
	}
	return true
}
