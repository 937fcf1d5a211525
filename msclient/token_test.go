package msclient

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/anitab-org/bridge-in-tech-bff/secret"
)

var fixedNow = time.Unix(1_750_000_000, 0)

func tokenClient(t testing.TB, key []byte) *Client {
	c := newTestClient(t, Config{BaseURL: "http://127.0.0.1:1", JWTSecret: key})
	c.now = func() time.Time { return fixedNow }
	return c
}

func TestParseToken(t *testing.T) {
	t.Parallel()
	exp := fixedNow.Add(10 * time.Minute)
	claims := func(mod func(map[string]any)) map[string]any {
		c := msClaims(TokenAccess, 42, exp)
		mod(c)
		return c
	}
	hs256 := func(c map[string]any) string { return signJWT(t, testKey, "HS256", nil, c) }
	valid := hs256(msClaims(TokenAccess, 42, exp))
	parts := strings.Split(valid, ".")

	tests := []struct {
		name     string
		secret   []byte
		tok      string
		wantType string
		wantErr  error
		wantID   int64
	}{
		{"a valid access token is accepted", testKey, valid, TokenAccess, nil, 42},
		{"a valid token is accepted when no type is asked for", testKey, valid, "", nil, 42},
		{"a valid refresh token is accepted as refresh", testKey, string(msToken(t, testKey, TokenRefresh, 7, exp)), TokenRefresh, nil, 7},
		{"a token expiring this very second is still valid", testKey, hs256(msClaims(TokenAccess, 42, fixedNow)), TokenAccess, nil, 42},
		{"a token expired one second ago is expired", testKey, hs256(msClaims(TokenAccess, 42, fixedNow.Add(-time.Second))), TokenAccess, ErrTokenExpired, 42},
		{"expiry is reported before the wrong type, as MS does", testKey, hs256(msClaims(TokenRefresh, 42, fixedNow.Add(-time.Hour))), TokenAccess, ErrTokenExpired, 42},
		{"a bad signature is invalid", testKey, parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2])), TokenAccess, ErrTokenInvalid, 0},
		{"a bad signature wins over expiry", []byte("another-key"), hs256(msClaims(TokenAccess, 42, fixedNow.Add(-time.Hour))), TokenAccess, ErrTokenInvalid, 0},
		{"a token signed with another key is invalid", []byte("another-key"), valid, TokenAccess, ErrTokenInvalid, 0},
		{"a changed payload breaks the signature", testKey, parts[0] + "." + strings.Split(hs256(msClaims(TokenAccess, 1, exp)), ".")[1] + "." + parts[2], TokenAccess, ErrTokenInvalid, 0},
		{"alg none is invalid", testKey, signJWT(t, nil, "none", nil, msClaims(TokenAccess, 42, exp)), TokenAccess, ErrTokenInvalid, 0},
		{"alg none with the signature stripped is invalid", testKey, parts[0] + "." + parts[1] + ".", TokenAccess, ErrTokenInvalid, 0},
		{"a real HS512 token is invalid", testKey, signJWT(t, testKey, "HS512", nil, msClaims(TokenAccess, 42, exp)), TokenAccess, ErrTokenInvalid, 0},
		{"an HS256 signature under a header claiming HS512 is invalid", testKey, signJWT(t, testKey, "HS256", map[string]any{"alg": "HS512"}, msClaims(TokenAccess, 42, exp)), TokenAccess, ErrTokenInvalid, 0},
		{"a lower-case alg is invalid", testKey, signJWT(t, testKey, "HS256", map[string]any{"alg": "hs256"}, msClaims(TokenAccess, 42, exp)), TokenAccess, ErrTokenInvalid, 0},
		{"a refresh token where an access token is wanted is invalid", testKey, string(msToken(t, testKey, TokenRefresh, 42, exp)), TokenAccess, ErrTokenInvalid, 0},
		{"an access token where a refresh token is wanted is invalid", testKey, valid, TokenRefresh, ErrTokenInvalid, 0},
		{"a token without identity is invalid", testKey, hs256(claims(func(c map[string]any) { delete(c, "identity") })), TokenAccess, ErrTokenInvalid, 0},
		{"a string identity is invalid", testKey, hs256(claims(func(c map[string]any) { c["identity"] = "42" })), TokenAccess, ErrTokenInvalid, 0},
		{"a null identity is invalid", testKey, hs256(claims(func(c map[string]any) { c["identity"] = nil })), TokenAccess, ErrTokenInvalid, 0},
		{"a sub claim does not stand in for identity", testKey, hs256(claims(func(c map[string]any) { delete(c, "identity"); c["sub"] = 42 })), TokenAccess, ErrTokenInvalid, 0},
		{"a token without exp is invalid", testKey, hs256(claims(func(c map[string]any) { delete(c, "exp") })), TokenAccess, ErrTokenInvalid, 0},
		{"a non-numeric exp is invalid", testKey, hs256(claims(func(c map[string]any) { c["exp"] = "soon" })), TokenAccess, ErrTokenInvalid, 0},
		{"a float exp is read", testKey, hs256(claims(func(c map[string]any) { c["exp"] = float64(exp.Unix()) + 0.5 })), TokenAccess, nil, 42},
		{"a future nbf is left to MS", testKey, hs256(claims(func(c map[string]any) { c["nbf"] = fixedNow.Add(time.Hour).Unix() })), TokenAccess, nil, 42},
		{"an empty token is invalid", testKey, "", TokenAccess, ErrTokenInvalid, 0},
		{"garbage is invalid", testKey, "garbage", TokenAccess, ErrTokenInvalid, 0},
		{"two parts are invalid", testKey, parts[0] + "." + parts[1], TokenAccess, ErrTokenInvalid, 0},
		{"four parts are invalid", testKey, valid + ".x", TokenAccess, ErrTokenInvalid, 0},
		{"a non-base64 header is invalid", testKey, "!!." + parts[1] + "." + parts[2], TokenAccess, ErrTokenInvalid, 0},
		{"a Bearer prefix is not a token", testKey, "Bearer " + valid, TokenAccess, ErrTokenInvalid, 0},
		{"an oversized token is invalid", testKey, valid + strings.Repeat("A", maxTokenLen), TokenAccess, ErrTokenInvalid, 0},
		{"without a secret the claims are read", nil, valid, TokenAccess, nil, 42},
		{"without a secret any signature is accepted", nil, parts[0] + "." + parts[1] + ".AAAA", TokenAccess, nil, 42},
		{"without a secret an expired token is still read", nil, hs256(msClaims(TokenAccess, 42, fixedNow.Add(-time.Hour))), TokenAccess, nil, 42},
		{"without a secret the type is still checked", nil, valid, TokenRefresh, ErrTokenInvalid, 0},
		{"without a secret identity is still required", nil, hs256(claims(func(c map[string]any) { delete(c, "identity") })), TokenAccess, ErrTokenInvalid, 0},
		{"without a secret garbage is invalid", nil, "a.b.c", TokenAccess, ErrTokenInvalid, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := tokenClient(t, tt.secret)
			cl, err := c.ParseToken(secret.String(tt.tok), tt.wantType)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if errors.Is(err, ErrTokenExpired) && errors.Is(err, ErrTokenInvalid) {
				t.Fatal("an error is either expired or invalid, never both")
			}
			if cl.Identity != tt.wantID {
				t.Fatalf("identity = %d, want %d", cl.Identity, tt.wantID)
			}
			if err != nil && tt.tok != "" && strings.Contains(err.Error(), tt.tok) {
				t.Fatal("error message contains the token")
			}
		})
	}
}

