package msclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/anitab-org/bridge-in-tech-bff/secret"
)

// Tokens are the pair MS issues at login, with their claims already read (and verified when
// Config.JWTSecret is set).
type Tokens struct {
	Access, Refresh             secret.String
	AccessClaims, RefreshClaims Claims
}

// Login sends the credentials to MS POST /login. On 200 it returns the checked tokens; on any other MS
// answer (400, 401 "Username or password is wrong.", 403, 5xx...) it returns that Response untouched, for
// the handler to pass through; when MS gave no usable answer (including a 200 without two valid tokens,
// KindBadAnswer) it returns an *UpstreamError. Exactly one of the three results is set.
func (c *Client) Login(ctx context.Context, username, password secret.String, requestID string) (Tokens, *Response, error) {
	// Built here, not by the caller: the password exists in plain form only inside this body.
	body, _ := json.Marshal(struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}{username.Reveal(), password.Reveal()}) // marshalling two strings cannot fail
	resp, err := c.Do(ctx, Request{
		Method: http.MethodPost, Path: "/login", Body: body, ContentType: "application/json",
		RequestID: requestID, Route: "POST /login",
	})
	if err != nil {
		return Tokens{}, nil, err
	}
	if resp.Status != http.StatusOK {
		return Tokens{}, resp, nil
	}
	var out struct {
		Access  *string `json:"access_token"`
		Refresh *string `json:"refresh_token"`
	}
	if err := json.Unmarshal(resp.Body, &out); err != nil || out.Access == nil || out.Refresh == nil {
		return Tokens{}, nil, c.badAnswer(requestID, "/login", errors.New("login answer without access_token and refresh_token"))
	}
	t := Tokens{Access: secret.String(*out.Access), Refresh: secret.String(*out.Refresh)}
	if t.AccessClaims, err = c.ParseToken(t.Access, TokenAccess); err != nil {
		return Tokens{}, nil, c.badAnswer(requestID, "/login", fmt.Errorf("access token from login: %w", err))
	}
	if t.RefreshClaims, err = c.ParseToken(t.Refresh, TokenRefresh); err != nil {
		return Tokens{}, nil, c.badAnswer(requestID, "/login", fmt.Errorf("refresh token from login: %w", err))
	}
	if t.AccessClaims.Identity != t.RefreshClaims.Identity {
		return Tokens{}, nil, c.badAnswer(requestID, "/login", errors.New("login tokens name different users"))
	}
	return t, nil, nil
}

// Refresh asks MS POST /refresh for a new access token with the refresh token. On 200 it returns the
// checked access token; on any other MS answer (401 expired/invalid, 5xx...) that Response; when MS gave no
// usable answer an *UpstreamError. Use ParseToken on the result for its claims.
func (c *Client) Refresh(ctx context.Context, refresh secret.String, requestID string) (secret.String, *Response, error) {
	resp, err := c.Do(ctx, Request{
		Method: http.MethodPost, Path: "/refresh", Authorization: AuthorizationBearer(refresh),
		RequestID: requestID, Route: "POST /refresh",
	})
	if err != nil {
		return "", nil, err
	}
	if resp.Status != http.StatusOK {
		return "", resp, nil
	}
	var out struct {
		Access *string `json:"access_token"`
	}
	if err := json.Unmarshal(resp.Body, &out); err != nil || out.Access == nil {
		return "", nil, c.badAnswer(requestID, "/refresh", errors.New("refresh answer without access_token"))
	}
	access := secret.String(*out.Access)
	if _, err := c.ParseToken(access, TokenAccess); err != nil {
		return "", nil, c.badAnswer(requestID, "/refresh", fmt.Errorf("access token from refresh: %w", err))
	}
	return access, nil, nil
}

// badAnswer logs and returns a KindBadAnswer error for a 2xx MS answer the BFF cannot use. A token that
// fails verification here usually means MS_JWT_SECRET differs from MS's SECRET_KEY.
func (c *Client) badAnswer(requestID, path string, err error) *UpstreamError {
	c.log.Warn("ms call failed", "request_id", requestID, "method", http.MethodPost, "path", path,
		"kind", string(KindBadAnswer), "error", err.Error())
	return &UpstreamError{Kind: KindBadAnswer, Err: err}
}
