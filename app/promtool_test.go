package app

import (
	"bytes"
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

// promtoolCheck pipes an exposition page to `promtool check metrics` (Debian package prometheus) and returns
// its output and whether it passed. A missing promtool fails the test: scripts/test.sh installs it.
func promtoolCheck(t *testing.T, page []byte) (string, bool) {
	t.Helper()
	bin, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatalf("promtool is not installed (Debian: apt-get install prometheus; scripts/test.sh does it): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "check", "metrics")
	cmd.Stdin = bytes.NewReader(page)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if _, exited := err.(*exec.ExitError); !exited {
			t.Fatalf("running promtool: %v", err)
		}
		return string(out), false
	}
	return string(out), true
}

// TestMetricsPassPromtool scrapes /metrics of the real program, in-process, after traffic that creates every
// labelled series (requests, MS calls, a refused login, a rejected cookie), and lints the page with promtool;
// every bff_ family on the page must also be in the README's metrics table.
func TestMetricsPassPromtool(t *testing.T) {
	t.Parallel()
	users := emulator.LoadUsers(1)
	ms := httptest.NewServer(emulator.New(emulator.Options{Secret: []byte("lint-secret"), SeedUsers: users}))
	t.Cleanup(ms.Close)
	base, _ := runApp(t, nil, "SESSION_KEYS="+key, "MS_BASE_URL="+ms.URL, "HOST=127.0.0.1", "PORT=0",
		"COOKIE_SECURE=false", "MS_JWT_SECRET=lint-secret", "METRICS_TOKEN="+metricsToken)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	post(t, c, base+"/api/login", map[string]string{"username": users[0].Username, "password": "wrong-password"}).Body.Close()
	post(t, c, base+"/api/login", map[string]string{"username": users[0].Username, "password": users[0].Password}).Body.Close()
	get(t, c, base+"/api/user")
	req, _ := http.NewRequest(http.MethodGet, base+"/api/user", nil)
	req.Header.Set("Cookie", "bit_session=tampered")
	if r, err := http.DefaultClient.Do(req); err == nil {
		r.Body.Close()
	}
	resp, page := getMetrics(t, c, base+"/metrics", metricsToken)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	if out, ok := promtoolCheck(t, []byte(page)); !ok {
		t.Fatalf("promtool check metrics refused the BFF's /metrics:\n%s", out)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	families := regexp.MustCompile(`(?m)^# TYPE (bff_[a-z_]+) `).FindAllStringSubmatch(page, -1)
	if len(families) == 0 {
		t.Fatalf("no bff_ metric on the page:\n%s", page)
	}
	for _, f := range families {
		if !strings.Contains(string(readme), "| `"+f[1]+"` |") {
			t.Errorf("%s is exported but README.md's metrics table has no row for it", f[1])
		}
	}
}

// TestPromtoolRefusesABadPage shows the lint can fail: the old names, whose "ms" promtool reads as
// milliseconds, and a counter without _total.
func TestPromtoolRefusesABadPage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, page, want string
	}{
		{"a name with an abbreviated unit is refused",
			"# HELP bff_ms_calls_total Calls to MS.\n# TYPE bff_ms_calls_total counter\nbff_ms_calls_total 1\n",
			"abbreviated units"},
		{"a counter without the _total suffix is refused",
			"# HELP bff_upstream_requests Requests.\n# TYPE bff_upstream_requests counter\nbff_upstream_requests 1\n",
			"_total"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, ok := promtoolCheck(t, []byte(tc.page))
			if ok || !strings.Contains(out, tc.want) {
				t.Fatalf("promtool passed or said something else (ok=%v):\n%s", ok, out)
			}
		})
	}
}
