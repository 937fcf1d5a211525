package metrics

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestReadmeListsEveryMetricWithItsLabels reads the descriptions of every bff_ collector in the registry (so a
// metric added later is caught without editing this test) and wants one row of the README's metrics table per
// metric, naming each of its labels.
func TestReadmeListsEveryMetricWithItsLabels(t *testing.T) {
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
	descs := make(chan *prometheus.Desc, 256)
	go func() { New().Registry().Describe(descs); close(descs) }()
	name := regexp.MustCompile(`fqName: "([^"]+)"`)
	labels := regexp.MustCompile(`variableLabels: \{([^}]*)\}`)
	seen := 0
	for d := range descs {
		s := d.String()
		n := name.FindStringSubmatch(s)
		if n == nil || !strings.HasPrefix(n[1], "bff_") {
			continue
		}
		seen++
		row, ok := rows[n[1]]
		if !ok {
			t.Errorf("README.md has no row \"| `%s` | ...\" in its metrics table", n[1])
			continue
		}
		if l := labels.FindStringSubmatch(s); l != nil && l[1] != "" {
			for _, label := range strings.Split(l[1], ",") {
				label = strings.TrimSuffix(strings.TrimPrefix(label, "c("), ")")
				if !strings.Contains(row, "`"+label+"`") {
					t.Errorf("README.md's row for %s does not name its label `%s`: %s", n[1], label, row)
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("no bff_ metric was described; the registry is empty")
	}
}
