// Package msclient is the only code that speaks HTTP to the Mentorship System (MS): pooled keep-alive
// connections spoken to with fasthttp, per-call timeouts and cancellation, a circuit breaker, typed upstream
// errors, and cheap local reading of MS JWTs.
package msclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
	"github.com/valyala/fasthttp"

	"github.com/anitab-org/bridge-in-tech-bff/internal/ledger"
	"github.com/anitab-org/bridge-in-tech-bff/secret"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultTimeout         = 10 * time.Second
	DefaultBreakerFailures = 5
	DefaultBreakerOpenFor  = 10 * time.Second
	DefaultBreakerProbes   = 1
	DefaultMaxBodyBytes    = 10 << 20 // 10 MiB: far above any MS answer, low enough to bound memory
)

const userAgent = "bridge-in-tech-bff"

// Config configures a Client. Zero values take the defaults above.
type Config struct {
	// BaseURL is the root of the MS API, e.g. "http://127.0.0.1:4000" (an absolute http or https URL without
	// query or fragment; a path prefix is kept and request paths are appended to it).
	BaseURL string
	// Timeout bounds every call, including reading the answer (default 10s).
	Timeout time.Duration
	// BreakerFailures is the number of consecutive failures (network errors, timeouts, 502/503/504 answers; never
	// a 500 or 4xx, see countsAsUnavailable) that opens the breaker (default 5).
	BreakerFailures uint32
	// BreakerOpenFor is how long the breaker stays open before letting probes through (default 10s).
	BreakerOpenFor time.Duration
	// BreakerProbes is how many requests the half-open breaker lets through at once; that many consecutive
	// successes close it (default 1).
	BreakerProbes uint32
	// MaxBodyBytes caps an MS answer body; a bigger one is a bad answer (default 10 MiB).
	MaxBodyBytes int64
	// JWTSecret is MS's SECRET_KEY; when set, ParseToken verifies HS256 signatures and expiry locally.
	JWTSecret []byte
	// Logger receives MS call failures and breaker changes at Warn, never tokens or bodies (default: discard).
	Logger *slog.Logger
	// OnBreakerChange, when set, is called on every breaker state change, for metrics. It runs while the
	// breaker holds its lock: it must be quick and must not call back into the Client.
	OnBreakerChange func(from, to gobreaker.State)
	// OnCall, when set, is called once per Do with a low-cardinality route label ("GET /users/:id"), the
	// outcome (see Outcome) and the call's duration, for metrics.
	OnCall func(route string, outcome string, d time.Duration)
}

// Client talks to MS. It is safe for concurrent use; create one per process and share it.
type Client struct {
	base     string // BaseURL without a trailing slash
	host     string // the Host header: BaseURL's host[:port]
	basePath string // BaseURL's escaped path without a trailing slash, prepended to every request path
	timeout  time.Duration
	maxBody  int64
	openFor  time.Duration
	pool     *pool
	breaker  *gobreaker.CircuitBreaker[*Response]
	openedAt atomic.Int64 // unix nanoseconds of the breaker's last move to open
	log      *slog.Logger
	onCall   func(route, outcome string, d time.Duration)

	jwtKey []byte
	now    func() time.Time // overridden by tests
}

