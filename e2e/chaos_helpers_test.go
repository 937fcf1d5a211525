package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The chaos test's simulated users and what they record. Every user is one goroutine with its own transport
// (its own "browser"), sending one request at a time; it owns its cookie and its records, so the only state
// shared with the controller is a few atomics.

const (
	chaosOpUser    = "GET /api/user"
	chaosOpSession = "GET /api/session"
	chaosOpPut     = "PUT /api/user"
)

// chaosRecord is one request a user made and what came back.
type chaosRecord struct {
	user, inst, seq int
	op              string
	reqID           string
	start, end      time.Time
	wrote           time.Time // when the request was fully written (zero: never)
	status          int       // 0: no HTTP answer (err says why)
	err             string
	isJSON          bool   // Content-Type application/json
	message         string // the "message" of a JSON object answer
	retryAfter      string
	mixup           string // a 200 that named somebody else: what it named
	bioSeq          int    // GET /api/user 200: the number in the bio this user last PUT, -1 when none
	renewed         bool   // the answer set a new session cookie
	cleared         bool   // the answer cleared the session cookie
}

func (r *chaosRecord) overlaps(from, to time.Time) bool {
	return r.start.Before(to) && r.end.After(from)
}

// chaosUser is one simulated browser.
type chaosUser struct {
	idx        int
	name       string
	id         int64
	client     *http.Client
	cookieName string
	cookie     string // the session cookie's value; only the user's goroutine touches it after login
	records    []chaosRecord
	lastOK     atomic.Int64 // unix ns of the end of the latest 200 from MS-backed GET/PUT /api/user
	pending    atomic.Pointer[chaosPending]
}

// chaosPending is the request a user is waiting on, for the controller to see what is in flight where.
type chaosPending struct {
	inst  int
	wrote atomic.Int64 // unix ns when it was fully written, 0 before
}

// writtenTo reports whether the user waits on a request to inst that was fully written before cutoff.
func (u *chaosUser) writtenTo(inst int, cutoff time.Time) bool {
	p := u.pending.Load()
	if p == nil || p.inst != inst {
		return false
	}
	w := p.wrote.Load()
	return w != 0 && w < cutoff.UnixNano()
}

func newChaosUser(idx int) *chaosUser {
	name, _ := loadUser(idx)
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 2,
		IdleConnTimeout:     30 * time.Second,
	}
	return &chaosUser{idx: idx, name: name, client: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

// login signs the user in at base and keeps the cookie (shared by every instance, as a browser would: cookies
// are scoped by host, not port).
func (u *chaosUser) login(base string) error {
	name, pass := loadUser(u.idx)
	body, _ := json.Marshal(map[string]string{"username": name, "password": pass})
	req, _ := http.NewRequest(http.MethodPost, base+"/api/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := u.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("login %s: %d %s", name, resp.StatusCode, data)
	}
	var ans struct {
		User struct {
			ID       int64  `json:"id"`
			Username string `json:"username"`
		} `json:"user"`
	}
	if err := json.Unmarshal(data, &ans); err != nil || ans.User.Username != name {
		return fmt.Errorf("login %s answered %s", name, data)
	}
	u.id = ans.User.ID
	for _, c := range resp.Cookies() {
		if c.HttpOnly && c.Value != "" {
			u.cookieName, u.cookie = c.Name, c.Value
		}
	}
	if u.cookie == "" {
		return fmt.Errorf("login %s set no session cookie: %v", name, resp.Header.Values("Set-Cookie"))
	}
	return nil
}

// chaosOp is the user's k-th operation: mostly reads, a write now and then.
func chaosOp(k int) string {
	switch {
	case k%7 == 3:
		return chaosOpPut
	case k%2 == 0:
		return chaosOpUser
	default:
		return chaosOpSession
	}
}

func (u *chaosUser) bio(seq int) string { return fmt.Sprintf("chaos %s put %d", u.name, seq) }

// do sends one request to instance inst at base and records the outcome.
func (u *chaosUser) do(base string, inst, seq int, op string) chaosRecord {
	rec := chaosRecord{user: u.idx, inst: inst, seq: seq, op: op, bioSeq: -1,
		reqID: fmt.Sprintf("chaos-u%d-r%d", u.idx, seq)}
	method, path, _ := strings.Cut(op, " ")
	var body io.Reader
	if method == http.MethodPut {
		j, _ := json.Marshal(map[string]string{"bio": u.bio(seq)})
		body = bytes.NewReader(j)
	}
	pending := &chaosPending{inst: inst}
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				pending.wrote.Store(time.Now().UnixNano())
			}
		},
	})
	req, _ := http.NewRequestWithContext(ctx, method, base+path, body)
	req.Header.Set("X-Request-ID", rec.reqID)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF", "1")
	}
	if u.cookie != "" {
		req.Header.Set("Cookie", u.cookieName+"="+u.cookie)
	}
	rec.start = time.Now()
	u.pending.Store(pending)
	resp, err := u.client.Do(req)
	var data []byte
	if err == nil {
		data, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
	}
	rec.end = time.Now()
	u.pending.Store(nil)
	if w := pending.wrote.Load(); w != 0 {
		rec.wrote = time.Unix(0, w)
	}
	if err != nil {
		rec.err = err.Error()
		return rec
	}
	rec.status = resp.StatusCode
	rec.retryAfter = resp.Header.Get("Retry-After")
	rec.isJSON = strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json")
	for _, c := range resp.Cookies() {
		if c.Name != u.cookieName {
			continue
		}
		if c.MaxAge < 0 || c.Value == "" {
			rec.cleared, u.cookie = true, "" // what a browser does: the user is logged out from now on
		} else if c.Value != u.cookie {
			rec.renewed, u.cookie = true, c.Value
		}
	}
	var obj map[string]any
	if json.Unmarshal(data, &obj) == nil {
		rec.message, _ = obj["message"].(string)
	}
	if rec.status == http.StatusOK {
		rec.mixup = u.checkIdentity(op, obj, &rec)
		if rec.mixup == "" && op != chaosOpSession {
			u.lastOK.Store(rec.end.UnixNano())
		}
	}
	return rec
}

