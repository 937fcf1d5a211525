// Command benchtool is the small Go helper of bench/run.sh: free ports, logging many users in, latency at a
// fixed request rate, and start-up time. It only ever talks to the URLs it is given (run.sh gives it 127.0.0.1).
//
//	benchtool ports -n 3
//	benchtool login -url http://127.0.0.1:5000 -mode bff -n 10000 -out cookies.txt
//	benchtool rate -url http://127.0.0.1:5000/api/user -H 'Cookie: bit_session=…' -rate 5000 -duration 15s
//	benchtool rate -method PUT -body '{…}' -url … -H 'X-CSRF: 1' …   (a write; 200 and 201 count as answered)
//	benchtool startup -bin bin/bff -runs 20 -env MS_BASE_URL=… -env SESSION_KEYS=…
//	benchtool revocations -db sqlite:///tmp/bff.db -n 100000   (stores n live revocations, for the start-up run)
//	benchtool seal -keys <SESSION_KEYS> -user 1   (prints a session cookie value the BFF and the floor open)
//	benchtool attribute -profile cpu.pprof -us 55.2 -gap 12.7   (the cost ledger's split of a CPU profile)
//	benchtool hello   (a minimal net/http server on 127.0.0.1:$PORT: the floor for the start-up time)
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/bit/storeopen"
	"github.com/anitab-org/bridge-in-tech-bff/revocation"
	"github.com/anitab-org/bridge-in-tech-bff/secret"
	"github.com/anitab-org/bridge-in-tech-bff/session"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchtool ports|login|rate|startup|revocations|seal|attribute|hello [flags]")
		os.Exit(2)
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "ports":
		err = ports(args)
	case "login":
		err = login(args)
	case "rate":
		err = rate(args)
	case "startup":
		err = startup(args)
	case "revocations":
		err = revocations(args)
	case "seal":
		err = seal(args)
	case "attribute":
		err = attributeCmd(args)
	case "hello":
		err = hello()
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtool:", err)
		os.Exit(1)
	}
}

// ports prints n free TCP ports on 127.0.0.1, one a line.
func ports(args []string) error {
	fs := flag.NewFlagSet("ports", flag.ExitOnError)
	n := fs.Int("n", 1, "how many")
	_ = fs.Parse(args)
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	for range *n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		ls = append(ls, l)
		fmt.Println(l.Addr().(*net.TCPAddr).Port)
	}
	return nil
}

func loopbackOnly(raw string) error {
	if !strings.HasPrefix(raw, "http://127.") && !strings.HasPrefix(raw, "http://localhost") && !strings.HasPrefix(raw, "http://[::1]") {
		return fmt.Errorf("%s: benchtool only talks to loopback addresses", raw)
	}
	return nil
}

// login logs users first..first+n-1 in and writes one credential a line: with -mode bff the session cookie's
// value from POST /api/login, with -mode ms the access token from MS's POST /login.
func login(args []string) error {
	fs := flag.NewFlagSet("login", flag.ExitOnError)
	base := fs.String("url", "", "BFF or MS root URL")
	mode := fs.String("mode", "bff", "bff (session cookie) or ms (access token)")
	first := fs.Int("first", 1, "first account number")
	n := fs.Int("n", 1, "how many accounts")
	userPat := fs.String("user-pattern", "loaduser{n}", "username pattern")
	passPat := fs.String("pass-pattern", "loadpass{n}", "password pattern")
	cookieName := fs.String("cookie", "bit_session", "session cookie name (bff mode)")
	conc := fs.Int("c", 32, "concurrent logins")
	out := fs.String("out", "-", "output file")
	_ = fs.Parse(args)
	if err := loopbackOnly(*base); err != nil {
		return err
	}
	path := "/api/login"
	if *mode == "ms" {
		path = "/login"
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *conc}}
	res := make([]string, *n)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, *conc)
	for range *conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= *n {
					return
				}
				num := strconv.Itoa(*first + i)
				body, _ := json.Marshal(map[string]string{
					"username": strings.ReplaceAll(*userPat, "{n}", num),
					"password": strings.ReplaceAll(*passPat, "{n}", num),
				})
				resp, err := client.Post(*base+path, "application/json", bytes.NewReader(body))
				if err != nil {
					errs <- err
					return
				}
				b, _ := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("login %s: status %d: %.200s", num, resp.StatusCode, b)
					return
				}
				if *mode == "ms" {
					var t struct {
						AccessToken string `json:"access_token"`
					}
					if err := json.Unmarshal(b, &t); err != nil || t.AccessToken == "" {
						errs <- fmt.Errorf("login %s: no access_token in %.200s", num, b)
						return
					}
					res[i] = t.AccessToken
					continue
				}
				for _, c := range resp.Cookies() {
					if c.Name == *cookieName && c.Value != "" {
						res[i] = c.Value
					}
				}
				if res[i] == "" {
					errs <- fmt.Errorf("login %s: no %s cookie", num, *cookieName)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	w := os.Stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	_, err := io.WriteString(w, strings.Join(res, "\n")+"\n")
	return err
}

