package handlers

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/bit/sqlitestore"
	"github.com/anitab-org/bridge-in-tech-bff/internal/storewatch"
	"github.com/anitab-org/bridge-in-tech-bff/internal/testkit"
)

// openTestStore opens an SQLite store in the test's temporary folder, wrapped as the app wraps it.
func openTestStore(t testing.TB, obs storewatch.Observer, timeout time.Duration, clock *testkit.Clock) (*bit.Service, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bit.db")
	st, err := sqlitestore.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("opening the test store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if timeout == 0 {
		timeout = 2 * time.Second
	}
	return bit.NewService(storewatch.Wrap(st, timeout, obs), bit.Options{Now: clock.Now}), path
}

// signToken makes an MS-shaped access token for identity, signed with key, expiring at exp.
func signToken(t testing.TB, key []byte, identity int64, typ string, exp time.Time) string {
	t.Helper()
	tok, err := jwt.NewBuilder().Claim("identity", identity).Claim("type", typ).Claim("fresh", false).
		Claim("jti", "forged").IssuedAt(exp.Add(-10 * time.Minute)).NotBefore(exp.Add(-10 * time.Minute)).Expiration(exp).Build()
	if err != nil {
		t.Fatal(err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.HS256, key))
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}

// unsignedToken is an "alg": "none" token naming identity.
func unsignedToken(identity int64, exp time.Time) string {
	enc := base64.RawURLEncoding.EncodeToString
	header, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT"})
	claims, _ := json.Marshal(map[string]any{"identity": identity, "type": "access", "fresh": false, "jti": "x",
		"iat": exp.Add(-time.Minute).Unix(), "nbf": exp.Add(-time.Minute).Unix(), "exp": exp.Unix()})
	return enc(header) + "." + enc(claims) + "."
}

// validAdditionalInfo is a #6 body the old API accepts.
func validAdditionalInfo(phone string) map[string]any {
	return map[string]any{"is_organization_rep": true, "timezone": "Europe/London", "phone": phone,
		"mobile": "+44 7700 900000", "personal_website": "https://example.org"}
}
