package msclient

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

// Connection pool sizing: a busy BFF keeps many keep-alive connections to its one upstream.
const (
	maxIdleConns    = 256
	idleConnTimeout = 90 * time.Second
	dialTimeout     = 5 * time.Second
	tcpKeepAlive    = 30 * time.Second
	connBufferSize  = 8 << 10
)

// pool is the keep-alive connections to MS's one address. Requests and answers are written and read by fasthttp
// (Fiber's own HTTP/1.1 stack) on the caller's goroutine, with no goroutine per connection. It is a pool of its
// own, not a fasthttp.HostClient, because a call must stop when its context ends (a client that left, see
// handlers.watchClient): HostClient takes only a deadline, and a canceled call would hold MS's worker until
// MS_TIMEOUT. Here a canceled call moves its connection's deadline to the past, which ends any read or write at
// once, and the connection is closed.
type pool struct {
	addr   string      // host:port to dial
	tls    *tls.Config // nil for http
	dialer net.Dialer

	mu   sync.Mutex
	idle []*conn // most recently used last
}

// conn is one connection to MS with its buffers.
type conn struct {
	nc     net.Conn
	br     *bufio.Reader
	bw     *bufio.Writer
	idleAt time.Time
	reused bool // it served an earlier call: MS may have closed it meanwhile
}

func newPool(addr string, tlsConfig *tls.Config) *pool {
	return &pool{addr: addr, tls: tlsConfig, dialer: net.Dialer{KeepAlive: tcpKeepAlive}}
}

// get returns an idle connection or dials a new one, bounded by ctx and deadline.
func (p *pool) get(ctx context.Context, deadline time.Time) (*conn, error) {
	now := time.Now()
	p.mu.Lock()
	for n := len(p.idle); n > 0; n = len(p.idle) {
		c := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		if now.Sub(c.idleAt) < idleConnTimeout {
			p.mu.Unlock()
			c.reused = true
			return c, nil
		}
		_ = c.nc.Close()
	}
	p.mu.Unlock()
	return p.dial(ctx, deadline)
}

func (p *pool) dial(ctx context.Context, deadline time.Time) (*conn, error) {
	d := p.dialer
	d.Deadline = deadline
	d.Timeout = dialTimeout
	nc, err := d.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return nil, err
	}
	if p.tls != nil {
		tc := tls.Client(nc, p.tls)
		_ = tc.SetDeadline(deadline)
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = nc.Close()
			return nil, err
		}
		nc = tc
	}
	return &conn{nc: nc, br: bufio.NewReaderSize(nc, connBufferSize), bw: bufio.NewWriterSize(nc, connBufferSize)}, nil
}

// put gives a connection whose exchange ended cleanly back to the pool.
func (p *pool) put(c *conn) {
	c.idleAt = time.Now()
	p.mu.Lock()
	if len(p.idle) < maxIdleConns {
		p.idle = append(p.idle, c)
		c = nil
	}
	p.mu.Unlock()
	if c != nil {
		_ = c.nc.Close()
	}
}

// closeIdle closes every idle connection.
func (p *pool) closeIdle() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, c := range idle {
		_ = c.nc.Close()
	}
}

// errWrite marks a failure while sending the request (MS read none of its answer).
type errWrite struct{ err error }

func (e *errWrite) Error() string { return "sending the request: " + e.err.Error() }
func (e *errWrite) Unwrap() error { return e.err }

// exchange sends req and reads resp on one connection, within deadline; ctx ending stops it at once.
// maxBody caps the answer body. A stale keep-alive connection (MS closed it while idle: the write fails, or the
// connection ends before the answer's first byte) is replaced once by a newly dialed one, never by another
// pooled one: after MS restarts every pooled connection is stale, and the request must not go through them
// all. That request never reached MS's application, so sending it again is safe whatever its method.
func (p *pool) exchange(ctx context.Context, deadline time.Time, req *fasthttp.Request, resp *fasthttp.Response, maxBody int) error {
	for attempt := 0; ; attempt++ {
		var c *conn
		var err error
		if attempt == 0 {
			c, err = p.get(ctx, deadline)
		} else {
			c, err = p.dial(ctx, deadline)
		}
		if err != nil {
			return err
		}
		err = p.exchangeOn(ctx, c, deadline, req, resp, maxBody)
		if err == nil {
			return nil
		}
		var we *errWrite
		stale := c.reused && (errors.As(err, &we) || errors.Is(err, io.EOF)) && ctx.Err() == nil &&
			time.Now().Before(deadline)
		if !stale || attempt > 0 {
			return err
		}
	}
}

func alwaysTrue() bool { return true }

// exchangeOn does one exchange on c and then pools or closes c.
func (p *pool) exchangeOn(ctx context.Context, c *conn, deadline time.Time, req *fasthttp.Request, resp *fasthttp.Response, maxBody int) error {
	if err := c.nc.SetDeadline(deadline); err != nil {
		_ = c.nc.Close()
		return &errWrite{err}
	}
	// The caller leaving ends the exchange: a deadline in the past fails any read or write at once.
	stop := alwaysTrue
	if ctx.Done() != nil { // a context that can end
		stop = context.AfterFunc(ctx, func() { _ = c.nc.SetDeadline(time.Unix(1, 0)) })
	}
	err := req.Write(c.bw)
	if err == nil {
		err = c.bw.Flush()
	}
	if err != nil {
		err = &errWrite{err}
	} else {
		if req.Header.IsHead() {
			resp.SkipBody = true
		}
		err = resp.ReadLimitBody(c.br, maxBody)
	}
	if !stop() || err != nil || resp.ConnectionClose() || resp.Header.ContentLength() == -2 {
		// Canceled (the deadline was moved), failed, or MS ends the connection (an answer that runs to the
		// end of the stream): not reusable.
		_ = c.nc.Close()
		return err
	}
	p.put(c)
	return nil
}
