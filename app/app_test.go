package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
	"github.com/anitab-org/bridge-in-tech-bff/internal/testkit"
	"github.com/anitab-org/bridge-in-tech-bff/metrics"
)

const key = "7a6b5c4d3e2f1a0b9c8d7e6f5c1f6b0e3a7d4e2f9b8c7a6d5e4f3a2b1c0d9e8f"

// runApp runs the real program in-process until the test ends and returns its address and output.
func runApp(t *testing.T, args []string, environ ...string) (string, *testkit.SyncBuffer) {
	t.Helper()
	if !slices.ContainsFunc(environ, func(kv string) bool { return strings.HasPrefix(kv, "DATABASE_URL=") }) {
		environ = append(environ, "DATABASE_URL=sqlite:"+filepath.Join(t.TempDir(), "bit.db"))
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := &testkit.SyncBuffer{}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{Args: args, Environ: environ, Stdout: out, Stderr: out, Ready: func(a string) { ready <- a }})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
	select {
	case addr := <-ready:
		return "http://" + addr, out
	case err := <-done:
		t.Fatalf("Run ended early: %v\n%s", err, out.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("not ready:\n%s", out.String())
	}
	return "", nil
}

func post(t *testing.T, c *http.Client, url string, body any) *http.Response {
	t.Helper()
	j, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(j))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF", "1")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// metricsToken is the METRICS_TOKEN of these tests.
const metricsToken = "app-test-metrics-token-0123456789"

func getMetrics(t *testing.T, c *http.Client, url, token string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestMetricsAndLogsAfterTraffic(t *testing.T) {
	t.Parallel()
	users := emulator.LoadUsers(2)
	ms := httptest.NewServer(emulator.New(emulator.Options{Secret: []byte("app-test-secret"), SeedUsers: users}))
	t.Cleanup(ms.Close)
	base, out := runApp(t, nil, "SESSION_KEYS="+key, "MS_BASE_URL="+ms.URL, "HOST=127.0.0.1", "PORT=0",
		"COOKIE_SECURE=false", "MS_JWT_SECRET=app-test-secret", "METRICS_TOKEN="+metricsToken)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	post(t, c, base+"/api/login", map[string]string{"username": users[0].Username, "password": "wrong-password-77"}).Body.Close()
	if r := post(t, c, base+"/api/login", map[string]string{"username": users[0].Username, "password": users[0].Password}); r.StatusCode != 200 {
		t.Fatalf("login: %d", r.StatusCode)
	}
	for i := 0; i < 3; i++ {
		if r, b := get(t, c, base+"/api/users/2"); r.StatusCode != 200 {
			t.Fatalf("GET /api/users/2: %d %s", r.StatusCode, b)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/api/user", nil)
	req.Header.Set("Cookie", "bit_session=tampered.value.x.y.z")
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != 401 {
		t.Fatalf("tampered cookie: %v %v", r, err)
	}
	if resp, page := get(t, c, base+"/metrics"); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "METRICS_TOKEN") {
		t.Fatalf("/metrics without the token: %d %s", resp.StatusCode, page)
	}
	resp, page := getMetrics(t, c, base+"/metrics", metricsToken)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, name := range []string{metrics.NameRequests, metrics.NameLatency + "_bucket", metrics.NameInFlight,
		metrics.NameMSCalls, metrics.NameMSLatency + "_bucket", metrics.NameBreakerState, metrics.NameRefreshes,
		metrics.NameCookieRejected, "go_goroutines", "process_resident_memory_bytes"} {
		if !strings.Contains(page, "\n"+name) {
			t.Errorf("metric %s is missing", name)
		}
	}
	if !strings.Contains(page, `route="/api/users/:user_id"`) || strings.Contains(page, `/api/users/2"`) {
		t.Error("request metrics must be labelled by route pattern, never the raw path")
	}
	if !regexp.MustCompile(`bff_session_cookies_rejected_total\{reason="[a-z_]+"\} 1`).MatchString(page) {
		t.Error("the rejected cookie was not counted by reason")
	}
	if strings.Contains(page, users[0].Username) {
		t.Error("a user name reached a metric label")
	}
	logs := out.String()
	if !strings.Contains(logs, `"route":"/api/users/:user_id"`) || !strings.Contains(logs, `"user_id":1`) {
		t.Errorf("request log lines lack route or user id:\n%s", logs)
	}
	for _, secret := range []string{users[0].Password, "wrong-password-77", key} {
		if strings.Contains(logs, secret) {
			t.Errorf("a secret reached the logs")
		}
	}
}

func TestDemoModeServesTheDemoUsersAtOnce(t *testing.T) {
	t.Parallel()
	base, out := runApp(t, []string{"-demo"}, "PORT=0")
	if !strings.Contains(out.String(), "ada_lovelace") || !strings.Contains(out.String(), "curl") {
		t.Fatalf("no demo banner:\n%s", out.String())
	}
	if !strings.Contains(base, "127.0.0.1") {
		t.Fatalf("demo mode must listen on loopback, got %s", base)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	for _, u := range DemoUsers() {
		if r := post(t, c, base+"/api/login", map[string]string{"username": u.Username, "password": u.Password}); r.StatusCode != 200 {
			t.Fatalf("demo login %s: %d", u.Username, r.StatusCode)
		}
		_, b := get(t, c, base+"/api/user")
		var who struct{ Username string }
		if json.Unmarshal([]byte(b), &who) != nil || who.Username != u.Username {
			t.Fatalf("demo user %s: %s", u.Username, b)
		}
	}
	if r, b := get(t, c, base+"/"); r.StatusCode != 200 || !strings.Contains(b, "<html") {
		t.Fatalf("demo page: %d %s", r.StatusCode, b)
	}
}

func TestCheckConfig(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := Run(context.Background(), Options{Args: []string{"-check-config"}, Environ: []string{"SESSION_KEYS=" + key, "MS_BASE_URL=https://ms.example.org", "DATABASE_URL=postgres://bit:pw@db.example/bit"}, Stdout: &out, Stderr: &out})
	if err != nil || !strings.Contains(out.String(), "configuration OK") || !strings.Contains(out.String(), "postgres database") {
		t.Fatalf("good config: %v %s", err, out.String())
	}
	out.Reset()
	err = Run(context.Background(), Options{Args: []string{"-check-config"}, Environ: []string{"SESSION_KEYS=" + key, "MS_BASE_URL=https://ms.example.org"}, Stdout: &out, Stderr: &out})
	if err == nil || !strings.HasPrefix(err.Error(), "config: DATABASE_URL: is required in production") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("production without DATABASE_URL: %v", err)
	}
	out.Reset()
	err = Run(context.Background(), Options{Args: []string{"-check-config"}, Environ: []string{"SESSION_KEYS=" + key, "MS_BASE_URL=https://ms.example.org", "ALLOWED_ORIGINS=*"}, Stdout: &out, Stderr: &out})
	if err == nil || !strings.HasPrefix(err.Error(), "config: ALLOWED_ORIGINS:") {
		t.Fatalf("a * origin: %v", err)
	}
	err = Run(context.Background(), Options{Args: []string{"-check-config"}, Environ: nil, Stdout: &out, Stderr: &out})
	if err == nil || !strings.Contains(err.Error(), "config: SESSION_KEYS:") || !strings.Contains(err.Error(), "config: MS_BASE_URL:") {
		t.Fatalf("production without keys and MS_BASE_URL must name both: %v", err)
	}
	if err := Run(context.Background(), Options{Args: []string{"-nonsense"}, Stdout: &out, Stderr: &out}); err == nil {
		t.Fatal("an unknown flag was accepted")
	}
}

// TestDemoRestartWithTheSameKeysKeepsSessions: the embedded emulator's secret follows SESSION_KEYS, so a demo
// restarted with the same keys accepts the cookies it issued before.
func TestDemoRestartWithTheSameKeysKeepsSessions(t *testing.T) {
	t.Parallel()
	env := []string{"PORT=0", "SESSION_KEYS=" + key}
	first, _ := runApp(t, []string{"-demo"}, env...)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	u := DemoUsers()[1]
	if r := post(t, c, first+"/api/login", map[string]string{"username": u.Username, "password": u.Password}); r.StatusCode != 200 {
		t.Fatalf("login: %d", r.StatusCode)
	}
	var cookie string
	for _, ck := range jar.Cookies(mustURL(t, first)) {
		cookie = ck.Name + "=" + ck.Value
	}
	second, _ := runApp(t, []string{"-demo"}, env...)
	req, _ := http.NewRequest(http.MethodGet, second+"/api/user", nil)
	req.Header.Set("Cookie", cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the second demo process refused the first one's cookie: %d", resp.StatusCode)
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestMetricsLabelsSurviveKeepAliveReuse: several methods on one keep-alive connection must each be counted
// under their own method (Fiber's strings share the request buffer; labels must not).
func TestMetricsLabelsSurviveKeepAliveReuse(t *testing.T) {
	t.Parallel()
	ms := httptest.NewServer(emulator.New(emulator.Options{Secret: []byte("s"), SeedUsers: emulator.LoadUsers(1)}))
	t.Cleanup(ms.Close)
	base, _ := runApp(t, nil, "SESSION_KEYS="+key, "MS_BASE_URL="+ms.URL, "HOST=127.0.0.1", "PORT=0", "COOKIE_SECURE=false",
		"METRICS_TOKEN="+metricsToken)
	tr := &http.Transport{MaxConnsPerHost: 1}
	t.Cleanup(tr.CloseIdleConnections)
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	for i := 0; i < 3; i++ {
		for _, m := range []string{http.MethodPut, http.MethodGet, http.MethodDelete} {
			req, _ := http.NewRequest(m, base+"/api/user", strings.NewReader(`{}`))
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	resp, page := getMetrics(t, c, base+"/metrics", metricsToken)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics after keep-alive reuse: %d %s", resp.StatusCode, page)
	}
	for _, m := range []string{"PUT", "GET", "DELETE"} {
		if !strings.Contains(page, `bff_http_requests_total{method="`+m+`",route="/api/user",status="401"} 3`) {
			t.Errorf("%s requests not counted under their own method:\n%s", m, grepLines(page, "bff_http_requests_total"))
		}
	}
}

func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// With METRICS_ADDR the metrics live on their own listener only; the app's port has no /metrics at all.
func TestMetricsOnTheirOwnListenerOnly(t *testing.T) {
	t.Parallel()
	ms := httptest.NewServer(emulator.New(emulator.Options{Secret: []byte("app-test-secret")}))
	t.Cleanup(ms.Close)
	base, out := runApp(t, nil, "SESSION_KEYS="+key, "MS_BASE_URL="+ms.URL, "HOST=127.0.0.1", "PORT=0",
		"COOKIE_SECURE=false", "METRICS_ADDR=127.0.0.1:0")
	c := &http.Client{Timeout: 10 * time.Second}
	if resp, page := get(t, c, base+"/metrics"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("/metrics on the app's port: %d %s", resp.StatusCode, page)
	}
	var addr string
	for _, line := range strings.Split(out.String(), "\n") {
		var rec struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "metrics listening" {
			addr = rec.Addr
		}
	}
	if addr == "" {
		t.Fatalf("no metrics listener logged:\n%s", out.String())
	}
	if resp, page := get(t, c, "http://"+addr+"/metrics"); resp.StatusCode != http.StatusOK || !strings.Contains(page, "go_goroutines") {
		t.Fatalf("/metrics on METRICS_ADDR: %d %.200s", resp.StatusCode, page)
	}
}
