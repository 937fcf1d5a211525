package config

import (
	"errors"
	"net/url"
	"strings"
)

// DevDatabaseURL is the database demo and development mode use when DATABASE_URL is not set: an SQLite file in
// the working folder, so `go run . -demo` needs nothing else installed.
const DevDatabaseURL = "sqlite:bridge-in-tech-dev.db"

// DatabaseSource is the database the BFF opens: DATABASE_URL, or DevDatabaseURL in development mode. In
// production a missing DATABASE_URL is refused: on Heroku the dyno's disk is wiped at every restart, so a
// default SQLite file there would lose BridgeInTech's data; an operator who wants a local file names it.
func (c *Config) DatabaseSource() (string, error) {
	raw := strings.TrimSpace(c.DatabaseURL.Reveal())
	if raw != "" {
		return raw, nil
	}
	if c.AppEnv == EnvDevelopment {
		return DevDatabaseURL, nil
	}
	return "", bad("DATABASE_URL", "is required in production (Heroku Postgres sets it: heroku addons:create "+
		"heroku-postgresql); to keep the data in a local SQLite file instead, name it: DATABASE_URL=sqlite:/path/to/bit.db")
}

// DatabaseKind names the database a source points at, for logs: "postgres" or "sqlite".
func DatabaseKind(source string) string {
	if strings.HasPrefix(source, "postgres://") || strings.HasPrefix(source, "postgresql://") {
		return "postgres"
	}
	return "sqlite"
}

// checkDatabaseURL accepts a PostgreSQL URL (postgres:// or postgresql://, with a host) or an SQLite file
// (sqlite:PATH or file:PATH). Errors never quote the URL: it may hold a password.
func checkDatabaseURL(raw string) error {
	scheme, rest, ok := strings.Cut(raw, ":")
	if !ok {
		return errors.New("must be a postgres:// URL or sqlite:PATH")
	}
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql":
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return errors.New("is not a valid postgres:// URL (want postgres://user:password@host:port/dbname)")
		}
	case "sqlite", "file":
		if strings.Trim(rest, "/") == "" {
			return errors.New("names no SQLite file (want sqlite:/path/to/bit.db)")
		}
	default:
		return errors.New("must be a postgres:// URL or sqlite:PATH (the scheme is not one of postgres, postgresql, sqlite, file)")
	}
	return nil
}
