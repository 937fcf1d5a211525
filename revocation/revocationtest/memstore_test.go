package revocationtest_test

import (
	"context"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/revocation"
	"github.com/anitab-org/bridge-in-tech-bff/revocation/revocationtest"
)

func TestMemStoreContract(t *testing.T) {
	revocationtest.Run(t, revocationtest.Harness{
		NewDatabase: func(testing.TB) revocationtest.Opener {
			first := revocationtest.NewMemStore()
			return func(context.Context) (revocation.Store, error) { return first.Another(), nil }
		},
		BreakWatch: func(_ testing.TB, st revocation.Store) { st.(*revocationtest.MemStore).BreakWatches() },
	})
}
