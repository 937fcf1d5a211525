package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// The three answers of docs/MS.md#the-three-token-refusals (Flask-JWT-Extended callbacks in MS).
const (
	msgTokenMissing = "The authorization token is missing!"
	msgTokenInvalid = "The token is invalid!"
	msgTokenExpired = "The token has expired! Please, login again or refresh it."
)

const (
	tokenAccess  = "access"
	tokenRefresh = "refresh"
)

// issueToken signs a Flask-JWT-Extended 3.x token: claims identity, type, fresh (access only), jti, iat, nbf
// and exp, header {"typ":"JWT","alg":"HS256"}. Times are whole seconds, as PyJWT writes them.
func (s *Server) issueToken(uid int64, kind string, now time.Time) (string, error) {
	ttl := s.accessTTL
	if kind == tokenRefresh {
		ttl = s.refreshTTL
	}
	now = now.Truncate(time.Second)
	t := jwt.New()
	claims := []struct {
		k string
		v any
	}{
		{jwt.IssuedAtKey, now}, {jwt.NotBeforeKey, now}, {jwt.JwtIDKey, uuid.NewString()},
		{jwt.ExpirationKey, now.Add(ttl)}, {"identity", uid}, {"type", kind},
	}
	if kind == tokenAccess {
		claims = append(claims, struct {
			k string
			v any
		}{"fresh", false})
	}
	for _, c := range claims {
		if err := t.Set(c.k, c.v); err != nil {
			return "", fmt.Errorf("set claim %s: %w", c.k, err)
		}
	}
	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.TypeKey, "JWT"); err != nil {
		return "", fmt.Errorf("set typ header: %w", err)
	}
	b, err := jwt.Sign(t, jwt.WithKey(jwa.HS256, s.secret, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", fmt.Errorf("sign %s token: %w", kind, err)
	}
	return string(b), nil
}

var headerListSep = regexp.MustCompile(`,\s*`)

// authenticate runs Flask-JWT-Extended 3.25's checks on an Authorization header and returns the identity, or
// the 401 answer. Order: header → signature and alg (PyJWT accepts only HS256) → iat, nbf, exp, aud claims (a
// bad signature wins over expiry) → identity present → token type.
func (s *Server) authenticate(header string, want authKind, now time.Time) (int64, reply, bool) {
	deny := func(text string) (int64, reply, bool) { return 0, msg(http.StatusUnauthorized, text), false }
	if header == "" {
		return deny(msgTokenMissing)
	}
	var field string
	for _, f := range headerListSep.Split(header, -1) {
		if parts := strings.Fields(f); len(parts) > 0 && parts[0] == "Bearer" {
			field = f
			break
		}
	}
	parts := strings.Fields(field)
	if len(parts) != 2 {
		return deny(msgTokenInvalid)
	}
	raw := []byte(parts[1])
	if bytes.Count(raw, []byte(".")) != 2 {
		return deny(msgTokenInvalid) // PyJWT decodes compact serialization only
	}
	payload, err := jws.Verify(raw, jws.WithKey(jwa.HS256, s.secret))
	if err != nil {
		return deny(msgTokenInvalid)
	}
	claims, ok := decodeClaims(payload)
	if !ok {
		return deny(msgTokenInvalid)
	}
	nowSec := float64(now.Unix()) // PyJWT compares with whole seconds and no leeway
	if v, present := claims["iat"]; present {
		if _, ok := claimInt(v); !ok {
			return deny(msgTokenInvalid)
		}
	}
	if v, present := claims["nbf"]; present {
		nbf, ok := claimInt(v)
		if !ok || nbf > nowSec {
			return deny(msgTokenInvalid)
		}
	}
	if v, present := claims["exp"]; present {
		exp, ok := claimInt(v)
		if !ok {
			return deny(msgTokenInvalid)
		}
		if exp < nowSec {
			return deny(msgTokenExpired)
		}
	}
	if _, present := claims["aud"]; present {
		return deny(msgTokenInvalid) // PyJWT refuses an audience nobody asked for
	}
	identity, present := claims["identity"]
	if !present {
		return deny(msgTokenInvalid)
	}
	typ := tokenAccess // Flask-JWT-Extended 3.x treats a token without type as an access token
	if v, present := claims["type"]; present {
		typ, _ = v.(string)
	}
	if typ != tokenAccess && typ != tokenRefresh {
		return deny(msgTokenInvalid)
	}
	if (want == authAccess) != (typ == tokenAccess) {
		return deny(msgTokenInvalid)
	}
	uid, ok := lookupID(identity)
	if !ok {
		uid = -1 // an identity no user has: handlers answer as for a deleted user
	}
	return uid, reply{}, true
}

func decodeClaims(payload []byte) (map[string]any, bool) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil || claims == nil {
		return nil, false
	}
	return claims, true
}

// claimInt is Python's int(claim) for a time claim.
func claimInt(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		if err != nil || math.IsInf(f, 0) {
			return 0, false
		}
		return math.Trunc(f), true
	case bool:
		f, _ := numberValue(x)
		return f, true
	case string:
		n, ok := pyInt(x)
		return float64(n), ok
	}
	return 0, false
}
