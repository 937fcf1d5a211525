package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const goodKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(map[string]string{"SESSION_KEYS": goodKey, "MS_BASE_URL": "https://ms.example.org"}, nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Port != 5000 || c.BaseURL != "https://ms.example.org" || c.AppEnv != EnvProduction || c.CookieSameSite != "Lax" || !c.CookieSecure ||
		c.MSTimeout != 10*time.Second || c.ExposeTokens || c.BreakerFailures != 5 ||
		c.BreakerOpenFor != 10*time.Second || c.BodyLimit != 1<<20 || c.ShutdownGrace != 25*time.Second {
		t.Fatalf("defaults differ from the contract: %+v", c)
	}
	if c.CookieName() != "__Host-bit_session" {
		t.Fatalf("CookieName() = %q", c.CookieName())
	}
	if len(c.SessionKeys) != 1 || len(c.SessionKeys[0]) != 32 {
		t.Fatalf("keys not decoded: %d", len(c.SessionKeys))
	}
}

func TestLoadReadsEveryVariable(t *testing.T) {
	t.Parallel()
	static := t.TempDir()
	if err := os.WriteFile(filepath.Join(static, "index.html"), []byte("<!doctype html>"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(map[string]string{
		"PORT": "8080", "MS_BASE_URL": "https://ms.example.org/api", "SESSION_KEYS": goodKey + "," + strings.ToUpper(goodKey[:62]) + "ff",
		"MS_JWT_SECRET": "s3cr3t", "ALLOWED_ORIGINS": "https://App.Example.org:443, http://localhost:3000",
		"COOKIE_SAMESITE": "none", "COOKIE_SECURE": "true", "MS_TIMEOUT": "3s", "EXPOSE_TOKENS": "true",
		"STATIC_DIR": static, "BREAKER_FAILURES": "7", "BREAKER_OPEN_TIMEOUT": "2s", "LOG_LEVEL": "debug",
	}, nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Port != 8080 || c.BaseURL != "https://ms.example.org/api" || len(c.SessionKeys) != 2 ||
		c.MSJWTSecret.Reveal() != "s3cr3t" || c.CookieSameSite != "None" || c.MSTimeout != 3*time.Second ||
		!c.ExposeTokens || c.StaticDir != static || c.BreakerFailures != 7 || c.BreakerOpenFor != 2*time.Second {
		t.Fatalf("unexpected config: %+v", c)
	}
	want := []string{"https://app.example.org", "http://localhost:3000"}
	if strings.Join(c.AllowedOrigins, " ") != strings.Join(want, " ") {
		t.Fatalf("origins = %v, want %v", c.AllowedOrigins, want)
	}
}

func TestLoadRefusesUnsafeOrMalformed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		env     map[string]string
		wantVar string
	}{
		{"a missing key outside development mode", map[string]string{"SESSION_KEYS": ""}, "SESSION_KEYS"},
		{"production without MS_BASE_URL", map[string]string{"MS_BASE_URL": ""}, "MS_BASE_URL"},
		{"a short key", map[string]string{"SESSION_KEYS": "abcd"}, "SESSION_KEYS"},
		{"a malformed second key", map[string]string{"SESSION_KEYS": goodKey + ",zz"}, "SESSION_KEYS"},
		{"SameSite=None without Secure", map[string]string{"SESSION_KEYS": goodKey, "COOKIE_SAMESITE": "None", "COOKIE_SECURE": "false"}, "COOKIE_SAMESITE"},
		{"an unknown SameSite", map[string]string{"SESSION_KEYS": goodKey, "COOKIE_SAMESITE": "sometimes"}, "COOKIE_SAMESITE"},
		{"a star origin", map[string]string{"SESSION_KEYS": goodKey, "ALLOWED_ORIGINS": "*"}, "ALLOWED_ORIGINS"},
		{"an origin with a path", map[string]string{"SESSION_KEYS": goodKey, "ALLOWED_ORIGINS": "https://a.example/app"}, "ALLOWED_ORIGINS"},
		{"an origin without scheme", map[string]string{"SESSION_KEYS": goodKey, "ALLOWED_ORIGINS": "a.example"}, "ALLOWED_ORIGINS"},
		{"a null origin", map[string]string{"SESSION_KEYS": goodKey, "ALLOWED_ORIGINS": "null"}, "ALLOWED_ORIGINS"},
		{"an extra CSP source that allows inline scripts", map[string]string{"SESSION_KEYS": goodKey, "CONTENT_SECURITY_POLICY_EXTRA": "script-src 'unsafe-inline'"}, "CONTENT_SECURITY_POLICY_EXTRA"},
		{"extra CSP sources beside a whole policy", map[string]string{"SESSION_KEYS": goodKey, "CONTENT_SECURITY_POLICY": "default-src 'self'", "CONTENT_SECURITY_POLICY_EXTRA": "font-src https://f.example"}, "CONTENT_SECURITY_POLICY_EXTRA"},
		{"a wildcard subdomain origin", map[string]string{"SESSION_KEYS": goodKey, "ALLOWED_ORIGINS": "https://*.example.org"}, "ALLOWED_ORIGINS"},
		{"a relative MS URL", map[string]string{"SESSION_KEYS": goodKey, "MS_BASE_URL": "/ms"}, "MS_BASE_URL"},
		{"an ftp MS URL", map[string]string{"SESSION_KEYS": goodKey, "MS_BASE_URL": "ftp://ms"}, "MS_BASE_URL"},
		{"a port that is not a number", map[string]string{"SESSION_KEYS": goodKey, "PORT": "http"}, "PORT"},
		{"a port out of range", map[string]string{"SESSION_KEYS": goodKey, "PORT": "70000"}, "PORT"},
		{"a negative port", map[string]string{"SESSION_KEYS": goodKey, "PORT": "-1"}, "PORT"},
		{"a timeout that is not a duration", map[string]string{"SESSION_KEYS": goodKey, "MS_TIMEOUT": "10"}, "MS_TIMEOUT"},
		{"a zero timeout", map[string]string{"SESSION_KEYS": goodKey, "MS_TIMEOUT": "0s"}, "MS_TIMEOUT"},
		{"a non-boolean Secure flag", map[string]string{"SESSION_KEYS": goodKey, "COOKIE_SECURE": "maybe"}, "COOKIE_SECURE"},
		{"zero breaker failures", map[string]string{"SESSION_KEYS": goodKey, "BREAKER_FAILURES": "0"}, "BREAKER_FAILURES"},
		{"an unknown environment", map[string]string{"SESSION_KEYS": goodKey, "APP_ENV": "staging"}, "APP_ENV"},
		{"an unknown log level", map[string]string{"SESSION_KEYS": goodKey, "LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{"a static folder that does not exist", map[string]string{"SESSION_KEYS": goodKey, "STATIC_DIR": "/nonexistent/build"}, "STATIC_DIR"},
		{"a tiny body limit", map[string]string{"SESSION_KEYS": goodKey, "BODY_LIMIT": "10"}, "BODY_LIMIT"},
		{"a database URL of an unknown kind", map[string]string{"SESSION_KEYS": goodKey, "DATABASE_URL": "mysql://u:hunter2@db/x"}, "DATABASE_URL"},
		{"a postgres URL without a host", map[string]string{"SESSION_KEYS": goodKey, "DATABASE_URL": "postgres:///x"}, "DATABASE_URL"},
		{"an SQLite URL without a file", map[string]string{"SESSION_KEYS": goodKey, "DATABASE_URL": "sqlite:"}, "DATABASE_URL"},
		{"a zero database timeout", map[string]string{"SESSION_KEYS": goodKey, "DB_TIMEOUT": "0s"}, "DB_TIMEOUT"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"SESSION_KEYS": goodKey, "MS_BASE_URL": "https://ms.example.org"}
			for k, v := range tc.env {
				env[k] = v
			}
			_, err := Load(env, nil)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("want *config.Error naming %s, got %v", tc.wantVar, err)
			}
			if ce.Var != tc.wantVar || !strings.HasPrefix(err.Error(), "config: "+tc.wantVar+": ") {
				t.Fatalf("error %q does not name %s", err, tc.wantVar)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
			if k := tc.env["SESSION_KEYS"]; len(k) > 8 && strings.Contains(err.Error(), k[len(k)-8:]) {
				t.Fatalf("error echoes key material: %q", err)
			}
		})
	}
}

func TestDevelopmentModeMakesAKey(t *testing.T) {
	t.Parallel()
	c, err := Load(map[string]string{"APP_ENV": "development", "COOKIE_SECURE": "false"}, nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !c.GeneratedKey || len(c.SessionKeys) != 1 || len(c.SessionKeys[0]) != 32 {
		t.Fatalf("no generated key: %+v", c)
	}
	if c.CookieName() != "bit_session" {
		t.Fatalf("CookieName() = %q", c.CookieName())
	}
	if c.BaseURL != DevelopmentBaseURL {
		t.Fatalf("development mode without MS_BASE_URL should use %s, got %q", DevelopmentBaseURL, c.BaseURL)
	}
}

// TestLoadReportsEveryProblemAtOnce: several bad settings give one line each, every variable named once (a
// value that does not parse is not also reported as out of range), and errors.As still finds a *config.Error.
func TestLoadReportsEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	_, err := Load(map[string]string{
		"PORT": "http", "MS_TIMEOUT": "10", "COOKIE_SAMESITE": "sometimes", "ALLOWED_ORIGINS": "*,https://a.example/app",
		"LOG_LEVEL": "loud", "BODY_LIMIT": "10", "BREAKER_FAILURES": "0",
	}, nil)
	if err == nil {
		t.Fatal("Load accepted seven bad settings")
	}
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("errors.As finds no *config.Error in %v", err)
	}
	want := []string{"PORT", "MS_TIMEOUT", "MS_BASE_URL", "SESSION_KEYS", "COOKIE_SAMESITE", "ALLOWED_ORIGINS",
		"ALLOWED_ORIGINS", "BREAKER_FAILURES", "BODY_LIMIT", "LOG_LEVEL"}
	var got []string
	for _, line := range strings.Split(err.Error(), "\n") {
		rest, ok := strings.CutPrefix(line, "config: ")
		name, _, found := strings.Cut(rest, ": ")
		if !ok || !found {
			t.Fatalf("line %q is not \"config: VAR: reason\"", line)
		}
		got = append(got, name)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("reported %v, want %v; the error:\n%s", got, want, err)
	}
}

func TestEnvironmentWinsOverDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(map[string]string{"SESSION_KEYS": goodKey, "MS_BASE_URL": "https://ms.example.org", "HOST": "127.0.0.1"},
		map[string]string{"HOST": "0.0.0.0", "COOKIE_SECURE": "false"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Host != "127.0.0.1" || c.CookieSecure {
		t.Fatalf("host %q secure %v", c.Host, c.CookieSecure)
	}
}

func TestNormalizeOrigin(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"http://localhost:3000":    "http://localhost:3000",
		"HTTPS://EXAMPLE.org":      "https://example.org",
		"https://example.org:443":  "https://example.org",
		"http://example.org:80/":   "http://example.org",
		"http://[::1]:8080":        "http://[::1]:8080",
		"https://app.example:8443": "https://app.example:8443",
	} {
		got, err := NormalizeOrigin(in)
		if err != nil || got != want {
			t.Errorf("NormalizeOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "*", "null", "example.org", "https://", "https://a.example?x=1", "https://u:p@a.example", "javascript:alert(1)", "https://a.example/#x"} {
		if got, err := NormalizeOrigin(in); err == nil {
			t.Errorf("NormalizeOrigin(%q) = %q, want an error", in, got)
		}
	}
}