// checkIdentity says what a 200 named when that is not this user ("" when it is).
func (u *chaosUser) checkIdentity(op string, obj map[string]any, rec *chaosRecord) string {
	switch op {
	case chaosOpUser:
		name, _ := obj["username"].(string)
		id, _ := obj["id"].(float64)
		if name != u.name || int64(id) != u.id {
			return fmt.Sprintf("user %q id %v", name, obj["id"])
		}
		if bio, ok := obj["bio"].(string); ok {
			f := strings.Fields(bio)
			if len(f) != 4 || f[0] != "chaos" || f[1] != u.name || f[2] != "put" {
				return fmt.Sprintf("bio %q", bio)
			}
			rec.bioSeq, _ = strconv.Atoi(f[3])
		}
	case chaosOpSession:
		id, _ := obj["user_id"].(float64)
		if auth, _ := obj["authenticated"].(bool); !auth || int64(id) != u.id {
			return fmt.Sprintf("session %v", obj)
		}
	case chaosOpPut:
		if obj == nil {
			return "PUT answered no JSON object"
		}
	}
	return ""
}

// chaosMaxStore raises a to v when v is larger.
func chaosMaxStore(a *atomic.Int64, v int64) {
	for {
		old := a.Load()
		if v <= old || a.CompareAndSwap(old, v) {
			return
		}
	}
}

// chaosFreePort picks a loopback port that is free now, so a process (and its restart) can be given it.
func chaosFreePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// chaosMetric sums the samples of one metric family (whatever their labels) in a /metrics page, keeping only
// the samples whose label text contains every one of with.
func chaosMetric(page, name string, with ...string) float64 {
	var sum float64
	sc := bufio.NewScanner(strings.NewReader(page))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
next:
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name) {
			continue
		}
		rest := line[len(name):]
		if rest == "" || (rest[0] != ' ' && rest[0] != '{') {
			continue
		}
		for _, w := range with {
			if !strings.Contains(rest, w) {
				continue next
			}
		}
		f := strings.Fields(rest)
		if v, err := strconv.ParseFloat(f[len(f)-1], 64); err == nil {
			sum += v
		}
	}
	return sum
}

// chaosScrape reads an instance's /metrics page.
func chaosScrape(base string) (string, error) {
	c := &http.Client{Timeout: 3 * time.Second}
	req, err := http.NewRequest(http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+testMetricsToken)
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET /metrics: %d %.200s", resp.StatusCode, data)
	}
	return string(data), err
}

// chaosLoggedRequests maps each request id in a BFF's JSON log to the status it logged.
func chaosLoggedRequests(out string) map[string]int {
	got := map[string]int{}
	for _, line := range strings.Split(out, "\n") {
		if !strings.Contains(line, `"msg":"request"`) {
			continue
		}
		var l struct {
			RequestID string `json:"request_id"`
			Status    int    `json:"status"`
		}
		if json.Unmarshal([]byte(line), &l) == nil && l.RequestID != "" {
			got[l.RequestID] = l.Status
		}
	}
	return got
}

func chaosMS(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) + " ms" }
