package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
	"github.com/anitab-org/bridge-in-tech-bff/metrics"
)

// TestDemoModeSeedsOrganizationsOfTheDemoUsers: demo mode gives every demo user a published organization with two
// programs, named after the demo user at MS.
func TestDemoModeSeedsOrganizationsOfTheDemoUsers(t *testing.T) {
	t.Parallel()
	base, _ := runApp(t, []string{"-demo"}, "PORT=0")
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	u := DemoUsers()[1]
	if r := post(t, c, base+"/api/login", map[string]string{"username": u.Username, "password": u.Password}); r.StatusCode != 200 {
		t.Fatalf("login: %d", r.StatusCode)
	}
	r, b := get(t, c, base+"/api/organizations")
	var orgs []struct {
		ID                 int64  `json:"id"`
		RepresentativeName string `json:"representative_name"`
	}
	if r.StatusCode != http.StatusOK || json.Unmarshal([]byte(b), &orgs) != nil || len(orgs) != len(DemoUsers()) {
		t.Fatalf("GET /api/organizations: %d %s", r.StatusCode, b)
	}
	for i, o := range orgs {
		if o.RepresentativeName != DemoUsers()[i].Name {
			t.Errorf("organization %d is represented by %q, want %q", o.ID, o.RepresentativeName, DemoUsers()[i].Name)
		}
		r, b := get(t, c, base+"/api/organizations/"+itoa(o.ID)+"/programs")
		var ps []map[string]any
		if r.StatusCode != http.StatusOK || json.Unmarshal([]byte(b), &ps) != nil || len(ps) != 2 {
			t.Errorf("programs of %d: %d %s", o.ID, r.StatusCode, b)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestStoreMetricsAndReadiness: BridgeInTech routes feed the store's metrics, and /readyz names the store.
func TestStoreMetricsAndReadiness(t *testing.T) {
	t.Parallel()
	users := emulator.LoadUsers(1)
	ms := httptest.NewServer(emulator.New(emulator.Options{Secret: []byte("s"), SeedUsers: users}))
	t.Cleanup(ms.Close)
	base, out := runApp(t, nil, "SESSION_KEYS="+key, "MS_BASE_URL="+ms.URL, "HOST=127.0.0.1", "PORT=0", "COOKIE_SECURE=false",
		"METRICS_TOKEN="+metricsToken)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	if r := post(t, c, base+"/api/login", map[string]string{"username": users[0].Username, "password": users[0].Password}); r.StatusCode != 200 {
		t.Fatalf("login: %d", r.StatusCode)
	}
	if r, b := get(t, c, base+"/api/user/additional_info"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("GET /api/user/additional_info before any PUT: %d %s", r.StatusCode, b)
	}
	r, b := get(t, c, base+"/readyz")
	if r.StatusCode != http.StatusOK || !strings.Contains(b, `"store":"reachable"`) {
		t.Fatalf("/readyz: %d %s", r.StatusCode, b)
	}
	_, page := getMetrics(t, c, base+"/metrics", metricsToken)
	for _, want := range []string{
		metrics.NameStoreUp + " 1",
		metrics.NameStoreCalls + `{operation="additional_info_get",outcome="ok"} 1`,
		metrics.NameStoreLatency + `_bucket{operation="additional_info_get",outcome="ok"`,
		metrics.NameStoreCalls + `{operation="ping",outcome="ok"} 1`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("metrics lack %q:\n%s", want, grepLines(page, "bff_store"))
		}
	}
	if !strings.Contains(out.String(), `"msg":"database ready","kind":"sqlite"`) {
		t.Errorf("no start-up line naming the database:\n%s", out.String())
	}
}

// TestUnreachableDatabaseStopsTheStartWithoutItsPassword: a DATABASE_URL that cannot be opened ends Run with an
// error naming the variable, never the URL's password.
func TestUnreachableDatabaseStopsTheStartWithoutItsPassword(t *testing.T) {
	t.Parallel()
	ms := httptest.NewServer(emulator.New(emulator.Options{Secret: []byte("s")}))
	t.Cleanup(ms.Close)
	ln := httptest.NewUnstartedServer(nil) // a free port nobody answers on once closed
	addr := ln.Listener.Addr().String()
	ln.Close()
	var out strings.Builder
	err := Run(context.Background(), Options{Environ: []string{"SESSION_KEYS=" + key, "MS_BASE_URL=" + ms.URL,
		"HOST=127.0.0.1", "PORT=0", "DATABASE_URL=postgres://bit:hunter2secret@" + addr + "/bit?connect_timeout=5"},
		Stdout: &out, Stderr: &out})
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Fatalf("Run = %v", err)
	}
	if strings.Contains(err.Error(), "hunter2secret") || strings.Contains(out.String(), "hunter2secret") {
		t.Fatalf("the database password leaked: %v\n%s", err, out.String())
	}
}
