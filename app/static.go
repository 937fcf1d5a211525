package app

import (
	"fmt"
	"io"
	"io/fs"

	"github.com/anitab-org/bridge-in-tech-bff/config"
	"github.com/anitab-org/bridge-in-tech-bff/handlers"
	"github.com/anitab-org/bridge-in-tech-bff/web"
)

// staticSite is the SPA folder opened with os.Root, closed when the program ends.
type staticSite struct {
	fs.FS
	io.Closer
}

// staticFiles is what the BFF serves at "/": STATIC_DIR (confined with os.Root), the demo client in demo mode, or
// nothing.
func staticFiles(cfg *config.Config, demo bool) (fs.FS, error) {
	switch {
	case cfg.StaticDir != "":
		fsys, closer, err := handlers.OpenStaticDir(cfg.StaticDir)
		if err != nil {
			return nil, err
		}
		return staticSite{fsys, closer}, nil
	case demo:
		return web.Demo(), nil
	}
	return nil, nil
}

// printPagePolicy writes the Content-Security-Policy the pages will carry, and where it comes from, for
// -check-config.
func printPagePolicy(w io.Writer, cfg *config.Config, static fs.FS) error {
	policy, source, warnings, err := handlers.PagePolicy(cfg, static)
	if err != nil {
		return err
	}
	if static == nil && cfg.ContentSecurityPolicy == "" {
		return nil // no pages are served
	}
	fmt.Fprintf(w, "content security policy (%s): %s\n", source, policy)
	for _, p := range warnings {
		fmt.Fprintf(w, "content security policy warning: %s\n", p)
	}
	return nil
}
