package config

import (
	"net"
	"strconv"
)

// applyHardeningDefaults sets the defaults that depend on where the BFF runs. TRUST_PROXY, when not set, is on
// only on Heroku (the DYNO variable is set on every dyno): there the router is the only way in and appends the
// connecting address to X-Forwarded-For. Anywhere else the header is whatever the client wrote.
// LOGIN_ADDRESS_MAX_FAILURES, when not set, is five times LOGIN_MAX_FAILURES (at least 50): one address may
// fail on a few usernames (a shared office), not on many.
func (c *Config) applyHardeningDefaults(environ map[string]string) {
	if _, set := environ["TRUST_PROXY"]; !set {
		c.TrustProxy = environ["DYNO"] != ""
	}
	if _, set := environ["LOGIN_ADDRESS_MAX_FAILURES"]; !set {
		c.LoginAddressMaxFailures = max(50, 5*c.LoginMaxFailures)
	}
}

// validateHardening checks the settings of applyHardeningDefaults' family; every problem is reported.
func (c *Config) validateHardening() []error {
	var problems []error
	if c.LoginAddressMaxFailures < c.LoginMaxFailures {
		problems = append(problems, bad("LOGIN_ADDRESS_MAX_FAILURES", "must be at least LOGIN_MAX_FAILURES (%d)", c.LoginMaxFailures))
	}
	if c.BodyMemory < 2*c.BodyLimit { // a body counts twice (raw and parsed): one largest body must fit
		problems = append(problems, bad("BODY_MEMORY", "must be at least twice BODY_LIMIT (%d bytes)", 2*c.BodyLimit))
	}
	if tok := c.MetricsToken.Reveal(); tok != "" && len(tok) < 16 {
		problems = append(problems, bad("METRICS_TOKEN", "must be at least 16 characters (generate one with: openssl rand -hex 32)"))
	}
	if c.MetricsAddr != "" {
		host, port, err := net.SplitHostPort(c.MetricsAddr)
		n, perr := strconv.Atoi(port)
		switch {
		case err != nil:
			problems = append(problems, bad("METRICS_ADDR", "must be host:port, e.g. 127.0.0.1:9090"))
		case perr != nil || n < 0 || n > 65535:
			problems = append(problems, bad("METRICS_ADDR", "port must be a number from 0 to 65535"))
		case host == c.Host && port == strconv.Itoa(c.Port) && c.Port != 0:
			problems = append(problems, bad("METRICS_ADDR", "must differ from the app's own HOST:PORT"))
		}
	}
	return problems
}
