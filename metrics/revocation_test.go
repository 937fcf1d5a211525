package metrics

import (
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// gathered reads reg: for each series of the family name, its labels (name=value joined by spaces) and its value
// (a gauge's or a counter's).
func gathered(t *testing.T, reg prometheus.Gatherer, name string) map[string]float64 {
	t.Helper()
	fams, err := reg.Gather()
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
			v := mt.GetCounter().GetValue()
			if g := mt.GetGauge(); g != nil {
				v = g.GetValue()
			}
			out[strings.Join(labels, " ")] = v
		}
	}
	return out
}

func wantSeries(t *testing.T, reg prometheus.Gatherer, name string, want map[string]float64) {
	t.Helper()
	got := gathered(t, reg, name)
	if len(got) != len(want) {
		t.Errorf("%s: series %v, want %v", name, got, want)
		return
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s{%s} = %v (present %v), want %v", name, k, g, ok, v)
		}
	}
}

func TestRevocationSeriesExistFromTheStart(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	NewRevocation(reg)
	wantSeries(t, reg, NameRevocationEntries, map[string]float64{"": 0})
	wantSeries(t, reg, NameRevocationPending, map[string]float64{"": 0})
	wantSeries(t, reg, NameRevocationStoreFailures, map[string]float64{
		"op=load": 0, "op=catch_up": 0, "op=watch": 0, "op=purge": 0, "op=revoke": 0})
	wantSeries(t, reg, NameRevocationCatchUps, map[string]float64{
		"trigger=wake": 0, "trigger=reconnect": 0, "trigger=periodic": 0})
	wantSeries(t, reg, NameRevocationReconnects, map[string]float64{"": 0})
}

func TestRevocationValuesAfterCalls(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	r := NewRevocation(reg)
	r.Entries(5)
	r.Entries(3) // a gauge: the last value
	r.Pending(2)
	r.Pending(0)
	r.StoreFailure("load")
	r.StoreFailure("load")
	r.StoreFailure("revoke")
	r.CatchUp("wake")
	r.CatchUp("periodic")
	r.CatchUp("periodic")
	r.WatchReconnect()
	wantSeries(t, reg, NameRevocationEntries, map[string]float64{"": 3})
	wantSeries(t, reg, NameRevocationPending, map[string]float64{"": 0})
	wantSeries(t, reg, NameRevocationStoreFailures, map[string]float64{
		"op=load": 2, "op=catch_up": 0, "op=watch": 0, "op=purge": 0, "op=revoke": 1})
	wantSeries(t, reg, NameRevocationCatchUps, map[string]float64{
		"trigger=wake": 1, "trigger=reconnect": 0, "trigger=periodic": 2})
	wantSeries(t, reg, NameRevocationReconnects, map[string]float64{"": 1})
}

// TestRevocationLabelSetsAreFixed: a value outside the known words (an id by mistake, a newer caller) adds one
// "other" series at most, never a series per value.
func TestRevocationLabelSetsAreFixed(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	r := NewRevocation(reg)
	for _, v := range []string{"user 42", "session 1f2e", "", "LOAD"} {
		r.StoreFailure(v)
		r.CatchUp(v)
	}
	wantSeries(t, reg, NameRevocationStoreFailures, map[string]float64{
		"op=load": 0, "op=catch_up": 0, "op=watch": 0, "op=purge": 0, "op=revoke": 0, "op=other": 4})
	wantSeries(t, reg, NameRevocationCatchUps, map[string]float64{
		"trigger=wake": 0, "trigger=reconnect": 0, "trigger=periodic": 0, "trigger=other": 4})
}

func TestRevocationConcurrentUse(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	r := NewRevocation(reg)
	const workers, rounds = 8, 500
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range rounds {
				r.Entries(w*rounds + i)
				r.Pending(i)
				for _, op := range revocationOps {
					r.StoreFailure(op)
				}
				for _, tr := range revocationTriggers {
					r.CatchUp(tr)
				}
				r.WatchReconnect()
				if i%100 == 0 {
					if _, err := reg.Gather(); err != nil { // scrapes during the calls
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	const n = workers * rounds
	wantSeries(t, reg, NameRevocationStoreFailures, map[string]float64{
		"op=load": n, "op=catch_up": n, "op=watch": n, "op=purge": n, "op=revoke": n})
	wantSeries(t, reg, NameRevocationCatchUps, map[string]float64{
		"trigger=wake": n, "trigger=reconnect": n, "trigger=periodic": n})
	wantSeries(t, reg, NameRevocationReconnects, map[string]float64{"": n})
	r.Entries(7)
	r.Pending(1)
	wantSeries(t, reg, NameRevocationEntries, map[string]float64{"": 7})
	wantSeries(t, reg, NameRevocationPending, map[string]float64{"": 1})
}

func TestRevocationCallsAllocateNothing(t *testing.T) {
	r := NewRevocation(prometheus.NewRegistry())
	if n := testing.AllocsPerRun(1000, func() {
		r.Entries(1)
		r.Pending(1)
		r.StoreFailure("revoke")
		r.CatchUp("wake")
		r.WatchReconnect()
	}); n != 0 {
		t.Fatalf("the Observer's calls allocate %v times, want 0", n)
	}
}

// TestRevocationRegistersBesideTheOthers: New registers the revocation collectors in the Metrics' registry
// beside the others, with no name clash.
func TestRevocationRegistersBesideTheOthers(t *testing.T) {
	t.Parallel()
	m := New()
	if m.Revocations == nil {
		t.Fatal("New gave no revocation observer")
	}
	wantSeries(t, m.Registry(), NameRevocationReconnects, map[string]float64{"": 0})
}

// TestReadmeListsTheRevocationMetrics asks the README for the revocation metrics' rows, each naming its kind, its
// label and every value of it (TestReadmeListsEveryMetricWithItsLabels checks names and labels of all metrics).
func TestReadmeListsTheRevocationMetrics(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(readme), "\n") {
		if m := regexp.MustCompile("^\\| `(bff_[a-z_]+)` \\|").FindStringSubmatch(line); m != nil {
			rows[m[1]] = line
		}
	}
	for _, tc := range []struct {
		name, kind, label string
		values            []string
	}{
		{NameRevocationEntries, "gauge", "", nil},
		{NameRevocationPending, "gauge", "", nil},
		{NameRevocationStoreFailures, "counter", "op", revocationOps},
		{NameRevocationCatchUps, "counter", "trigger", revocationTriggers},
		{NameRevocationReconnects, "counter", "", nil},
	} {
		row, ok := rows[tc.name]
		if !ok {
			t.Errorf("README.md has no row \"| `%s` | ...\" in its metrics table", tc.name)
			continue
		}
		if !strings.Contains(row, "| "+tc.kind+" |") {
			t.Errorf("README.md's row for %s does not say it is a %s: %s", tc.name, tc.kind, row)
		}
		if tc.label == "" {
			if !strings.Contains(row, "| none |") {
				t.Errorf("README.md's row for %s should say it has no labels: %s", tc.name, row)
			}
			continue
		}
		for _, want := range append([]string{tc.label}, tc.values...) {
			if !strings.Contains(row, "`"+want+"`") {
				t.Errorf("README.md's row for %s does not name `%s`: %s", tc.name, want, row)
			}
		}
	}
}