// New validates cfg and builds a Client with its own pooled transport and circuit breaker.
func New(cfg Config) (*Client, error) {
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(base) // parseBaseURL has checked it
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.BreakerFailures == 0 {
		cfg.BreakerFailures = DefaultBreakerFailures
	}
	if cfg.BreakerOpenFor <= 0 {
		cfg.BreakerOpenFor = DefaultBreakerOpenFor
	}
	if cfg.BreakerProbes == 0 {
		cfg.BreakerProbes = DefaultBreakerProbes
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	c := &Client{
		base:     base,
		host:     u.Host,
		basePath: u.EscapedPath(),
		timeout:  cfg.Timeout,
		maxBody:  cfg.MaxBodyBytes,
		openFor:  cfg.BreakerOpenFor,
		log:      log,
		onCall:   cfg.OnCall,
		now:      time.Now,
	}
	if len(cfg.JWTSecret) > 0 {
		c.jwtKey = bytes.Clone(cfg.JWTSecret)
	}

	// No redirects are followed (an answer passes through as it is; following one could carry the token
	// elsewhere) and no cookies are kept or sent: the pool only exchanges one request for one answer.
	var tlsConfig *tls.Config
	if u.Scheme == "https" {
		tlsConfig = &tls.Config{ServerName: u.Hostname(), MinVersion: tls.VersionTLS12}
	}
	c.pool = newPool(hostPort(u), tlsConfig)

	failures := cfg.BreakerFailures
	onChange := cfg.OnBreakerChange
	c.breaker = gobreaker.NewCircuitBreaker[*Response](gobreaker.Settings{
		Name:        "ms",
		MaxRequests: cfg.BreakerProbes,
		Timeout:     cfg.BreakerOpenFor,
		ReadyToTrip: func(counts gobreaker.Counts) bool { return counts.ConsecutiveFailures >= failures },
		// Do's inner function returns nil for MS's answers, errServerStatus for 502/503/504 answers and an
		// *UpstreamError when MS gave no answer; only the caller's own cancellation is left out of the counts.
		IsExcluded: func(err error) bool {
			if err == nil {
				return false // before ue: its address escapes into errors.As, so declaring it allocates
			}
			var ue *UpstreamError
			return errors.As(err, &ue) && ue.callerDone
		},
		OnStateChange: func(_ string, from, to gobreaker.State) {
			if to == gobreaker.StateOpen {
				c.openedAt.Store(time.Now().UnixNano())
			}
			c.log.Warn("ms circuit breaker state changed", "from", from.String(), "to", to.String())
			if onChange != nil {
				onChange(from, to)
			}
		},
	})
	return c, nil
}

// hostPort is the address to dial: the URL's host with its scheme's default port when it names none.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	port := "80"
	if u.Scheme == "https" {
		port = "443"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

func parseBaseURL(raw string) (string, error) {
	if raw == "" {
		return "", errors.New("msclient: BaseURL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("msclient: BaseURL %q: %w", raw, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("msclient: BaseURL %q: scheme must be http or https", raw)
	case u.Host == "" || u.Hostname() == "":
		return "", fmt.Errorf("msclient: BaseURL %q: no host", raw)
	case u.User != nil:
		return "", fmt.Errorf("msclient: BaseURL %q: must not carry user info", u.Redacted())
	case u.RawQuery != "" || u.ForceQuery:
		return "", fmt.Errorf("msclient: BaseURL %q: must not have a query", raw)
	case u.Fragment != "":
		return "", fmt.Errorf("msclient: BaseURL %q: must not have a fragment", raw)
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}

// Close releases the idle connections of the pool (for tests and shutdown).
func (c *Client) Close() { c.pool.closeIdle() }

// Request is one call to MS.
type Request struct {
	// Method is the HTTP method (default GET).
	Method string
	// Path is the MS path as it goes on the wire (already escaped), e.g. "/user" or "/users/7"; it must
	// start with "/".
	Path string
	// RawQuery is the query string without "?", forwarded as is.
	RawQuery string
	// Body is sent as is when not empty.
	Body []byte
	// ContentType goes with a non-empty Body (default "application/json").
	ContentType string
	// Authorization is the full header value "Bearer <jwt>", or empty for none.
	Authorization secret.String
	// RequestID is sent as X-Request-ID when it is a valid header value.
	RequestID string
	// Route is the low-cardinality label for OnCall and logs, e.g. "GET /users/:id". Empty: derived from
	// Method and Path (numeric segments become ":id").
	Route string
}

// Response is an answer from MS, whatever its status.
type Response struct {
	Status      int    // MS's HTTP status
	Body        []byte // the body as MS sent it (nil when empty), at most MaxBodyBytes
	ContentType string // MS's Content-Type header, for passing the body through
}

// errServerStatus marks a gateway answer (502/503/504, see countsAsUnavailable) for the breaker; Do turns it
// back into a plain Response.
var errServerStatus = errors.New("msclient: MS answered that it is unavailable")

// Do sends one request to MS through the circuit breaker. err != nil only when MS gave no usable answer,
// and then it is an *UpstreamError; every MS answer, 5xx included, comes back as a *Response.
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	start := time.Now()
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	route := r.Route
	if route == "" {
		route = RouteOf(r.Method, r.Path)
	}

	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	if err := c.buildRequest(req, r); err != nil {
		ue := &UpstreamError{Kind: KindInvalidRequest, Err: err}
		c.finish(r, route, nil, ue, start)
		return nil, ue
	}

	if err := ctx.Err(); err != nil {
		// The caller is already gone: neither MS nor the breaker hear of it.
		kind := KindCanceled
		if errors.Is(err, context.DeadlineExceeded) {
			kind = KindTimeout
		}
		ue := &UpstreamError{Kind: kind, Err: err, callerDone: true}
		c.finish(r, route, nil, ue, start)
		return nil, ue
	}

	var resp *Response
	var err error
	if ledger.NoBreaker { // a measuring build of the cost ledger only (internal/ledger); never a real one
		resp, err = c.roundTrip(ctx, req)
	} else {
		resp, err = c.breaker.Execute(func() (*Response, error) { return c.roundTrip(ctx, req) })
	}
	switch {
	case err == nil:
	case errors.Is(err, errServerStatus):
		err = nil
	case errors.Is(err, gobreaker.ErrOpenState), errors.Is(err, gobreaker.ErrTooManyRequests):
		resp, err = nil, &UpstreamError{Kind: KindBreakerOpen, Err: err, RetryAfter: c.retryAfter(err)}
	default:
		resp = nil
	}
	c.finish(r, route, resp, err, start)
	return resp, err
}

// validMethod accepts an HTTP method token (RFC 9110 §9.1).
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for i := 0; i < len(m); i++ {
		if c := m[i]; c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}

// buildRequest fills req with the request line and headers MS gets: exactly these, nothing from the client.
func (c *Client) buildRequest(req *fasthttp.Request, r Request) error {
	if !strings.HasPrefix(r.Path, "/") {
		return errors.New("path must start with /")
	}
	if strings.ContainsAny(r.Path, "?# ") || !validHeaderValue(r.Path) {
		return errors.New("path holds characters that cannot be sent")
	}
	if !validMethod(r.Method) {
		return errors.New("bad request line: invalid method")
	}
	h := &req.Header
	h.DisableNormalizing() // header names go out as written here
	h.SetNoDefaultContentType(true)
	h.SetMethod(r.Method)
	uri := h.RequestURI()[:0]
	uri = append(uri, c.basePath...)
	uri = append(uri, r.Path...)
	if r.RawQuery != "" {
		uri = append(uri, '?')
		uri = appendEscapedQuery(uri, r.RawQuery)
	}
	h.SetRequestURIBytes(uri)
	h.SetHost(c.host)
	h.Set("Accept", "application/json")
	h.SetUserAgent(userAgent)
	if len(r.Body) > 0 {
		ct := r.ContentType
		if ct == "" {
			ct = "application/json"
		}
		if !validHeaderValue(ct) {
			return errors.New("content type holds characters that cannot be sent")
		}
		h.SetContentType(ct)
		req.SetBodyRaw(r.Body)
	}
	if !r.Authorization.Empty() {
		v := r.Authorization.Reveal()
		if !validHeaderValue(v) {
			return errors.New("authorization holds characters that cannot be sent")
		}
		h.Set("Authorization", v)
	}
	if r.RequestID != "" {
		if !validHeaderValue(r.RequestID) || len(r.RequestID) > 200 {
			return errors.New("request id holds characters that cannot be sent")
		}
		h.Set("X-Request-Id", r.RequestID)
	}
	return nil
}

// appendEscapedQuery appends q percent-encoding what may not appear raw in a query (RFC 3986 §3.4): controls,
// space, bytes beyond ASCII and " # < > \ ^ ` { | }, as a browser does before sending. Everything else, '%'
// included, stays as the client wrote it, so MS decodes the same arguments the client meant. The request line
// carries the query verbatim: a raw space would split it.
func appendEscapedQuery(b []byte, q string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(q); i++ {
		if c := q[i]; mustEscapeInQuery(c) {
			b = append(b, '%', hex[c>>4], hex[c&15])
		} else {
			b = append(b, c)
		}
	}
	return b
}

func mustEscapeInQuery(c byte) bool {
	return c <= ' ' || c >= 0x7f || strings.IndexByte("\"#<>\\^`{|}", c) >= 0
}

// validHeaderValue accepts visible ASCII, space and tab: what MS and every proxy between accept.
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; (b < 0x20 && b != '\t') || b >= 0x7f {
			return false
		}
	}
	return true
}

// roundTrip runs inside the breaker: one exchange bounded by the timeout and the caller's context.
func (c *Client) roundTrip(parent context.Context, req *fasthttp.Request) (*Response, error) {
	deadline := time.Now().Add(c.timeout)
	if d, ok := parent.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	hr := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseResponse(hr)
	if err := c.pool.exchange(parent, deadline, req, hr, int(min(c.maxBody, 1<<31-1))); err != nil {
		if errors.Is(err, fasthttp.ErrBodyTooLarge) {
			return nil, &UpstreamError{Kind: KindBadAnswer, Err: ErrBodyTooLarge}
		}
		return nil, c.classify(parent, deadline, err)
	}
	resp := &Response{Status: hr.StatusCode(), ContentType: contentType(hr.Header.ContentType())}
	if body := hr.Body(); len(body) > 0 {
		resp.Body = bytes.Clone(body)
	}
	if countsAsUnavailable(resp.Status) {
		return resp, errServerStatus
	}
	return resp, nil
}

// contentType is MS's Content-Type as a string; MS's own one costs no allocation.
func contentType(b []byte) string {
	switch string(b) {
	case "":
		return ""
	case "application/json":
		return "application/json"
	}
	return string(b)
}

// ErrBodyTooLarge is the cause of a KindBadAnswer error when MS's answer exceeds MaxBodyBytes.
var ErrBodyTooLarge = errors.New("msclient: MS answer body too large")

// classify turns an exchange error into an *UpstreamError: the caller's own end first, then a timeout (the
// deadline passed, or any error that says it timed out: a socket deadline can fire a moment before the clock
// reads past it), then a connection MS refused, reset or closed (unreachable), else an answer fasthttp could not
// read (bad answer).
func (c *Client) classify(parent context.Context, deadline time.Time, err error) *UpstreamError {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // a URL may hold a confirmation token; keep it out of messages
	}
	if perr := parent.Err(); perr != nil {
		kind := KindCanceled
		if errors.Is(perr, context.DeadlineExceeded) {
			kind = KindTimeout
		}
		return &UpstreamError{Kind: kind, Err: errors.Join(perr, err), callerDone: true}
	}
	var ne net.Error
	if !time.Now().Before(deadline) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout()) {
		if !errors.Is(err, context.DeadlineExceeded) {
			err = errors.Join(context.DeadlineExceeded, err)
		}
		// The socket deadline can fire a moment before the caller's context marks itself done: when the
		// deadline was the caller's (shorter than Timeout), the timeout is the caller's too, not MS's fault.
		if d, ok := parent.Deadline(); ok && !d.After(deadline) {
			return &UpstreamError{Kind: KindTimeout, Err: err, callerDone: true}
		}
		return &UpstreamError{Kind: KindTimeout, Err: err}
	}
	var oe *net.OpError
	var we *errWrite
	if errors.As(err, &oe) || errors.As(err, &we) || errors.Is(err, io.EOF) {
		return &UpstreamError{Kind: KindUnreachable, Err: err}
	}
	return &UpstreamError{Kind: KindBadAnswer, Err: err}
}

