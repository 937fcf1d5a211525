// Command floor is target F of bench/run.sh: the smallest honest Fiber program that does the BFF's job for
// GET /api/user, and nothing else. It opens the BFF's session cookie (the same compact JWE, dir + A256GCM,
// sealed with the same key: the header segment compared byte for byte, then AES-256-GCM from crypto/cipher),
// takes the access token out of the payload, forwards GET /user to MS with "Authorization: Bearer <token>"
// through a fasthttp.HostClient, and passes MS's status, Content-Type and body back. No routing table, CSRF,
// metrics, logs, request ids, breaker, refresh or disconnect watch: what the BFF adds on top of this is what
// A/F measures.
//
// Environment: PORT, MS_BASE_URL (http://host:port), SESSION_KEYS (the BFF's first key, 64 hex digits), and
// COOKIE_NAME (default bit_session, the BFF's name with COOKIE_SECURE=false). With PPROF_ADDR (a loopback
// address) it also serves Go's profiler there, for the cost ledger's comparison (bench/ledger.sh).
package main

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on http.DefaultServeMux, served only with PPROF_ADDR
	"os"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run() error {
	if addr := os.Getenv("PPROF_ADDR"); addr != "" {
		if !strings.HasPrefix(addr, "127.") {
			return errors.New("PPROF_ADDR must be a loopback address")
		}
		go func() { _ = http.ListenAndServe(addr, nil) }()
	}
	key, err := hex.DecodeString(strings.Split(os.Getenv("SESSION_KEYS"), ",")[0])
	if err != nil || len(key) != 32 {
		return errors.New("SESSION_KEYS: want 64 hex digits first")
	}
	name := os.Getenv("COOKIE_NAME")
	if name == "" {
		name = "bit_session"
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return err
	}
	// The BFF's key id and protected header (session.keyID, session.protectedHeader).
	sum := sha256.Sum256(append([]byte("bridge-in-tech-bff session key id v1\x00"), key...))
	kid := base64.RawURLEncoding.EncodeToString(sum[:9])
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"dir","cookie":"` + name + `","enc":"A256GCM","kid":"` + kid + `"}`))
	aad := []byte(header)

	ms := os.Getenv("MS_BASE_URL")
	hc := &fasthttp.HostClient{Addr: strings.TrimPrefix(ms, "http://"), MaxConns: 4096, ReadTimeout: 10 * time.Second,
		WriteTimeout: 10 * time.Second,
		// Below the upstream's keep-alive timeout (nginx: 65 s), as an operator sets it: HostClient retries a GET
		// that meets a connection the upstream closed on the next pooled one, and after a pause all are closed.
		MaxIdleConnDuration: 30 * time.Second}

	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/api/user", func(c *fiber.Ctx) error {
		token, ok := open(c.Cookies(name), header, aad, aead)
		if !ok {
			return c.Status(fiber.StatusUnauthorized).JSON(fiber.Map{"message": "Your session is not valid. Please log in again."})
		}
		req := fasthttp.AcquireRequest()
		resp := fasthttp.AcquireResponse()
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(resp)
		req.SetRequestURI(ms + "/user")
		req.Header.SetBytesV(fiber.HeaderAuthorization, append([]byte("Bearer "), token...))
		if err := hc.DoTimeout(req, resp, 10*time.Second); err != nil {
			fmt.Fprintln(os.Stderr, "floor: MS call:", err)
			return c.Status(fiber.StatusBadGateway).JSON(fiber.Map{"message": "The Mentorship System cannot be reached right now."})
		}
		c.Set(fiber.HeaderContentType, string(resp.Header.ContentType()))
		return c.Status(resp.StatusCode()).Send(resp.Body())
	})
	return app.Listen("127.0.0.1:" + os.Getenv("PORT"))
}

// open returns the access token of a cookie value sealed by the BFF, or false.
func open(v, header string, aad []byte, aead cipher.AEAD) ([]byte, bool) {
	parts := strings.Split(v, ".")
	if len(parts) != 5 || parts[0] != header || parts[1] != "" {
		return nil, false
	}
	iv, err1 := base64.RawURLEncoding.DecodeString(parts[2])
	ct, err2 := base64.RawURLEncoding.DecodeString(parts[3])
	tag, err3 := base64.RawURLEncoding.DecodeString(parts[4])
	if err1 != nil || err2 != nil || err3 != nil || len(iv) != aead.NonceSize() {
		return nil, false
	}
	ct = append(ct, tag...)
	pt, err := aead.Open(ct[:0], iv, ct, aad)
	if err != nil {
		return nil, false
	}
	// The payload is {"v":1,"u":…,"a":"<access token>",…}; a JWT holds no quote or backslash.
	i := bytes.Index(pt, []byte(`"a":"`))
	if i < 0 {
		return nil, false
	}
	tok := pt[i+5:]
	j := bytes.IndexByte(tok, '"')
	if j <= 0 {
		return nil, false
	}
	return tok[:j], true
}
