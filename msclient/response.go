package msclient

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// The three 401 messages with which MS reports a token problem (docs/MS.md#the-three-token-refusals), exact.
const (
	MessageTokenMissing = "The authorization token is missing!"
	MessageTokenInvalid = "The token is invalid!"
	MessageTokenExpired = "The token has expired! Please, login again or refresh it."
)

// AuthFailure classifies an MS 401: a token problem, or something else that passes through.
type AuthFailure int

// The AuthFailure values. AuthNone covers every answer that is not one of the three token 401s, including
// the 401s that are not about the session (wrong password at login, "You are not involved ...").
const (
	AuthNone AuthFailure = iota
	AuthMissing
	AuthInvalid
	AuthExpired
)

// String names the failure for logs and metrics.
func (a AuthFailure) String() string {
	switch a {
	case AuthMissing:
		return "missing"
	case AuthInvalid:
		return "invalid"
	case AuthExpired:
		return "expired"
	default:
		return "none"
	}
}

// AuthFailure reports whether this answer is one of MS's three token 401s. Only a 401 whose JSON body's
// "message" is exactly one of MessageTokenMissing, MessageTokenInvalid or MessageTokenExpired counts.
func (r *Response) AuthFailure() AuthFailure {
	if r == nil || r.Status != http.StatusUnauthorized || !bytes.Contains(r.Body, []byte("token")) {
		return AuthNone
	}
	switch r.Message() {
	case MessageTokenMissing:
		return AuthMissing
	case MessageTokenInvalid:
		return AuthInvalid
	case MessageTokenExpired:
		return AuthExpired
	default:
		return AuthNone
	}
}

// Message returns the "message" string of a JSON object body, or "" when there is none.
func (r *Response) Message() string {
	if r == nil || len(r.Body) == 0 {
		return ""
	}
	// A map, not a struct: encoding/json matches struct fields case-insensitively, and "MESSAGE" is not MS's key.
	var m map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &m); err != nil {
		return ""
	}
	raw, ok := m["message"]
	if !ok {
		return ""
	}
	var msg string
	if err := json.Unmarshal(raw, &msg); err != nil {
		return ""
	}
	return msg
}
