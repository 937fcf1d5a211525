package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/anitab-org/bridge-in-tech-bff/internal/pgtest"
)

// The attacks of issue 17, replayed against a BFF process on PostgreSQL with the memory limit app.json gives a
// 512 MB dyno. Each must stay bounded: a member's large programs, amplifying bodies, a list's MS calls, names
// that look like another organization's.
const (
	boundsRSSLimitKiB = 100 << 10 // the BFF's RSS while four reads of a list of 60 largest programs run
	// boundsBodyConstKiB is the stated constant beyond BODY_MEMORY (docs/CONFIGURATION.md): the runtime's
	// collector headroom, 32 connections' prefetched 8 KiB and the decoders' 64 KiB each.
	boundsBodyConstKiB = 24 << 10
	boundsBodyMemory   = 32 << 20
	// boundsPGGrowthKiB bounds what PostgreSQL's backends add (private memory, RssAnon) during the four reads: a
	// query reads at most four programs, so each backend holds a few MB (the issue saw 46 → 515 MiB).
	boundsPGGrowthKiB = 64 << 10
)

// watchBackends samples the private memory (RssAnon) of every PostgreSQL backend of the database at url until
// the returned function is called; it returns the sum at the start and the largest sum seen.
func watchBackends(t *testing.T, url string) func() (before, peak int) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	sum := func() int {
		rows, err := conn.Query(context.Background(), `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
		if err != nil {
			return 0
		}
		pids, _ := pgx.CollectRows(rows, pgx.RowTo[int32])
		total := 0
		for _, pid := range pids {
			data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
			if err != nil {
				continue // a backend that just ended
			}
			for _, line := range strings.Split(string(data), "\n") {
				if f := strings.Fields(line); len(f) >= 2 && f[0] == "RssAnon:" {
					n, _ := strconv.Atoi(f[1])
					total += n
				}
			}
		}
		return total
	}
	start := sum()
	peak := start
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
				peak = max(peak, sum())
			}
		}
	}()
	return func() (int, int) {
		close(stop)
		<-done
		_ = conn.Close(context.Background())
		return start, peak
	}
}

func TestBITStaysBoundedUnderTheIssue17Attacks(t *testing.T) {
	cluster := pgtest.StartT(t)
	ms := startMS(t, "-control")
	dbURL := cluster.NewDatabase(t)
	bff := startBFF(t, ms, testSessionKey, "DATABASE_URL="+dbURL, "GOMEMLIMIT=400MiB",
		fmt.Sprintf("BODY_MEMORY=%d", boundsBodyMemory), "BIT_PROGRAMS_PER_ORGANIZATION=60",
		"BIT_PROGRAM_CREATES_PER_MINUTE=100", "LOGIN_MAX_FAILURES=50")
	base := bff.url()
	rep, member := newBrowser(t), newBrowser(t)
	rep.login(base, 1)
	member.login(base, 2)
	runBITSteps(t, base, []bitStep{
		{"the attacker declares themself a representative", rep, "PUT", "/api/user/additional_info", additionalInfo(true, "+1 555"), 201, ""},
		{"and creates a draft organization", rep, "PUT", "/api/organization", organization("Acme Tech", nil), 201, ""},
	})
	var org struct{ ID int64 }
	decode(t, rep.must("GET", base+"/api/organization", nil), &org)

	t.Run("32 concurrent amplifying bodies stay within BODY_MEMORY plus the stated constant", func(t *testing.T) {
		body := amplifyingBody()
		before, _ := rssKiB(t, bff)
		var wg sync.WaitGroup
		for range 32 {
			wg.Go(func() {
				req, _ := http.NewRequestWithContext(context.Background(), "POST",
					fmt.Sprintf("%s/api/organizations/%d/programs/program", base, org.ID), bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-CSRF", "1")
				resp, err := rep.http.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				msg, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusServiceUnavailable {
					t.Errorf("an amplifying body: %d %s, want 400 (or 503 while the budget is taken)", resp.StatusCode, msg)
				}
			})
		}
		wg.Wait()
		_, peak := rssKiB(t, bff)
		t.Logf("BFF RSS before %d KiB, peak %d KiB (%d bodies of %d bytes)", before, peak, 32, len(body))
		if limit := before + boundsBodyMemory>>10 + boundsBodyConstKiB; peak > limit {
			t.Errorf("peak RSS %d KiB, want at most %d (before + BODY_MEMORY + %d KiB)", peak, limit, boundsBodyConstKiB)
		}
	})

	t.Run("four reads of a list of 60 largest programs keep the RSS under 100 MB", func(t *testing.T) {
		for i := range 60 {
			a := rep.must("POST", fmt.Sprintf("%s/api/organizations/%d/programs/program", base, org.ID), largestProgram(i))
			if a.status != http.StatusCreated {
				t.Fatalf("program %d: %d %s", i, a.status, a.body)
			}
		}
		a := rep.must("POST", fmt.Sprintf("%s/api/organizations/%d/programs/program", base, org.ID), largestProgram(60))
		if a.status != http.StatusForbidden {
			t.Errorf("a 61st program: %d %s, want 403 (the cap)", a.status, a.body)
		}
		pg := watchBackends(t, dbURL)
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Go(func() {
				path := fmt.Sprintf("%s/api/organizations/%d/programs?per_page=50&page=%d", base, org.ID, i%2+1)
				a := member.must("GET", path, nil)
				var list []map[string]any
				if a.status != http.StatusOK || json.Unmarshal(a.body, &list) != nil || len(list) == 0 {
					t.Errorf("%s: %d, %d bytes", path, a.status, len(a.body))
					return
				}
				if len(a.body) > 4<<20 || a.header.Get("X-Page-Cut") != fmt.Sprint(len(list)) {
					t.Errorf("%s: %d bytes, %d programs, X-Page-Cut %q; want at most 4 MiB, cut", path, len(a.body), len(list), a.header.Get("X-Page-Cut"))
				}
			})
		}
		wg.Wait()
		if before, peak := pg(); peak-before > boundsPGGrowthKiB {
			t.Errorf("PostgreSQL's backends grew from %d to %d KiB of private memory, want at most %d more", before, peak, boundsPGGrowthKiB)
		} else {
			t.Logf("PostgreSQL's backends: %d KiB of private memory before, %d at most during the reads", before, peak)
		}
		rss, peak := rssKiB(t, bff)
		t.Logf("BFF RSS after the reads %d KiB, peak %d KiB", rss, peak)
		if peak > boundsRSSLimitKiB {
			t.Errorf("the BFF's peak RSS was %d KiB, want under %d", peak, boundsRSSLimitKiB)
		}
	})

	t.Run("an organizations list makes at most one MS call whatever the page", func(t *testing.T) {
		for i := 3; i < 15; i++ {
			b := newBrowser(t)
			b.login(base, i)
			runBITSteps(t, base, []bitStep{
				{"a representative", b, "PUT", "/api/user/additional_info", additionalInfo(true, "+1 555"), 201, ""},
				{"publishes", b, "PUT", "/api/organization", organization(fmt.Sprintf("Org %d", i), func(o map[string]any) {
					o["email"] = fmt.Sprintf("org%d@example.org", i)
				}), 201, ""},
			})
		}
		for _, q := range []string{"per_page=50&page=1000000", "per_page=50", "per_page=5&page=2", "name=org&per_page=50"} {
			before := sumCalls(msCalls(t, ms))
			a := member.must("GET", base+"/api/organizations?"+q, nil)
			if a.status != http.StatusOK && a.status != http.StatusNotFound {
				t.Fatalf("%s: %d %s", q, a.status, a.body)
			}
			if n := sumCalls(msCalls(t, ms)) - before; n > 1 {
				t.Errorf("GET /api/organizations?%s made %d MS calls, want at most 1", q, n)
			}
		}
	})

	t.Run("every look-alike name gets 409", func(t *testing.T) {
		other := newBrowser(t)
		other.login(base, 20)
		runBITSteps(t, base, []bitStep{{"another representative", other, "PUT", "/api/user/additional_info", additionalInfo(true, "+1 555"), 201, ""}})
		for _, name := range []string{"Acme\u200b Tech", "Acme Tech ", "ACME TECH", "Acm\u0435 Tech", "\uff21cme Tech"} {
			a := other.must("PUT", base+"/api/organization", organization(name, func(o map[string]any) { o["email"] = "other@example.org" }))
			if a.status != http.StatusConflict {
				t.Errorf("organization %q: %d %s, want 409", name, a.status, a.body)
			}
		}
		// A right-to-left override is refused in every text field before names are compared.
		a := other.must("PUT", base+"/api/organization", organization("Acme Tech\u202e", func(o map[string]any) { o["email"] = "other@example.org" }))
		if a.status != http.StatusBadRequest {
			t.Errorf("a name with a right-to-left override: %d %s, want 400", a.status, a.body)
		}
	})
}

// largestProgram is a program whose eight list fields hold 100 items of their longest length in 4-byte
// characters: about 0.73 MB, as in the issue.
func largestProgram(i int) map[string]any {
	return program(fmt.Sprintf("Large %d", i), func(p map[string]any) {
		fill := func(n int) []string {
			items := make([]string, 100)
			for k := range items {
				items[k] = strings.Repeat("\U0001d49c", n)
			}
			return items
		}
		p["target_skills"], p["tags"] = fill(150), fill(150)
		for _, k := range []string{"student_responsibility", "mentor_responsibility", "organization_responsibility",
			"student_requirements", "mentor_requirements", "resources_provided"} {
			p[k] = fill(250)
		}
	})
}

// amplifyingBody is a 1 MB program body whose tags hold 260,001 items (the issue used 330,000 in a larger limit).
func amplifyingBody() []byte {
	raw, _ := json.Marshal(program("Amplifier", nil))
	items := strings.Repeat(`"a",`, 260_000) + `"a"`
	return bytes.Replace(raw, []byte(`"tags":["mentoring"]`), []byte(`"tags":[`+items+`]`), 1)
}
