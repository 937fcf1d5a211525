// Command bffprof is the BFF (the same app.Run as the real binary) with Go's profiler on a second loopback
// port, PPROF_ADDR (default 127.0.0.1:6060). bench/run.sh uses it with PROFILE=1 to show where the time goes
// under load; it is not for production.
package main

import (
	"context"
	"fmt"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on http.DefaultServeMux
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/anitab-org/bridge-in-tech-bff/app"
)

func main() {
	addr := os.Getenv("PPROF_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6060"
	}
	if !strings.HasPrefix(addr, "127.") {
		fmt.Fprintln(os.Stderr, "bffprof: PPROF_ADDR must be a loopback address")
		os.Exit(2)
	}
	go func() { _ = http.ListenAndServe(addr, nil) }()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := app.Run(ctx, app.Options{Args: os.Args[1:], Environ: os.Environ(), Stdout: os.Stdout, Stderr: os.Stderr}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
