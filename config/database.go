package config

import (
	"errors"
	"strings"

	"github.com/anitab-org/bridge-in-tech-bff/bit/dburl"
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
	kind, _, err := dburl.Parse(source)
	if err != nil {
		return "unknown"
	}
	return string(kind)
}

// checkDatabaseURL accepts what bit/storeopen opens (read by bit/dburl, which links no driver): a postgres:// or postgresql:// URL with a host, or an SQLite
// file (sqlite:PATH, a file: URI or a plain path). Errors never quote the URL: it may hold a password.
func checkDatabaseURL(raw string) error {
	kind, _, err := dburl.Parse(raw)
	if err != nil {
		return err
	}
	if kind == dburl.Postgres {
		if _, rest, _ := strings.Cut(raw, "://"); strings.HasPrefix(rest, "/") || rest == "" {
			return errors.New("names no host (want postgres://user:password@host:port/dbname)")
		}
	}
	return nil
}