// retryAfter is how long until the breaker lets a probe through: at least one second.
func (c *Client) retryAfter(err error) time.Duration {
	d := time.Second
	if errors.Is(err, gobreaker.ErrOpenState) {
		if at := c.openedAt.Load(); at != 0 {
			left := time.Until(time.Unix(0, at).Add(c.openFor))
			d = max((left+time.Second-1)/time.Second*time.Second, time.Second) // whole seconds, rounded up
		}
	}
	return d
}

// finish reports one call to OnCall and logs failures.
func (c *Client) finish(r Request, route string, resp *Response, err error, start time.Time) {
	d := time.Since(start)
	outcome := OutcomeOf(resp, err)
	if c.onCall != nil && !ledger.NoMetrics {
		c.onCall(route, outcome, d)
	}
	if err == nil && resp != nil && resp.Status < 500 {
		return // the common case, before errors.As's target escapes to the heap
	}
	var ue *UpstreamError
	switch {
	case errors.As(err, &ue):
		switch ue.Kind {
		case KindCanceled, KindBreakerOpen, KindInvalidRequest:
			// The caller left, the breaker's opening is already logged, or the request was the client's
			// fault and never went out: none is an MS failure worth a line per call.
			return
		}
		c.log.Warn("ms call failed", "request_id", r.RequestID, "method", r.Method, "path", RedactPath(r.Path),
			"kind", string(ue.Kind), "duration_ms", d.Milliseconds(), "error", ue.Err.Error())
	case resp != nil && resp.Status >= 500:
		c.log.Warn("ms call failed", "request_id", r.RequestID, "method", r.Method, "path", RedactPath(r.Path),
			"kind", "status", "status", resp.Status, "duration_ms", d.Milliseconds())
	}
}

// BreakerState reports the circuit breaker's state (open turns half-open once BreakerOpenFor has passed).
func (c *Client) BreakerState() gobreaker.State { return c.breaker.State() }

// Ping checks that MS answers HTTP at all, bypassing the breaker, for readiness probes: any status counts
// as reachable. It sends HEAD /login, which MS answers 405 without doing any work.
func (c *Client) Ping(ctx context.Context) error {
	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	if err := c.buildRequest(req, Request{Method: http.MethodHead, Path: "/login"}); err != nil {
		return &UpstreamError{Kind: KindInvalidRequest, Err: err}
	}
	hr := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseResponse(hr)
	deadline := time.Now().Add(c.timeout)
	if err := c.pool.exchange(ctx, deadline, req, hr, 4096); err != nil {
		return c.classify(ctx, deadline, err)
	}
	return nil
}
