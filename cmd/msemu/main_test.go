package main

import (
	"encoding/json"
	"fmt"
	"github.com/anitab-org/bridge-in-tech-bff/internal/testkit"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// started is one running emulator.
type started struct {
	base string
	stop chan os.Signal
	done chan error
}

func start(t *testing.T, env map[string]string, args ...string) *started {
	t.Helper()
	out := &testkit.SyncBuffer{}
	s := &started{stop: make(chan os.Signal, 1), done: make(chan error, 1)}
	go func() { s.done <- run(args, func(k string) string { return env[k] }, out, s.stop) }()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if line, ok := strings.CutPrefix(out.String(), "msemu listening on "); ok && strings.HasSuffix(line, "\n") {
			s.base = strings.TrimSpace(line)
			return s
		}
		select {
		case err := <-s.done:
			t.Fatalf("run returned early: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
	}
	t.Fatalf("no listening line; output %q", out.String())
	return nil
}

func (s *started) shutdown(t *testing.T) {
	t.Helper()
	s.stop <- syscall.SIGTERM
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
}

func (s *started) post(t *testing.T, path, body, token string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("POST", s.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return doJSON(t, req)
}

func (s *started) get(t *testing.T, path, token string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("GET", s.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return doJSON(t, req)
}

func doJSON(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

func (s *started) login(t *testing.T, username, password string) string {
	t.Helper()
	status, body := s.post(t, "/login", fmt.Sprintf(`{"username":%q,"password":%q}`, username, password), "")
	if status != http.StatusOK {
		t.Fatalf("login %s: %d %v", username, status, body)
	}
	return body["access_token"].(string)
}

func TestRunServesAndKeepsStateAcrossRestarts(t *testing.T) {
	t.Parallel()
	state := filepath.Join(t.TempDir(), "state.json")
	env := map[string]string{"MS_SECRET_KEY": "from-env"}

	first := start(t, env, "-addr", "127.0.0.1:0", "-load-users", "2", "-state", state, "-auto-verify")
	tok := first.login(t, "loaduser1", "loadpass1")
	if status, u := first.get(t, "/user", tok); status != 200 || u["username"] != "loaduser1" {
		t.Fatalf("GET /user: %d %v", status, u)
	}
	reg := `{"name":"Kept Person","username":"keptuser","password":"keptpass1","email":"kept@example.org","terms_and_conditions_checked":true}`
	if status, body := first.post(t, "/register", reg, ""); status != 201 {
		t.Fatalf("register: %d %v", status, body)
	}
	first.shutdown(t)
	if _, err := os.Stat(state); err != nil {
		t.Fatalf("state file not written: %v", err)
	}

	second := start(t, env, "-addr", "127.0.0.1:0", "-state", state)
	defer second.shutdown(t)
	second.login(t, "keptuser", "keptpass1")
	second.login(t, "loaduser2", "loadpass2")
	// The secret came from the environment both times, so the first run's token still verifies.
	if status, u := second.get(t, "/user", tok); status != 200 || u["username"] != "loaduser1" {
		t.Fatalf("GET /user with the first run's token: %d %v", status, u)
	}
	if status, _ := second.get(t, "/_emulator/calls", ""); status != 404 {
		t.Fatalf("control endpoints are on without -control: %d", status)
	}
}

func TestRunControlEndpoints(t *testing.T) {
	t.Parallel()
	s := start(t, nil, "-addr", "127.0.0.1:0", "-control")
	defer s.shutdown(t)
	reg := `{"name":"Pat Person","username":"patperson","password":"patpass12","email":"pat@example.org","terms_and_conditions_checked":true}`
	if status, _ := s.post(t, "/register", reg, ""); status != 201 {
		t.Fatalf("register: %d", status)
	}
	status, body := s.get(t, "/_emulator/confirmation_token?email=pat@example.org", "")
	if status != 200 || body["token"] == "" {
		t.Fatalf("confirmation token: %d %v", status, body)
	}
	if status, body := s.get(t, "/user/confirm_email/"+body["token"].(string), ""); status != 200 || body["message"] != "You have confirmed your account. Thanks!" {
		t.Fatalf("confirm: %d %v", status, body)
	}
	tok := s.login(t, "patperson", "patpass12")

	if status, _ := s.post(t, "/_emulator/fault", `{"status": 500}`, ""); status != 200 {
		t.Fatalf("set fault: %d", status)
	}
	if status, body := s.get(t, "/user", tok); status != 500 || body["message"] != "Internal Server Error" {
		t.Fatalf("faulted GET /user: %d %v", status, body)
	}
	if status, _ := s.post(t, "/_emulator/fault", `{}`, ""); status != 200 {
		t.Fatalf("clear fault: %d", status)
	}
	if status, _ := s.get(t, "/user", tok); status != 200 {
		t.Fatalf("GET /user after clearing: %d", status)
	}
	status, calls := s.get(t, "/_emulator/calls", "")
	if status != 200 || calls["GET /user"] != 2.0 || calls["POST /login"] != 1.0 {
		t.Fatalf("calls: %d %v", status, calls)
	}
	if status, _ := s.post(t, "/_emulator/fault", `{"status": 42}`, ""); status != 400 {
		t.Fatalf("bad fault accepted: %d", status)
	}
}

func TestRunRefusesBadFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"an unknown flag is refused", []string{"-nope"}},
		{"a negative user count is refused", []string{"-load-users", "-1"}},
		{"a stray argument is refused", []string{"extra"}},
		{"an address that cannot be bound is refused", []string{"-addr", "256.0.0.1:0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := run(tc.args, func(string) string { return "" }, &testkit.SyncBuffer{}, make(chan os.Signal)); err == nil {
				t.Fatal("run accepted it")
			}
		})
	}
	t.Run("a corrupt state file is refused", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "state.json")
		if err := os.WriteFile(bad, []byte("nope"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := run([]string{"-addr", "127.0.0.1:0", "-state", bad}, func(string) string { return "" }, &testkit.SyncBuffer{}, make(chan os.Signal)); err == nil {
			t.Fatal("run accepted it")
		}
	})
}

// TestHelpPrintsUsageAndSucceeds: -h prints the usage with every flag and returns nil (main exits 0), without
// starting a server, and never shows $MS_SECRET_KEY as a default.
func TestHelpPrintsUsageAndSucceeds(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"-h", "-help", "--help"} {
		t.Run(arg+" prints the usage", func(t *testing.T) {
			t.Parallel()
			out := &testkit.SyncBuffer{}
			env := func(k string) string { return map[string]string{"MS_SECRET_KEY": "env-secret-not-for-usage"}[k] }
			if err := run([]string{arg}, env, out, make(chan os.Signal)); err != nil {
				t.Fatalf("run(%s) = %v", arg, err)
			}
			for _, want := range []string{"Usage: msemu", "-addr", "-secret", "-load-users", "-state", "-control"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("usage lacks %q:\n%s", want, out.String())
				}
			}
			if strings.Contains(out.String(), "env-secret-not-for-usage") || strings.Contains(out.String(), "listening on http://127") {
				t.Errorf("usage shows the secret or a server started:\n%s", out.String())
			}
		})
	}
}

// TestSecretComesFromTheEnvironmentWhenNoFlagGivesIt: -secret wins; without it $MS_SECRET_KEY is used.
func TestSecretComesFromTheEnvironmentWhenNoFlagGivesIt(t *testing.T) {
	t.Parallel()
	env := func(k string) string { return map[string]string{"MS_SECRET_KEY": "from-env"}[k] }
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"the environment gives the secret when no flag does", nil, "from-env"},
		{"the flag wins over the environment", []string{"-secret", "from-flag"}, "from-flag"},
	} {
		c, err := parseFlags(tc.args, env)
		if err != nil || c.secret != tc.want {
			t.Errorf("%s: secret %q, err %v", tc.name, c.secret, err)
		}
	}
}
