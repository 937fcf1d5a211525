package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

// heldMS holds MS's GET /user calls whose request id starts with "hold-" until release is closed, and reports
// each one's arrival and, if its connection from the BFF goes away first, its cancellation.
type heldMS struct {
	arrived, canceled chan string
	release           chan struct{}
	once              sync.Once
}

func newHeldMS() *heldMS {
	return &heldMS{arrived: make(chan string, 8), canceled: make(chan string, 8), release: make(chan struct{})}
}

func (h *heldMS) letGo() { h.once.Do(func() { close(h.release) }) }

func (h *heldMS) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if r.URL.Path == "/user" && strings.HasPrefix(id, "hold-") {
			h.arrived <- id
			select {
			case <-h.release:
			case <-r.Context().Done():
				h.canceled <- id
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func receive(t *testing.T, ch chan string, what string) string {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		return ""
	}
}

// A client that closes its connection while its MS call is in flight stops that call: MS sees its request
// canceled at once, long before MS_TIMEOUT, the request is logged as 499, and the breaker counts nothing.
func TestClientThatLeavesStopsItsMSCall(t *testing.T) {
	t.Parallel()
	held := newHeldMS()
	s := newStack(t, stackOpts{msWrap: held.wrap, msTimeout: time.Hour, breakerFails: 1})
	t.Cleanup(held.letGo) // registered after the stack's, so it runs first: the emulator's Close waits for held calls
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])

	conn := s.dialRaw()
	conn.send(conn.get("/api/user", c.cookieValue(), "hold-gone"))
	if id := receive(t, held.arrived, "the call to reach MS"); id != "hold-gone" {
		t.Fatalf("MS got %q", id)
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	if id := receive(t, held.canceled, "MS to see the call canceled after the client left"); id != "hold-gone" {
		t.Fatalf("canceled %q", id)
	}
	var line string
	waitFor(t, "the request's log line", 10*time.Second, func() bool {
		for _, l := range strings.Split(s.logs.String(), "\n") {
			if strings.Contains(l, `"msg":"request"`) && strings.Contains(l, `"request_id":"hold-gone"`) {
				line = l
				return true
			}
		}
		return false
	})
	if !strings.Contains(line, `"status":499`) {
		t.Fatalf("the abandoned request is not logged as 499: %s", line)
	}
	// A client leaving is not MS failing: with a one-failure breaker, the next call still goes through.
	if a := c.do(http.MethodGet, "/api/user", nil); a.Status != http.StatusOK {
		t.Fatalf("after a client left: %d %s", a.Status, a.Body)
	}
}

// Pipelined requests on one connection are not mistaken for a client leaving, and the connection serves
// requests normally after watched ones (the watch leaves no read deadline behind).
func TestPipelinedAndKeepAliveRequestsAreServed(t *testing.T) {
	t.Parallel()
	held := newHeldMS()
	s := newStack(t, stackOpts{msWrap: held.wrap})
	t.Cleanup(held.letGo) // registered after the stack's, so it runs first: the emulator's Close waits for held calls
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	cookie := c.cookieValue()

	conn := s.dialRaw()
	conn.send(conn.get("/api/user", cookie, "hold-first"), conn.get("/api/user", cookie, "second"))
	receive(t, held.arrived, "the first call to reach MS")
	// Hold the first call past the watch delay, so the watch starts and finds the second request's bytes.
	time.Sleep(3 * clientWatchDelay)
	held.letGo()
	read := func(want string) {
		t.Helper()
		if a := conn.answer(); a.Status != http.StatusOK || a.Header.Get("X-Request-ID") != want {
			t.Fatalf("%s: %d %s (request id %q)", want, a.Status, a.Body, a.Header.Get("X-Request-ID"))
		}
	}
	read("hold-first")
	read("second")
	for i := range 20 {
		id := fmt.Sprintf("again-%d", i)
		conn.send(conn.get("/api/user", cookie, id))
		read(id)
	}
	if len(held.canceled) != 0 {
		t.Fatalf("a call was canceled: %s", <-held.canceled)
	}
}
