package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
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
	// A list makes at most one MS call, so a cold instance learns one representative's name per list (the name
	// cache, README "BridgeInTech's own data"): after as many lists as there are demo users every name is known.
	var orgs []struct {
		ID                 int64  `json:"id"`
		RepresentativeName string `json:"representative_name"`
	}
	for range len(DemoUsers()) + 1 {
		r, b := get(t, c, base+"/api/organizations")
		if r.StatusCode != http.StatusOK || json.Unmarshal([]byte(b), &orgs) != nil || len(orgs) != len(DemoUsers()) {
			t.Fatalf("GET /api/organizations: %d %s", r.StatusCode, b)
		}
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

// TestMalformedDatabaseURLStopsTheStartWithoutItsPassword: a DATABASE_URL no retry can fix ends Run at once with
// an error naming the variable, never the URL's password.
func TestMalformedDatabaseURLStopsTheStartWithoutItsPassword(t *testing.T) {
	t.Parallel()
	ms := httptest.NewServer(emulator.New(emulator.Options{Secret: []byte("s")}))
	t.Cleanup(ms.Close)
	var out strings.Builder
	err := Run(context.Background(), Options{Environ: []string{"SESSION_KEYS=" + key, "MS_BASE_URL=" + ms.URL,
		"HOST=127.0.0.1", "PORT=0", "DATABASE_URL=postgres://bit:hunter2secret@db.example:notaport/bit"},
		Stdout: &out, Stderr: &out})
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Fatalf("Run = %v", err)
	}
	if strings.Contains(err.Error(), "hunter2secret") || strings.Contains(out.String(), "hunter2secret") {
		t.Fatalf("the database password leaked: %v\n%s", err, out.String())
	}
}

// TestUnreachableDatabaseDoesNotStopTheStartNorLeakItsPassword: with a PostgreSQL server that is not there, the
// BFF serves: /healthz 200, /readyz 503 saying the database is not opened, and the logs never show the password.
func TestUnreachableDatabaseDoesNotStopTheStartNorLeakItsPassword(t *testing.T) {
	t.Parallel()
	ms := httptest.NewServer(emulator.New(emulator.Options{Secret: []byte("s")}))
	t.Cleanup(ms.Close)
	ln := httptest.NewUnstartedServer(nil) // a free port nobody answers on once closed
	addr := ln.Listener.Addr().String()
	ln.Close()
	base, out := runApp(t, nil, "SESSION_KEYS="+key, "MS_BASE_URL="+ms.URL, "HOST=127.0.0.1", "PORT=0",
		"DATABASE_URL=postgres://bit:hunter2secret@"+addr+"/bit?connect_timeout=5")
	c := &http.Client{Timeout: 10 * time.Second}
	if r, b := get(t, c, base+"/healthz"); r.StatusCode != http.StatusOK {
		t.Errorf("/healthz: %d %s", r.StatusCode, b)
	}
	if r, b := get(t, c, base+"/readyz"); r.StatusCode != http.StatusServiceUnavailable || !strings.Contains(b, `"store":"not opened"`) {
		t.Errorf("/readyz: %d %s", r.StatusCode, b)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "database not open yet") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(out.String(), "database not open yet") {
		t.Errorf("no log line of a failed attempt:\n%s", out.String())
	}
	if strings.Contains(out.String(), "hunter2secret") {
		t.Fatalf("the database password leaked:\n%s", out.String())
	}
}

// TestBITRoutesServeOnceTheDatabaseOpensWithoutARestart: a database that cannot be opened at start (an SQLite file
// in a folder that does not exist yet) leaves login working and BridgeInTech routes answering 503 JSON with
// Retry-After; once it can be opened, the same process serves them and /readyz says the store is reachable.
func TestBITRoutesServeOnceTheDatabaseOpensWithoutARestart(t *testing.T) {
	t.Parallel()
	users := emulator.LoadUsers(1)
	ms := httptest.NewServer(emulator.New(emulator.Options{Secret: []byte("s"), SeedUsers: users}))
	t.Cleanup(ms.Close)
	folder := filepath.Join(t.TempDir(), "later")
	base, _ := runApp(t, nil, "SESSION_KEYS="+key, "MS_BASE_URL="+ms.URL, "HOST=127.0.0.1", "PORT=0",
		"COOKIE_SECURE=false", "DATABASE_URL=sqlite:"+filepath.Join(folder, "bit.db"))
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	if r := post(t, c, base+"/api/login", map[string]string{"username": users[0].Username, "password": users[0].Password}); r.StatusCode != 200 {
		t.Fatalf("login while the database is not open: %d", r.StatusCode)
	}
	r, b := get(t, c, base+"/api/user/additional_info")
	if r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" ||
		!strings.Contains(b, `"message":"`+bit.MsgStoreUnavailable+`"`) {
		t.Fatalf("a BridgeInTech route before the database opens: %d %q %s", r.StatusCode, r.Header.Get("Retry-After"), b)
	}
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for r.StatusCode == http.StatusServiceUnavailable && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		r, b = get(t, c, base+"/api/user/additional_info")
	}
	if r.StatusCode != http.StatusNotFound {
		t.Fatalf("after the database can open: %d %s", r.StatusCode, b)
	}
	if r, b := get(t, c, base+"/readyz"); !strings.Contains(b, `"store":"reachable"`) {
		t.Errorf("/readyz once open: %d %s", r.StatusCode, b)
	}
}