type headers []string

func (h *headers) String() string     { return strings.Join(*h, ", ") }
func (h *headers) Set(v string) error { *h = append(*h, v); return nil }

func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := int(float64(len(d))*p/100+0.5) - 1
	return d[max(0, min(i, len(d)-1))]
}

// rate sends GET url at a fixed rate and reports latency percentiles. A pacer on its own OS thread (nanosleep,
// 1 ns timer slack) hands out send times at the rate; -conns workers, each with its own keep-alive connection,
// send at the scheduled time or as soon as one is free (an open model: a slow answer does not slow the schedule).
// Latency is reported two ways: from the scheduled send time to the last byte (wrk2's definition, which also
// counts any wait for a free connection, so a stalled server can't hide behind a slowed-down load) and from the
// actual send. The pacer's lateness is reported as lag, so a struggling load generator is visible. Every answer
// must be 200.
func rate(args []string) error {
	fs := flag.NewFlagSet("rate", flag.ExitOnError)
	url := fs.String("url", "", "URL to request")
	method := fs.String("method", http.MethodGet, "request method")
	body := fs.String("body", "", "request body (sent with Content-Type: application/json)")
	var hs headers
	fs.Var(&hs, "H", "header 'Name: value' (repeatable)")
	r := fs.Float64("rate", 1000, "requests per second")
	dur := fs.Duration("duration", 15*time.Second, "measured duration")
	warm := fs.Duration("warmup", 2*time.Second, "unmeasured warm-up at the same rate")
	conns := fs.Int("conns", 64, "connections (workers)")
	_ = fs.Parse(args)
	if err := loopbackOnly(*url); err != nil {
		return err
	}
	if *r <= 0 || *dur <= 0 || *conns <= 0 {
		return errors.New("rate, duration and conns must be positive")
	}
	tr := &http.Transport{MaxConnsPerHost: *conns, MaxIdleConnsPerHost: *conns, MaxIdleConns: *conns,
		DisableCompression: true, IdleConnTimeout: time.Minute}
	client := &http.Client{Timeout: 5 * time.Second, Transport: tr}
	req, err := http.NewRequest(*method, *url, nil)
	if err != nil {
		return err
	}
	if *body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range hs {
		k, v, ok := strings.Cut(h, ":")
		if !ok {
			return fmt.Errorf("header %q: want 'Name: value'", h)
		}
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}

	interval := time.Duration(float64(time.Second) / *r)
	nWarm := int(float64(*warm) / float64(interval))
	nMeas := int(float64(*dur) / float64(interval))
	total := nWarm + nMeas
	fromDue := make([]time.Duration, total)
	fromSend := make([]time.Duration, total)
	lag := make([]time.Duration, total)
	var bad, failed atomic.Int64
	var firstErr atomic.Value
	start := time.Now().Add(100 * time.Millisecond)
	due := func(i int) time.Time { return start.Add(time.Duration(i) * interval) }

	jobs := make(chan int, total)
	var wg sync.WaitGroup
	for range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				t0 := time.Now()
				r := req.Clone(context.Background())
				if *body != "" {
					r.Body, r.ContentLength = io.NopCloser(strings.NewReader(*body)), int64(len(*body))
				}
				resp, err := client.Do(r)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				}
				end := time.Now()
				fromDue[i], fromSend[i] = end.Sub(due(i)), end.Sub(t0)
				switch {
				case err != nil:
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				case resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated:
					bad.Add(1)
					firstErr.CompareAndSwap(nil, "status "+strconv.Itoa(resp.StatusCode))
				}
			}
		}()
	}
	// The pacer: its own OS thread, so its sleeps are the kernel's (precise), not the Go scheduler's (~1 ms).
	func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, 29 /* PR_SET_TIMERSLACK */, 1, 0)
		for i := range total {
			if d := time.Until(due(i)); d > 0 {
				ts := syscall.NsecToTimespec(int64(d))
				_ = syscall.Nanosleep(&ts, nil)
			}
			lag[i] = time.Since(due(i))
			jobs <- i
		}
	}()
	sendEnd := time.Now()
	close(jobs)
	wg.Wait()
	sorted := func(d []time.Duration) []time.Duration { c := slices.Clone(d[nWarm:]); slices.Sort(c); return c }
	fd, fs2, lg := sorted(fromDue), sorted(fromSend), sorted(lag)
	achieved := float64(nMeas) / sendEnd.Sub(due(nWarm)).Seconds()
	us := func(d time.Duration) string { return strconv.FormatFloat(float64(d.Nanoseconds())/1e3, 'f', 0, 64) }
	fmt.Printf("RESULT target_rate=%.0f achieved_rate=%.0f requests=%d conns=%d non200=%d errors=%d "+
		"p50_us=%s p90_us=%s p99_us=%s p999_us=%s max_us=%s send_p50_us=%s send_p99_us=%s lag_p50_us=%s lag_p99_us=%s\n",
		*r, achieved, nMeas, *conns, bad.Load(), failed.Load(),
		us(pct(fd, 50)), us(pct(fd, 90)), us(pct(fd, 99)), us(pct(fd, 99.9)), us(fd[len(fd)-1]),
		us(pct(fs2, 50)), us(pct(fs2, 99)), us(pct(lg, 50)), us(pct(lg, 99)))
	if e := firstErr.Load(); e != nil {
		return fmt.Errorf("%d non-200 answers and %d failed requests, first: %v", bad.Load(), failed.Load(), e)
	}
	return nil
}

