package handlers

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"
)

// fieldType is the JSON type MS expects of one body field (docs/MS.md#endpoints).
type fieldType int

const (
	fieldString    fieldType = iota + 1
	fieldBool                // true or false
	fieldInt                 // a JSON integer that fits int64 (no fraction, no exponent)
	fieldTimestamp           // a finite JSON number of Unix seconds that Python's datetime can take
)

// maxTimestamp bounds fieldTimestamp: beyond a C time_t, Python's datetime.fromtimestamp raises OverflowError and
// MS answers 500 (docs/MS.md#mentorship-relations, end_date); MS itself refuses dates outside years 1 to 9999 with a 400.
const maxTimestamp = 9.2e18

func (t fieldType) describe() string {
	switch t {
	case fieldString:
		return "a string"
	case fieldBool:
		return "true or false"
	case fieldInt:
		return "an integer"
	default:
		return "a number of Unix seconds"
	}
}

// bodyFields is the type of every body field of every MS endpoint that takes a JSON body (docs/MS.md#endpoints), keyed
// like the routing table ("METHOD /ms/path"). The BFF refuses a wrongly typed field with 400 naming it, before MS
// sees it: MS type-checks only its schema-validated endpoints and crashes (500) on many wrong types elsewhere
// (e.g. resend_email {"email": 1}, PUT /user {"bio": 5}, send_request {"end_date": "soon"}). null is let through
// everywhere: MS treats it as missing and answers its own 400. Unknown keys pass, as MS ignores them. On the
// routes of msTypeChecked MS checks the types itself (400 naming the field), so the edge leaves them to it.
var bodyFields = map[string]map[string]fieldType{
	"POST /register": {
		"name": fieldString, "username": fieldString, "password": fieldString, "email": fieldString,
		"terms_and_conditions_checked": fieldBool, "need_mentoring": fieldBool, "available_to_mentor": fieldBool,
	},
	"POST /user/resend_email": {"email": fieldString},
	"PUT /user": {
		"name": fieldString, "username": fieldString, "bio": fieldString, "location": fieldString,
		"occupation": fieldString, "organization": fieldString, "current_organization": fieldString,
		"slack_username": fieldString, "social_media_links": fieldString, "skills": fieldString,
		"interests": fieldString, "resume_url": fieldString, "photo_url": fieldString,
		"need_mentoring": fieldBool, "available_to_mentor": fieldBool,
	},
	"PUT /user/change_password": {"current_password": fieldString, "new_password": fieldString},
	"POST /admin/new":           {"user_id": fieldInt},
	"POST /admin/remove":        {"user_id": fieldInt},
	"POST /mentorship_relation/send_request": {
		"mentor_id": fieldInt, "mentee_id": fieldInt, "end_date": fieldTimestamp, "notes": fieldString,
	},
	"POST /mentorship_relation/:relation_id/task":                             {"description": fieldString},
	"POST /mentorship_relation/:relation_id/task/:task_id/comment":            {"comment": fieldString},
	"PUT /mentorship_relation/:relation_id/task/:task_id/comment/:comment_id": {"comment": fieldString},
}

// msTypeChecked are the routes whose field types MS checks itself, answering 400 naming the field: the
// schema-validated endpoints (docs/MS.md#general-conventions: "Input payload validation failed" with the field in "errors") and
// the comment routes ("Comment must be in string format."). Their lines in bodyFields record the contract; the
// edge leaves the check to MS, whose answer is the richer one and passes through as the contract says.
var msTypeChecked = map[string]bool{
	"POST /register":            true,
	"PUT /user/change_password": true,
	"POST /admin/new":           true,
	"POST /admin/remove":        true,
	"POST /mentorship_relation/:relation_id/task/:task_id/comment":            true,
	"PUT /mentorship_relation/:relation_id/task/:task_id/comment/:comment_id": true,
}

// edgeChecksTypes reports whether the BFF checks r's field types itself (every body route MS does not check).
func edgeChecksTypes(r msRoute) bool { return !msTypeChecked[r.method+" "+r.path] }

// checkFieldTypes checks body (already known to be one JSON object) against r's line of bodyFields. It returns
// the message naming the first wrongly typed field, in alphabetical order, and ok false.
func checkFieldTypes(r msRoute, body []byte) (msg string, ok bool) {
	want := bodyFields[r.method+" "+r.path]
	if len(want) == 0 {
		return "", true
	}
	var fields map[string]json.RawMessage // a repeated key keeps its last value, as Python's json does for MS
	if err := json.Unmarshal(body, &fields); err != nil {
		return msgBodyNotObject, false
	}
	names := make([]string, 0, len(fields))
	for name := range fields {
		if _, checked := want[name]; checked {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		if t := want[name]; !hasType(fields[name], t) {
			return "The field " + name + " must be " + t.describe() + ".", false
		}
	}
	return "", true
}

// hasType reports whether one raw JSON value is of type t or null.
func hasType(raw json.RawMessage, t fieldType) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return false
	}
	if string(raw) == "null" {
		return true
	}
	switch t {
	case fieldString:
		return raw[0] == '"'
	case fieldBool:
		return string(raw) == "true" || string(raw) == "false"
	case fieldInt:
		_, err := strconv.ParseInt(string(raw), 10, 64)
		return err == nil
	case fieldTimestamp:
		if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
			return false
		}
		f, err := strconv.ParseFloat(string(raw), 64)
		return err == nil && !math.IsInf(f, 0) && math.Abs(f) < maxTimestamp
	}
	return false
}
