package msclient

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"testing"
	"time"
)

// A canceled call closes its connection at once, so MS (which notices a closed connection) stops working on
// it, rather than holding a worker until Timeout.
func TestCanceledCallClosesItsConnectionForMS(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{}, 1)
	msSawClose := make(chan struct{}, 1)
	u := newUpstream(t, func(_ http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done() // net/http ends it when the connection closes
		msSawClose <- struct{}{}
	})
	c := newTestClient(t, Config{BaseURL: u.URL, Timeout: time.Hour})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := c.Do(ctx, Request{Method: "GET", Path: "/user"})
		done <- err
	}()
	<-arrived
	cancel()
	var ue *UpstreamError
	if err := <-done; !errors.As(err, &ue) || ue.Kind != KindCanceled {
		t.Fatalf("err = %v, want KindCanceled", err)
	}
	select {
	case <-msSawClose:
	case <-time.After(10 * time.Second): // a bound for a stuck test, not a timing assertion
		t.Fatal("MS never saw the canceled call's connection close")
	}
}

// MS (or a proxy) closing a keep-alive connection while it sits idle in the pool costs the next call nothing:
// it goes out again on a new connection, whatever its method.
func TestStaleKeepAliveConnectionIsReplaced(t *testing.T) {
	t.Parallel()
	u := newUpstream(t, answer(http.StatusCreated, `{"message":"ok"}`))
	c := newTestClient(t, Config{BaseURL: u.URL, BreakerFailures: 1})
	for _, method := range []string{"GET", "POST", "PUT", "DELETE"} {
		if _, err := c.Do(t.Context(), Request{Method: method, Path: "/user", Body: []byte("{}")}); err != nil {
			t.Fatalf("%s before the idle close: %v", method, err)
		}
		u.CloseClientConnections() // the server drops every idle connection, as MS's keep-alive timeout does
		resp, err := c.Do(t.Context(), Request{Method: method, Path: "/user", Body: []byte("{}")})
		if err != nil || resp.Status != http.StatusCreated {
			t.Fatalf("%s on a stale pooled connection: %+v, %v", method, resp, err)
		}
	}
	if c.BreakerState().String() != "closed" {
		t.Fatal("stale connections counted against MS")
	}
}

// An answer that runs to the end of the stream (no Content-Length, not chunked) is read whole, and its
// connection, which cannot carry another answer, is not pooled.
func TestAnswerReadToEndOfStream(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				buf := make([]byte, 4096)
				_, _ = conn.Read(buf)
				_, _ = conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"id\": 1}"))
			}()
		}
	}()
	c := newTestClient(t, Config{BaseURL: "http://" + l.Addr().String()})
	for range 3 {
		resp, err := c.Do(t.Context(), Request{Method: "GET", Path: "/user"})
		if err != nil || resp.Status != 200 || string(resp.Body) != `{"id": 1}` {
			t.Fatalf("Do = %+v, %v", resp, err)
		}
	}
	c.pool.mu.Lock()
	n := len(c.pool.idle)
	c.pool.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d connections that ended with their answer were pooled", n)
	}
}

// After MS restarts, every pooled connection is stale. Each call still gets its answer at the first try (a
// stale connection is replaced by a newly dialed one, not by the next stale one), so the breaker sees no failure.
func TestEveryPooledConnectionStaleAfterAnMSRestart(t *testing.T) {
	t.Parallel()
	u := newUpstream(t, func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(20 * time.Millisecond) // keeps the callers concurrent, so the pool fills with many connections
		w.WriteHeader(http.StatusOK)
	})
	c := newTestClient(t, Config{BaseURL: u.URL, BreakerFailures: 1})
	done := make(chan error, 16)
	for range 16 {
		go func() {
			_, err := c.Do(t.Context(), Request{Method: "GET", Path: "/user"})
			done <- err
		}()
	}
	for range 16 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	c.pool.mu.Lock()
	pooled := len(c.pool.idle)
	c.pool.mu.Unlock()
	if pooled < 2 {
		t.Fatalf("only %d pooled connections; the test needs several", pooled)
	}
	u.CloseClientConnections() // MS restarted: all of them are dead
	for i := range pooled {
		if _, err := c.Do(t.Context(), Request{Method: "POST", Path: "/user", Body: []byte("{}")}); err != nil {
			t.Fatalf("call %d after the restart: %v", i+1, err)
		}
	}
	if c.BreakerState().String() != "closed" {
		t.Fatal("stale connections opened the breaker")
	}
}

// expiredButUnmarked is a context whose deadline has passed but which does not say so yet: the moment between a
// socket deadline firing and the context's own timer.
type expiredButUnmarked struct {
	context.Context
	at time.Time
}

func (c expiredButUnmarked) Deadline() (time.Time, bool) { return c.at, true }

// A call cut short by the caller's own deadline is the caller's timeout, which the breaker does not count, even
// when the socket deadline fires before the context marks itself done.
func TestCallerDeadlineIsTheCallersEvenBeforeTheContextSaysSo(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, Config{BaseURL: "http://127.0.0.1:1", Timeout: time.Hour})
	at := time.Now().Add(-time.Millisecond)
	ue := c.classify(expiredButUnmarked{context.Background(), at}, at, os.ErrDeadlineExceeded)
	if ue.Kind != KindTimeout || !ue.callerDone {
		t.Fatalf("kind %v, callerDone %v; want a timeout that is the caller's", ue.Kind, ue.callerDone)
	}
	// MS's own Timeout, shorter than the caller's deadline, stays MS's fault.
	ue = c.classify(expiredButUnmarked{context.Background(), at.Add(time.Hour)}, at, os.ErrDeadlineExceeded)
	if ue.Kind != KindTimeout || ue.callerDone {
		t.Fatalf("kind %v, callerDone %v; want a timeout counted against MS", ue.Kind, ue.callerDone)
	}
}
