// Package pgtest runs a throwaway PostgreSQL server for tests: a fresh cluster (initdb) in a temporary folder,
// listening on a free 127.0.0.1 port (its Unix socket in that folder too), stopped and removed at the end. It uses
// Debian's server binaries (/usr/lib/postgresql/<version>/bin, package "postgresql"); when they are missing it
// fails with how to install them (tests never skip). Run as root (CI), the server runs as the "postgres" system
// user, as initdb refuses root. Databases are created and dropped over one kept pgx connection.
//
// One cluster per test binary, one fresh database per test:
//
//	var cluster *pgtest.Cluster
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.RunMain(m, &cluster)) }
//
//	func TestSomething(t *testing.T) {
//		url := cluster.NewDatabase(t) // postgres://postgres@127.0.0.1:PORT/test_N?sslmode=disable, dropped at cleanup
//		...
//	}
//
// Or one cluster for one test: c := pgtest.StartT(t) (stopped by t.Cleanup). The API:
//
//	Start() (*Cluster, error)                    // initdb + start; the caller calls Stop
//	StartT(t testing.TB) *Cluster                // Start, t.Fatal on error, Stop at t.Cleanup
//	RunMain(m *testing.M, c **Cluster) int       // for TestMain: Start, *c = it, m.Run(), Stop; 1 if it cannot start
//	(*Cluster).Stop() error                      // stop the server (fast shutdown) and remove the folder
//	(*Cluster).Port() int
//	(*Cluster).URL(dbname string) string         // the superuser's URL of a database (trust auth, no password)
//	(*Cluster).CreateDatabase(name string) (url string, err error)
//	(*Cluster).DropDatabase(name string) error   // WITH (FORCE): closes its sessions
//	(*Cluster).NewDatabase(t testing.TB) string  // a fresh uniquely named database, dropped at t.Cleanup
//	(*Cluster).Restart() error                   // stop and start the server on the same port and data
//	(*Cluster).StopServer() error / StartServer() error // for "database down" tests; the data stays
//	(*Cluster).ServerPID() int                   // the postmaster's process id (0 when stopped)
//	(*Cluster).Backends(dbname string) ([]int, error) // the processes serving sessions of database dbname
//	(*Cluster).Hang(pids ...int) error           // SIGSTOP server processes: their statements hang
//	(*Cluster).Resume() error                    // SIGCONT every process Hang stopped (StopServer resumes too)
//
// What hangs what: a stopped backend leaves its session's statements unanswered (the client's bytes wait in the
// socket and are read once it resumes); a stopped postmaster leaves new connections unanswered (and cancel
// requests, which go through it) while running backends keep serving; stopping both hangs everything.
package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// InstallHint is what a missing server installation tells the tester.
const InstallHint = "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install them with " +
	"`apt-get install postgresql` (scripts/test.sh does so), or set PGTEST_BIN to the folder holding initdb and postgres"

// Cluster is a running throwaway PostgreSQL server.
type Cluster struct {
	bin  string // folder of initdb, postgres, pg_isready, psql
	dir  string // temp folder: data/, the socket, the log
	port int
	cred *syscall.Credential // the postgres user when run as root, else nil

	adminMu sync.Mutex
	admin   *pgx.Conn // to database postgres, for CREATE / DROP DATABASE

	mu     sync.Mutex
	server *exec.Cmd
	exited chan struct{}
	hung   []int // processes Hang stopped and Resume has not continued
	seq    atomic.Int64
}

// FindBin returns the folder holding PostgreSQL's server binaries: $PGTEST_BIN, else the newest
// /usr/lib/postgresql/<version>/bin with initdb.
func FindBin() (string, error) {
	if b := os.Getenv("PGTEST_BIN"); b != "" {
		if _, err := os.Stat(filepath.Join(b, "initdb")); err != nil {
			return "", fmt.Errorf("pgtest: PGTEST_BIN=%s has no initdb: %w", b, err)
		}
		return b, nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(found) == 0 {
		return "", errors.New("pgtest: " + InstallHint)
	}
	sort.Slice(found, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(found[i]))))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(found[j]))))
		return vi > vj
	})
	return filepath.Dir(found[0]), nil
}

// Start creates a cluster in a new temp folder and starts its server. The caller must call Stop.
func Start() (*Cluster, error) {
	bin, err := FindBin()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	c := &Cluster{bin: bin, dir: dir}
	if os.Geteuid() == 0 {
		if c.cred, err = postgresUser(); err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
		if err := os.Chown(dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtest: chown %s: %w", dir, err)
		}
	}
	if err := c.initData(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		if c.port, err = freePort(); err == nil {
			if err = c.StartServer(); err == nil {
				return c, nil
			}
		}
		if attempt == 2 {
			_ = os.RemoveAll(dir)
			return nil, err
		}
	}
}

