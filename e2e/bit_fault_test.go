package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/internal/pgtest"
)

// TestBITStartsWithPostgreSQLDownAndServesOnceItIsUp: a BFF started while its PostgreSQL is stopped serves
// /healthz, login and the MS routes, answers BridgeInTech routes 503 and /readyz 503 naming the database; once
// PostgreSQL starts, the same process applies the migrations and serves the BridgeInTech routes within 10 s.
func TestBITStartsWithPostgreSQLDownAndServesOnceItIsUp(t *testing.T) {
	cluster := pgtest.StartT(t)
	dbURL := cluster.NewDatabase(t)
	if err := cluster.StopServer(); err != nil {
		t.Fatal(err)
	}
	ms := startMS(t)
	bff := startBFF(t, ms, testSessionKey, "DATABASE_URL="+dbURL, "DB_TIMEOUT=1s")
	b := newBrowser(t)
	if a := b.must(http.MethodGet, bff.url()+"/healthz", nil); a.status != http.StatusOK {
		t.Fatalf("/healthz with the database down: %d %s", a.status, a.body)
	}
	if a := b.must(http.MethodGet, bff.url()+"/readyz", nil); a.status != http.StatusServiceUnavailable || a.field(t, "store") != "not opened" {
		t.Fatalf("/readyz with the database down: %d %s", a.status, a.body)
	}
	b.login(bff.url(), 1)
	if a := b.must(http.MethodGet, bff.url()+"/api/user", nil); a.status != http.StatusOK {
		t.Fatalf("an MS route with the database down: %d %s", a.status, a.body)
	}
	a := b.must(http.MethodGet, bff.url()+"/api/user/additional_info", nil)
	if a.status != http.StatusServiceUnavailable || a.header.Get("Retry-After") == "" || a.field(t, "message") != bit.MsgStoreUnavailable {
		t.Fatalf("a BridgeInTech route with the database down: %d %v %s", a.status, a.header, a.body)
	}

	if err := cluster.StartServer(); err != nil {
		t.Fatal(err)
	}
	up := time.Now()
	for {
		a = b.must(http.MethodGet, bff.url()+"/api/user/additional_info", nil)
		if a.status != http.StatusServiceUnavailable {
			break
		}
		if time.Since(up) > 10*time.Second {
			t.Fatalf("the BridgeInTech route still answers 503 10 s after PostgreSQL started:\n%s", bff.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if a.status != http.StatusNotFound { // nobody has saved additional info yet
		t.Fatalf("the BridgeInTech route once PostgreSQL is up: %d %s", a.status, a.body)
	}
	t.Logf("served %d ms after PostgreSQL started", time.Since(up).Milliseconds())
	if a := b.must(http.MethodPut, bff.url()+"/api/user/additional_info", additionalInfo(false, "123")); a.status != http.StatusCreated {
		t.Fatalf("a write once PostgreSQL is up: %d %s", a.status, a.body)
	}
	select {
	case <-bff.done:
		t.Fatalf("the BFF exited: %v", bff.err)
	default:
	}
}

// faultWriter is one client of the fault run: it saves its user's additional info again and again with an
// increasing number in the phone field, through random instances, reading it back between writes, and checks
// every read as it goes. Only its own goroutine touches it until the run ends.
type faultWriter struct {
	user     int // load user number
	b        *browser
	seq      int
	acked    int          // the highest number acknowledged (200/201); 0: none
	refused  map[int]bool // numbers answered 503, or whose connection was refused: must never be seen
	unknown  map[int]bool // numbers answered 504, or with no answer: may be seen
	statuses map[int]int  // answers to writes by status (0: no answer, -1: connection refused)
	problems []string     // what its reads saw that they must not
	reads    int          // reads answered 200
}

func newFaultWriter(t *testing.T, user int) *faultWriter {
	return &faultWriter{user: user, b: newBrowser(t), refused: map[int]bool{}, unknown: map[int]bool{},
		statuses: map[int]int{}}
}

// phone is the phone field of write n.
func (w *faultWriter) phone(n int) string { return fmt.Sprintf("%d %d", w.user, n) }

// number is the write number a phone field holds (-1 when it is not one of this writer's).
func (w *faultWriter) number(phone string) int {
	u, n, ok := strings.Cut(phone, " ")
	if !ok || u != strconv.Itoa(w.user) {
		return -1
	}
	v, err := strconv.Atoi(n)
	if err != nil {
		return -1
	}
	return v
}

// write sends write number w.seq+1 to base and records its answer.
func (w *faultWriter) write(base string) int {
	w.seq++
	n := w.seq
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	a, err := w.b.do(ctx, http.MethodPut, base+"/api/user/additional_info", additionalInfo(false, w.phone(n)))
	status := a.status
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		status = -1 // the instance was down: the request was never sent
	case err != nil:
		status = 0
	}
	w.statuses[status]++
	switch status {
	case http.StatusOK, http.StatusCreated:
		w.acked = n
	case http.StatusServiceUnavailable, -1:
		w.refused[n] = true
	default: // 504, or no answer (the instance was killed): the write may have been applied
		w.unknown[n] = true
	}
	return status
}

// check judges a value read after the writes up to w.acked were acknowledged.
func (w *faultWriter) check(what string, found bool, phone string, ackedBefore int) {
	n := -1
	if found {
		n = w.number(phone)
	}
	switch {
	case !found && ackedBefore > 0:
		w.problems = append(w.problems, fmt.Sprintf("user %d: %s found nothing after write %d was acknowledged", w.user, what, ackedBefore))
	case found && n < 0:
		w.problems = append(w.problems, fmt.Sprintf("user %d: %s found %q, not one of its writes", w.user, what, phone))
	case found && n < ackedBefore:
		w.problems = append(w.problems, fmt.Sprintf("user %d: %s found write %d, older than write %d already acknowledged (stale or overwritten)", w.user, what, n, ackedBefore))
	case found && w.refused[n]:
		w.problems = append(w.problems, fmt.Sprintf("user %d: %s found write %d, which was answered 503", w.user, what, n))
	}
}

// read reads the user's additional info through base and checks it; it reports whether it got an answer from
// the database (200 or 404).
func (w *faultWriter) read(base string) bool {
	ackedBefore := w.acked
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	a, err := w.b.do(ctx, http.MethodGet, base+"/api/user/additional_info", nil)
	if err != nil || a.status != http.StatusOK && a.status != http.StatusNotFound {
		return false
	}
	phone := ""
	if a.status == http.StatusOK {
		w.reads++
		phone = fieldOf(a, "phone")
	}
	w.check("a read", a.status == http.StatusOK, phone, ackedBefore)
	return true
}

// fieldOf returns a string field of a JSON object answer ("" when absent).
func fieldOf(a answer, key string) string {
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		return ""
	}
	s, _ := m[key].(string)
	return s
}

// faultInstances runs n BFF processes on one database, each restartable on its own port (only the test's own
// goroutine starts and kills them).
type faultInstances struct {
	t     *testing.T
	ms    *proc
	dbURL string
	ports []string
	procs []*proc
}

func (f *faultInstances) start(i int) {
	p := startBFF(f.t, f.ms, testSessionKey, "PORT="+f.ports[i], "DATABASE_URL="+f.dbURL, "DB_TIMEOUT=500ms",
		"SHUTDOWN_GRACE=5s")
	p.name = fmt.Sprintf("bff%d", i)
	f.procs[i] = p
}

func (f *faultInstances) url(i int) string { return "http://127.0.0.1:" + f.ports[i] }

// waitServing waits until every instance answers a BridgeInTech read of w's user from the database, and checks it.
func (f *faultInstances) waitServing(w *faultWriter, within time.Duration) {
	f.t.Helper()
	for i := range f.ports {
		deadline := time.Now().Add(within)
		for !w.read(f.url(i)) {
			if time.Now().After(deadline) {
				f.t.Fatalf("instance %d does not serve BridgeInTech routes %v after the fault", i, within)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// settle waits until no session of the database is running a statement or holding a transaction open (a
// statement that was hung has then ended, applied or not), seen from an own connection.
func settle(t *testing.T, dbURL string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		n, err := busySessions(dbURL)
		if err == nil && n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("sessions still busy 15 s after the fault: %d %v", n, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func busySessions(dbURL string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return 0, err
	}
	defer func() { _ = conn.Close(context.Background()) }()
	var n int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
		AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')`).Scan(&n)
	return n, err
}

// hungStates returns the state and statement of the hung sessions that were in a transaction when they stopped
// ("idle in transaction: begin…": the statement or the COMMIT after it waits unread in the socket; "active:
// INSERT…": it was running). pg_stat_activity is read from shared memory, so stopped backends show.
func hungStates(t *testing.T, dbURL string, pids []int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("a session during the backends' hang: %v", err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	rows, err := conn.Query(ctx, `SELECT state || ': ' || split_part(lower(ltrim(query)), ' ', 1) FROM pg_stat_activity
		WHERE pid = ANY($1) AND state IN ('active', 'idle in transaction')`, pids)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

const (
	faultInstanceCount = 3
	faultWriters       = 8
	hangTrials         = 5
)

// TestBITFaultRunLosesNoAcknowledgedWriteAndTellsTheTruth is the fault run: writers save through three BFF
// instances on one PostgreSQL while an instance is SIGKILLed and restarted, PostgreSQL is restarted and then
// hung (SIGSTOP of the postmaster and every backend, then SIGCONT). Then, in hang trials, the backends alone are
// hung while a first write is in flight through one instance and the same user writes again through another.
// Afterwards everything is read back through every instance: every acknowledged write is there, no read was
// older than a write already acknowledged to that client, no write answered 503 is ever seen, no late write
// overwrote an acknowledged one, and every instance serves again without a restart.
func TestBITFaultRunLosesNoAcknowledgedWriteAndTellsTheTruth(t *testing.T) {
	cluster := pgtest.StartT(t)
	f := &faultInstances{t: t, ms: startMS(t), dbURL: cluster.NewDatabase(t),
		ports: make([]string, faultInstanceCount), procs: make([]*proc, faultInstanceCount)}
	for i := range f.ports {
		f.ports[i] = chaosFreePort(t)
		f.start(i)
	}
	writers := make([]*faultWriter, faultWriters)
	for i := range writers {
		writers[i] = newFaultWriter(t, 31+i)
		writers[i].b.login(f.url(i%faultInstanceCount), 31+i)
	}

	var stop atomic.Bool
	var wg sync.WaitGroup
	for _, w := range writers {
		wg.Go(func() {
			for !stop.Load() {
				w.write(f.url(rand.IntN(faultInstanceCount)))
				w.read(f.url(rand.IntN(faultInstanceCount)))
			}
		})
	}
	steady := func() { time.Sleep(time.Second) }
	steady()
	t.Log("SIGKILL of instance 1, and its restart")
	f.procs[1].kill()
	steady()
	f.start(1)
	steady()
	t.Log("PostgreSQL restart")
	if err := cluster.Restart(); err != nil {
		t.Fatal(err)
	}
	steady()
	t.Log("PostgreSQL hung: SIGSTOP of the postmaster and its backends for 2 s")
	backends, err := cluster.Backends(dbName(f.dbURL))
	if err != nil {
		t.Fatal(err)
	}
	if err := cluster.Hang(append([]int{cluster.ServerPID()}, backends...)...); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	if err := cluster.Resume(); err != nil {
		t.Fatal(err)
	}
	steady()
	stop.Store(true)
	wg.Wait()
	settle(t, f.dbURL)

	// Hang trials: user 41 writes again and again through instance 0; the backends alone stop (new sessions
	// are still served), catching one of those writes somewhere on its way (before BEGIN, before its statement
	// or before its COMMIT); once it is answered, the same user writes through instance 2 until that write is
	// acknowledged (or 5 s pass). Once the backends resume and have ended what they held, the row must not hold
	// the first write (answered 503 or 504) over the acknowledged second one.
	u := newFaultWriter(t, 41)
	u.b.login(f.url(0), 41)
	trialStats := map[string]int{}
	for trial := range hangTrials {
		var stopFirst atomic.Bool
		firstDone := make(chan int)
		go func() {
			last := 0
			for !stopFirst.Load() {
				last = u.write(f.url(0))
			}
			firstDone <- last
		}()
		time.Sleep(300 * time.Millisecond) // the writes flow, so the hang catches one on its way
		backends, err := cluster.Backends(dbName(f.dbURL))
		if err != nil {
			t.Fatal(err)
		}
		if err := cluster.Hang(backends...); err != nil {
			t.Fatal(err)
		}
		stopFirst.Store(true)
		trialStats[fmt.Sprintf("first %d", <-firstDone)]++
		second := 0
		for deadline := time.Now().Add(5 * time.Second); second != http.StatusOK && time.Now().Before(deadline); {
			second = u.write(f.url(2))
		}
		trialStats[fmt.Sprintf("second %d", second)]++
		for _, state := range hungStates(t, f.dbURL, backends) {
			trialStats["hung session "+state]++ // where the hang caught a session (read from shared memory)
		}
		if err := cluster.Resume(); err != nil {
			t.Fatal(err)
		}
		settle(t, f.dbURL)
		if !u.read(f.url(1)) {
			t.Fatalf("trial %d: no answer after the hang", trial)
		}
	}

	// Everything read back through every instance, which all serve again without a restart.
	for _, w := range append(writers, u) {
		f.waitServing(w, 10*time.Second)
	}
	var acked, refused, unknown, reads, lost int
	statuses := map[int]int{}
	for _, w := range append(writers, u) {
		for s, n := range w.statuses {
			statuses[s] += n
		}
		acked += w.statuses[http.StatusOK] + w.statuses[http.StatusCreated]
		refused += len(w.refused)
		unknown += len(w.unknown)
		reads += w.reads
		for _, p := range w.problems {
			lost++
			t.Error(p)
		}
	}
	t.Logf("writes by answer %v (0: no answer, -1: connection refused): %d acknowledged, %d not applied (503 or "+
		"refused), %d unknown (504 or no answer); %d reads checked; %d problems; hang trials: %v",
		statuses, acked, refused, unknown, reads, lost, trialStats)
	if acked == 0 || refused == 0 {
		t.Errorf("the run proves little: %d acknowledged writes, %d refused", acked, refused)
	}
}

// dbName is the database name of a pgtest URL.
func dbName(url string) string {
	return url[strings.LastIndex(url, "/")+1 : strings.Index(url, "?")]
}
