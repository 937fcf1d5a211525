package emulator

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func decodeSegment(t *testing.T, seg string) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatalf("segment %q: %v", seg, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("segment %s: %v", b, err)
	}
	return m
}

func TestIssuedTokensCarryFlaskJWTExtendedClaims(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	access, refresh := h.login("mentoruser", "mentorpass1")
	now := float64(h.clock.Now().Unix())
	for _, tc := range []struct {
		name, token, typ string
		ttl              time.Duration
	}{
		{"the access token lives ten minutes and is not fresh", access, "access", 10 * time.Minute},
		{"the refresh token lives four weeks and has no fresh claim", refresh, "refresh", 28 * 24 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parts := strings.Split(tc.token, ".")
			if len(parts) != 3 {
				t.Fatalf("not a compact JWS: %q", tc.token)
			}
			hdr := decodeSegment(t, parts[0])
			if hdr["alg"] != "HS256" || hdr["typ"] != "JWT" || len(hdr) != 2 {
				t.Errorf("header %v", hdr)
			}
			c := decodeSegment(t, parts[1])
			if c["identity"] != float64(mentorID) || c["type"] != tc.typ {
				t.Errorf("claims %v", c)
			}
			if c["iat"] != now || c["nbf"] != now || c["exp"] != now+tc.ttl.Seconds() {
				t.Errorf("times %v %v %v, now %v", c["iat"], c["nbf"], c["exp"], now)
			}
			if id, err := uuid.Parse(c["jti"].(string)); err != nil || id.Version() != 4 {
				t.Errorf("jti %v is not a UUID4", c["jti"])
			}
			fresh, hasFresh := c["fresh"]
			if (tc.typ == "access") != hasFresh || (hasFresh && fresh != false) {
				t.Errorf("fresh claim %v present=%v", fresh, hasFresh)
			}
			for _, k := range []string{"sub", "user_claims", "csrf", "iss", "aud"} {
				if _, ok := c[k]; ok {
					t.Errorf("unexpected claim %s", k)
				}
			}
		})
	}
}

func TestTokenChecksAnswerTheThreeMessages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	access, refresh := h.login("mentoruser", "mentorpass1")
	now := h.clock.Now().Unix()
	hs256 := map[string]any{"typ": "JWT", "alg": "HS256"}
	claims := func(mod func(map[string]any)) map[string]any {
		c := map[string]any{"identity": mentorID, "type": "access", "fresh": false, "jti": uuid.NewString(),
			"iat": now, "nbf": now, "exp": now + 600}
		if mod != nil {
			mod(c)
		}
		return c
	}
	sign := func(mod func(map[string]any)) string { return craftToken(hs256, claims(mod), testSecret) }
	cases := []struct {
		name, header, want string
	}{
		{"no header at all is a missing token", "", msgTokenMissing},
		{"a scheme other than Bearer is invalid", "Token " + access, msgTokenInvalid},
		{"a lowercase bearer is invalid", "bearer " + access, msgTokenInvalid},
		{"Bearer without a token is invalid", "Bearer", msgTokenInvalid},
		{"three parts are invalid", "Bearer " + access + " extra", msgTokenInvalid},
		{"garbage is invalid", "Bearer not-a-jwt", msgTokenInvalid},
		{"a token signed with another key is invalid", "Bearer " + craftToken(hs256, claims(nil), []byte("other")), msgTokenInvalid},
		{"HS512 is refused although the key is right", "Bearer " + craftToken(map[string]any{"typ": "JWT", "alg": "HS512"}, claims(nil), testSecret), msgTokenInvalid},
		{"alg none is refused", "Bearer " + craftToken(map[string]any{"typ": "JWT", "alg": "none"}, claims(nil), nil), msgTokenInvalid},
		{"a tampered payload is invalid", "Bearer " + tamper(access), msgTokenInvalid},
		{"a not-before in the future is invalid", "Bearer " + sign(func(c map[string]any) { c["nbf"] = now + 60 }), msgTokenInvalid},
		{"a token without identity is invalid", "Bearer " + sign(func(c map[string]any) { delete(c, "identity") }), msgTokenInvalid},
		{"an unknown token type is invalid", "Bearer " + sign(func(c map[string]any) { c["type"] = "id" }), msgTokenInvalid},
		{"an audience nobody asked for is invalid", "Bearer " + sign(func(c map[string]any) { c["aud"] = "x" }), msgTokenInvalid},
		{"a refresh token on an access endpoint is invalid", "Bearer " + refresh, msgTokenInvalid},
		{"an expired token has expired", "Bearer " + sign(func(c map[string]any) { c["exp"] = now - 1 }), msgTokenExpired},
		{"a bad signature wins over expiry", "Bearer " + craftToken(hs256, claims(func(c map[string]any) { c["exp"] = now - 1 }), []byte("other")), msgTokenInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, h.doHeader("GET", "/user", tc.header, nil), http.StatusUnauthorized, tc.want)
		})
	}
	t.Run("an access token on /refresh is invalid", func(t *testing.T) {
		expect(t, h.doHeader("POST", "/refresh", "Bearer "+access, nil), http.StatusUnauthorized, msgTokenInvalid)
	})
	accepted := []struct{ name, header string }{
		{"a comma-separated header list is tolerated", "Basic dXNlcjpwdw==, Bearer " + access},
		{"a token without a type claim counts as an access token", "Bearer " + sign(func(c map[string]any) { delete(c, "type") })},
		{"a token without exp never expires", "Bearer " + sign(func(c map[string]any) { delete(c, "exp") })},
	}
	for _, tc := range accepted {
		t.Run(tc.name, func(t *testing.T) { expectStatus(t, h.doHeader("GET", "/user", tc.header, nil), http.StatusOK) })
	}
}

func tamper(tok string) string {
	parts := strings.Split(tok, ".")
	c, _ := base64.RawURLEncoding.DecodeString(parts[1])
	c = []byte(strings.Replace(string(c), `"identity":2`, `"identity":1`, 1))
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(c) + "." + parts[2]
}

func TestTokensExpireByTheEmulatorClock(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	access, refresh := h.login("menteeuser", "menteepass1")
	bearer := func(tok string) string { return "Bearer " + tok }

	h.clock.Advance(10 * time.Minute)
	expectStatus(t, h.doHeader("GET", "/user", bearer(access), nil), http.StatusOK) // exp == now is still valid
	h.clock.Advance(time.Second)
	expect(t, h.doHeader("GET", "/user", bearer(access), nil), http.StatusUnauthorized, msgTokenExpired)

	r := h.doHeader("POST", "/refresh", bearer(refresh), nil)
	expectStatus(t, r, http.StatusOK)
	body := r.object(t)
	if len(body) != 1 || body["access_token"] == nil {
		t.Fatalf("refresh answer %s", r.body)
	}
	fresh := body["access_token"].(string)
	expectStatus(t, h.doHeader("GET", "/user", bearer(fresh), nil), http.StatusOK)

	h.clock.Advance(28 * 24 * time.Hour)
	expect(t, h.doHeader("POST", "/refresh", bearer(refresh), nil), http.StatusUnauthorized, msgTokenExpired)
}

func TestTokensStayValidForADeletedUser(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, refresh := h.login("otheruser", "otherpass1")
	expect(t, h.do("DELETE", "/user", "otheruser", nil), http.StatusOK, "User was deleted successfully.")
	expectStatus(t, h.doHeader("POST", "/refresh", "Bearer "+refresh, nil), http.StatusOK)
}