// StartT starts a cluster for one test and stops it at the test's cleanup.
func StartT(t testing.TB) *Cluster {
	t.Helper()
	c, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Error(err)
		}
	})
	return c
}

// RunMain is a TestMain body: it starts a cluster, stores it in *c, runs the tests and stops it. It returns the
// exit code (1, with the reason on stderr, when the cluster cannot start).
func RunMain(m *testing.M, c **Cluster) int {
	cl, err := Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	*c = cl
	code := m.Run()
	if err := cl.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// initData fills the data folder: a copy of a pristine cluster initdb made once per machine and server version
// (kept in the temp folder, made under a temporary name and renamed into place, never written after), or a new
// initdb when the copy fails. initdb takes seconds on a busy machine; the copy, milliseconds.
func (c *Cluster) initData() error {
	template := filepath.Join(os.TempDir(), fmt.Sprintf("pgtest-template-%s-uid%d",
		filepath.Base(filepath.Dir(c.bin)), os.Geteuid()))
	if _, err := os.Stat(filepath.Join(template, "PG_VERSION")); err == nil {
		if c.command("cp", "-a", template, c.dataDir()).Run() == nil {
			return nil
		}
		_ = os.RemoveAll(c.dataDir())
	}
	out, err := c.command("initdb", "-D", c.dataDir(), "-U", "postgres", "-A", "trust", "-E", "UTF8",
		"--no-locale", "--no-sync").CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgtest: initdb: %w\n%s", err, out)
	}
	tmp := filepath.Join(c.dir, "template")
	if c.command("cp", "-a", c.dataDir(), tmp).Run() == nil {
		if os.Rename(tmp, template) != nil { // another test binary made it first
			_ = os.RemoveAll(tmp)
		}
	}
	return nil
}

func postgresUser() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgtest: running as root needs the postgres system user (created by Debian's "+
			"postgresql package): %w", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgtest: free port: %w", err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (c *Cluster) dataDir() string { return filepath.Join(c.dir, "data") }

// command runs one of the cluster's binaries as the server's user, in the cluster's folder.
func (c *Cluster) command(name string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, name)
	if name == "cp" {
		path = "cp"
	}
	cmd := exec.Command(path, args...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	return cmd
}

// Port is the server's TCP port on 127.0.0.1.
func (c *Cluster) Port() int { return c.port }

// URL returns the URL of database dbname for the superuser postgres (no password: trust authentication).
func (c *Cluster) URL(dbname string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, dbname)
}

// StartServer starts the server (again) and waits until it accepts connections. The server gets SIGKILL if the
// test process dies, so no server outlives its tests.
func (c *Cluster) StartServer() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.server != nil {
		return errors.New("pgtest: server already running")
	}
	var log bytes.Buffer
	cmd := c.command("postgres", "-D", c.dataDir(), "-p", strconv.Itoa(c.port), "-k", c.dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "shared_buffers=32MB")
	cmd.Stdout, cmd.Stderr = &log, &log
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgtest: start postgres: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err := c.command("pg_isready", "-q", "-h", "127.0.0.1", "-p", strconv.Itoa(c.port)).Run(); err == nil {
			break
		}
		select {
		case <-exited:
			return fmt.Errorf("pgtest: postgres exited at start:\n%s", log.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			return fmt.Errorf("pgtest: postgres not ready after 30s:\n%s", log.String())
		}
	}
	c.server, c.exited = cmd, exited
	return nil
}

// StopServer stops the server (fast shutdown: sessions are closed) and keeps the data. Hung processes are
// resumed first.
func (c *Cluster) StopServer() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.resumeLocked()
	if c.server == nil {
		return nil
	}
	_ = c.server.Process.Signal(syscall.SIGINT)
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		_ = c.server.Process.Kill()
		<-c.exited
	}
	c.server = nil
	return nil
}

// ServerPID is the postmaster's process id, 0 while the server is stopped.
func (c *Cluster) ServerPID() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.server == nil {
		return 0
	}
	return c.server.Process.Pid
}

// Backends returns the processes serving sessions of database dbname: the postmaster's children whose process
// title names the database ("postgres: USER DBNAME HOST(PORT) STATE").
func (c *Cluster) Backends(dbname string) ([]int, error) {
	parent := c.ServerPID()
	if parent == 0 {
		return nil, errors.New("pgtest: the server is not running")
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("pgtest: list processes: %w", err)
	}
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || parentOf(pid) != parent {
			continue
		}
		title, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue // it just exited
		}
		if f := strings.Fields(strings.ReplaceAll(string(title), "\x00", " ")); len(f) >= 3 && f[0] == "postgres:" && f[2] == dbname {
			out = append(out, pid)
		}
	}
	return out, nil
}

