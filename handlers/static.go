package handlers

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
)

// Cache policies for the SPA: content-hashed assets never change, so browsers keep them a year; index.html and
// anything unhashed is revalidated every time, so a deploy reaches users at once.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

// hashedAsset matches build outputs named with a content hash: main.3f2a9c1b.js, index-B4xYz9_q.css ...
var hashedAsset = regexp.MustCompile(`[.-][0-9A-Za-z_]{8,}\.(js|mjs|css|map|woff2?|ttf|svg|png|jpe?g|gif|webp|avif|ico)$`)

// OpenStaticDir opens STATIC_DIR as a traversal-safe file system (os.Root): no name, "..", or symbolic link
// can reach a file outside the folder. The closer releases the folder when the server stops.
func OpenStaticDir(dir string) (fs.FS, io.Closer, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("opening STATIC_DIR: %w", err)
	}
	return root.FS(), root, nil
}

// spa serves a single-page app from fsys at "/": regular files as they are, and index.html for every unknown
// path that a browser navigates to, so client-side routes survive a reload. It never serves /api paths, dotfiles
// (.env, .git/...), directories, or anything a symbolic link outside the folder points to (fsys is an os.Root).
type spa struct {
	s    *Server
	fsys fs.FS
	csp  string
}

// serveSPA registers the SPA handler; it runs after the API and before the 404 fallback.
func (s *Server) serveSPA(app *fiber.App, fsys fs.FS) {
	h := &spa{s: s, fsys: fsys, csp: s.pagePolicy(fsys)}
	app.Use(h.serve)
}

func (h *spa) serve(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		return c.Next()
	}
	name, status := staticName(c.Path())
	if status == fiber.StatusContinue {
		return c.Next()
	}
	if status != fiber.StatusOK {
		return h.s.fail(c, status, "Not found.")
	}
	h.securityHeaders(c)
	if name != "" && name != "index.html" {
		served, err := h.sendFile(c, name)
		if err != nil || served {
			return err
		}
		// A missing file with an extension that is not a page (a stale asset URL) is a real 404; anything
		// else is a client-side route.
		if ext := path.Ext(name); ext != "" && ext != ".html" && !strings.Contains(c.Get(fiber.HeaderAccept), "text/html") {
			return h.s.fail(c, fiber.StatusNotFound, "Not found.")
		}
	}
	served, err := h.sendFile(c, "index.html")
	if err != nil || served {
		return err
	}
	return h.s.fail(c, fiber.StatusNotFound, "Not found.")
}

// staticName turns a request path into the name of a file in the SPA's folder. The path is percent-decoded
// exactly once ("long%20left.svg" names "long left.svg"; "%252e" names a file called "%2e"), then refused when a
// segment is "." or "..", or starts with a dot (dotfiles and dot-folders), or holds a NUL or invalid UTF-8
// (no fs.FS name does): those are 404. A path that is not valid percent-encoding is 400. An /api path is not the
// SPA's (StatusContinue). The root is "".
func staticName(raw string) (name string, status int) {
	decoded, err := url.PathUnescape(raw)
	if err != nil {
		return "", fiber.StatusBadRequest
	}
	if strings.ContainsRune(decoded, 0) || !utf8.ValidString(decoded) {
		return "", fiber.StatusNotFound
	}
	for seg := range strings.SplitSeq(decoded, "/") {
		if strings.HasPrefix(seg, ".") {
			return "", fiber.StatusNotFound
		}
	}
	p := path.Clean("/" + decoded)
	if p == "/api" || strings.HasPrefix(p, "/api/") {
		return "", fiber.StatusContinue
	}
	return strings.TrimPrefix(p, "/"), fiber.StatusOK
}

// sendFile answers with the regular file name, if there is one: served is false when it does not exist, is not
// a regular file, or lies outside the folder (a symbolic link out of it).
func (h *spa) sendFile(c *fiber.Ctx, name string) (served bool, err error) {
	f, err := h.fsys.Open(name)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			h.s.log.Debug("static file not served", "request_id", requestIDOf(c), "error", err)
		}
		return false, nil
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		_ = f.Close()
		return false, nil
	}
	if ext := path.Ext(name); ext != "" {
		c.Type(ext)
	} else {
		c.Set(fiber.HeaderContentType, fiber.MIMEOctetStream)
	}
	if !st.ModTime().IsZero() {
		c.Set(fiber.HeaderLastModified, st.ModTime().UTC().Format(http.TimeFormat))
	}
	if name != "index.html" && hashedAsset.MatchString(name) {
		c.Set(fiber.HeaderCacheControl, cacheImmutable)
	} else {
		c.Set(fiber.HeaderCacheControl, cacheRevalidate)
	}
	c.Status(fiber.StatusOK)
	if c.Method() == fiber.MethodHead {
		c.Response().SkipBody = true
		c.Response().Header.SetContentLength(int(st.Size()))
		return true, f.Close()
	}
	c.Response().SetBodyStream(f, int(st.Size())) // fasthttp closes f once it is sent
	return true, nil
}

// securityHeaders are sent with every page and asset of the SPA.
func (h *spa) securityHeaders(c *fiber.Ctx) {
	c.Set(fiber.HeaderContentSecurityPolicy, h.csp)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderReferrerPolicy, "strict-origin-when-cross-origin")
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
}
