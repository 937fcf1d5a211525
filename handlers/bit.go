package handlers

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/msclient"
)

// msNames says whether a BridgeInTech route shows representatives' names, which come from MS.
type msNames int

const (
	namesNone   msNames = iota // the route answers from the database alone
	namesFromMS                // the Service asks MS for representatives' names with the caller's token
)

// bitIDs are the integer ids a BridgeInTech route's path names; a route reads only those its pattern has.
type bitIDs struct {
	user         int64 // ":user_id"
	organization int64 // ":organization_id"
	program      int64 // ":program_id"
}

// set stores the value of the path parameter name; it reports false for a parameter bitIDs does not know.
func (ids *bitIDs) set(name string, v int64) bool {
	switch name {
	case "user_id":
		ids.user = v
	case "organization_id":
		ids.organization = v
	case "program_id":
		ids.program = v
	default:
		return false
	}
	return true
}

// bitRoute is one of BridgeInTech's own routes (docs/BRIDGEINTECH.md, #5–#8, #11–#19), served from the database by bit.Service
// for the verified caller. Handlers stay thin: check the path ids, authenticate, decode, call the Service, answer
// JSON.
type bitRoute struct {
	method  string
	path    string // under /api, Fiber pattern; its parameters are the integer ids of bitIDs
	names   msNames
	body    bodyKind
	summary string // one line for the OpenAPI document
	serve   func(s *Server, c *fiber.Ctx, who *bitCaller, ids bitIDs) error
	answer  string // OpenAPI: the schema of a 200 answer ("" for a write's {"message"})
}

// bitRoutes is the table of BridgeInTech's own routes. `GET /users/:user_id` (MS) and the two
// `/users/:user_id/…` patterns differ in segment count, so they never collide.
var bitRoutes = [...]bitRoute{
	{method: fiber.MethodGet, path: "/user/additional_info", names: namesNone, body: bodyNone,
		summary: "The caller's additional info (#5).", serve: getAdditionalInfo, answer: "AdditionalInfo"},
	{method: fiber.MethodPut, path: "/user/additional_info", names: namesNone, body: bodyObject,
		summary: "Create or overwrite the caller's additional info (#6).", serve: putAdditionalInfo},
	{method: fiber.MethodGet, path: "/user/personal_background", names: namesNone, body: bodyNone,
		summary: "The caller's personal background (#7).", serve: getPersonalBackground, answer: "PersonalBackground"},
	{method: fiber.MethodPut, path: "/user/personal_background", names: namesNone, body: bodyObject,
		summary: "Create or overwrite the caller's personal background (#8).", serve: putPersonalBackground},
	{method: fiber.MethodGet, path: "/users/:user_id/personal_background", names: namesFromMS, body: bodyNone,
		summary: "A member's personal background, if public (#11).", serve: getUserPersonalBackground, answer: "PersonalBackground"},
	{method: fiber.MethodGet, path: "/users/:user_id/additional_info", names: namesFromMS, body: bodyNone,
		summary: "A member's additional info; phone and mobile only for oneself (#12).", serve: getUserAdditionalInfo, answer: "AdditionalInfo"},
	{method: fiber.MethodGet, path: "/organization", names: namesFromMS, body: bodyNone,
		summary: "The organization the caller represents (#13).", serve: getMyOrganization, answer: "Organization"},
	{method: fiber.MethodPut, path: "/organization", names: namesNone, body: bodyObject,
		summary: "Create or overwrite the caller's organization (#14).", serve: putOrganization},
	{method: fiber.MethodGet, path: "/organizations", names: namesFromMS, body: bodyNone,
		summary: "Published organizations (name, page, per_page) (#15).", serve: getOrganizations, answer: "OrganizationList"},
	{method: fiber.MethodGet, path: "/organizations/:organization_id/programs", names: namesFromMS, body: bodyNone,
		summary: "An organization's programs (page, per_page) (#16).", serve: getPrograms, answer: "ProgramList"},
	{method: fiber.MethodPost, path: "/organizations/:organization_id/programs/program", names: namesNone, body: bodyObject,
		summary: "Create a program of the caller's organization (#17).", serve: createProgram},
	{method: fiber.MethodGet, path: "/organizations/:organization_id/programs/:program_id", names: namesFromMS, body: bodyNone,
		summary: "One program of an organization (#18).", serve: getProgram, answer: "Program"},
	{method: fiber.MethodPut, path: "/organizations/:organization_id/programs/:program_id", names: namesNone, body: bodyObject,
		summary: "Overwrite a program of the caller's organization (#19).", serve: updateProgram},
}

