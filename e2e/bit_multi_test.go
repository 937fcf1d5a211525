package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/internal/pgtest"
)

const (
	bitMultiInstances = 3
	bitMultiUsers     = 20
	bitMultiOps       = 16 // per user, half writes
)

// TestBITThreeInstancesOnOnePostgres runs three BFF processes on one PostgreSQL database (a throwaway cluster).
// 20 users write and read their own additional info through random instances while one instance is stopped and
// restarted in the middle: every read returns that user's own last write. Then the database server is stopped:
// the BridgeInTech routes answer 503 JSON, the MS routes keep working, /readyz and /metrics say the store is down;
// once the server is back, the data is still there.
func TestBITThreeInstancesOnOnePostgres(t *testing.T) {
	cluster := pgtest.StartT(t)
	dbURL := cluster.NewDatabase(t)
	ms := startMS(t)
	var urls [bitMultiInstances]string
	var ports [bitMultiInstances]string
	var procs [bitMultiInstances]*proc
	startInstance := func(i int) *proc {
		p := startBFF(t, ms, testSessionKey, "PORT="+ports[i], "DATABASE_URL="+dbURL, "SHUTDOWN_GRACE=10s", "DB_TIMEOUT=1s")
		p.name = fmt.Sprintf("bff%d", i)
		return p
	}
	for i := range procs { // started together: the migrations must cope with concurrent starts
		ports[i] = chaosFreePort(t)
		urls[i] = "http://127.0.0.1:" + ports[i]
	}
	var swg sync.WaitGroup
	for i := range procs {
		swg.Add(1)
		go func() { defer swg.Done(); procs[i] = startInstance(i) }()
	}
	swg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	var done atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan string, bitMultiUsers*bitMultiOps)
	for u := 0; u < bitMultiUsers; u++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if msg := bitMultiUser(urls[:], 21+u, &done); msg != "" {
				errs <- msg
			}
		}()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	// The restart in the middle: instance 1 gets SIGTERM once a third of the operations are done, and comes back.
	for done.Load() < bitMultiUsers*bitMultiOps/3 {
		select {
		case <-finished:
			t.Fatalf("the users stopped after %d operations", done.Load())
		case <-time.After(5 * time.Millisecond):
		}
	}
	if err := procs[1].stop(15 * time.Second); err != nil {
		t.Fatalf("instance 1 did not stop cleanly: %v", err)
	}
	procs[1] = startInstance(1)
	<-finished
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if t.Failed() {
		t.FailNow()
	}

	// The database goes down.
	b := newBrowser(t)
	b.login(urls[0], 21)
	if err := cluster.StopServer(); err != nil {
		t.Fatal(err)
	}
	a := b.must(http.MethodGet, urls[0]+"/api/user/additional_info", nil)
	if a.status != http.StatusServiceUnavailable || a.field(t, "message") != "The database is unavailable. Please try again later." {
		t.Fatalf("a BIT read with the database down: %d %s", a.status, a.body)
	}
	if a := b.must(http.MethodGet, urls[0]+"/api/user", nil); a.status != http.StatusOK {
		t.Fatalf("an MS route with the database down: %d %s", a.status, a.body)
	}
	if a := b.must(http.MethodGet, urls[0]+"/readyz", nil); a.status != http.StatusServiceUnavailable || a.field(t, "store") != "unreachable" {
		t.Fatalf("/readyz with the database down: %d %s", a.status, a.body)
	}
	if page := b.must(http.MethodGet, urls[0]+"/metrics", nil, "Authorization", "Bearer "+testMetricsToken); !strings.Contains(string(page.body), "\nbff_store_up 0\n") {
		t.Fatalf("/metrics with the database down lacks bff_store_up 0")
	}
	if err := cluster.StartServer(); err != nil {
		t.Fatal(err)
	}
	a = b.must(http.MethodGet, urls[2]+"/api/user/additional_info", nil)
	if a.status != http.StatusOK || !strings.HasPrefix(a.field(t, "phone").(string), "21 ") {
		t.Fatalf("a BIT read once the database is back: %d %s", a.status, a.body)
	}
	// /readyz checks the database at most once a second, so it may still tell the last check for a moment.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		a := b.must(http.MethodGet, urls[0]+"/readyz", nil)
		if a.status == http.StatusOK && a.field(t, "store") == "reachable" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz once the database is back: %d %s", a.status, a.body)
		}
	}
}

// bitMultiUser logs load user i in and alternates writes and reads of their additional info through random
// instances; it returns what went wrong, or "". A request that gets no answer (the instance being restarted) is
// sent again to another instance: a write with the same value, so the last write stays known.
func bitMultiUser(urls []string, i int, done *atomic.Int64) string {
	client := &http.Client{Timeout: 10 * time.Second}
	name, pass := loadUser(i)
	var cookie string
	send := func(method, path, body string) (int, []byte, error) {
		var lastErr error
		for attempt := 0; attempt < 20; attempt++ {
			base := urls[rand.IntN(len(urls))]
			req, _ := http.NewRequestWithContext(context.Background(), method, base+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-CSRF", "1")
			if cookie != "" {
				req.Header.Set("Cookie", cookie)
			}
			resp, err := client.Do(req)
			if err != nil {
				lastErr = err
				time.Sleep(50 * time.Millisecond)
				continue
			}
			data, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				lastErr = err
				continue
			}
			for _, c := range resp.Cookies() {
				if c.HttpOnly && c.Value != "" {
					cookie = c.Name + "=" + c.Value
				}
			}
			return resp.StatusCode, data, nil
		}
		return 0, nil, lastErr
	}
	login, _ := json.Marshal(map[string]string{"username": name, "password": pass})
	if st, body, err := send(http.MethodPost, "/api/login", string(login)); err != nil || st != http.StatusOK {
		return fmt.Sprintf("%s: login: %d %s %v", name, st, body, err)
	}
	last := ""
	for k := 0; k < bitMultiOps; k++ {
		if k%2 == 0 {
			phone := fmt.Sprintf("%d %d", i, k)
			body, _ := json.Marshal(map[string]any{"is_organization_rep": false, "timezone": "GMT0", "phone": phone,
				"mobile": "", "personal_website": ""})
			st, data, err := send(http.MethodPut, "/api/user/additional_info", string(body))
			if err != nil || (st != http.StatusCreated && st != http.StatusOK) {
				return fmt.Sprintf("%s: write %d: %d %s %v", name, k, st, data, err)
			}
			last = phone
		} else {
			st, data, err := send(http.MethodGet, "/api/user/additional_info", "")
			if err != nil || st != http.StatusOK {
				return fmt.Sprintf("%s: read %d: %d %s %v", name, k, st, data, err)
			}
			var got struct {
				Phone string `json:"phone"`
			}
			if json.Unmarshal(data, &got) != nil || got.Phone != last {
				return fmt.Sprintf("%s: read %d returned phone %q, want its own last write %q", name, k, got.Phone, last)
			}
		}
		done.Add(1)
	}
	return ""
}
