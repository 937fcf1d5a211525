package metrics

import (
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// series reads the registry: for each series of the family name, its labels (name=value, by name) joined by spaces and its count
// (a counter's value or a histogram's sample count).
func series(t *testing.T, m *Metrics, name string) map[string]float64 {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, mt := range f.GetMetric() {
			var labels []string
			for _, l := range mt.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			out[strings.Join(labels, " ")] = value(mt)
		}
	}
	return out
}

func value(mt *dto.Metric) float64 {
	if h := mt.GetHistogram(); h != nil {
		return float64(h.GetSampleCount())
	}
	return mt.GetCounter().GetValue()
}

func TestResolvedChildrenCountEachSeriesApart(t *testing.T) {
	t.Parallel()
	m := New()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				m.Request("GET", "/api/user", 200, time.Millisecond)
				m.Request("GET", "/api/user", 401, time.Millisecond)
				m.MSCall("GET /user", "2xx", time.Millisecond)
			}
		})
	}
	wg.Wait()
	m.Request("PUT", "/api/user", 200, time.Millisecond)
	for _, tc := range []struct {
		name, family string
		want         map[string]float64
	}{
		{"each method, route and status counts apart", NameRequests, map[string]float64{
			"method=GET route=/api/user status=200": 400, "method=GET route=/api/user status=401": 400, "method=PUT route=/api/user status=200": 1}},
		{"the latency histogram has the same series", NameLatency, map[string]float64{
			"method=GET route=/api/user status=200": 400, "method=GET route=/api/user status=401": 400, "method=PUT route=/api/user status=200": 1}},
		{"MS calls count by route and outcome", NameMSCalls, map[string]float64{"outcome=2xx route=GET /user": 400}},
		{"MS call latency has the same series", NameMSLatency, map[string]float64{"outcome=2xx route=GET /user": 400}},
	} {
		got := series(t, m, tc.family)
		if len(got) != len(tc.want) {
			t.Errorf("%s: series %v, want %v", tc.name, got, tc.want)
		}
		for k, v := range tc.want {
			if got[k] != v {
				t.Errorf("%s: %q = %v, want %v", tc.name, k, got[k], v)
			}
		}
	}
}

func BenchmarkRequest(b *testing.B) {
	m := New()
	b.ReportAllocs()
	for b.Loop() {
		m.Request("GET", "/api/user", 200, time.Millisecond)
		m.MSCall("GET /user", "2xx", time.Millisecond)
	}
}