// bitHandler builds the handler of one BridgeInTech route. The order of checks: path ids (404), the caller
// (401, B10: before the body), the body (400), then the Service's own.
func (s *Server) bitHandler(r bitRoute) fiber.Handler {
	params := patternParams(r.path)
	for _, p := range params {
		if !new(bitIDs).set(p, 0) {
			panic("handlers: route " + r.path + " names an unknown id " + p) // a programming error caught by every test run
		}
	}
	return func(c *fiber.Ctx) error {
		var ids bitIDs
		for _, p := range params {
			v := c.Params(p)
			if !isID(v) {
				return s.fail(c, fiber.StatusNotFound, msgBadID)
			}
			n, _ := strconv.ParseInt(v, 10, 64) // at most 18 digits: fits
			ids.set(p, n)                       // known: checked when the handler was built
		}
		if s.bit == nil {
			return s.fail(c, fiber.StatusServiceUnavailable, bit.MsgStoreUnavailable)
		}
		who, err := s.resolveBITCaller(c, r.names == namesFromMS)
		if who == nil {
			return err
		}
		c.Locals(localUserID, who.id)
		return r.serve(s, c, who, ids)
	}
}

// patternParams lists the ":name" parameters of a Fiber pattern in order.
func patternParams(pattern string) []string {
	var out []string
	for _, seg := range splitPath(pattern) {
		if len(seg) > 1 && seg[0] == ':' {
			out = append(out, seg[1:])
		}
	}
	return out
}

func splitPath(p string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			if i > start {
				out = append(out, p[start:i])
			}
			start = i + 1
		}
	}
	return out
}

// bitAnswer answers a successful read with v as JSON, or a refusal.
func (s *Server) bitAnswer(c *fiber.Ctx, who *bitCaller, v any, err error) error {
	if err != nil {
		return s.bitFailure(c, who, err)
	}
	return c.Status(fiber.StatusOK).JSON(v)
}

