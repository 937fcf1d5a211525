package handlers

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/anitab-org/bridge-in-tech-bff/msclient"
)

// maxTokenParam bounds the one free-text path parameter (the e-mail confirmation token).
const maxTokenParam = 1024

// forward builds the handler for one line of the routing table: check the edge (ids, body), authenticate,
// send to MS, pass MS's answer through, refreshing once if MS says the access token expired.
func (s *Server) forward(r msRoute) fiber.Handler {
	segments := strings.Split(r.path, "/")
	// Worked out once per route, not per request: the MS call's metric label (what msclient.RouteOf gives for
	// any path of this route) and, for a route without parameters, the MS path itself.
	callRoute := msclient.RouteOf(r.method, samplePath(segments))
	staticPath := ""
	if !strings.Contains(r.path, ":") {
		staticPath = r.path
	}
	return func(c *fiber.Ctx) error {
		path, ok := staticPath, true
		if path == "" {
			path, ok = msPath(c, segments)
		}
		if !ok {
			return s.fail(c, fiber.StatusNotFound, msgBadID)
		}
		req := msclient.Request{
			Method:    r.method,
			Path:      path,
			RawQuery:  string(c.Request().URI().QueryString()),
			RequestID: requestIDOf(c),
			Route:     callRoute,
		}
		if r.body == bodyObject {
			body := c.Request().Body() // raw, as gateBody read it: never decoded
			if len(bytes.TrimSpace(body)) == 0 {
				return s.fail(c, fiber.StatusBadRequest, msgBodyMissing)
			}
			if !isJSONObject(body) {
				return s.fail(c, fiber.StatusBadRequest, msgBodyNotObject)
			}
			if edgeChecksTypes(r) {
				if msg, ok := checkFieldTypes(r, body); !ok {
					return s.fail(c, fiber.StatusBadRequest, msg)
				}
			}
			req.Body, req.ContentType = body, fiber.MIMEApplicationJSON
		}
		ctx := c.UserContext()
		if r.auth == authNone {
			resp, err := s.ms.Do(ctx, req)
			if err != nil {
				return s.upstreamFailure(c, err)
			}
			return s.passThrough(c, resp)
		}

		q := s.authRequest(c)
		q.CallsMS = true
		res := s.resolve(c, q)
		if !res.OK() {
			return s.refuse(c, &res)
		}
		req.Authorization = res.Authorization
		resp, err := s.ms.Do(ctx, req)
		if err == nil && !res.ViaCookie && resp.AuthFailure() == msclient.AuthExpired {
			// MS calls the caller's own token expired: its user's session cookie, if the request has one, serves it.
			if fb, ok := s.auth.ExpiredBearerFallback(ctx, q); ok {
				if !fb.OK() {
					return s.refuse(c, &fb)
				}
				res, req.Authorization = fb, fb.Authorization
				resp, err = s.ms.Do(ctx, req)
			}
		}
		if err == nil && res.ViaCookie && !res.Refreshed && resp.AuthFailure() == msclient.AuthExpired {
			// MS's clock says the token expired although ours did not: refresh once and retry once.
			if s.auth.Refresh(ctx, &res, req.RequestID); !res.OK() {
				return s.refuse(c, &res)
			}
			req.Authorization = res.Authorization
			resp, err = s.ms.Do(ctx, req)
		}
		if err != nil {
			s.settle(c, &res)
			return s.upstreamFailure(c, err)
		}
		if res.ViaCookie {
			switch resp.AuthFailure() {
			case msclient.AuthInvalid, msclient.AuthMissing, msclient.AuthExpired:
				// The session's own tokens are no good at MS (its secret changed, or the refresh did not help):
				// the session ends, here at once and on every instance, and the browser drops the cookie.
				s.auth.Refused(ctx, &res, req.RequestID)
			}
		}
		s.afterMS(c, r, &res, resp)
		s.afterAccountCall(c, r, &res, resp)
		s.settle(c, &res)
		return s.passThrough(c, resp)
	}
}

// passThrough answers with MS's status, body and content type, unchanged when MS answered JSON (see
// msAnswerAsJSON for the rest).
func (s *Server) passThrough(c *fiber.Ctx, resp *msclient.Response) error {
	ct, body := msAnswerAsJSON(resp)
	if ct != "" {
		c.Set(fiber.HeaderContentType, ct)
	}
	return c.Status(resp.Status).Send(body)
}

// samplePath is one MS path of the route: each parameter filled with a value of its kind.
func samplePath(segments []string) string {
	var b strings.Builder
	for _, seg := range segments {
		if seg == "" {
			continue
		}
		b.WriteByte('/')
		switch {
		case seg == ":token":
			b.WriteString("token")
		case strings.HasPrefix(seg, ":"):
			b.WriteString("1")
		default:
			b.WriteString(seg)
		}
	}
	return b.String()
}

// msPath fills the route's MS path with this request's parameters, checking each: ids must be positive decimal
// integers, the one ":token" parameter any bounded segment (escaped again for MS).
func msPath(c *fiber.Ctx, segments []string) (string, bool) {
	var b strings.Builder
	for _, seg := range segments {
		if seg == "" {
			continue
		}
		b.WriteByte('/')
		if !strings.HasPrefix(seg, ":") {
			b.WriteString(seg)
			continue
		}
		v := c.Params(seg[1:]) // still percent-encoded as the client sent it
		if seg == ":token" {
			raw, err := url.PathUnescape(v)
			if err != nil || raw == "" || len(raw) > maxTokenParam {
				return "", false
			}
			b.WriteString(url.PathEscape(raw))
			continue
		}
		if !isID(v) {
			return "", false
		}
		b.WriteString(v)
	}
	return b.String(), true
}

// isID accepts what MS's <int:...> converter accepts and fits an int: 1 to 18 decimal digits.
func isID(v string) bool {
	if v == "" || len(v) > 18 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

// isJSONObject reports whether body is one valid JSON object.
func isJSONObject(body []byte) bool {
	t := bytes.TrimLeft(body, " \t\r\n")
	return len(t) > 0 && t[0] == '{' && json.Valid(body)
}
