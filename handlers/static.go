package handlers

import (
	"errors"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
)

// Cache policies for the SPA: content-hashed assets never change, so browsers keep them a year; index.html and
// anything unhashed is revalidated every time, so a deploy reaches users at once.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

// hashedAsset matches build outputs named with a content hash: main.3f2a9c1b.js, index-B4xYz9_q.css ...
var hashedAsset = regexp.MustCompile(`[.-][0-9A-Za-z_]{8,}\.(js|mjs|css|map|woff2?|ttf|svg|png|jpe?g|gif|webp|avif|ico)$`)

// spa serves a single-page app from fsys at "/": files as they are, and index.html for every unknown path that
// a browser navigates to, so client-side routes survive a reload. It never serves /api paths.
type spa struct {
	s    *Server
	fsys http.FileSystem
	csp  string
}

// serveSPA registers the SPA handler; it runs after the API and before the 404 fallback.
func (s *Server) serveSPA(app *fiber.App, fsys fs.FS) {
	h := &spa{s: s, fsys: http.FS(fsys), csp: s.contentSecurityPolicy()}
	app.Use(h.serve)
}

func (h *spa) serve(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		return c.Next()
	}
	p := path.Clean("/" + c.Path())
	if p == "/api" || strings.HasPrefix(p, "/api/") {
		return c.Next()
	}
	h.securityHeaders(c)
	if p != "/" && p != "/index.html" {
		err := filesystem.SendFile(c, h.fsys, p)
		if err == nil {
			if hashedAsset.MatchString(p) {
				c.Set(fiber.HeaderCacheControl, cacheImmutable)
			} else {
				c.Set(fiber.HeaderCacheControl, cacheRevalidate)
			}
			return nil
		}
		if !errors.Is(err, fiber.ErrNotFound) && !errors.Is(err, fiber.ErrForbidden) {
			return err
		}
		// A missing file with an extension that is not a page (a stale asset URL) is a real 404; anything
		// else is a client-side route.
		if ext := path.Ext(p); ext != "" && ext != ".html" && !strings.Contains(c.Get(fiber.HeaderAccept), "text/html") {
			return h.s.fail(c, fiber.StatusNotFound, "Not found.")
		}
	}
	if err := filesystem.SendFile(c, h.fsys, "/index.html"); err != nil {
		if errors.Is(err, fiber.ErrNotFound) {
			return h.s.fail(c, fiber.StatusNotFound, "Not found.")
		}
		return err
	}
	c.Set(fiber.HeaderCacheControl, cacheRevalidate)
	return nil
}

// securityHeaders are sent with every page and asset of the SPA.
func (h *spa) securityHeaders(c *fiber.Ctx) {
	c.Set(fiber.HeaderContentSecurityPolicy, h.csp)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderReferrerPolicy, "strict-origin-when-cross-origin")
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
}

// contentSecurityPolicy is CONTENT_SECURITY_POLICY, or a strict default: everything from our own origin, no
// inline script, no framing. The API is same-origin, so connect-src 'self' covers it.
func (s *Server) contentSecurityPolicy() string {
	if s.cfg.ContentSecurityPolicy != "" {
		return s.cfg.ContentSecurityPolicy
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; " +
		"font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; " +
		"frame-ancestors 'none'"
}
