// Package storetest is the contract every bit.Store implementation passes: each behaviour is written once here
// and run against SQLite (bit/sqlitestore's tests) and a real PostgreSQL server (bit/pgstore's tests), as
// oauth2-proxy runs one session-store suite against every backend. It includes the concurrency contract (parallel
// upserts of one key leave one whole row; parallel Opens of a fresh database all succeed) and benchmarks.
package storetest

import (
	"context"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

// Opener opens (and migrates) a store on one database; each call returns a new store on the same database.
type Opener func(ctx context.Context) (bit.Store, error)

// NewDatabase returns an Opener of a fresh, empty database for one test or benchmark (removed at its cleanup).
type NewDatabase func(tb testing.TB) Opener

// open opens a store on a fresh database and closes it at the test's cleanup.
func open(tb testing.TB, newDB NewDatabase) bit.Store {
	tb.Helper()
	s, err := newDB(tb)(context.Background())
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// Run runs the whole contract against the stores newDB opens. Subtests run in parallel, each on its own database.
func Run(t *testing.T, newDB NewDatabase) {
	for _, tc := range []struct {
		name string
		test func(t *testing.T, s bit.Store)
	}{
		{"additional info is not found before it is put, then reads back whole", testAdditionalInfoRoundTrip},
		{"a second put of additional info overwrites the whole row and reports an update", testAdditionalInfoOverwrite},
		{"personal background is not found before it is put, then reads back whole and is overwritten whole", testBackgroundRoundTrip},
		{"parallel puts of one user's additional info leave one whole row and one creation", testParallelAdditionalInfo},
		{"parallel puts of one user's personal background leave one whole row and one creation", testParallelBackground},
		{"an organization is created once per representative and updated keeping its id and join date", testOrganizationPut},
		{"an organization name or email taken by another organization is refused and changes nothing", testOrganizationDuplicates},
		{"organization names a reader cannot tell apart are one name", testLookAlikeOrganizationNames},
		{"program names a reader cannot tell apart are one name, on create and on update", testLookAlikeProgramNames},
		{"parallel puts of one representative's organization leave one organization", testParallelOrganization},
		{"parallel claims of one name by many representatives leave one owner and duplicates", testParallelSameNameOfManyRepresentatives},
		{"the organization list holds published organizations of declared representatives, filtered and paged by id", testListOrganizations},
		{"the organization name filter is case-insensitive and takes % and _ literally", testListOrganizationsName},
		{"a program reads back with every field, lists and a missing amount included", testProgramRoundTrip},
		{"programs are listed in id order and only under their own organization", testProgramsOfOrganization},
		{"programs are read a page at a time, drafts left out before paging when asked", testProgramsPaged},
		{"an organization's programs stop at the creation limit, other organizations unaffected", testProgramLimit},
		{"parallel creations in one organization never pass the creation limit", testParallelProgramLimit},
		{"a program update keeps its creation date and cannot reach another organization's program", testProgramUpdate},
		{"program names are unique across organizations, on create and on update", testProgramDuplicates},
		{"parallel creations of one program name leave one program", testParallelProgramCreate},
		{"a program cannot be created in a missing organization", testProgramMissingOrganization},
		{"ids at the ends of int64 are plain misses, not errors", testExtremeIDs},
		{"text of any script round-trips exactly", testUnicode},
		{"an ended context makes every call fail as unavailable", testContextEnded},
		{"ping answers on a working database", testPing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, open(t, newDB))
		})
	}
	runAccountContract(t, newDB) // accounts.go
	t.Run("several stores opened at once on a fresh database all work and share the data", func(t *testing.T) {
		t.Parallel()
		testConcurrentOpen(t, newDB(t))
	})
}
