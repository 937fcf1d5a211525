package emulator

import (
	"encoding/json"
	"math"
	"net/http"
)

// schema is the part of a flask-restx model MS validates request bodies against (Draft 4 jsonschema: an
// object with required keys and typed properties; extra keys allowed).
type schema struct {
	props    []schemaProp
	required []string
}

type schemaProp struct {
	name, typ string // typ: "string", "boolean" or "integer"
}

var (
	registerSchema = &schema{
		props: []schemaProp{
			{"name", "string"}, {"username", "string"}, {"password", "string"}, {"email", "string"},
			{"terms_and_conditions_checked", "boolean"}, {"need_mentoring", "boolean"}, {"available_to_mentor", "boolean"},
		},
		required: []string{"email", "name", "password", "terms_and_conditions_checked", "username"},
	}
	changePasswordSchema = &schema{
		props:    []schemaProp{{"current_password", "string"}, {"new_password", "string"}},
		required: []string{"current_password", "new_password"},
	}
	adminSchema = &schema{props: []schemaProp{{"user_id", "integer"}}, required: []string{"user_id"}}
)

// check validates the request body; bad is true with the 400 answer when it fails. A body that is not JSON at
// all is werkzeug's bad request; a missing body is validated as None.
func (sc *schema) check(c *call) (rp reply, bad bool) {
	v, _, ok := c.json()
	if !ok {
		return errBadJSON(), true
	}
	errs := map[string]string{}
	obj, isObj := v.(map[string]any)
	if !isObj {
		errs[""] = pyRepr(v) + " is not of type 'object'"
	} else {
		for _, p := range sc.props {
			if val, present := obj[p.name]; present && !hasJSONType(val, p.typ) {
				errs[p.name] = pyRepr(val) + " is not of type '" + p.typ + "'"
			}
		}
		for _, name := range sc.required {
			if _, present := obj[name]; !present {
				errs[name] = "'" + name + "' is a required property"
			}
		}
	}
	if len(errs) == 0 {
		return reply{}, false
	}
	return jsonReply(http.StatusBadRequest, struct {
		Message string            `json:"message"`
		Errors  map[string]string `json:"errors"`
	}{"Input payload validation failed", errs}), true
}

// hasJSONType is Draft 4's type check (an integer is a number without a fraction in its text; booleans are
// not integers).
func hasJSONType(v any, typ string) bool {
	switch typ {
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		if _, err := n.Int64(); err == nil {
			return true
		}
		// Big integers are still integers for Python; anything with a fraction or exponent is a float.
		for _, ch := range n.String() {
			if ch == '.' || ch == 'e' || ch == 'E' {
				return false
			}
		}
		return true
	}
	return false
}

// intValue returns an integer-typed schema value as int64 (saturating; huge ids match no user).
func intValue(v any) int64 {
	n, _ := v.(json.Number)
	if i, err := n.Int64(); err == nil {
		return i
	}
	return math.MaxInt64
}