func TestParseTokenClaims(t *testing.T) {
	t.Parallel()
	c := tokenClient(t, testKey)
	exp := fixedNow.Add(4 * 7 * 24 * time.Hour)
	cl, err := c.ParseToken(msToken(t, testKey, TokenRefresh, 9, exp), TokenRefresh)
	if err != nil {
		t.Fatal(err)
	}
	want := Claims{Identity: 9, Type: TokenRefresh, Expires: exp}
	if cl != want {
		t.Fatalf("claims = %+v, want %+v", cl, want)
	}
}

// TestParseTokenJWXSigned checks interop with tokens signed by jwx itself (as the emulator will).
func TestParseTokenJWXSigned(t *testing.T) {
	t.Parallel()
	tok, err := jwt.NewBuilder().Claim("identity", 5).Claim("type", TokenAccess).
		Expiration(fixedNow.Add(time.Minute)).Build()
	if err != nil {
		t.Fatal(err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.HS256, testKey))
	if err != nil {
		t.Fatal(err)
	}
	cl, err := tokenClient(t, testKey).ParseToken(secret.String(signed), TokenAccess)
	if err != nil || cl.Identity != 5 {
		t.Fatalf("ParseToken = %+v, %v", cl, err)
	}
}

func TestAuthorizationBearer(t *testing.T) {
	t.Parallel()
	if got := AuthorizationBearer("abc.def.ghi").Reveal(); got != "Bearer abc.def.ghi" {
		t.Fatalf("got %q", got)
	}
}

