package metrics

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/anitab-org/bridge-in-tech-bff/revocation"
)

// Names of the revocation metrics (revocation.Mirror and revocation.Revoker).
const (
	NameRevocationEntries       = "bff_revocation_entries"
	NameRevocationPending       = "bff_revocation_pending"
	NameRevocationStoreFailures = "bff_revocation_store_failures_total"
	NameRevocationCatchUps      = "bff_revocation_catch_ups_total"
	NameRevocationReconnects    = "bff_revocation_watch_reconnects_total"
)

// The fixed label values revocation.Observer is given. A value outside these lists (a newer revocation package)
// is counted as "other", so the label sets stay bounded whatever the caller passes.
var (
	revocationOps      = []string{"load", "catch_up", "watch", "purge", "revoke"}
	revocationTriggers = []string{"wake", "reconnect", "periodic"}
)

const otherLabel = "other"

// Revocation is the collectors of the session revocations; it implements revocation.Observer. Its series are
// resolved once at construction, so each call is one atomic operation and no label hashing.
type Revocation struct {
	entries    prometheus.Gauge
	pending    prometheus.Gauge
	failures   *prometheus.CounterVec
	catchUps   *prometheus.CounterVec
	reconnects prometheus.Counter

	// Resolved children by label value: written only by NewRevocation, so reads need no lock.
	failureBy map[string]prometheus.Counter
	catchUpBy map[string]prometheus.Counter
}

var _ revocation.Observer = (*Revocation)(nil)

// NewRevocation registers the revocation collectors in reg (the Metrics' Registry(), as newStoreMetrics does
// for the database collectors) with every op and trigger series present from the first scrape, at 0.
func NewRevocation(reg prometheus.Registerer) *Revocation {
	r := &Revocation{
		entries: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: NameRevocationEntries,
			Help: "Revocations this instance holds in memory: revoked session ids plus users with a cutoff.",
		}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: NameRevocationPending,
			Help: "Revocations in force on this instance that the database has not stored yet.",
		}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameRevocationStoreFailures,
			Help: "Failed revocation database calls, by op (" + strings.Join(revocationOps, ", ") + ").",
		}, []string{"op"}),
		catchUps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameRevocationCatchUps,
			Help: "Reads of the revocations stored since the last read, by trigger (" +
				strings.Join(revocationTriggers, ", ") + ").",
		}, []string{"trigger"}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: NameRevocationReconnects,
			Help: "Watches of the database's revocations that were lost and started again.",
		}),
		failureBy: map[string]prometheus.Counter{},
		catchUpBy: map[string]prometheus.Counter{},
	}
	reg.MustRegister(r.entries, r.pending, r.failures, r.catchUps, r.reconnects)
	for _, op := range revocationOps {
		r.failureBy[op] = r.failures.WithLabelValues(op)
	}
	for _, t := range revocationTriggers {
		r.catchUpBy[t] = r.catchUps.WithLabelValues(t)
	}
	return r
}

// Entries sets how many entries the Mirror holds (revocation.Observer).
func (r *Revocation) Entries(n int) { r.entries.Set(float64(n)) }

// Pending sets how many revocations wait for the database (revocation.Observer).
func (r *Revocation) Pending(n int) { r.pending.Set(float64(n)) }

// StoreFailure counts one failed database call by op (revocation.Observer).
func (r *Revocation) StoreFailure(op string) { resolved(r.failureBy, r.failures, op).Inc() }

// CatchUp counts one catch-up by trigger (revocation.Observer).
func (r *Revocation) CatchUp(trigger string) { resolved(r.catchUpBy, r.catchUps, trigger).Inc() }

// WatchReconnect counts one lost watch started again (revocation.Observer).
func (r *Revocation) WatchReconnect() { r.reconnects.Inc() }

// resolved returns the child of v for a known label value, or the "other" child.
func resolved(by map[string]prometheus.Counter, v *prometheus.CounterVec, value string) prometheus.Counter {
	if c, ok := by[value]; ok {
		return c
	}
	return v.WithLabelValues(otherLabel)
}
