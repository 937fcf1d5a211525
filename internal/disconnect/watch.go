// Package disconnect notices that an HTTP client has closed its connection while its request is still being
// handled, so that the work done for it upstream can stop.
//
// fasthttp (under Fiber) reads nothing from a connection while its handler runs, so it never learns that the
// client left. Watch fills the gap the way nginx does for proxy_ignore_client_abort off: it waits in Go's
// netpoller until the socket turns readable and then peeks at it without consuming anything. End of stream
// or a reset means the client is gone; bytes mean a pipelined next request, after which nothing can be told
// and watching stops. A client that half-closes its side after sending counts as gone, as it does for nginx.
package disconnect

import (
	"net"
	"sync"
	"syscall"
	"time"
)

// Watch calls gone, at most once and from another goroutine, if the peer of conn closes or resets the
// connection before stop is called. stop ends the watch, waits until it has ended and clears the read
// deadline Watch used to end it, so the server can read the next request; it must be called before the
// server reads from conn again. Connections that are not sockets (TLS, in-memory pipes) are not watched:
// stop is then a no-op and gone is never called.
func Watch(conn net.Conn, gone func()) (stop func()) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return func() {}
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return func() {}
	}
	done := make(chan struct{})
	stopping := make(chan struct{})
	go func() {
		defer close(done)
		closed := false
		// Read parks in the netpoller while the callback says "not yet"; it returns an error when the
		// deadline set by stop (or the server's own read timeout) passes.
		if err := raw.Read(func(fd uintptr) bool {
			var end bool
			closed, end = peek(fd)
			return end
		}); err != nil {
			return
		}
		select {
		case <-stopping: // the handler finished first: nobody needs telling
		default:
			if closed {
				gone()
			}
		}
	}()
	return func() {
		close(stopping)
		_ = conn.SetReadDeadline(time.Unix(1, 0)) // a deadline gone by wakes the read parked in the netpoller
		<-done
		_ = conn.SetReadDeadline(time.Time{})
	}
}

// WatchAfter is Watch started only once delay has passed, for requests that are usually quick: a request that
// ends within delay pays for a timer, not for a goroutine and two netpoller round trips. A client that left
// earlier is noticed as soon as the watch starts. stop is as for Watch.
func WatchAfter(conn net.Conn, delay time.Duration, gone func()) (stop func()) {
	var (
		mu       sync.Mutex
		stopped  bool
		endWatch func()
	)
	timer := time.AfterFunc(delay, func() {
		mu.Lock()
		defer mu.Unlock()
		if !stopped {
			endWatch = Watch(conn, gone)
		}
	})
	return func() {
		if timer.Stop() {
			return // the watch never started
		}
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		if endWatch != nil {
			endWatch()
		}
	}
}
