package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Messages Flask, werkzeug and flask-restx produce themselves.
const (
	msgBadRequest       = "The browser (or proxy) sent a request that this server could not understand."
	msgMethodNotAllowed = "The method is not allowed for the requested URL."
	msgInternal         = "Internal Server Error"
)

// notFoundPage is the HTML page Flask answers for an unknown path.
const notFoundPage = `<!doctype html>
<html lang=en>
<title>404 Not Found</title>
<h1>Not Found</h1>
<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>
`

// authKind says which token a route needs.
type authKind int

const (
	authNone authKind = iota
	authAccess
	authRefresh
)

// route is one MS endpoint: method, Flask-style pattern, token kind, optional request schema and handler.
type route struct {
	method  string
	pattern string // e.g. "/mentorship_relation/{request_id}/accept"; a {name} segment is an int unless name is "token"
	auth    authKind
	schema  *schema
	handle  func(s *Server, c *call) reply
	segs    []string
	counter *atomic.Int64
}

// call is what a handler sees of one request.
type call struct {
	r      *http.Request
	params map[string]int64
	token  string // the confirm_email token segment
	uid    int64  // token identity (0 when the route has no auth)
	now    time.Time

	bodyRead bool
	body     any
	hasBody  bool
	bodyErr  bool
}

// reply is a handler's answer before it is written.
type reply struct {
	status int
	body   any // marshalled as JSON
}

type message struct {
	Message string `json:"message"`
}

func msg(status int, text string) reply { return reply{status: status, body: message{text}} }

func jsonReply(status int, v any) reply { return reply{status: status, body: v} }

func internalError() reply { return msg(http.StatusInternalServerError, msgInternal) }

// errBadJSON is the werkzeug answer to a body that is not JSON on a JSON request.
func errBadJSON() reply { return msg(http.StatusBadRequest, msgBadRequest) }

// json returns the request body as Flask's request.json sees it: nil, false when the content type is not
// JSON; ok false when the body does not parse (the caller answers errBadJSON).
func (c *call) json() (v any, present bool, ok bool) {
	if !c.bodyRead {
		c.bodyRead = true
		if isJSONContent(c.r.Header.Get("Content-Type")) {
			c.hasBody = true
			b, err := io.ReadAll(io.LimitReader(c.r.Body, 16<<20))
			if err != nil {
				c.bodyErr = true
			} else if c.body, err = decodeJSON(b); err != nil {
				c.bodyErr = true
			}
		}
	}
	return c.body, c.hasBody, !c.bodyErr
}

// object returns the JSON body as an object. kind tells a handler how MS would fare calling .get on it.
func (c *call) object() (obj map[string]any, kind bodyKind) {
	v, present, ok := c.json()
	switch {
	case !ok:
		return nil, bodyInvalid
	case !present || v == nil:
		return nil, bodyNone
	}
	if m, isObj := v.(map[string]any); isObj {
		return m, bodyObject
	}
	return nil, bodyOther
}

type bodyKind int

const (
	bodyObject  bodyKind = iota
	bodyNone             // no JSON body or JSON null: request.json is None
	bodyInvalid          // not valid JSON: werkzeug's 400
	bodyOther            // valid JSON that is not an object
)

// isJSONContent is Flask's Request.is_json.
func isJSONContent(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	}
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

// writeReply sends a reply as flask-restx does: Python-spaced JSON and a trailing newline.
func writeReply(w http.ResponseWriter, rp reply) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rp.body); err != nil {
		rp = internalError()
		buf.Reset()
		_ = enc.Encode(rp.body)
	}
	out := pyDumps(bytes.TrimRight(buf.Bytes(), "\n"))
	out = append(out, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(rp.status)
	_, _ = w.Write(out)
}

func writeNotFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(notFoundPage)))
	w.WriteHeader(http.StatusNotFound)
	_, _ = io.WriteString(w, notFoundPage)
}

// splitPath turns a request path into segments; one trailing slash is optional (strict slashes off).
func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match reports whether segs fit the route, filling params. An int segment that is not all ASCII digits does
// not match (werkzeug's int converter); one too big for int64 becomes -1, an id nothing has.
func (rt *route) match(segs []string) (map[string]int64, string, bool) {
	if len(segs) != len(rt.segs) {
		return nil, "", false
	}
	var params map[string]int64
	token := ""
	for i, want := range rt.segs {
		got := segs[i]
		if !strings.HasPrefix(want, "{") {
			if got != want {
				return nil, "", false
			}
			continue
		}
		name := want[1 : len(want)-1]
		if name == "token" {
			if got == "" {
				return nil, "", false
			}
			token = got
			continue
		}
		if got == "" || strings.TrimLeft(got, "0123456789") != "" {
			return nil, "", false
		}
		n, err := strconv.ParseInt(got, 10, 64)
		if err != nil {
			n = -1
		}
		if params == nil {
			params = map[string]int64{}
		}
		params[name] = n
	}
	return params, token, true
}

// router finds routes by path and method and builds the 405 and OPTIONS answers.
type router struct {
	routes []*route
	byKey  map[string]*route // "METHOD /pattern"
}

func newRouter(routes []*route) *router {
	rt := &router{routes: routes, byKey: make(map[string]*route, len(routes))}
	for _, r := range routes {
		r.segs = splitPath(r.pattern)
		r.counter = new(atomic.Int64)
		rt.byKey[r.method+" "+r.pattern] = r
	}
	return rt
}

// find returns the route for the request, or the methods the path allows (nil when the path is unknown).
func (rt *router) find(method, path string) (*route, map[string]int64, string, []string) {
	segs := splitPath(path)
	if method == http.MethodHead {
		method = http.MethodGet
	}
	var allowed []string
	for _, r := range rt.routes {
		params, token, ok := r.match(segs)
		if !ok {
			continue
		}
		if r.method == method {
			return r, params, token, nil
		}
		allowed = append(allowed, r.method)
	}
	return nil, nil, "", allowed
}

// allowHeader is the Allow header Flask sends: the route's methods plus HEAD (with GET) and OPTIONS.
func allowHeader(methods []string) string {
	set := map[string]bool{http.MethodOptions: true}
	for _, m := range methods {
		set[m] = true
		if m == http.MethodGet {
			set[http.MethodHead] = true
		}
	}
	out := make([]string, 0, len(set))
	for m := range set {
		out = append(out, m)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
