package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/anitab-org/bridge-in-tech-bff/internal/testkit"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bins are the binaries TestMain builds once from this tree.
var bins struct {
	bff, msemu string
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bff-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bins.bff, bins.msemu = filepath.Join(dir, "bff"), filepath.Join(dir, "msemu")
	for _, b := range [][2]string{{bins.bff, ".."}, {bins.msemu, "../cmd/msemu"}} {
		cmd := exec.Command("go", "build", "-o", b[0], b[1])
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building", b[1], err)
			os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is one started process. It is always stopped by the test's cleanup.
type proc struct {
	t    *testing.T
	name string
	cmd  *exec.Cmd
	out  *testkit.SyncBuffer
	done chan struct{}
	err  error
	addr string
}

var (
	bffListening   = regexp.MustCompile(`"msg":"listening","addr":"([0-9.:]+)"`)
	msemuListening = regexp.MustCompile(`msemu listening on http://([0-9.:]+)`)
)

// start runs bin and waits until its output names the address it listens on.
func start(t *testing.T, name, bin string, ready *regexp.Regexp, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, name: name, out: &testkit.SyncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	pr, pw := io.Pipe()
	p.cmd.Stdout, p.cmd.Stderr = io.MultiWriter(p.out, pw), p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		pw.Close()
		close(p.done)
	}()
	t.Cleanup(p.kill)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		sent := false
		for sc.Scan() {
			if m := ready.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case p.addr = <-found:
	case <-p.done:
		t.Fatalf("%s exited before listening: %v\n%s", name, p.err, p.out.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not start listening:\n%s", name, p.out.String())
	}
	return p
}

func (p *proc) url() string { return "http://" + p.addr }

// kill stops the process with SIGKILL if it still runs.
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

// stop sends SIGTERM and waits for the exit; it returns the exit error.
func (p *proc) stop(timeout time.Duration) error {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		p.t.Errorf("%s ignored SIGTERM for %v", p.name, timeout)
		p.kill()
		return fmt.Errorf("killed after timeout")
	}
}

const (
	testSessionKey = "5c1f6b0e3a7d4e2f9b8c7a6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f"
	otherKey       = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
	testMSSecret   = "e2e-ms-secret"
	// testMetricsToken is every test BFF's METRICS_TOKEN: /metrics is never public.
	testMetricsToken = "e2e-metrics-token-0123456789abcdef"
)

func startMS(t *testing.T, extra ...string) *proc {
	t.Helper()
	args := append([]string{"-addr", "127.0.0.1:0", "-secret", testMSSecret, "-load-users", "50"}, extra...)
	return start(t, "msemu", bins.msemu, msemuListening, nil, args...)
}

func startBFF(t *testing.T, ms *proc, key string, env ...string) *proc {
	t.Helper()
	base := []string{"PORT=0", "HOST=127.0.0.1", "COOKIE_SECURE=false", "SESSION_KEYS=" + key,
		"MS_BASE_URL=" + ms.url(), "MS_JWT_SECRET=" + testMSSecret, "METRICS_TOKEN=" + testMetricsToken}
	if !slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "DATABASE_URL=") }) {
		base = append(base, "DATABASE_URL=sqlite:"+filepath.Join(t.TempDir(), "bit.db"))
	}
	return start(t, "bff", bins.bff, bffListening, append(base, env...))
}

// browser is one user agent with its own cookie jar.
type browser struct {
	t    *testing.T
	http *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, http: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) field(t *testing.T, key string) any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("not a JSON object (%d): %s", a.status, a.body)
	}
	return m[key]
}

func (b *browser) do(ctx context.Context, method, url string, body any, headers ...string) (answer, error) {
	var rd io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return answer{}, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != http.MethodGet {
		req.Header.Set("X-CSRF", "1")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: data}, err
}

func (b *browser) must(method, url string, body any, headers ...string) answer {
	b.t.Helper()
	a, err := b.do(context.Background(), method, url, body, headers...)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, url, err)
	}
	return a
}

// cookieFor copies b's cookies for from to another base URL (a second instance on another port: browsers
// scope cookies by host, not port, so the same cookie reaches every instance behind one name).
func (b *browser) shareCookies(from, to string) {
	fu, _ := http.NewRequest(http.MethodGet, from, nil)
	tu, _ := http.NewRequest(http.MethodGet, to, nil)
	b.http.Jar.SetCookies(tu.URL, b.http.Jar.Cookies(fu.URL))
}

func loadUser(i int) (username, password string) {
	return fmt.Sprintf("loaduser%d", i), fmt.Sprintf("loadpass%d", i)
}

func (b *browser) login(base string, i int) int64 {
	b.t.Helper()
	u, p := loadUser(i)
	a := b.must(http.MethodPost, base+"/api/login", map[string]string{"username": u, "password": p})
	if a.status != http.StatusOK {
		b.t.Fatalf("login %s at %s: %d %s", u, base, a.status, a.body)
	}
	return int64(a.field(b.t, "user").(map[string]any)["id"].(float64))
}

func (b *browser) whoAmI(base string) (string, int) {
	b.t.Helper()
	a := b.must(http.MethodGet, base+"/api/user", nil)
	if a.status != http.StatusOK {
		return "", a.status
	}
	name, _ := a.field(b.t, "username").(string)
	return name, a.status
}

func hasLine(out, substr string) bool { return strings.Contains(out, substr) }
