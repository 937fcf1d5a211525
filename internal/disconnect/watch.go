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
	d := &Delayed{}
	d.Start(conn, delay, gone)
	return d.Stop
}

// Delayed is WatchAfter as a value that can be used again, so a server can keep a few in a sync.Pool and a
// request that ends within the delay allocates nothing: Start arms it for one request, Stop ends that request's
// watch (as Watch's stop does) and leaves it ready for the next Start. The zero value is ready; a Delayed must
// not be copied, nor started again before Stop.
type Delayed struct {
	mu       sync.Mutex
	timer    *time.Timer
	conn     net.Conn
	gone     func()
	armed    bool   // between Start and Stop
	endWatch func() // the running Watch's stop, once the delay has passed
}

// Start watches conn for its peer leaving once delay has passed, calling gone as Watch does.
func (d *Delayed) Start(conn net.Conn, delay time.Duration, gone func()) {
	d.mu.Lock()
	d.conn, d.gone, d.armed, d.endWatch = conn, gone, true, nil
	if d.timer == nil {
		d.timer = time.AfterFunc(delay, d.fire)
	} else {
		d.timer.Reset(delay)
	}
	d.mu.Unlock()
}

// fire starts the watch, unless the request has ended or it is already running. A fire left over from an earlier
// use that runs after this use's Start starts this use's watch early: on this use's conn, with its gone.
func (d *Delayed) fire() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.armed && d.endWatch == nil {
		d.endWatch = Watch(d.conn, d.gone)
	}
}

// Stop ends the watch, waits until it has ended and clears its read deadline (see Watch); it must be called before
// the server reads from conn again.
func (d *Delayed) Stop() {
	d.timer.Stop()
	d.mu.Lock()
	end := d.endWatch
	d.armed, d.endWatch, d.conn, d.gone = false, nil, nil, nil
	d.mu.Unlock()
	if end != nil {
		end()
	}
}
