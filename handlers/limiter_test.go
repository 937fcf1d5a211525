package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

func TestLoginLimiterCountsPairsAndAddresses(t *testing.T) {
	t.Parallel()
	clk := newClock()
	l := newLoginLimiter(3, 5, time.Minute, clk.Now)
	fail := func(ip, user string) bool {
		a, _ := l.begin(ip, user)
		if a == nil {
			return false
		}
		a.failed()
		return true
	}
	for i := range 3 {
		if !fail("198.51.100.1", "victim") {
			t.Fatalf("failure %d refused", i)
		}
	}
	if a, wait := l.begin("198.51.100.1", "victim"); a != nil || wait <= 0 || wait > time.Minute {
		t.Fatalf("a fourth guess at one username: %v, %v", a, wait)
	}
	if a, _ := l.begin("198.51.100.1", " VICTIM "); a != nil {
		t.Fatal("the same username in other case or spacing is the same pair")
	}
	if a, _ := l.begin("198.51.100.2", "victim"); a == nil {
		t.Fatal("another address may still try that username")
	}
	// The address's own account: a success clears its own pair, not the address's count.
	for range 2 {
		if !fail("198.51.100.1", "another") {
			t.Fatal("a second username should have its own budget")
		}
	}
	own, _ := l.begin("198.51.100.1", "attacker")
	if own != nil {
		t.Fatal("the address has used its 5 failures: no more attempts, not even for its own account")
	}
	clk.Advance(61 * time.Second)
	own, _ = l.begin("198.51.100.1", "attacker")
	own.succeeded()
	if a, _ := l.begin("198.51.100.1", "victim"); a == nil {
		t.Fatal("after the window the pair may try again")
	} else {
		a.abandoned()
	}
}

func TestLoginLimiterSuccessClearsOnlyItsOwnPair(t *testing.T) {
	t.Parallel()
	l := newLoginLimiter(2, 100, time.Minute, newClock().Now)
	for range 2 {
		a, _ := l.begin("198.51.100.1", "victim")
		a.failed()
	}
	own, _ := l.begin("198.51.100.1", "attacker")
	own.succeeded() // the attacker logs into their own account from the same address
	if a, _ := l.begin("198.51.100.1", "victim"); a != nil {
		t.Fatal("a success with another username cleared the victim's failures")
	}
}

// 100 guesses at once: each takes its slot before MS answers, so no more than the limit are let through.
func TestLoginLimiterConcurrentGuessesStayWithinTheLimit(t *testing.T) {
	t.Parallel()
	l := newLoginLimiter(5, 50, time.Minute, newClock().Now)
	var admitted atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if a, _ := l.begin("198.51.100.1", "victim"); a != nil {
				admitted.Add(1)
				time.Sleep(time.Millisecond) // the MS call
				a.failed()
			}
		}()
	}
	close(start)
	wg.Wait()
	if n := admitted.Load(); n != 5 {
		t.Fatalf("%d of 100 concurrent guesses were let through a limit of 5", n)
	}
}

func TestLoginLimiterMemoryIsBounded(t *testing.T) {
	t.Parallel()
	l := newLoginLimiter(3, 10, time.Hour, newClock().Now)
	l.maxEntries = 1000
	for i := range 20_000 {
		a, _ := l.begin(fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), "user"+strconv.Itoa(i))
		if a != nil {
			a.failed()
		}
	}
	if n := l.size(); n > l.maxEntries {
		t.Fatalf("the limiter holds %d entries, more than its bound of %d", n, l.maxEntries)
	}
}

// Over HTTP: 100 concurrent wrong passwords for one username let at most LOGIN_MAX_FAILURES reach MS.
func TestConcurrentLoginGuessesReachMSAtMostTheLimit(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{loginLimit: 5})
	u := emulator.LoadUsers(1)[0]
	before := s.ms.Calls("POST /login")
	var wg sync.WaitGroup
	var limited atomic.Int32
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if a := s.newClient().login(u.Username, "wrong-password"); a.Status == http.StatusTooManyRequests {
				limited.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := s.ms.Calls("POST /login") - before; n > 5 {
		t.Fatalf("%d guesses reached MS; the limit is 5", n)
	}
	if limited.Load() < 95 {
		t.Fatalf("only %d of 100 guesses got 429", limited.Load())
	}
}

// Without TRUST_PROXY (the default outside Heroku) X-Forwarded-For is whatever the client wrote: it neither
// spreads one attacker over many addresses nor lets the attacker lock a chosen address out.
func TestXForwardedForNeitherBypassesNorLocksOut(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{loginLimit: 3})
	u := emulator.LoadUsers(1)[0]
	c := s.newClient()
	for i := range 3 {
		a := c.do(http.MethodPost, "/api/login", map[string]string{"username": u.Username, "password": "wrong"},
			"X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1))
		if a.Status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, a.Status)
		}
	}
	a := c.do(http.MethodPost, "/api/login", map[string]string{"username": u.Username, "password": "wrong"},
		"X-Forwarded-For", "203.0.113.99")
	if a.Status != http.StatusTooManyRequests {
		t.Fatalf("a new X-Forwarded-For got around the limit: %d", a.Status)
	}
	for i := range 3 {
		if att, _ := s.bff.logins.begin(fmt.Sprintf("203.0.113.%d", i+1), u.Username); att == nil {
			t.Fatalf("the address the client wrote, 203.0.113.%d, was locked out", i+1)
		} else {
			att.abandoned()
		}
	}
}
