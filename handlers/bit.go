package handlers

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/msclient"
)

// bitRoute is one of BridgeInTech's own routes (docs/BRIDGEINTECH.md, #5–#8, #11–#19), served from the database by
// bit.Service for the verified caller. Handlers stay thin: check the path ids, authenticate, decode, call the
// Service, answer JSON.
type bitRoute struct {
	method  string
	path    string // under /api, Fiber pattern; ":id"-style parameters are integer ids
	needMS  bool   // the Service asks MS for representatives' names with the caller's token
	body    bool   // a JSON object body is required
	summary string // one line for the OpenAPI document
	serve   func(s *Server, c *fiber.Ctx, who *bitCaller, ids []int64) error
	answer  string // OpenAPI: the schema of a 200 answer ("" for a write's {"message"})
}

// bitRoutes is the table of BridgeInTech's own routes. `GET /users/:user_id` (MS) and the two
// `/users/:user_id/…` patterns differ in segment count, so they never collide.
var bitRoutes = [...]bitRoute{
	{fiber.MethodGet, "/user/additional_info", false, false, "The caller's additional info (#5).", getAdditionalInfo, "AdditionalInfo"},
	{fiber.MethodPut, "/user/additional_info", false, true, "Create or overwrite the caller's additional info (#6).", putAdditionalInfo, ""},
	{fiber.MethodGet, "/user/personal_background", false, false, "The caller's personal background (#7).", getPersonalBackground, "PersonalBackground"},
	{fiber.MethodPut, "/user/personal_background", false, true, "Create or overwrite the caller's personal background (#8).", putPersonalBackground, ""},
	{fiber.MethodGet, "/users/:user_id/personal_background", false, false, "A member's personal background, if public (#11).", getUserPersonalBackground, "PersonalBackground"},
	{fiber.MethodGet, "/users/:user_id/additional_info", false, false, "A member's additional info; phone and mobile only for oneself (#12).", getUserAdditionalInfo, "AdditionalInfo"},
	{fiber.MethodGet, "/organization", true, false, "The organization the caller represents (#13).", getMyOrganization, "Organization"},
	{fiber.MethodPut, "/organization", false, true, "Create or overwrite the caller's organization (#14).", putOrganization, ""},
	{fiber.MethodGet, "/organizations", true, false, "Published organizations (name, page, per_page) (#15).", getOrganizations, "OrganizationList"},
	{fiber.MethodGet, "/organizations/:organization_id/programs", true, false, "An organization's programs (#16).", getPrograms, "ProgramList"},
	{fiber.MethodPost, "/organizations/:organization_id/programs/program", false, true, "Create a program of the caller's organization (#17).", createProgram, ""},
	{fiber.MethodGet, "/organizations/:organization_id/programs/:program_id", true, false, "One program of an organization (#18).", getProgram, "Program"},
	{fiber.MethodPut, "/organizations/:organization_id/programs/:program_id", false, true, "Overwrite a program of the caller's organization (#19).", updateProgram, ""},
}

