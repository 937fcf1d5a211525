// Package config reads the BFF's settings from the environment once, into one Config, and refuses unsafe or
// malformed combinations, every problem at once, one clear line each that names the variable. It is the only
// package that reads the environment.
package config

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/anitab-org/bridge-in-tech-bff/internal/csp"
	"github.com/anitab-org/bridge-in-tech-bff/secret"
	"github.com/anitab-org/bridge-in-tech-bff/session"
)

// Environments the BFF knows. Development relaxes exactly one rule: SESSION_KEYS may be missing, in which
// case a random key is made at start-up (so every restart logs everybody out; never do that in production).
const (
	EnvProduction  = "production"
	EnvDevelopment = "development"
)

// DevelopmentBaseURL is MS_BASE_URL when development mode is not told otherwise (a local MS or cmd/msemu).
// Production has no default: it must name its MS.
const DevelopmentBaseURL = "http://127.0.0.1:4000"

// CookieBaseName is the session cookie's name without the __Host- prefix.
const CookieBaseName = "bit_session"

// Config is every setting of the BFF, filled once at start-up. The env tags are the contract (docs/CONFIGURATION.md#every-variable).
type Config struct {
	AppEnv  string `env:"APP_ENV" envDefault:"production"`
	Host    string `env:"HOST" envDefault:"0.0.0.0"`
	Port    int    `env:"PORT" envDefault:"5000"`
	BaseURL string `env:"MS_BASE_URL"` // required in production; DevelopmentBaseURL in development

	SessionKeysRaw secret.String `env:"SESSION_KEYS"`
	MSJWTSecret    secret.String `env:"MS_JWT_SECRET"`

	AllowedOrigins []string      `env:"ALLOWED_ORIGINS" envSeparator:","`
	CookieSameSite string        `env:"COOKIE_SAMESITE" envDefault:"Lax"`
	CookieSecure   bool          `env:"COOKIE_SECURE" envDefault:"true"`
	MSTimeout      time.Duration `env:"MS_TIMEOUT" envDefault:"10s"`
	// ExposeTokens gives legacy clients an access_token in the login answer: a handle bound to the session,
	// worth nothing without its cookie. ExposeMSTokens gives the real MS access token instead (and implies
	// ExposeTokens): only for a client that must call MS itself (docs/SESSIONS.md#legacy-clients-and-handles).
	ExposeTokens   bool   `env:"EXPOSE_TOKENS" envDefault:"false"`
	ExposeMSTokens bool   `env:"EXPOSE_MS_TOKENS" envDefault:"false"`
	StaticDir      string `env:"STATIC_DIR"`
	// ContentSecurityPolicy replaces the strict default CSP sent with SPA pages (e.g. for a build with inline
	// scripts).
	ContentSecurityPolicy string `env:"CONTENT_SECURITY_POLICY"`
	// ContentSecurityPolicyExtra adds sources to the policy derived from STATIC_DIR's index.html, e.g.
	// "font-src https://fonts.gstatic.com" for what a CDN stylesheet loads.
	ContentSecurityPolicyExtra string `env:"CONTENT_SECURITY_POLICY_EXTRA"`

	BreakerFailures  uint32        `env:"BREAKER_FAILURES" envDefault:"5"`
	BreakerOpenFor   time.Duration `env:"BREAKER_OPEN_TIMEOUT" envDefault:"10s"`
	BodyLimit        int           `env:"BODY_LIMIT" envDefault:"1048576"`
	LogLevel         string        `env:"LOG_LEVEL" envDefault:"info"`
	ShutdownGrace    time.Duration `env:"SHUTDOWN_GRACE" envDefault:"25s"`
	ReadyTimeout     time.Duration `env:"READY_TIMEOUT" envDefault:"2s"`
	LoginMaxFailures int           `env:"LOGIN_MAX_FAILURES" envDefault:"10"`
	LoginWindow      time.Duration `env:"LOGIN_FAILURE_WINDOW" envDefault:"1m"`

	// Session timeouts (docs/SESSIONS.md): a session ends after SessionIdleTimeout without a request and
	// SessionAbsoluteTimeout after its login; a BridgeInTech route that makes no MS call asks MS again about a
	// session it has trusted for SessionMSRecheck.
	SessionIdleTimeout     time.Duration `env:"SESSION_IDLE_TIMEOUT" envDefault:"24h"`
	SessionAbsoluteTimeout time.Duration `env:"SESSION_ABSOLUTE_TIMEOUT" envDefault:"720h"`
	SessionMSRecheck       time.Duration `env:"SESSION_MS_RECHECK" envDefault:"5m"`

	// Hardening settings (hardening.go): who is trusted, what is public, how much memory bodies may take.
	// TrustProxy's default is decided in applyHardeningDefaults: on only on Heroku (DYNO set).
	TrustProxy              bool          `env:"TRUST_PROXY"`
	LoginAddressMaxFailures int           `env:"LOGIN_ADDRESS_MAX_FAILURES"`
	MetricsToken            secret.String `env:"METRICS_TOKEN"`
	MetricsAddr             string        `env:"METRICS_ADDR"`
	BodyMemory              int           `env:"BODY_MEMORY" envDefault:"33554432"`

	// DatabaseURL is where BridgeInTech's own data lives (docs/CONFIGURATION.md#every-variable): a PostgreSQL URL (Heroku Postgres
	// sets it) or an SQLite file named explicitly. It may carry a password, hence secret.String.
	DatabaseURL secret.String `env:"DATABASE_URL"`
	// DBTimeout bounds one database call; a slow or down database answers 503 at once instead of hanging.
	DBTimeout time.Duration `env:"DB_TIMEOUT" envDefault:"2s"`

	// BridgeInTech's own data under load (docs/CONFIGURATION.md): the programs one organization may have, how many
	// one representative may create per minute, the byte ceiling of one answer, and the cache of representatives'
	// MS names (how long a name is trusted, how many are kept).
	ProgramsPerOrganization int           `env:"BIT_PROGRAMS_PER_ORGANIZATION" envDefault:"50"`
	ProgramCreatesPerMinute int           `env:"BIT_PROGRAM_CREATES_PER_MINUTE" envDefault:"10"`
	AnswerMaxBytes          int           `env:"BIT_ANSWER_MAX_BYTES" envDefault:"4194304"`
	NameCacheTTL            time.Duration `env:"BIT_NAME_CACHE_TTL" envDefault:"5m"`
	NameCacheSize           int           `env:"BIT_NAME_CACHE_SIZE" envDefault:"10000"`

	// SessionKeys is SESSION_KEYS decoded: the first seals, all open.
	SessionKeys [][]byte `env:"-"`
	// GeneratedKey is true when development mode made a random key because SESSION_KEYS was empty.
	GeneratedKey bool `env:"-"`
}

