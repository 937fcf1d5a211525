package handlers

import (
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// openAPIDoc builds the OpenAPI 3 document of the BFF's API from the routing table, so it cannot drift from
// what is served: every forwarded route, the session routes, their parameters, bodies and the BFF's own answers.
func openAPIDoc() ([]byte, error) {
	type obj = map[string]any
	msg := obj{"$ref": "#/components/schemas/Message"}
	jsonOf := func(schema obj) obj { return obj{"application/json": obj{"schema": schema}} }
	resp := func(desc string, schema obj) obj { return obj{"description": desc, "content": jsonOf(schema)} }
	bffAnswers := obj{
		"400": resp("The body is not a JSON object (BFF), or MS refused the input.", msg),
		"401": resp("No session, a bad or expired session (the cookie is cleared), or MS refused the token.", msg),
		"403": resp("CSRF: a foreign Origin, or no X-CSRF: 1 on a cookie-authenticated write; or MS refused.", msg),
		"404": resp("Unknown route or a non-integer id (BFF), or MS found nothing.", msg),
		"413": resp("The body is over the limit.", msg),
		"502": resp("MS cannot be reached or sent an unreadable answer.", msg),
		"503": resp("The circuit breaker is open; see Retry-After.", msg),
		"504": resp("MS did not answer in time.", msg),
	}
	withAnswers := func(ok obj) obj {
		out := obj{}
		for k, v := range bffAnswers {
			out[k] = v
		}
		for k, v := range ok {
			out[k] = v
		}
		return out
	}
	passThrough := obj{"2XX": obj{"description": "MS's answer, passed through unchanged (docs/API.md)."}}
	paths := obj{}
	add := func(method, pattern string, op obj) {
		p, params := openAPIPath(pattern)
		if len(params) > 0 {
			op["parameters"] = params
		}
		item, _ := paths[p].(obj)
		if item == nil {
			item = obj{}
			paths[p] = item
		}
		op["operationId"] = operationID(method, pattern)
		if _, ok := op["security"]; !ok {
			op["security"] = []any{} // public: no session needed
		}
		item[strings.ToLower(method)] = op
	}
	cookieOrBearer := []any{obj{"cookieAuth": []any{}}, obj{"cookieAuthPlain": []any{}}, obj{"bearerAuth": []any{}}}

	add(fiber.MethodPost, "/api/login", obj{
		"summary":     "Log in at MS and start a cookie session.",
		"requestBody": obj{"required": true, "content": jsonOf(obj{"$ref": "#/components/schemas/Login"})},
		"responses": withAnswers(obj{
			"200": obj{"description": "Logged in; Set-Cookie carries the sealed session.", "content": jsonOf(obj{"$ref": "#/components/schemas/LoginAnswer"})},
			"429": resp("Too many failed logins from this address; see Retry-After.", msg),
		}),
	})
	add(fiber.MethodPost, "/api/logout", obj{"summary": "End this session on every instance and clear the cookie.", "responses": obj{
		"204": obj{"description": "Logged out (always, even when the database is down: the revocation is retried)."},
		"403": bffAnswers["403"], "413": bffAnswers["413"]}})
	cookieOnly := []any{obj{"cookieAuth": []any{}}, obj{"cookieAuthPlain": []any{}}}
	passwordBody := obj{"required": true, "content": jsonOf(obj{"$ref": "#/components/schemas/Password"})}
	add(fiber.MethodGet, "/api/sessions", obj{"summary": "The user's live sessions, newest login first; current marks this one.",
		"security": cookieOnly, "responses": withAnswers(obj{
			"200": obj{"description": "The sessions.", "content": jsonOf(obj{"$ref": "#/components/schemas/SessionList"})},
			"503": resp("The database or the list of revocations is unavailable; see Retry-After.", msg)})})
	add(fiber.MethodDelete, "/api/sessions/:id", obj{"summary": "End one session: this one freely, another with the current password.",
		"security": cookieOnly, "requestBody": obj{"required": false, "content": jsonOf(obj{"$ref": "#/components/schemas/Password"})},
		"responses": withAnswers(obj{
			"204": obj{"description": "Ended on every instance (this one: the cookie is cleared)."},
			"403": resp("CSRF, or the password is not correct.", msg),
			"404": resp("No such live session of the user's, or not a 32-hex-digit id.", msg),
			"429": resp("Too many wrong passwords; see Retry-After.", msg),
			"503": resp("The database is unavailable; see Retry-After.", msg)})})
	add(fiber.MethodPost, "/api/sessions/end-all", obj{"summary": "Sign out everywhere: every session of the user, this one included (needs the current password).",
		"security": cookieOnly, "requestBody": passwordBody, "responses": withAnswers(obj{
			"204": obj{"description": "Every session is ended; the cookie is cleared."},
			"403": resp("CSRF, or the password is not correct.", msg),
			"429": resp("Too many wrong passwords; see Retry-After.", msg)})})
	add(fiber.MethodGet, "/api/session", obj{"summary": "Who is logged in.", "security": cookieOrBearer,
		"responses": withAnswers(obj{"200": obj{"description": "The session.", "content": jsonOf(obj{"$ref": "#/components/schemas/Session"})}})})
	add(fiber.MethodPost, "/api/refresh", obj{"summary": "Refresh the access token now.", "security": cookieOrBearer,
		"responses": withAnswers(obj{"200": obj{"description": "Refreshed; Set-Cookie carries the new session."}})})
	add(fiber.MethodGet, "/api/openapi.json", obj{"summary": "The OpenAPI 3 document of this API.", "responses": obj{
		"200": obj{"description": "OpenAPI 3 document."}, "413": bffAnswers["413"]}})

	for _, r := range msRoutes {
		op := obj{"summary": r.summary, "responses": withAnswers(passThrough)}
		if r.auth == authAccess {
			op["security"] = cookieOrBearer
		}
		if r.body == bodyObject {
			op["requestBody"] = obj{"required": true, "content": jsonOf(obj{"type": "object"})}
		}
		add(r.method, "/api"+r.path, op)
	}
	for _, a := range aliases {
		target, _ := lookupRoute(a.method, a.target)
		op := obj{"summary": a.summary + " The path the existing React client uses.",
			"security": cookieOrBearer, "responses": withAnswers(passThrough)}
		if target.body == bodyObject {
			op["requestBody"] = obj{"required": true, "content": jsonOf(obj{"type": "object"})}
		}
		add(a.method, "/api"+a.path, op)
	}
	refusal := obj{"$ref": "#/components/schemas/Refusal"}
	for _, r := range bitRoutes {
		ok := obj{"description": "The answer.", "content": jsonOf(obj{"$ref": "#/components/schemas/" + r.answer})}
		if r.answer == "" {
			ok = resp("Updated (or 201: created); the message says which.", msg)
		}
		answers := withAnswers(obj{
			"200": ok,
			"400": resp("The body is not a JSON object, a key is missing or of the wrong type (errors names it), or a value is refused.", refusal),
			"403": resp("CSRF, or the caller may not do this (the message says why).", msg),
			"404": resp("Not found (the message says what), an unknown route or a non-integer id.", msg),
			"409": resp("A unique name or e-mail is taken.", msg),
			"503": resp("The database (or MS's breaker) is unavailable; see Retry-After. A write was not applied.", msg),
		})
		if r.body == bodyObject {
			answers["504"] = resp("The database did not confirm the write within DB_TIMEOUT: it may have been saved; "+
				"check it, or send it again (docs/DATABASE.md). Or MS did not answer in time.", msg)
		}
		if r.answer == "" {
			answers["201"] = resp("Created.", msg)
		}
		if r.method == fiber.MethodPost {
			answers["429"] = resp("Too many creations by this representative in the last minute; see Retry-After.", msg)
		}
		if r.answer == "ProgramList" {
			ok["headers"] = obj{headerPageCut: obj{"description": "Set when the byte ceiling cut the page: how many programs it holds.",
				"schema": obj{"type": "integer"}}}
		}
		op := obj{"summary": r.summary + " BridgeInTech's own data, from the BFF's database.", "security": cookieOrBearer, "responses": answers}
		if r.body == bodyObject {
			op["requestBody"] = obj{"required": true, "content": jsonOf(obj{"$ref": "#/components/schemas/" + bitRequestSchema(r.path)})}
		}
		add(r.method, "/api"+r.path, op)
	}
	doc := obj{
		"openapi": "3.0.3",
		"info": obj{
			"title":   "BridgeInTech BFF",
			"version": "1.0.0",
			"description": "Stateless backend-for-frontend in front of the Mentorship System (MS). Browsers authenticate " +
				"with the HttpOnly session cookie and send X-CSRF: 1 on writes; API clients may send their own " +
				"Authorization: Bearer header instead. MS answers pass through unchanged.",
			"license": obj{"name": "GPL-3.0", "url": "https://www.gnu.org/licenses/gpl-3.0.html"},
		},
		"servers": []any{obj{"url": "/", "description": "The BFF that serves this document (paths are relative to its origin)."}},
		"paths":   paths,
		"components": obj{
			"securitySchemes": obj{
				"cookieAuth": obj{"type": "apiKey", "in": "cookie", "name": "__Host-bit_session",
					"description": "The sealed session cookie, as named with COOKIE_SECURE=true (the default)."},
				"cookieAuthPlain": obj{"type": "apiKey", "in": "cookie", "name": "bit_session",
					"description": "The same session cookie as named with COOKIE_SECURE=false (demo mode, plain-HTTP development)."},
				"bearerAuth": obj{"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
			},
			"schemas": obj{
				"Message": obj{"type": "object", "required": []any{"message"}, "properties": obj{"message": obj{"type": "string"}}},
				"Login": obj{"type": "object", "properties": obj{
					"username": obj{"type": "string", "description": "username or e-mail"}, "password": obj{"type": "string", "format": "password"}}},
				"LoginAnswer": obj{"type": "object", "required": []any{"user", "access_expires_at", "session_expires_at"}, "properties": obj{
					"user":               obj{"type": "object", "description": "MS's full user (GET /user)."},
					"access_expires_at":  obj{"type": "integer", "description": "Unix seconds."},
					"session_expires_at": obj{"type": "integer", "description": "Unix seconds."},
					"access_token":       obj{"type": "string", "description": "Only with EXPOSE_TOKENS=true: a handle bound to this session, useless without its cookie (with EXPOSE_MS_TOKENS=true: the MS access token)."},
					"access_expiry":      obj{"type": "number", "description": "Only with EXPOSE_TOKENS=true: the session's end in Unix seconds (with EXPOSE_MS_TOKENS=true: the MS access token's expiry)."}}},
				"Password": obj{"type": "object", "required": []any{"password"}, "properties": obj{
					"password": obj{"type": "string", "format": "password", "description": "The user's current password."}}},
				"SessionList": obj{"type": "object", "required": []any{"sessions"}, "properties": obj{
					"sessions": obj{"type": "array", "items": obj{"type": "object",
						"required": []any{"id", "device", "login_at", "expires_at", "current"}, "properties": obj{
							"id":         obj{"type": "string", "description": "32 hexadecimal digits."},
							"device":     obj{"type": "string", "description": "A coarse description, e.g. \"Firefox on Linux\"."},
							"login_at":   obj{"type": "integer", "description": "Unix seconds."},
							"expires_at": obj{"type": "integer", "description": "Unix seconds: the session's end at the latest."},
							"current":    obj{"type": "boolean"}}}}}},
				"Session": obj{"type": "object", "properties": obj{
					"authenticated": obj{"type": "boolean"}, "user_id": obj{"type": "integer"},
					"access_expires_at": obj{"type": "integer"}, "session_expires_at": obj{"type": "integer"}}},
			},
		},
	}
	schemas := doc["components"].(obj)["schemas"].(obj)
	for k, v := range bitSchemas() {
		schemas[k] = v
	}
	return json.MarshalIndent(doc, "", "  ")
}

// operationID derives an operation's id from its method and Fiber pattern, e.g. "PUT
// /api/mentorship_relation/:request_id/accept" is "putMentorshipRelationByRequestIdAccept". Method and path
// are unique together, so the ids are too (a test checks it).
func operationID(method, pattern string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, seg := range strings.Split(strings.TrimPrefix(pattern, "/api"), "/") {
		if name, ok := strings.CutPrefix(seg, ":"); ok {
			b.WriteString("By")
			seg = name
		}
		for _, word := range strings.FieldsFunc(seg, func(r rune) bool { return r == '_' || r == '.' || r == '-' }) {
			b.WriteString(strings.ToUpper(word[:1]) + word[1:])
		}
	}
	return b.String()
}

// openAPIPath turns a Fiber pattern into an OpenAPI path and its parameter list.
func openAPIPath(pattern string) (string, []any) {
	segs := strings.Split(pattern, "/")
	var params []any
	for i, seg := range segs {
		if !strings.HasPrefix(seg, ":") {
			continue
		}
		name := seg[1:]
		schema := map[string]any{"type": "integer", "minimum": 0}
		if name == "token" {
			schema = map[string]any{"type": "string"}
		}
		params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": schema})
		segs[i] = "{" + name + "}"
	}
	return strings.Join(segs, "/"), params
}

func (s *Server) serveOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(s.openapi)
}
