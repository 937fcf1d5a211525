package msclient

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/secret"
)

// fakeMS answers /login and /refresh like MS (docs/MS.md#auth-and-account), signing with key.
type fakeMS struct {
	key []byte
	mu  sync.Mutex
	// the last request seen
	header http.Header
	body   string
	length int64
}

func (f *fakeMS) handle(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.header, f.body, f.length = r.Header.Clone(), string(b), r.ContentLength
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	reply := func(status int, v any) {
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	now := time.Now()
	switch r.URL.Path {
	case "/login":
		var in map[string]any
		_ = json.Unmarshal(b, &in)
		switch {
		case in["username"] == nil || in["username"] == "":
			reply(400, map[string]string{"message": "The field username is missing."})
		case in["username"] != "alice" || in["password"] != "correct horse":
			reply(401, map[string]string{"message": "Username or password is wrong."})
		default:
			reply(200, map[string]string{
				"access_token":  signJWT(f, f.key, "HS256", nil, msClaims(TokenAccess, 3, now.Add(10*time.Minute))),
				"refresh_token": signJWT(f, f.key, "HS256", nil, msClaims(TokenRefresh, 3, now.Add(28*24*time.Hour))),
			})
		}
	case "/refresh":
		auth := r.Header.Get("Authorization")
		if auth == "" {
			reply(401, map[string]string{"message": MessageTokenMissing})
			return
		}
		if auth == "Bearer expired" {
			reply(401, map[string]string{"message": MessageTokenExpired})
			return
		}
		reply(200, map[string]string{
			"access_token": signJWT(f, f.key, "HS256", nil, msClaims(TokenAccess, 3, now.Add(10*time.Minute))),
		})
	default:
		w.WriteHeader(404)
	}
}

// fakeMS doubles as the fataler that signJWT wants; signing never fails.
func (f *fakeMS) Helper()           {}
func (f *fakeMS) Fatal(args ...any) { panic(args) }

func newFakeMS(t *testing.T, key []byte) (*fakeMS, *upstream) {
	f := &fakeMS{key: key}
	return f, newUpstream(t, f.handle)
}

func TestLoginSuccess(t *testing.T) {
	t.Parallel()
	for _, key := range [][]byte{testKey, nil} {
		f, u := newFakeMS(t, testKey)
		c := newTestClient(t, Config{BaseURL: u.URL, JWTSecret: key})
		tok, resp, err := c.Login(t.Context(), "alice", "correct horse", "rid-1")
		if err != nil || resp != nil {
			t.Fatalf("Login = %+v, %v", resp, err)
		}
		if tok.Access.Empty() || tok.Refresh.Empty() || tok.AccessClaims.Identity != 3 || tok.RefreshClaims.Identity != 3 ||
			tok.AccessClaims.Type != TokenAccess || tok.RefreshClaims.Type != TokenRefresh ||
			!tok.RefreshClaims.Expires.After(tok.AccessClaims.Expires) {
			t.Fatalf("tokens = %+v", tok)
		}
		f.mu.Lock()
		var sent map[string]any
		if err := json.Unmarshal([]byte(f.body), &sent); err != nil || len(sent) != 2 ||
			sent["username"] != "alice" || sent["password"] != "correct horse" {
			t.Fatalf("login body = %s", f.body)
		}
		if f.header.Get("Content-Type") != "application/json" || f.header.Get("X-Request-Id") != "rid-1" ||
			f.header.Get("Authorization") != "" {
			t.Fatalf("login headers = %v", f.header)
		}
		f.mu.Unlock()
	}
}

func TestLoginPassesRefusalsThrough(t *testing.T) {
	t.Parallel()
	_, u := newFakeMS(t, testKey)
	c := newTestClient(t, Config{BaseURL: u.URL, JWTSecret: testKey})
	cases := []struct {
		user, pass secret.String
		status     int
		message    string
	}{
		{"alice", "wrong", 401, "Username or password is wrong."},
		{"", "x", 400, "The field username is missing."},
	}
	for _, cs := range cases {
		tok, resp, err := c.Login(t.Context(), cs.user, cs.pass, "")
		if err != nil || resp == nil || resp.Status != cs.status || resp.Message() != cs.message || !tok.Access.Empty() {
			t.Fatalf("Login(%s) = %+v, %+v, %v", cs.user.Reveal(), tok, resp, err)
		}
		if resp.AuthFailure() != AuthNone {
			t.Fatal("a wrong password is not a token problem")
		}
	}

	u.set(answer(500, msError))
	if _, resp, err := c.Login(t.Context(), "alice", "x", ""); err != nil || resp.Status != 500 || string(resp.Body) != msError {
		t.Fatalf("MS's 500 should pass through: %+v, %v", resp, err)
	}
}

func TestLoginRejectsBadTokens(t *testing.T) {
	t.Parallel()
	exp := time.Now().Add(time.Hour)
	good := func(typ string) string { return signJWT(t, testKey, "HS256", nil, msClaims(typ, 3, exp)) }
	cases := map[string]string{
		"not JSON":                       `<html>`,
		"no refresh token":               `{"access_token": "` + good(TokenAccess) + `"}`,
		"garbage tokens":                 `{"access_token": "a", "refresh_token": "b"}`,
		"tokens signed with another key": `{"access_token": "` + signJWT(t, []byte("other"), "HS256", nil, msClaims(TokenAccess, 3, exp)) + `", "refresh_token": "` + good(TokenRefresh) + `"}`,
		"tokens swapped":                 `{"access_token": "` + good(TokenRefresh) + `", "refresh_token": "` + good(TokenAccess) + `"}`,
		"tokens of two users":            `{"access_token": "` + good(TokenAccess) + `", "refresh_token": "` + signJWT(t, testKey, "HS256", nil, msClaims(TokenRefresh, 4, exp)) + `"}`,
	}
	for name, body := range cases {
		u := newUpstream(t, answer(200, body))
		c := newTestClient(t, Config{BaseURL: u.URL, JWTSecret: testKey})
		tok, resp, err := c.Login(t.Context(), "alice", "pw", "")
		if !isKind(err, KindBadAnswer) || resp != nil || !tok.Access.Empty() {
			t.Errorf("%s: Login = %+v, %+v, %v; want KindBadAnswer", name, tok, resp, err)
		}
		if name == "tokens signed with another key" && !errors.Is(err, ErrTokenInvalid) {
			t.Errorf("%s: err = %v should wrap ErrTokenInvalid", name, err)
		}
	}
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	f, u := newFakeMS(t, testKey)
	c := newTestClient(t, Config{BaseURL: u.URL, JWTSecret: testKey})
	refresh := msToken(t, testKey, TokenRefresh, 3, time.Now().Add(time.Hour))

	access, resp, err := c.Refresh(t.Context(), refresh, "rid-2")
	if err != nil || resp != nil {
		t.Fatalf("Refresh = %+v, %v", resp, err)
	}
	if cl, err := c.ParseToken(access, TokenAccess); err != nil || cl.Identity != 3 {
		t.Fatalf("new access token: %+v, %v", cl, err)
	}
	f.mu.Lock()
	if f.header.Get("Authorization") != "Bearer "+refresh.Reveal() || f.header.Get("X-Request-Id") != "rid-2" ||
		f.body != "" || f.length != 0 || f.header.Get("Content-Type") != "" {
		t.Fatalf("refresh request: headers %v, body %q", f.header, f.body)
	}
	f.mu.Unlock()

	_, resp, err = c.Refresh(t.Context(), "expired", "")
	if err != nil || resp == nil || resp.Status != 401 || resp.AuthFailure() != AuthExpired {
		t.Fatalf("expired refresh = %+v, %v", resp, err)
	}

	u.set(answer(200, `{"access_token": "`+string(msToken(t, []byte("other"), TokenAccess, 3, time.Now().Add(time.Hour)))+`"}`))
	if _, _, err := c.Refresh(t.Context(), refresh, ""); !isKind(err, KindBadAnswer) || !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("forged refresh answer: %v", err)
	}
	u.set(answer(200, `{"access_token": "`+refresh.Reveal()+`"}`))
	if _, _, err := c.Refresh(t.Context(), refresh, ""); !isKind(err, KindBadAnswer) {
		t.Fatalf("a refresh token handed back as access token: %v", err)
	}
	u.set(answer(200, `{}`))
	if _, _, err := c.Refresh(t.Context(), refresh, ""); !isKind(err, KindBadAnswer) || strings.Contains(err.Error(), refresh.Reveal()) {
		t.Fatalf("empty refresh answer: %v", err)
	}
}