// hello serves 200 on /healthz at 127.0.0.1:$PORT: the smallest Go web server, to show what start-up time
// the Go runtime and the kernel cost by themselves on this machine.
func hello() error {
	return http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
}

type envs []string

func (e *envs) String() string     { return strings.Join(*e, " ") }
func (e *envs) Set(v string) error { *e = append(*e, v); return nil }

// startup starts bin -runs times on a free port and measures from exec to the first 200 on /healthz.
func startup(args []string) error {
	fs := flag.NewFlagSet("startup", flag.ExitOnError)
	bin := fs.String("bin", "bin/bff", "program to start")
	var binArgs envs
	fs.Var(&binArgs, "arg", "argument for the program (repeatable)")
	runs := fs.Int("runs", 20, "how many starts")
	path := fs.String("path", "/healthz", "path to poll")
	portEnv := fs.String("port-env", "PORT", "environment variable that takes the port")
	var extra envs
	fs.Var(&extra, "env", "K=V added to the environment (repeatable)")
	_ = fs.Parse(args)
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	var times []time.Duration
	var hwms []int64 // peak RSS at the first 200, kB
	for run := range *runs {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		cmd := exec.Command(*bin, binArgs...)
		cmd.Env = append(append(os.Environ(), extra...), *portEnv+"="+strconv.Itoa(port))
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		url := "http://127.0.0.1:" + strconv.Itoa(port) + *path
		t0 := time.Now()
		if err := cmd.Start(); err != nil {
			return err
		}
		var took time.Duration
		var hwm int64
		deadline := t0.Add(5 * time.Second)
		for time.Now().Before(deadline) {
			resp, err := client.Get(url)
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					took = time.Since(t0)
					hwm = peakRSS(cmd.Process.Pid)
					break
				}
			}
			time.Sleep(200 * time.Microsecond)
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if took == 0 {
			return fmt.Errorf("run %d: no 200 on %s within 5s", run+1, url)
		}
		times = append(times, took)
		hwms = append(hwms, hwm)
	}
	slices.Sort(times)
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d.Microseconds())/1e3, 'f', 1, 64) }
	slices.Sort(hwms)
	fmt.Printf("RESULT runs=%d median_ms=%s min_ms=%s max_ms=%s median_peak_rss_mb=%.1f\n", len(times), ms(pct(times, 50)),
		ms(times[0]), ms(times[len(times)-1]), float64(hwms[len(hwms)/2])/1024)
	return nil
}