// Error is one configuration problem. Its text is one line; Load joins every problem it finds (errors.Join), so
// the program prints them all, one per line, before it stops. errors.As finds the first.
type Error struct {
	Var    string
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("config: %s: %s", e.Var, e.Reason) }

func bad(v, format string, args ...any) error {
	return &Error{Var: v, Reason: fmt.Sprintf(format, args...)}
}

// Load fills a Config from environ (a map of the environment, e.g. env.ToMap(os.Environ())) and validates it.
// defaults are applied for variables environ lacks, before the built-in defaults (demo mode uses it).
func Load(environ, defaults map[string]string) (*Config, error) {
	merged := make(map[string]string, len(environ)+len(defaults))
	for k, v := range defaults {
		merged[k] = v
	}
	for k, v := range environ {
		merged[k] = v
	}
	var c Config
	var problems []error
	unparsed := map[string]bool{} // variables whose value did not parse: their zero value is not checked again
	if err := env.ParseWithOptions(&c, env.Options{Environment: merged}); err != nil {
		problems = describeParseError(err)
		for _, p := range problems {
			var ce *Error
			if errors.As(p, &ce) {
				unparsed[ce.Var] = true
			}
		}
	}
	c.applyHardeningDefaults(merged)
	for _, p := range append(c.validate(), c.validateHardening()...) {
		var ce *Error
		if !errors.As(p, &ce) || !unparsed[ce.Var] {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return &c, nil
}

// describeParseError turns caarlos0/env's aggregate error into one line per bad variable.
func describeParseError(err error) []error {
	var agg env.AggregateError
	if !errors.As(err, &agg) || len(agg.Errors) == 0 {
		return []error{fmt.Errorf("config: %w", err)}
	}
	out := make([]error, 0, len(agg.Errors))
	for _, e := range agg.Errors {
		var pe env.ParseError
		if !errors.As(e, &pe) {
			out = append(out, fmt.Errorf("config: %w", e))
			continue
		}
		name := pe.Name
		if tag, ok := envTag(name); ok {
			name = tag
		}
		out = append(out, bad(name, "cannot parse as %s", pe.Type))
	}
	return out
}

// validate checks every setting and returns every problem, in the order of the variables.
func (c *Config) validate() []error {
	var problems []error
	report := func(v, format string, args ...any) { problems = append(problems, bad(v, format, args...)) }
	c.AppEnv = strings.ToLower(strings.TrimSpace(c.AppEnv))
	if c.AppEnv != EnvProduction && c.AppEnv != EnvDevelopment {
		report("APP_ENV", "must be %q or %q, not %q", EnvProduction, EnvDevelopment, c.AppEnv)
	}
	if c.Port < 0 || c.Port > 65535 {
		report("PORT", "must be a port number from 1 to 65535 (0 picks a free port, for tests)")
	}
	switch {
	case c.BaseURL == "" && c.AppEnv == EnvDevelopment:
		c.BaseURL = DevelopmentBaseURL
	case c.BaseURL == "":
		report("MS_BASE_URL", "is required outside development mode: the root URL of the Mentorship System API, e.g. https://ms.example.org")
	default:
		if err := checkBaseURL(c.BaseURL); err != nil {
			report("MS_BASE_URL", "%v", err)
		}
	}
	if err := c.loadKeys(); err != nil {
		problems = append(problems, err)
	}
	switch strings.ToLower(c.CookieSameSite) {
	case "lax":
		c.CookieSameSite = "Lax"
	case "strict":
		c.CookieSameSite = "Strict"
	case "none":
		c.CookieSameSite = "None"
		if !c.CookieSecure {
			report("COOKIE_SAMESITE", "None needs COOKIE_SECURE=true (browsers drop SameSite=None cookies that are not Secure)")
		}
	default:
		report("COOKIE_SAMESITE", "must be Lax, Strict or None")
	}
	origins := make([]string, 0, len(c.AllowedOrigins))
	for i, o := range c.AllowedOrigins {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		norm, err := NormalizeOrigin(o)
		if err != nil {
			report("ALLOWED_ORIGINS", "entry %d: %v", i+1, err)
			continue
		}
		origins = append(origins, norm)
	}
	c.AllowedOrigins = origins
	if c.MSTimeout <= 0 {
		report("MS_TIMEOUT", "must be a positive duration such as 10s")
	}
	if c.BreakerFailures < 1 {
		report("BREAKER_FAILURES", "must be at least 1")
	}
	if c.BreakerOpenFor <= 0 {
		report("BREAKER_OPEN_TIMEOUT", "must be a positive duration such as 10s")
	}
	if c.BodyLimit < 1024 || c.BodyLimit > 64<<20 {
		report("BODY_LIMIT", "must be between 1024 and 67108864 bytes")
	}
	if c.ShutdownGrace < 0 {
		report("SHUTDOWN_GRACE", "must not be negative")
	}
	if c.ReadyTimeout <= 0 {
		report("READY_TIMEOUT", "must be a positive duration")
	}
	if c.StaticDir != "" {
		if st, err := os.Stat(c.StaticDir); err != nil || !st.IsDir() {
			report("STATIC_DIR", "%q is not a readable folder", c.StaticDir)
		} else if _, err := os.Stat(filepath.Join(c.StaticDir, "index.html")); err != nil {
			report("STATIC_DIR", "%q has no index.html", c.StaticDir)
		}
	}
	if c.ContentSecurityPolicyExtra != "" {
		if c.ContentSecurityPolicy != "" {
			report("CONTENT_SECURITY_POLICY_EXTRA", "has no effect with CONTENT_SECURITY_POLICY set: add the sources there")
		} else if _, err := csp.ParseExtra(c.ContentSecurityPolicyExtra); err != nil {
			report("CONTENT_SECURITY_POLICY_EXTRA", "%v", err)
		}
	}
	if c.LoginMaxFailures < 1 {
		report("LOGIN_MAX_FAILURES", "must be at least 1")
	}
	if c.LoginWindow <= 0 {
		report("LOGIN_FAILURE_WINDOW", "must be a positive duration")
	}
	if c.SessionIdleTimeout < 10*time.Minute {
		report("SESSION_IDLE_TIMEOUT", "must be at least 10m (the cookie learns of activity every 5 minutes)")
	}
	if c.SessionAbsoluteTimeout < time.Hour || c.SessionAbsoluteTimeout < c.SessionIdleTimeout {
		report("SESSION_ABSOLUTE_TIMEOUT", "must be at least 1h and at least SESSION_IDLE_TIMEOUT")
	}
	if c.SessionMSRecheck < time.Second || c.SessionMSRecheck > time.Hour {
		report("SESSION_MS_RECHECK", "must be between 1s and 1h")
	}
	if _, err := c.SlogLevel(); err != nil {
		report("LOG_LEVEL", "must be debug, info, warn or error")
	}
	if c.DBTimeout <= 0 {
		report("DB_TIMEOUT", "must be a positive duration such as 2s")
	}
	if c.ProgramsPerOrganization < 1 {
		report("BIT_PROGRAMS_PER_ORGANIZATION", "must be at least 1")
	}
	if c.ProgramCreatesPerMinute < 1 {
		report("BIT_PROGRAM_CREATES_PER_MINUTE", "must be at least 1")
	}
	if c.AnswerMaxBytes < 2<<20 {
		report("BIT_ANSWER_MAX_BYTES", "must be at least 2097152 (one largest program must fit)")
	}
	if c.NameCacheTTL <= 0 {
		report("BIT_NAME_CACHE_TTL", "must be a positive duration such as 5m")
	}
	if c.NameCacheSize < 1 {
		report("BIT_NAME_CACHE_SIZE", "must be at least 1")
	}
	if raw := strings.TrimSpace(c.DatabaseURL.Reveal()); raw != "" {
		if err := checkDatabaseURL(raw); err != nil {
			report("DATABASE_URL", "%v", err)
		}
	}
	return problems
}

func (c *Config) loadKeys() error {
	raw := strings.TrimSpace(c.SessionKeysRaw.Reveal())
	if raw == "" {
		if c.AppEnv != EnvDevelopment {
			return bad("SESSION_KEYS", "is required outside development mode (generate one with: openssl rand -hex 32)")
		}
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return fmt.Errorf("config: SESSION_KEYS: generating a development key: %w", err)
		}
		c.SessionKeys, c.GeneratedKey = [][]byte{key}, true
		return nil
	}
	keys, err := session.ParseKeys(raw)
	if err != nil {
		return bad("SESSION_KEYS", "%v", err)
	}
	c.SessionKeys = keys
	return nil
}

func checkBaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("is not a URL")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an absolute http:// or https:// URL")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return errors.New("must not carry a query, fragment or credentials")
	}
	return nil
}

