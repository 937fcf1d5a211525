// Package app wires the BFF together and runs it: configuration, logger, metrics, the MS client, the cookie
// codec and the HTTP server, plus the embedded MS emulator in demo mode. main calls Run; tests call it too.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/config"
	"github.com/anitab-org/bridge-in-tech-bff/handlers"
	"github.com/anitab-org/bridge-in-tech-bff/internal/storewatch"
	"github.com/anitab-org/bridge-in-tech-bff/metrics"
	"github.com/anitab-org/bridge-in-tech-bff/msclient"
	"github.com/anitab-org/bridge-in-tech-bff/session"
)

// Options are Run's inputs: the process's arguments, environment and output.
type Options struct {
	Args    []string // without the program name
	Environ []string // KEY=VALUE pairs, as os.Environ
	Stdout  io.Writer
	Stderr  io.Writer
	// Ready, when set, receives the listen address once the server accepts connections.
	Ready func(addr string)
}

// flags are the command line. Everything else is environment (docs/CONFIGURATION.md#every-variable).
type flags struct {
	demo          bool
	checkConfig   bool
	demoLoadUsers int
	demoMSAddr    string
}

// usageText heads the -h output; the flag list follows.
const usageText = `Usage: bridge-in-tech-bff [flags]

The BridgeInTech backend-for-frontend. Every setting is an environment variable (docs/CONFIGURATION.md);
the flags only choose what to run. Stop it with Ctrl-C (SIGINT) or SIGTERM.

Flags:
`

// parseFlags reads the command line. -h (or -help) prints the usage on stdout and returns flag.ErrHelp; a bad
// flag prints the usage on stderr and returns the error.
func parseFlags(args []string, stdout, stderr io.Writer) (flags, error) {
	var f flags
	fs := flag.NewFlagSet("bff", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usageText); fs.PrintDefaults() }
	fs.BoolVar(&f.demo, "demo", false, "run with an embedded MS emulator and seeded demo users (development only)")
	fs.BoolVar(&f.checkConfig, "check-config", false, "validate the configuration and exit")
	fs.IntVar(&f.demoLoadUsers, "demo-load-users", 0, "demo mode: also seed N load-test users loaduser<i>/loadpass<i>")
	fs.StringVar(&f.demoMSAddr, "demo-ms-addr", "127.0.0.1:0", "demo mode: where the embedded emulator listens")
	err := fs.Parse(args)
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fs.Usage()
	case err != nil:
		fs.SetOutput(stderr)
		fs.Usage()
	}
	return f, err
}

// Run runs the BFF until ctx is cancelled (SIGTERM, SIGINT), then shuts down gracefully and returns nil.
func Run(ctx context.Context, o Options) error {
	f, err := parseFlags(o.Args, o.Stdout, o.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h: the usage is printed; nothing else to do
	}
	if err != nil {
		return err
	}
	environ := env.ToMap(o.Environ)
	var demo *demoMS
	defaults := map[string]string{}
	if f.demo {
		defaults = demoDefaults()
		secret, err := demoSecret(environ)
		if err != nil {
			return err
		}
		if demo, err = startDemoMS(f.demoMSAddr, f.demoLoadUsers, secret, o.Stderr); err != nil {
			return err
		}
		defer demo.close()
		// The embedded emulator is the MS: its URL and secret win over the environment.
		environ["MS_BASE_URL"], environ["MS_JWT_SECRET"] = demo.url, demo.secret
	}
	cfg, err := config.Load(environ, defaults)
	if err != nil {
		return err
	}
	dbSource, err := cfg.DatabaseSource()
	if err != nil {
		return err
	}
	static, err := staticFiles(cfg, demo != nil)
	if err != nil {
		return err
	}
	if c, ok := static.(io.Closer); ok {
		defer c.Close()
	}
	if f.checkConfig {
		fmt.Fprintf(o.Stdout, "configuration OK: %s mode, MS at %s, cookie %s, %d session key(s), %s database\n",
			cfg.AppEnv, cfg.BaseURL, cfg.CookieName(), len(cfg.SessionKeys), config.DatabaseKind(dbSource))
		return printPagePolicy(o.Stdout, cfg, static)
	}
	level, _ := cfg.SlogLevel()
	logger := slog.New(slog.NewJSONHandler(o.Stdout, &slog.HandlerOptions{Level: level}))
	if cfg.GeneratedKey {
		logger.Warn("SESSION_KEYS is not set: using a random key for this process only (development mode); every restart logs everybody out")
	}

	m := metrics.New()
	ms, err := msclient.New(msclient.Config{
		BaseURL:         cfg.BaseURL,
		Timeout:         cfg.MSTimeout,
		BreakerFailures: cfg.BreakerFailures,
		BreakerOpenFor:  cfg.BreakerOpenFor,
		JWTSecret:       []byte(cfg.MSJWTSecret.Reveal()),
		Logger:          logger,
		OnBreakerChange: m.BreakerChange,
		OnCall:          m.MSCall,
	})
	if err != nil {
		return fmt.Errorf("building the MS client: %w", err)
	}
	codec, err := session.NewCodec(cfg.CookieName(), cfg.SessionKeys)
	if err != nil {
		return fmt.Errorf("building the session codec: %w", err)
	}
	store, stopStore, err := startStore(ctx, dbSource, logger)
	if err != nil {
		return err
	}
	defer stopStore()
	if demo != nil {
		seedDemoOnOpen(store, demo, logger)
	}
	svc := bit.NewService(storewatch.Wrap(store, cfg.DBTimeout, m), bit.Options{
		ProgramsPerOrganization: cfg.ProgramsPerOrganization, ProgramCreates: cfg.ProgramCreatesPerMinute,
	})
	ends := startSessionEnds(ctx, store, m.Revocations, logger) // sessions.go
	defer ends.close()
	ends.awaitLoad(ctx)
	deps := handlers.Deps{Config: cfg, MS: ms, Codec: codec, Logger: logger, Metrics: m, BIT: svc}
	ends.deps(&deps)
	if static != nil {
		deps.Static = static
	}
	srv := handlers.New(deps)

	ln, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Addr(), err)
	}
	addr := ln.Addr().String()
	logger.Info("listening", "addr", addr, "ms", cfg.BaseURL, "env", cfg.AppEnv, "cookie", cfg.CookieName(),
		"local_token_checks", !cfg.MSJWTSecret.Empty())
	if demo != nil {
		demo.banner(o.Stderr, addr) // stdout stays one JSON object per line
	}

	stopMetrics, err := serveMetrics(cfg.MetricsAddr, srv.MetricsHandler(), logger)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer stopMetrics()

	served := make(chan error, 1)
	go func() { served <- srv.App().Listener(ln) }()
	if o.Ready != nil {
		o.Ready(addr)
	}
	select {
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", cfg.ShutdownGrace.String())
	start := time.Now()
	graceCtx, cancelGrace := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownGrace)
	defer cancelGrace()
	if err := srv.App().ShutdownWithTimeout(cfg.ShutdownGrace); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("shutting down: %w", err)
	}
	ends.shutdown(graceCtx) // the revocations still waiting for the database, within what is left of the grace
	logger.Info("stopped", "took_ms", time.Since(start).Milliseconds())
	return nil
}
