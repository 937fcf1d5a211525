package msclient

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"hash"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/internal/testkit"
	"github.com/anitab-org/bridge-in-tech-bff/secret"
)

var testKey = []byte("test-secret-key-of-the-mentorship-system")

// fataler is the part of testing.TB the token helpers need.
type fataler interface {
	Helper()
	Fatal(args ...any)
}

// signJWT builds a compact JWS by hand, so tests can forge any header (alg none, alg confusion).
func signJWT(t fataler, key []byte, alg string, header, claims map[string]any) string {
	t.Helper()
	h := map[string]any{"typ": "JWT", "alg": alg}
	for k, v := range header {
		h[k] = v
	}
	hb, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	input := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(pb)
	var fn func() hash.Hash
	switch alg {
	case "HS256":
		fn = sha256.New
	case "HS512":
		fn = sha512.New
	default:
		return input + "."
	}
	m := hmac.New(fn, key)
	m.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// msClaims are the claims Flask-JWT-Extended 3.x writes (docs/MS.md#claims).
func msClaims(typ string, id int64, exp time.Time) map[string]any {
	c := map[string]any{
		"identity": id, "type": typ, "jti": "6f1c1f3e-8a57-4c5e-9b0e-3c8d2f1a7b90",
		"iat": exp.Add(-10 * time.Minute).Unix(), "nbf": exp.Add(-10 * time.Minute).Unix(), "exp": exp.Unix(),
	}
	if typ == TokenAccess {
		c["fresh"] = false
	}
	return c
}

func msToken(t fataler, key []byte, typ string, id int64, exp time.Time) secret.String {
	return secret.String(signJWT(t, key, "HS256", nil, msClaims(typ, id, exp)))
}

func newTestClient(t testing.TB, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// upstream is an httptest MS stand-in whose behaviour tests switch at run time.
type upstream struct {
	*httptest.Server
	calls   atomic.Int64
	conns   atomic.Int64
	handler atomic.Pointer[http.HandlerFunc]
}

func newUpstream(t testing.TB, h http.HandlerFunc) *upstream {
	t.Helper()
	u := &upstream{}
	u.set(h)
	u.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.calls.Add(1)
		(*u.handler.Load())(w, r)
	}))
	u.Server.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			u.conns.Add(1)
		}
	}
	u.Start()
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) set(h http.HandlerFunc) { u.handler.Store(&h) }

func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// hang blocks until the client gives up. The body is read first: net/http notices a closed connection
// (and cancels r.Context) only once the request body has been consumed.
func hang(arrived chan<- struct{}) http.HandlerFunc {
	return func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if arrived != nil {
			arrived <- struct{}{}
		}
		<-r.Context().Done()
	}
}

// logBuffer captures log output safely across goroutines.
type logBuffer struct{ testkit.SyncBuffer }

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