// NormalizeOrigin checks that s is a browser origin (scheme://host[:port], nothing else) and returns it in the
// form browsers send: lower-case scheme and host, default ports dropped.
func NormalizeOrigin(s string) (string, error) {
	if s == "*" {
		return "", errors.New("\"*\" is not allowed: credentials need explicit origins")
	}
	if strings.EqualFold(s, "null") {
		return "", errors.New("\"null\" is not allowed: any sandboxed page can send it")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return "", fmt.Errorf("%q is not an origin (want scheme://host[:port])", s)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery || (u.Path != "" && u.Path != "/") {
		return "", fmt.Errorf("%q is not an origin: no path, query or credentials allowed", s)
	}
	if strings.Contains(u.Host, "*") {
		return "", fmt.Errorf("%q is not an origin: wildcards are not allowed", s)
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return u.Scheme + "://" + host, nil
}

// CookieName is the session cookie's name: __Host-bit_session when Secure, bit_session otherwise.
func (c *Config) CookieName() string {
	if c.CookieSecure {
		return "__Host-" + CookieBaseName
	}
	return CookieBaseName
}

// SlogLevel maps LOG_LEVEL to a slog level.
func (c *Config) SlogLevel() (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(c.LogLevel))
	return l, err
}

// Addr is the listen address.
func (c *Config) Addr() string { return fmt.Sprintf("%s:%d", c.Host, c.Port) }