// bitWritten answers a write: 201 or 200 with the Service's message, or a refusal.
func (s *Server) bitWritten(c *fiber.Ctx, who *bitCaller, o bit.Outcome, err error) error {
	if err != nil {
		return s.bitFailure(c, who, err)
	}
	status := fiber.StatusOK
	if o.Created {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(message{o.Message})
}

// bitRefusal is the body of a domain refusal: {"message"} and, for a schema failure, {"errors": {key: text}}.
type bitRefusal struct {
	Errors  map[string]string `json:"errors,omitempty"`
	Message string            `json:"message"`
}

// bitFailure answers an error of the Service: its domain refusals with their status and message, MS's answers to a
// member look-up as they came, MS trouble and an unavailable database as the BFF's own 5xx.
func (s *Server) bitFailure(c *fiber.Ctx, who *bitCaller, err error) error {
	if c.UserContext().Err() != nil {
		return s.fail(c, statusClientClosed, msgClientGone) // the client left; nobody reads this
	}
	var refusal *memberRefusal
	if errors.As(err, &refusal) {
		if who.viaCookie {
			switch refusal.resp.AuthFailure() {
			case msclient.AuthInvalid, msclient.AuthMissing:
				s.clearSession(c) // the session's own tokens are no good at MS (see forward)
			}
			// "expired" from MS for a token the BFF refreshed ahead of time is MS's clock running ahead: the
			// refresh token is still good, so the session stays and the next request refreshes.
		}
		return s.passThrough(c, refusal.resp)
	}
	var ue *msclient.UpstreamError
	if errors.As(err, &ue) {
		return s.upstreamFailure(c, err)
	}
	var be *bit.Error
	if errors.As(err, &be) {
		switch be.Code {
		case bit.Unavailable:
			s.log.Warn("database unavailable", "request_id", requestIDOf(c), "route", routeOf(c), "error", be.Err)
			c.Set(fiber.HeaderRetryAfter, "1")
		case bit.TooMany:
			c.Set(fiber.HeaderRetryAfter, "60") // the creation window is a minute
		case bit.Internal:
			s.log.Error("database call failed", "request_id", requestIDOf(c), "route", routeOf(c), "error", err)
		}
		return c.Status(be.Status()).JSON(bitRefusal{Errors: be.Fields, Message: be.Message})
	}
	if errors.Is(err, bit.ErrUnavailable) {
		c.Set(fiber.HeaderRetryAfter, "1")
		return s.fail(c, fiber.StatusServiceUnavailable, bit.MsgStoreUnavailable)
	}
	s.log.Error("BridgeInTech route failed", "request_id", requestIDOf(c), "route", routeOf(c), "error", err)
	return s.fail(c, fiber.StatusInternalServerError, bit.MsgInternal)
}

func getAdditionalInfo(s *Server, c *fiber.Ctx, who *bitCaller, _ bitIDs) error {
	v, err := s.bit.AdditionalInfo(c.UserContext(), who.id)
	return s.bitAnswer(c, who, v, err)
}

func putAdditionalInfo(s *Server, c *fiber.Ctx, who *bitCaller, _ bitIDs) error {
	in, err := bit.DecodeAdditionalInfo(c.Request().Body())
	if err != nil {
		return s.bitFailure(c, who, err)
	}
	o, err := s.bit.PutAdditionalInfo(c.UserContext(), who.id, in)
	return s.bitWritten(c, who, o, err)
}

func getPersonalBackground(s *Server, c *fiber.Ctx, who *bitCaller, _ bitIDs) error {
	v, err := s.bit.PersonalBackground(c.UserContext(), who.id)
	return s.bitAnswer(c, who, v, err)
}

func putPersonalBackground(s *Server, c *fiber.Ctx, who *bitCaller, _ bitIDs) error {
	in, err := bit.DecodePersonalBackground(c.Request().Body())
	if err != nil {
		return s.bitFailure(c, who, err)
	}
	o, err := s.bit.PutPersonalBackground(c.UserContext(), who.id, in)
	return s.bitWritten(c, who, o, err)
}

func getUserPersonalBackground(s *Server, c *fiber.Ctx, who *bitCaller, ids bitIDs) error {
	v, err := s.bit.UserPersonalBackground(c.UserContext(), who.id, ids.user, s.members(c, who))
	return s.bitAnswer(c, who, v, err)
}

func getUserAdditionalInfo(s *Server, c *fiber.Ctx, who *bitCaller, ids bitIDs) error {
	v, err := s.bit.UserAdditionalInfo(c.UserContext(), who.id, ids.user, s.members(c, who))
	return s.bitAnswer(c, who, v, err)
}

func getMyOrganization(s *Server, c *fiber.Ctx, who *bitCaller, _ bitIDs) error {
	v, err := s.bit.MyOrganization(c.UserContext(), who.id, s.members(c, who))
	return s.bitAnswer(c, who, v, err)
}

func putOrganization(s *Server, c *fiber.Ctx, who *bitCaller, _ bitIDs) error {
	in, err := bit.DecodeOrganization(c.Request().Body())
	if err != nil {
		return s.bitFailure(c, who, err)
	}
	o, err := s.bit.PutOrganization(c.UserContext(), who.id, in)
	return s.bitWritten(c, who, o, err)
}

func getOrganizations(s *Server, c *fiber.Ctx, who *bitCaller, _ bitIDs) error {
	q := bit.ParseOrganizationQuery(c.Query("name"), c.Query("page"), c.Query("per_page"))
	v, err := s.bit.Organizations(c.UserContext(), who.id, q, s.listMembers(c, who))
	return s.bitAnswer(c, who, v, err)
}

func getPrograms(s *Server, c *fiber.Ctx, who *bitCaller, ids bitIDs) error {
	q := bit.ParseProgramQuery(c.Query("page"), c.Query("per_page"))
	return s.bitList(c, who, func(emit func(any) (bool, error)) error {
		return s.bit.EachProgram(c.UserContext(), who.id, ids.organization, q, s.members(c, who),
			func(v bit.ProgramView) (bool, error) { return emit(v) })
	})
}

func createProgram(s *Server, c *fiber.Ctx, who *bitCaller, ids bitIDs) error {
	in, err := bit.DecodeProgram(c.Request().Body())
	if err != nil {
		return s.bitFailure(c, who, err)
	}
	o, err := s.bit.CreateProgram(c.UserContext(), who.id, ids.organization, in)
	return s.bitWritten(c, who, o, err)
}

func getProgram(s *Server, c *fiber.Ctx, who *bitCaller, ids bitIDs) error {
	v, err := s.bit.Program(c.UserContext(), who.id, ids.organization, ids.program, s.members(c, who))
	return s.bitAnswer(c, who, v, err)
}

func updateProgram(s *Server, c *fiber.Ctx, who *bitCaller, ids bitIDs) error {
	in, err := bit.DecodeProgram(c.Request().Body())
	if err != nil {
		return s.bitFailure(c, who, err)
	}
	o, err := s.bit.UpdateProgram(c.UserContext(), who.id, ids.organization, ids.program, in)
	return s.bitWritten(c, who, o, err)
}