// parentOf reads a process's parent id from /proc (0 when it cannot).
func parentOf(pid int) int {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// "pid (comm) state ppid ...": comm may hold spaces and parentheses; the last ')' ends it.
	rest := string(stat)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	f := strings.Fields(rest)
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

// Hang stops (SIGSTOP) the given server processes (ServerPID, Backends): what they were doing waits until Resume.
func (c *Cluster) Hang(pids ...int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, pid := range pids {
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			if errors.Is(err, syscall.ESRCH) {
				continue // it exited meanwhile
			}
			return fmt.Errorf("pgtest: SIGSTOP %d: %w", pid, err)
		}
		c.hung = append(c.hung, pid)
	}
	return nil
}

// Resume continues (SIGCONT) every process Hang stopped, in the order they were stopped.
func (c *Cluster) Resume() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.resumeLocked()
}

func (c *Cluster) resumeLocked() error {
	var first error
	for _, pid := range c.hung {
		if err := syscall.Kill(pid, syscall.SIGCONT); err != nil && !errors.Is(err, syscall.ESRCH) && first == nil {
			first = fmt.Errorf("pgtest: SIGCONT %d: %w", pid, err)
		}
	}
	c.hung = nil
	return first
}

// Restart stops and starts the server on the same port and data.
func (c *Cluster) Restart() error {
	if err := c.StopServer(); err != nil {
		return err
	}
	return c.StartServer()
}

// Stop stops the server and removes the cluster's folder.
func (c *Cluster) Stop() error {
	c.adminMu.Lock()
	if c.admin != nil {
		_ = c.admin.Close(context.Background())
		c.admin = nil
	}
	c.adminMu.Unlock()
	err := c.StopServer()
	if rmErr := os.RemoveAll(c.dir); rmErr != nil && err == nil {
		err = fmt.Errorf("pgtest: remove %s: %w", c.dir, rmErr)
	}
	return err
}

// psql runs one SQL command on database postgres, on the cluster's admin connection (kept open: a new
// connection per command costs more than the command on a busy machine), reconnecting once if it broke (e.g.
// after StopServer / StartServer).
func (c *Cluster) psql(sql string) error {
	c.adminMu.Lock()
	defer c.adminMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		if c.admin == nil {
			if c.admin, err = pgx.Connect(ctx, c.URL("postgres")); err != nil {
				continue
			}
		}
		if _, err = c.admin.Exec(ctx, sql); err == nil || isSQLError(err) && !c.admin.IsClosed() {
			break // done, or the server refused the command: final
		}
		_ = c.admin.Close(ctx) // the connection broke: reconnect once
		c.admin = nil
	}
	if err != nil {
		return fmt.Errorf("pgtest: %s: %w", sql, err)
	}
	return nil
}

// isSQLError reports whether the server refused a command (not a broken or terminated session).
func isSQLError(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Severity != "FATAL" && pe.Severity != "PANIC"
}

// psqlOn runs one SQL command on database db with the psql client (for tests of the cluster itself).
func (c *Cluster) psqlOn(db, sql string) error {
	out, err := c.command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
		"-p", strconv.Itoa(c.port), "-U", "postgres", "-d", db, "-c", sql).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgtest: %s: %w\n%s", sql, err, out)
	}
	return nil
}

func validName(name string) bool {
	if name == "" || len(name) > 63 {
		return false
	}
	for _, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// CreateDatabase creates database name (lower-case letters, digits and _) and returns its URL.
func (c *Cluster) CreateDatabase(name string) (string, error) {
	if !validName(name) {
		return "", fmt.Errorf("pgtest: database name %q: use lower-case letters, digits and _", name)
	}
	if err := c.psql("CREATE DATABASE " + name); err != nil {
		return "", err
	}
	return c.URL(name), nil
}

// DropDatabase drops database name, closing its sessions.
func (c *Cluster) DropDatabase(name string) error {
	if !validName(name) {
		return fmt.Errorf("pgtest: database name %q: use lower-case letters, digits and _", name)
	}
	return c.psql("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
}

// NewDatabase creates a fresh database for t (named after the test) and drops it at t's cleanup.
func (c *Cluster) NewDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d_%s", c.seq.Add(1), sanitize(t.Name()))
	url, err := c.CreateDatabase(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.DropDatabase(name); err != nil {
			t.Error(err)
		}
	})
	return url
}

func sanitize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
		if b.Len() >= 40 {
			break
		}
	}
	return b.String()
}
