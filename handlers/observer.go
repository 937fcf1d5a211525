package handlers

import (
	"net/http"
	"time"
)

// Observer receives what the server sees, for metrics. The metrics package implements it with Prometheus; labels
// it gets are route patterns and fixed words, never user ids or raw paths.
type Observer interface {
	// Handler serves the metrics page at /metrics; nil means no page.
	Handler() http.Handler
	Request(method, route string, status int, d time.Duration)
	InFlight(delta int)
	// Refresh counts silent and explicit refreshes by outcome: "done", "refused", "failed".
	Refresh(outcome string)
	// CookieRejected counts session cookies that did not open, by reason.
	CookieRejected(reason string)
	// The database's own observations (bff_store_*) go to internal/storewatch's Observer, which the metrics
	// package implements too; the server makes none itself.
}

type nopObserver struct{}

func (nopObserver) Handler() http.Handler                      { return nil }
func (nopObserver) Request(string, string, int, time.Duration) {}
func (nopObserver) InFlight(int)                               {}
func (nopObserver) Refresh(string)                             {}
func (nopObserver) CookieRejected(string)                      {}
