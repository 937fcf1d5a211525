package metrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/anitab-org/bridge-in-tech-bff/internal/storewatch"
)

// TestStoreCallsHelpNamesStorewatchsOutcomes: the help text published on /metrics names exactly the outcomes
// internal/storewatch gives its calls, no more and no fewer.
func TestStoreCallsHelpNamesStorewatchsOutcomes(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	m := newStoreMetrics(reg, prometheus.DefBuckets)
	m.calls.WithLabelValues("ping", storewatch.OutcomeOK).Inc()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var help string
	for _, f := range families {
		if f.GetName() == NameStoreCalls {
			help = f.GetHelp()
		}
	}
	want := "(" + strings.Join(storewatch.Outcomes(), ", ") + ")"
	if !strings.Contains(help, want) {
		t.Fatalf("help of %s = %q, want it to list %s", NameStoreCalls, help, want)
	}
	if strings.Contains(help, "refused") {
		t.Fatalf("help of %s names an outcome storewatch never gives: %q", NameStoreCalls, help)
	}
}
