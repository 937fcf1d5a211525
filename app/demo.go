package app

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

// DemoUsers are the verified accounts demo mode seeds. Their passwords are public fixtures, printed at
// start-up; demo mode is for a laptop, never a deployment.
func DemoUsers() []emulator.SeedUser {
	return []emulator.SeedUser{
		{Username: "ada_lovelace", Name: "Ada Lovelace", Email: "ada@example.org", Password: "ada-demo-pass",
			Admin: true, AvailableToMentor: true},
		{Username: "grace_hopper", Name: "Grace Hopper", Email: "grace@example.org", Password: "grace-demo-pass",
			NeedMentoring: true},
		{Username: "katherine_johnson", Name: "Katherine Johnson", Email: "katherine@example.org",
			Password: "katherine-demo-pass", AvailableToMentor: true, NeedMentoring: true},
	}
}

// demoDefaults are the settings demo mode uses where the environment says nothing: development mode (a random
// session key is fine), loopback only, and a non-Secure cookie because the demo speaks plain HTTP.
func demoDefaults() map[string]string {
	return map[string]string{
		"APP_ENV":       "development",
		"HOST":          "127.0.0.1",
		"COOKIE_SECURE": "false",
	}
}

// demoMS is the embedded emulator of demo mode, on its own loopback listener.
type demoMS struct {
	url    string
	secret string
	srv    *http.Server
	users  []emulator.SeedUser
	em     *emulator.Server
}

// demoSecret is the embedded emulator's signing key: MS_JWT_SECRET when given; else derived from SESSION_KEYS,
// so a demo restarted with the same keys (re-seeded identically) still accepts the cookies it issued; else
// random, and a restart logs everybody out.
func demoSecret(environ map[string]string) (string, error) {
	if s := environ["MS_JWT_SECRET"]; s != "" {
		return s, nil
	}
	if keys := environ["SESSION_KEYS"]; keys != "" {
		mac := hmac.New(sha256.New, []byte(keys))
		mac.Write([]byte("bridge-in-tech-bff demo MS secret"))
		return hex.EncodeToString(mac.Sum(nil)), nil
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("demo: making the emulator's secret: %w", err)
	}
	return hex.EncodeToString(key), nil
}

// startDemoMS starts the embedded emulator; a failure of its server after the start is reported on stderr.
func startDemoMS(addr string, loadUsers int, secret string, stderr io.Writer) (*demoMS, error) {
	users := DemoUsers()
	seed := append(append([]emulator.SeedUser{}, users...), emulator.LoadUsers(loadUsers)...)
	em := emulator.New(emulator.Options{Secret: []byte(secret), SeedUsers: seed})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("demo: listening for the emulator on %s: %w", addr, err)
	}
	d := &demoMS{
		url:    "http://" + ln.Addr().String(),
		secret: secret,
		srv:    &http.Server{Handler: em, ReadHeaderTimeout: 10 * time.Second},
		users:  users,
		em:     em,
	}
	go func() {
		if err := d.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(stderr, "demo emulator stopped: %v\n", err)
		}
	}()
	return d, nil
}

func (d *demoMS) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = d.srv.Shutdown(ctx)
}

// banner prints what a newcomer needs to try the demo at once. It goes to stderr: stdout is the JSON log.
func (d *demoMS) banner(w io.Writer, addr string) {
	fmt.Fprintf(w, "\nBridgeInTech BFF demo: http://%s  (embedded MS emulator at %s)\n", addr, d.url)
	fmt.Fprintln(w, "Demo users (username / password):")
	for _, u := range d.users {
		fmt.Fprintf(w, "  %-18s / %s\n", u.Username, u.Password)
	}
	u := d.users[0]
	fmt.Fprintf(w, "Try:\n  curl -c jar.txt -H 'Content-Type: application/json' -d '{\"username\":\"%s\",\"password\":\"%s\"}' http://%s/api/login\n",
		u.Username, u.Password, addr)
	fmt.Fprintf(w, "  curl -b jar.txt http://%s/api/user\n", addr)
	fmt.Fprintf(w, "The demo page is http://%s/ and the API's OpenAPI document http://%s/api/openapi.json.\n", addr, addr)
	fmt.Fprintln(w, "Stop the demo with Ctrl-C; the emulator keeps its data in memory only.")
	fmt.Fprintln(w)
}
