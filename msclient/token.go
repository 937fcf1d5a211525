package msclient

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

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

// ParseToken reads an MS JWT and checks it the way MS does, in MS's order: with Config.JWTSecret set, the
// header must say HS256 and the signature must verify (else ErrTokenInvalid), then "exp" must not have
// passed (else ErrTokenExpired, returned together with the otherwise valid Claims, so a caller can still
// read the identity). Without a secret the signature and expiry are not checked: the claims are only read
// and MS remains the judge. In both modes the token must carry an integer "identity" and an "exp", and
// when wantType is not "" the "type" claim must equal it (else ErrTokenInvalid). "nbf" is left to MS, so
// clock skew between the BFF and MS never refuses a token MS would take. Errors never contain the token.
func (c *Client) ParseToken(tok secret.String, wantType string) (Claims, error) {
	t := tok.Reveal()
	if len(t) == 0 || len(t) > maxTokenLen {
		return Claims{}, invalid("empty or oversized")
	}
	dot1 := strings.IndexByte(t, '.')
	dot2 := strings.LastIndexByte(t, '.')
	if dot1 <= 0 || dot2 == dot1 || dot2 == len(t)-1 || strings.IndexByte(t[dot1+1:dot2], '.') >= 0 {
		return Claims{}, invalid("not a compact JWS of three parts")
	}
	header, payload, sig := t[:dot1], t[dot1+1:dot2], t[dot2+1:]

	if c.jwtKey != nil {
		if err := c.verify(header, sig, t[:dot2]); err != nil {
			return Claims{}, err
		}
	}

	cl, err := decodeClaims(payload)
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

// verify checks the protected header's alg and the HS256 signature (computed by jwx) of signingInput.
func (c *Client) verify(header, sig, signingInput string) error {
	if err := checkHeader(header); err != nil {
		return err
	}
	sb, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return invalid("signature is not base64url")
	}
	if err := c.verifier.Verify([]byte(signingInput), sb, c.jwtKey); err != nil {
		return invalid("bad signature")
	}
	return nil
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

// decodeClaims reads identity, type and exp from the base64url payload.
func decodeClaims(payload string) (Claims, error) {
	pb, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return Claims{}, invalid("payload is not base64url")
	}
	var p struct {
		Identity json.RawMessage `json:"identity"`
		Type     string          `json:"type"`
		Exp      json.RawMessage `json:"exp"`
	}
	if err := json.Unmarshal(pb, &p); err != nil {
		return Claims{}, invalid("payload is not a JSON object")
	}
	id, err := strconv.ParseInt(string(p.Identity), 10, 64)
	if err != nil {
		return Claims{}, invalid("no integer identity claim")
	}
	exp, ok := parseNumericDate(p.Exp)
	if !ok {
		return Claims{}, invalid("no numeric exp claim")
	}
	return Claims{Identity: id, Type: p.Type, Expires: exp}, nil
}

// parseNumericDate reads a JWT NumericDate: integer seconds (what MS writes) or a JSON float.
func parseNumericDate(raw json.RawMessage) (time.Time, bool) {
	if len(raw) == 0 || raw[0] == '"' || raw[0] == 'n' {
		return time.Time{}, false
	}
	if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return time.Unix(n, 0), true
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || f < 0 || f > 1<<40 {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0), true
}