func BenchmarkParseTokenVerified(b *testing.B) {
	c := tokenClient(b, testKey)
	tok := msToken(b, testKey, TokenAccess, 42, fixedNow.Add(time.Minute))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.ParseToken(tok, TokenAccess); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseTokenUnverified(b *testing.B) {
	c := tokenClient(b, nil)
	tok := msToken(b, testKey, TokenAccess, 42, fixedNow.Add(time.Minute))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.ParseToken(tok, TokenAccess); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJWXParseReference measures jwx's full jwt.Parse on the same token, the alternative ParseToken
// does not use, so the choice stays checkable.
func BenchmarkJWXParseReference(b *testing.B) {
	tok := []byte(msToken(b, testKey, TokenAccess, 42, time.Now().Add(5*time.Minute)).Reveal())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := jwt.Parse(tok, jwt.WithKey(jwa.HS256, testKey), jwt.WithValidate(true)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJWSVerifyReference measures jws.Verify (parse + verify, no claims) for comparison.
func BenchmarkJWSVerifyReference(b *testing.B) {
	tok := []byte(msToken(b, testKey, TokenAccess, 42, time.Now().Add(5*time.Minute)).Reveal())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := jws.Verify(tok, jws.WithKey(jwa.HS256, testKey)); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParseToken: whatever arrives in a Bearer header, ParseToken neither panics nor accepts a token that
// fails verification, and its error is exactly one of the two sentinels.
func FuzzParseToken(f *testing.F) {
	exp := fixedNow.Add(time.Minute)
	f.Add(msToken(f, testKey, TokenAccess, 1, exp).Reveal())
	f.Add(msToken(f, testKey, TokenRefresh, 1, exp).Reveal())
	f.Add(msToken(f, testKey, TokenAccess, 1, fixedNow.Add(-time.Minute)).Reveal())
	f.Add(signJWT(f, nil, "none", nil, msClaims(TokenAccess, 1, exp)))
	f.Add(signJWT(f, testKey, "HS512", nil, msClaims(TokenAccess, 1, exp)))
	f.Add("a.b.c")
	f.Add("..")
	f.Add("")
	verified := tokenClient(f, testKey)
	unverified := tokenClient(f, nil)
	f.Fuzz(func(t *testing.T, tok string) {
		for _, c := range []*Client{verified, unverified} {
			cl, err := c.ParseToken(secret.String(tok), "")
			if err != nil && errors.Is(err, ErrTokenInvalid) == errors.Is(err, ErrTokenExpired) {
				t.Fatalf("error %v is not exactly one sentinel", err)
			}
			if err == nil && cl.Expires.IsZero() {
				t.Fatal("accepted a token without exp")
			}
		}
		if _, err := verified.ParseToken(secret.String(tok), ""); err == nil {
			if _, err := jws.Verify([]byte(tok), jws.WithKey(jwa.HS256, testKey)); err != nil {
				t.Fatalf("accepted a token jwx does not verify: %v", err)
			}
		}
	})
}
func TestKnownHeaders(t *testing.T) {
	t.Parallel()
	for _, h := range []string{headerPyJWT, headerJWX} {
		b, err := base64.RawURLEncoding.DecodeString(h)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil || m["alg"] != "HS256" || len(m) != 2 {
			t.Fatalf("header %s = %s", h, b)
		}
	}
	// A header written in another key order or with extra keys still goes the slow way and is accepted.
	tok := signJWT(t, testKey, "HS256", map[string]any{"kid": "k1"}, msClaims(TokenAccess, 1, fixedNow.Add(time.Minute)))
	if _, err := tokenClient(t, testKey).ParseToken(secret.String(tok), TokenAccess); err != nil {
		t.Fatal(err)
	}
}
