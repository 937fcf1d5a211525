package msclient

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sony/gobreaker/v2"
)

func TestAuthFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		want   AuthFailure
	}{
		{"a missing token", 401, `{"message": "The authorization token is missing!"}`, AuthMissing},
		{"an invalid token", 401, `{"message": "The token is invalid!"}`, AuthInvalid},
		{"an expired token", 401, `{"message": "The token has expired! Please, login again or refresh it."}`, AuthExpired},
		{"compact JSON with a newline after it", 401, "{\"message\":\"The token is invalid!\"}\n", AuthInvalid},
		{"a wrong password at login", 401, `{"message": "Username or password is wrong."}`, AuthNone},
		{"not involved in the relation", 401, `{"message": "You are not involved in this mentorship relation."}`, AuthNone},
		{"the expired message on a 403", 403, `{"message": "The token has expired! Please, login again or refresh it."}`, AuthNone},
		{"the invalid message on a 422", 422, `{"message": "The token is invalid!"}`, AuthNone},
		{"the missing message on a 200", 200, `{"message": "The authorization token is missing!"}`, AuthNone},
		{"a trailing space", 401, `{"message": "The token is invalid! "}`, AuthNone},
		{"other case", 401, `{"message": "the token is invalid!"}`, AuthNone},
		{"the expiry message cut short", 401, `{"message": "The token has expired!"}`, AuthNone},
		{"an upper-case key", 401, `{"MESSAGE": "The token is invalid!"}`, AuthNone},
		{"the message under another key", 401, `{"msg": "The token is invalid!"}`, AuthNone},
		{"the message as plain text", 401, `The token is invalid!`, AuthNone},
		{"the message as a JSON string", 401, `"The token is invalid!"`, AuthNone},
		{"the message nested", 401, `{"error": {"message": "The token is invalid!"}}`, AuthNone},
		{"a non-string message", 401, `{"message": ["The token is invalid!"]}`, AuthNone},
		{"an HTML page", 401, `<html>The token is invalid!</html>`, AuthNone},
		{"an empty body", 401, ``, AuthNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := &Response{Status: tt.status, Body: []byte(tt.body)}
			if got := r.AuthFailure(); got != tt.want {
				t.Fatalf("AuthFailure() = %v, want %v", got, tt.want)
			}
		})
	}
	var nilResp *Response
	if nilResp.AuthFailure() != AuthNone || nilResp.Message() != "" {
		t.Fatal("a nil Response is no auth failure")
	}
	if AuthExpired.String() != "expired" || AuthNone.String() != "none" {
		t.Fatal("AuthFailure.String")
	}
}

func TestMessage(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		`{"message": "User was created successfully."}`:                "User was created successfully.",
		`{"message": "Input payload validation failed", "errors": {}}`: "Input payload validation failed",
		`{"message": ""}`:     "",
		`{"id": 1}`:           "",
		`[1, 2]`:              "",
		`<html></html>`:       "",
		`{"message": 5}`:      "",
		`{"message": "a\nb"}`: "a\nb",
	}
	for body, want := range cases {
		if got := (&Response{Status: 400, Body: []byte(body)}).Message(); got != want {
			t.Errorf("Message(%s) = %q, want %q", body, got, want)
		}
	}
}

func TestUpstreamError(t *testing.T) {
	t.Parallel()
	cause := errors.New("dial tcp 127.0.0.1:4000: connect: connection refused")
	e := &UpstreamError{Kind: KindUnreachable, Err: cause}
	if !errors.Is(e, cause) || !strings.Contains(e.Error(), "unreachable") || !strings.Contains(e.Error(), "refused") {
		t.Fatalf("Error() = %q", e.Error())
	}
	open := &UpstreamError{Kind: KindBreakerOpen, Err: gobreaker.ErrOpenState, RetryAfter: 7 * time.Second}
	if !strings.Contains(open.Error(), "retry after 7s") || !errors.Is(open, gobreaker.ErrOpenState) {
		t.Fatalf("Error() = %q", open.Error())
	}
	for _, k := range []Kind{KindBreakerOpen, KindTimeout, KindUnreachable, KindCanceled, KindBadAnswer, KindInvalidRequest} {
		if s := (&UpstreamError{Kind: k}).Error(); strings.Contains(s, "call failed") {
			t.Errorf("kind %s has no description: %q", k, s)
		}
	}
	if OutcomeOf(nil, open) != "breaker_open" || OutcomeOf(&Response{Status: 302}, nil) != Outcome3xx {
		t.Fatal("OutcomeOf")
	}
}
