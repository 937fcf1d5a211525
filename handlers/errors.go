package handlers

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/anitab-org/bridge-in-tech-bff/msclient"
)

// Messages of the answers the BFF makes itself (docs/API.md#the-bffs-own-answers). MS's own messages pass through untouched.
const (
	msgNoSession       = "You are not logged in."
	msgBadSession      = "Your session is not valid. Please log in again."
	msgSessionExpired  = "Your session has expired. Please log in again."
	msgBodyNotObject   = "The request body must be a JSON object."
	msgBodyMissing     = "This route needs a JSON object body."
	msgBodyTooLarge    = "The request body is too large."
	msgBadID           = "There is no such API route: path ids must be decimal integers."
	msgMSTimeout       = "The Mentorship System did not answer in time. Please try again."
	msgMSUnreachable   = "The Mentorship System cannot be reached right now. Please try again later."
	msgMSBreakerOpen   = "The Mentorship System is unavailable right now. Please try again shortly."
	msgMSBadAnswer     = "The Mentorship System sent an answer the BFF could not read."
	msgClientGone      = "The client closed the connection before the answer was ready."
	msgCannotForward   = "The request cannot be forwarded: a header holds characters that are not allowed."
	msgInternal        = "Something went wrong inside the BFF. Please try again."
	msgLoginFieldsType = "The fields username and password must be strings."
	// The three token messages are MS's own (docs/MS.md#the-three-token-refusals); the BFF uses them when it checks a Bearer
	// token locally, so clients see the same answer whoever judged the token.
	msgTokenInvalid = "The token is invalid!"
	msgTokenExpired = "The token has expired! Please, login again or refresh it."
)

// statusClientClosed is nginx's non-standard status for a request whose client went away before its answer.
const statusClientClosed = 499

// message is the body of every answer the BFF makes itself.
type message struct {
	Message string `json:"message"`
}

// fail answers with status and {"message": msg}.
func (s *Server) fail(c *fiber.Ctx, status int, msg string) error {
	return c.Status(status).JSON(message{msg})
}

// upstreamFailure turns an msclient error (MS gave no answer) into the BFF's own answer (docs/API.md#the-bffs-own-answers).
func (s *Server) upstreamFailure(c *fiber.Ctx, err error) error {
	var ue *msclient.UpstreamError
	if !errors.As(err, &ue) {
		s.log.Error("unexpected MS client error", "request_id", requestIDOf(c), "error", err)
		return s.fail(c, fiber.StatusBadGateway, msgMSBadAnswer)
	}
	switch ue.Kind {
	case msclient.KindBreakerOpen:
		secs := int(ue.RetryAfter.Seconds() + 0.999)
		if secs < 1 {
			secs = 1
		}
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
		return s.fail(c, fiber.StatusServiceUnavailable, msgMSBreakerOpen)
	case msclient.KindTimeout:
		return s.fail(c, fiber.StatusGatewayTimeout, msgMSTimeout)
	case msclient.KindUnreachable:
		c.Set(fiber.HeaderRetryAfter, "1")
		return s.fail(c, fiber.StatusBadGateway, msgMSUnreachable)
	case msclient.KindCanceled:
		// Only the client leaving cancels a request's context (watchClient). Nobody reads this answer; its
		// status is for logs and metrics: nginx's 499 "client closed request", a client event, not a 5xx.
		return s.fail(c, statusClientClosed, msgClientGone)
	case msclient.KindInvalidRequest:
		return s.fail(c, fiber.StatusBadRequest, msgCannotForward)
	default:
		return s.fail(c, fiber.StatusBadGateway, msgMSBadAnswer)
	}
}

// errorHandler answers every error that reaches Fiber (oversized bodies, bad requests fasthttp refused, panics
// turned into errors) with JSON. It never echoes the error text: fasthttp's parse errors can quote the request.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	status := fiber.StatusInternalServerError
	var fe *fiber.Error
	if errors.As(err, &fe) {
		status = fe.Code
	}
	msg := msgInternal
	switch {
	case status == fiber.StatusRequestEntityTooLarge:
		msg = msgBodyTooLarge
	case status == fiber.StatusInternalServerError:
		s.log.Error("internal error", "request_id", requestIDOf(c), "path", routeOf(c), "error", err)
	case status >= 400 && status < 500:
		msg = fiber.ErrBadRequest.Message
		if t := statusText(status); t != "" {
			msg = t + "."
		}
	}
	return s.fail(c, status, msg)
}

func statusText(code int) string {
	return utils.StatusMessage(code)
}
