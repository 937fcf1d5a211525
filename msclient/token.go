package msclient

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/anitab-org/bridge-in-tech-bff/secret"
)

// Token types as MS writes them in the "type" claim.
const (
	TokenAccess  = "access"
	TokenRefresh = "refresh"
)

// Token errors. Every ParseToken error wraps exactly one of them; the handler answers like MS would:
// ErrTokenExpired → 401 MessageTokenExpired, ErrTokenInvalid → 401 MessageTokenInvalid.
var (
	ErrTokenInvalid = errors.New("msclient: token invalid")
	ErrTokenExpired = errors.New("msclient: token expired")
)

// maxTokenLen bounds the work spent on a token from outside; MS tokens are about 300 bytes.
const maxTokenLen = 8 << 10

// Claims are the parts of an MS JWT the BFF uses.
type Claims struct {
	Identity int64     // the MS user id (claim "identity"; MS tokens have no "sub")
	Type     string    // "access" or "refresh"
	Expires  time.Time // claim "exp"
}

// AuthorizationBearer makes the Authorization header value "Bearer <tok>".
func AuthorizationBearer(tok secret.String) secret.String {
	return secret.String("Bearer " + tok.Reveal())
}

// ParseToken reads an MS JWT with jwx and checks it the way MS does, in MS's order: with Config.JWTSecret set,
// the signature must verify as HS256 (jwx refuses every other algorithm for an HS256 key; else
// ErrTokenInvalid), then "exp" must not have passed (else ErrTokenExpired, returned together with the
// otherwise valid Claims, so a caller can still read the identity). Without a secret the signature and
// expiry are not checked: the claims are only read and MS remains the judge. In both modes the token must
// carry an integer "identity" and an "exp", and when wantType is not "" the "type" claim must equal it (else
// ErrTokenInvalid). "nbf" is left to MS, so clock skew between the BFF and MS never refuses a token MS would
// take. Errors never contain the token.
//
// It runs at login, at refresh and on Bearer requests when a secret is set; never on the cookie hot path,
// whose session already carries the claims it needs.
func (c *Client) ParseToken(tok secret.String, wantType string) (Claims, error) {
	t := tok.Reveal()
	if len(t) == 0 || len(t) > maxTokenLen {
		return Claims{}, invalid("empty or oversized")
	}
	opts := []jwt.ParseOption{jwt.WithValidate(false)} // expiry is judged below, in MS's order
	if c.jwtKey != nil {
		// jwx verifies with the algorithm of the key it is given; MS (PyJWT) also refuses a header that names
		// any other algorithm, so the header is checked too.
		if err := checkHeader(strings.SplitN(t, ".", 2)[0]); err != nil {
			return Claims{}, err
		}
		opts = append(opts, jwt.WithKey(jwa.HS256, c.jwtKey))
	} else {
		opts = append(opts, jwt.WithVerify(false))
	}
	parsed, err := jwt.ParseString(t, opts...)
	if err != nil {
		return Claims{}, invalid("not a valid HS256 JWT") // jwx's message may quote token parts: not kept
	}
	cl, err := claimsOf(parsed)
	if err != nil {
		return Claims{}, err
	}
	if c.jwtKey != nil && c.now().Unix() > cl.Expires.Unix() {
		// PyJWT's rule: expired once the current whole second is past exp. Expiry is checked before the
		// type, as MS does.
		return cl, ErrTokenExpired
	}
	if wantType != "" && cl.Type != wantType {
		return Claims{}, invalid("wrong token type")
	}
	return cl, nil
}

func invalid(reason string) error { return fmt.Errorf("%w: %s", ErrTokenInvalid, reason) }

// claimsOf reads identity, type and exp from a parsed token. MS writes "identity" as a JSON integer
// (Flask-JWT-Extended 3.x; no "sub"), which jwx decodes as a float64.
func claimsOf(t jwt.Token) (Claims, error) {
	raw, ok := t.Get("identity")
	if !ok {
		return Claims{}, invalid("no identity claim")
	}
	f, ok := raw.(float64)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return Claims{}, invalid("no integer identity claim")
	}
	exp := t.Expiration()
	if exp.IsZero() {
		return Claims{}, invalid("no numeric exp claim")
	}
	typ, _ := t.Get("type")
	ts, _ := typ.(string)
	return Claims{Identity: int64(f), Type: ts, Expires: time.Unix(exp.Unix(), 0)}, nil
}

// The protected headers Flask-JWT-Extended (PyJWT) and jwx write for HS256, base64url-encoded: a token
// carrying one of them skips decoding its header.
const (
	headerPyJWT = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9" // {"typ":"JWT","alg":"HS256"}
	headerJWX   = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" // {"alg":"HS256","typ":"JWT"}
)

// checkHeader accepts only a JSON header whose alg is exactly HS256.
func checkHeader(header string) error {
	if header == headerPyJWT || header == headerJWX {
		return nil
	}
	hb, err := base64.RawURLEncoding.DecodeString(header)
	if err != nil {
		return invalid("header is not base64url")
	}
	var h struct {
		Alg *string `json:"alg"`
	}
	if err := json.Unmarshal(hb, &h); err != nil {
		return invalid("header is not JSON")
	}
	if h.Alg == nil || *h.Alg != "HS256" {
		return invalid("algorithm is not HS256")
	}
	return nil
}