// peakRSS is the process's VmHWM in kB (0 when /proc does not say).
func peakRSS(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// revocations stores n live revocations (half single sessions, half per-user cutoffs, ending in 30 days) in the
// database url names, through the store's own Revoke, so a start-up run can measure what loading them costs.
func revocations(args []string) error {
	fs := flag.NewFlagSet("revocations", flag.ExitOnError)
	url := fs.String("db", "", "DATABASE_URL of the database to fill")
	n := fs.Int("n", 100_000, "how many revocations")
	workers := fs.Int("workers", 8, "concurrent writers")
	_ = fs.Parse(args)
	ctx := context.Background()
	st, _, err := storeopen.Open(ctx, *url)
	if err != nil {
		return fmt.Errorf("opening the database: %w", err)
	}
	defer st.Close()
	rs, ok := st.(revocation.Store)
	if !ok {
		return errors.New("this database keeps no revocations")
	}
	now := time.Now().UTC().Truncate(time.Second)
	until := now.Add(30 * 24 * time.Hour)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, *workers)
	t0 := time.Now()
	for range *workers {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(*n) {
					return
				}
				e := revocation.Entry{UserID: 1_000_000 + i, Until: until}
				if i%2 == 0 {
					_, _ = rand.Read(e.SessionID[:])
					e.SessionID[0] |= 1 // never the zero id
				} else {
					e.Before = now
				}
				if err := rs.Revoke(ctx, e); err != nil {
					errs <- fmt.Errorf("revocation %d: %w", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	fmt.Printf("RESULT stored=%d took_ms=%d\n", *n, time.Since(t0).Milliseconds())
	return nil
}

// seal prints a session cookie value sealed with the first of keys (SESSION_KEYS' format): a session of today's
// kind (an id and its times) whose tokens are fixed strings and live for two hours, for a run against the
// fixed-answer upstream, which never reads them. No MS is needed.
func seal(args []string) error {
	fs := flag.NewFlagSet("seal", flag.ExitOnError)
	keys := fs.String("keys", "", "SESSION_KEYS (comma-separated 64-hex-digit keys; the first seals)")
	user := fs.Int64("user", 1, "the session's user id")
	name := fs.String("cookie", "bit_session", "the cookie's name (the BFF binds it into the seal)")
	_ = fs.Parse(args)
	var ring [][]byte
	for _, k := range strings.Split(*keys, ",") {
		b, err := hex.DecodeString(strings.TrimSpace(k))
		if err != nil {
			return fmt.Errorf("-keys: %w", err)
		}
		ring = append(ring, b)
	}
	codec, err := session.NewCodec(*name, ring)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Second)
	v, err := codec.Seal(session.Session{
		UserID: *user, AccessToken: secret.String("bench.access.token"), RefreshToken: secret.String("bench.refresh.token"),
		AccessExp: now.Add(2 * time.Hour), RefreshExp: now.Add(24 * time.Hour),
		ID: session.NewID(), LoginAt: now, MSCheckedAt: now, ActiveAt: now,
	})
	if err != nil {
		return err
	}
	fmt.Println(v)
	return nil
}
