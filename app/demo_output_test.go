package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/internal/testkit"
)

// TestDemoStdoutIsOneJSONObjectPerLine runs the demo through a login, an API call and a shutdown: every line on
// stdout is one JSON object (the log), and the banner for people (users, curl lines, how to stop) is on stderr.
func TestDemoStdoutIsOneJSONObjectPerLine(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr := &testkit.SyncBuffer{}, &testkit.SyncBuffer{}
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{Args: []string{"-demo"}, Environ: []string{"PORT=0"}, Stdout: stdout, Stderr: stderr,
			Ready: func(a string) { ready <- a }})
	}()
	var base string
	select {
	case a := <-ready:
		base = "http://" + a
	case err := <-done:
		t.Fatalf("Run ended early: %v\n%s", err, stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatal("the demo did not start")
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	u := DemoUsers()[0]
	if r := post(t, c, base+"/api/login", map[string]string{"username": u.Username, "password": u.Password}); r.StatusCode != http.StatusOK {
		t.Fatalf("login: %d", r.StatusCode)
	}
	if r, b := get(t, c, base+"/api/user"); r.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/user: %d %s", r.StatusCode, b)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the demo did not stop")
	}

	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if len(lines) < 4 {
		t.Fatalf("too few log lines on stdout:\n%s", stdout.String())
	}
	for i, line := range lines {
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil || obj["msg"] == nil {
			t.Errorf("stdout line %d is not one JSON log object: %q", i+1, line)
		}
	}
	for _, want := range []string{u.Username, u.Password, "curl", base + "/api/openapi.json", "Ctrl-C"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("the banner on stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}