// bitHandler builds the handler of one BridgeInTech route. The order of checks: path ids (404), the caller
// (401, B10: before the body), the body (400), then the Service's own.
func (s *Server) bitHandler(r bitRoute) fiber.Handler {
	params := patternParams(r.path)
	return func(c *fiber.Ctx) error {
		ids := make([]int64, len(params))
		for i, p := range params {
			v := c.Params(p)
			if !isID(v) {
				return s.fail(c, fiber.StatusNotFound, msgBadID)
			}
			ids[i], _ = strconv.ParseInt(v, 10, 64) // at most 18 digits: fits
		}
		if s.bit == nil {
			return s.fail(c, fiber.StatusServiceUnavailable, bit.MsgStoreUnavailable)
		}
		who, err := s.resolveBITCaller(c, r.needMS)
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

func getAdditionalInfo(s *Server, c *fiber.Ctx, who *bitCaller, _ []int64) error {
	v, err := s.bit.AdditionalInfo(c.UserContext(), who.id)
	return s.bitAnswer(c, who, v, err)
}

func putAdditionalInfo(s *Server, c *fiber.Ctx, who *bitCaller, _ []int64) error {
	in, err := bit.DecodeAdditionalInfo(c.Body())
	if err != nil {
		return s.bitFailure(c, who, err)
	}
	o, err := s.bit.PutAdditionalInfo(c.UserContext(), who.id, in)
	return s.bitWritten(c, who, o, err)
}

func getPersonalBackground(s *Server, c *fiber.Ctx, who *bitCaller, _ []int64) error {
	v, err := s.bit.PersonalBackground(c.UserContext(), who.id)
	return s.bitAnswer(c, who, v, err)
}

func putPersonalBackground(s *Server, c *fiber.Ctx, who *bitCaller, _ []int64) error {
	in, err := bit.DecodePersonalBackground(c.Body())
	if err != nil {
		return s.bitFailure(c, who, err)
	}
	o, err := s.bit.PutPersonalBackground(c.UserContext(), who.id, in)
	return s.bitWritten(c, who, o, err)
}

func getUserPersonalBackground(s *Server, c *fiber.Ctx, who *bitCaller, ids []int64) error {
	v, err := s.bit.UserPersonalBackground(c.UserContext(), who.id, ids[0])
	return s.bitAnswer(c, who, v, err)
}

func getUserAdditionalInfo(s *Server, c *fiber.Ctx, who *bitCaller, ids []int64) error {
	v, err := s.bit.UserAdditionalInfo(c.UserContext(), who.id, ids[0])
	return s.bitAnswer(c, who, v, err)
}

func getMyOrganization(s *Server, c *fiber.Ctx, who *bitCaller, _ []int64) error {
	v, err := s.bit.MyOrganization(c.UserContext(), who.id, s.members(c, who))
	return s.bitAnswer(c, who, v, err)
}

func putOrganization(s *Server, c *fiber.Ctx, who *bitCaller, _ []int64) error {
	in, err := bit.DecodeOrganization(c.Body())
	if err != nil {
		return s.bitFailure(c, who, err)
	}
	o, err := s.bit.PutOrganization(c.UserContext(), who.id, in)
	return s.bitWritten(c, who, o, err)
}

func getOrganizations(s *Server, c *fiber.Ctx, who *bitCaller, _ []int64) error {
	q := bit.ParseOrganizationQuery(c.Query("name"), c.Query("page"), c.Query("per_page"))
	v, err := s.bit.Organizations(c.UserContext(), who.id, q, s.members(c, who))
	return s.bitAnswer(c, who, v, err)
}

func getPrograms(s *Server, c *fiber.Ctx, who *bitCaller, ids []int64) error {
	v, err := s.bit.Programs(c.UserContext(), who.id, ids[0], s.members(c, who))
	return s.bitAnswer(c, who, v, err)
}

func createProgram(s *Server, c *fiber.Ctx, who *bitCaller, ids []int64) error {
	in, err := bit.DecodeProgram(c.Body())
	if err != nil {
		return s.bitFailure(c, who, err)
	}
	o, err := s.bit.CreateProgram(c.UserContext(), who.id, ids[0], in)
	return s.bitWritten(c, who, o, err)
}

func getProgram(s *Server, c *fiber.Ctx, who *bitCaller, ids []int64) error {
	v, err := s.bit.Program(c.UserContext(), who.id, ids[0], ids[1], s.members(c, who))
	return s.bitAnswer(c, who, v, err)
}

func updateProgram(s *Server, c *fiber.Ctx, who *bitCaller, ids []int64) error {
	in, err := bit.DecodeProgram(c.Body())
	if err != nil {
		return s.bitFailure(c, who, err)
	}
	o, err := s.bit.UpdateProgram(c.UserContext(), who.id, ids[0], ids[1], in)
	return s.bitWritten(c, who, o, err)
}
