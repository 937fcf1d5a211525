package handlers

import (
	"encoding/json"
	"mime"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/anitab-org/bridge-in-tech-bff/msclient"
)

// apiCSP is the Content-Security-Policy of every /api answer: JSON is never a document, so it may load,
// run and frame nothing, and no page may frame it.
const apiCSP = "default-src 'none'; frame-ancestors 'none'"

// setAPIHeaders marks an answer as data a browser must neither sniff into HTML nor render.
func setAPIHeaders(h *fasthttp.ResponseHeader) {
	h.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	h.Set(fiber.HeaderContentSecurityPolicy, apiCSP)
}

// apiHeaders puts setAPIHeaders on every answer under /api, the BFF's own and MS's passed through alike.
func (s *Server) apiHeaders(c *fiber.Ctx) error {
	if p := c.Path(); p == "/api" || strings.HasPrefix(p, "/api/") {
		setAPIHeaders(&c.Response().Header)
	}
	return c.Next()
}

// jsonMessage is the body {"message": msg}.
func jsonMessage(msg string) ([]byte, error) { return json.Marshal(message{msg}) }

// isJSONType reports whether a Content-Type names JSON (application/json or a +json type).
func isJSONType(ct string) bool {
	if ct == fiber.MIMEApplicationJSON { // what MS (Flask) sends: no parameters to parse
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == fiber.MIMEApplicationJSON || strings.HasSuffix(mt, "+json"))
}

// msAnswerAsJSON is MS's answer as the client gets it: unchanged when it is JSON; else (an HTML error page of a
// proxy or of Flask's debug mode, plain text) a JSON {"message"} with MS's status, so no MS page is ever served
// as a document under the BFF's origin. An empty body stays empty (204, 304, HEAD).
func msAnswerAsJSON(resp *msclient.Response) (contentType string, body []byte) {
	if len(resp.Body) == 0 || isJSONType(resp.ContentType) {
		return resp.ContentType, resp.Body
	}
	text := fasthttp.StatusMessage(resp.Status)
	if text == "" || text == "Unknown Status Code" {
		text = "The Mentorship System answered"
	}
	out, _ := jsonMessage(text + " (the Mentorship System's answer was not JSON).")
	return fiber.MIMEApplicationJSON, out
}
