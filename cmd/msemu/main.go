// Command msemu runs the Mentorship System emulator (package emulator) as a standalone HTTP server, for
// end-to-end tests, benchmarks and demos of the BFF without a real MS.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	if err := run(os.Args[1:], os.Getenv, os.Stdout, stop); err != nil {
		fmt.Fprintln(os.Stderr, "msemu:", err)
		os.Exit(1)
	}
}

// config is what the flags say.
type config struct {
	addr       string
	secret     string
	accessTTL  time.Duration
	refreshTTL time.Duration
	loadUsers  int
	stateFile  string
	autoVerify bool
	control    bool
}

// usageText heads the -h output; the flag list follows.
const usageText = `Usage: msemu [flags]

Runs the in-memory Mentorship System emulator as an HTTP server, for end-to-end tests, benchmarks and demos of
the BFF. It prints "msemu listening on http://ADDR" once it listens; stop it with Ctrl-C (SIGINT) or SIGTERM.

Flags:
`

// parseFlags reads the command line. -h (or -help) returns flag.ErrHelp; run then prints the usage.
func parseFlags(args []string, getenv func(string) string) (config, error) {
	var c config
	fs := newFlagSet(&c)
	if err := fs.Parse(args); err != nil {
		return c, fmt.Errorf("parse flags: %w", err)
	}
	if c.secret == "" {
		c.secret = getenv("MS_SECRET_KEY")
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("parse flags: unexpected argument %q (msemu -h lists the flags)", fs.Arg(0))
	case c.loadUsers < 0:
		return c, fmt.Errorf("parse flags: -load-users %d is negative", c.loadUsers)
	case c.accessTTL <= 0 || c.refreshTTL <= 0:
		return c, fmt.Errorf("parse flags: token lifetimes must be positive")
	}
	return c, nil
}

// newFlagSet declares the flags into c. Its output is discarded; run prints the usage on -h. No default
// shown by the usage comes from the environment, so -h never prints a secret.
func newFlagSet(c *config) *flag.FlagSet {
	fs := flag.NewFlagSet("msemu", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usageText); fs.PrintDefaults() }
	fs.StringVar(&c.addr, "addr", "127.0.0.1:4000", "listen address; port 0 picks a free port")
	fs.StringVar(&c.secret, "secret", "", "HS256 signing secret (MS SECRET_KEY); default $MS_SECRET_KEY, else random")
	fs.DurationVar(&c.accessTTL, "access-ttl", emulator.DefaultAccessTTL, "access-token lifetime")
	fs.DurationVar(&c.refreshTTL, "refresh-ttl", emulator.DefaultRefreshTTL, "refresh-token lifetime")
	fs.IntVar(&c.loadUsers, "load-users", 0, "create N verified users loaduser<i>/loadpass<i>")
	fs.StringVar(&c.stateFile, "state", "", "state file: loaded at start when present (it then replaces -load-users), written on SIGTERM/SIGINT")
	fs.BoolVar(&c.autoVerify, "auto-verify", false, "verify registered users at once")
	fs.BoolVar(&c.control, "control", false, "serve the /_emulator/ test-control endpoints")
	return fs
}

// run starts the emulator, prints "msemu listening on http://HOST:PORT" once it listens, and serves until a
// value arrives on stop; then it shuts down gracefully, writes the state file (if any) and returns nil.
func run(args []string, getenv func(string) string, stdout io.Writer, stop <-chan os.Signal) error {
	cfg, err := parseFlags(args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		fs := newFlagSet(&config{})
		fs.SetOutput(stdout)
		fs.Usage()
		return nil
	}
	if err != nil {
		return err
	}
	srv := emulator.New(emulator.Options{
		Secret:     []byte(cfg.secret),
		AccessTTL:  cfg.accessTTL,
		RefreshTTL: cfg.refreshTTL,
		SeedUsers:  emulator.LoadUsers(cfg.loadUsers),
		AutoVerify: cfg.autoVerify,
	})
	if cfg.stateFile != "" {
		if err := loadState(srv, cfg.stateFile); err != nil {
			return err
		}
	}
	var handler http.Handler = srv
	if cfg.control {
		handler = withControl(srv)
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	hs := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	fmt.Fprintf(stdout, "msemu listening on http://%s\n", ln.Addr())

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-stop:
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(ctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	if cfg.stateFile != "" {
		return saveState(srv, cfg.stateFile)
	}
	return nil
}

func loadState(srv *emulator.Server, path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read state file: %w", err)
	}
	if err := srv.Restore(data); err != nil {
		return fmt.Errorf("load state file %s: %w", path, err)
	}
	return nil
}

// saveState writes the snapshot next to the file and renames it over, so a crash never leaves half a file.
func saveState(srv *emulator.Server, path string) error {
	data, err := srv.Snapshot()
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".msemu-state-*")
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("save state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return nil
}
