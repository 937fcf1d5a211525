package metrics

import (
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/anitab-org/bridge-in-tech-bff/internal/storewatch"
)

// Names of the database metrics (BridgeInTech's own data).
const (
	NameStoreUp      = "bff_store_up"
	NameStoreCalls   = "bff_store_calls_total"
	NameStoreLatency = "bff_store_call_duration_seconds"
)

// storeMetrics are the collectors of the database behind the BridgeInTech routes.
type storeMetrics struct {
	up      prometheus.Gauge
	calls   *prometheus.CounterVec
	latency *prometheus.HistogramVec
}

func newStoreMetrics(reg prometheus.Registerer, buckets []float64) storeMetrics {
	m := storeMetrics{
		up: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: NameStoreUp, Help: "Whether the last database call or ping reached the database: 1 yes, 0 no.",
		}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameStoreCalls, Help: storeCallsHelp(),
		}, []string{"operation", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: NameStoreLatency, Help: "Duration of database calls, by operation and outcome.", Buckets: buckets,
		}, []string{"operation", "outcome"}),
	}
	reg.MustRegister(m.up, m.calls, m.latency)
	return m
}

// storeCallsHelp is the calls counter's help text; it names the outcomes internal/storewatch gives, from its own
// list, so the published text cannot drift from the labels.
func storeCallsHelp() string {
	return "Database calls, by operation and outcome (" + strings.Join(storewatch.Outcomes(), ", ") + ")."
}

// StoreCall records one database call (storewatch.Observer).
func (m *Metrics) StoreCall(operation, outcome string, d time.Duration) {
	m.store.calls.WithLabelValues(operation, outcome).Inc()
	m.store.latency.WithLabelValues(operation, outcome).Observe(d.Seconds())
}

// StoreUp records whether the database answered the last call or ping (storewatch.Observer).
func (m *Metrics) StoreUp(up bool) {
	v := 0.0
	if up {
		v = 1
	}
	m.store.up.Set(v)
}
