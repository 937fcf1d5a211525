// Package metrics keeps the BFF's Prometheus metrics in one registry of its own and serves them at /metrics.
// Labels are route patterns, methods, statuses and fixed words; never user ids, tokens or raw paths.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/sony/gobreaker/v2"
)

// Metrics is one process's collectors. It implements handlers.Observer and feeds msclient's hooks.
type Metrics struct {
	reg            *prometheus.Registry
	requests       *prometheus.CounterVec
	latency        *prometheus.HistogramVec
	inFlight       prometheus.Gauge
	msCalls        *prometheus.CounterVec
	msLatency      *prometheus.HistogramVec
	breakerState   prometheus.Gauge
	breakerChanges *prometheus.CounterVec
	refreshes      *prometheus.CounterVec
	cookieRejected *prometheus.CounterVec
	store          storeMetrics
	handler        http.Handler

	// Revocations observes the ends of sessions (revocation.Observer; revocation.go).
	Revocations *Revocation

	requestSeries *children[requestKey] // resolved children of requests and latency
	callSeries    *children[callKey]    // resolved children of msCalls and msLatency
}

// Names of the metrics, for docs and tests.
const (
	NameRequests       = "bff_http_requests_total"
	NameLatency        = "bff_http_request_duration_seconds"
	NameInFlight       = "bff_http_requests_in_flight"
	NameMSCalls        = "bff_upstream_requests_total"
	NameMSLatency      = "bff_upstream_request_duration_seconds"
	NameBreakerState   = "bff_upstream_breaker_state"
	NameBreakerChanges = "bff_upstream_breaker_transitions_total"
	NameRefreshes      = "bff_session_refreshes_total"
	NameCookieRejected = "bff_session_cookies_rejected_total"
)

// New registers every collector (plus the Go runtime and process collectors) in a fresh registry.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	buckets := []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameRequests, Help: "HTTP requests served, by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: NameLatency, Help: "Time to answer a request, by method, route pattern and status.", Buckets: buckets,
		}, []string{"method", "route", "status"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: NameInFlight, Help: "Requests being served right now.",
		}),
		msCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameMSCalls, Help: "Requests the BFF sent upstream to the Mentorship System (MS), by MS route and outcome.",
		}, []string{"route", "outcome"}),
		msLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: NameMSLatency, Help: "Time from sending a request to the Mentorship System (MS) to its answer, by MS route and outcome.", Buckets: buckets,
		}, []string{"route", "outcome"}),
		breakerState: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: NameBreakerState, Help: "State of the circuit breaker in front of the Mentorship System: 0 closed, 1 half-open, 2 open.",
		}),
		breakerChanges: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameBreakerChanges, Help: "State changes of the circuit breaker in front of the Mentorship System, by the state entered.",
		}, []string{"to"}),
		refreshes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameRefreshes, Help: "Access-token refreshes through MS, by outcome (done, refused, failed).",
		}, []string{"outcome"}),
		cookieRejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameCookieRejected, Help: "Session cookies that did not open, by reason.",
		}, []string{"reason"}),
	}
	reg.MustRegister(m.requests, m.latency, m.inFlight, m.msCalls, m.msLatency, m.breakerState, m.breakerChanges,
		m.refreshes, m.cookieRejected,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.store = newStoreMetrics(reg, buckets)
	m.Revocations = NewRevocation(reg)
	// Make the fixed-label series visible from the first scrape.
	for _, o := range []string{"done", "refused", "failed"} {
		m.refreshes.WithLabelValues(o)
	}
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	m.requestSeries = requestChildren(m.requests, m.latency)
	m.callSeries = callChildren(m.msCalls, m.msLatency)
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler { return m.handler }

// Registry is the registry, for tests and extra collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Request records one answered request.
func (m *Metrics) Request(method, route string, status int, d time.Duration) {
	p := m.requestSeries.get(requestKey{method, route, status})
	p.count.Inc()
	p.dur.Observe(d.Seconds())
}

// InFlight moves the in-flight gauge.
func (m *Metrics) InFlight(delta int) { m.inFlight.Add(float64(delta)) }

// Refresh counts a refresh by outcome.
func (m *Metrics) Refresh(outcome string) { m.refreshes.WithLabelValues(outcome).Inc() }

// CookieRejected counts a cookie that did not open, by reason.
func (m *Metrics) CookieRejected(reason string) { m.cookieRejected.WithLabelValues(reason).Inc() }

// MSCall records one call to MS (msclient's OnCall hook).
func (m *Metrics) MSCall(route, outcome string, d time.Duration) {
	p := m.callSeries.get(callKey{route, outcome})
	p.count.Inc()
	p.dur.Observe(d.Seconds())
}

// BreakerChange records a breaker state change (msclient's OnBreakerChange hook).
func (m *Metrics) BreakerChange(_, to gobreaker.State) {
	m.breakerState.Set(breakerValue(to))
	m.breakerChanges.WithLabelValues(to.String()).Inc()
}

func breakerValue(s gobreaker.State) float64 {
	switch s {
	case gobreaker.StateHalfOpen:
		return 1
	case gobreaker.StateOpen:
		return 2
	default:
		return 0
	}
}
