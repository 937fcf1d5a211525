package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/bit/storeopen"
)

// openTimeout bounds opening the database and applying its migrations at start-up.
const openTimeout = 30 * time.Second

// openStore opens the database source names (DATABASE_URL, or the development default) and applies its
// migrations. Errors and logs never carry the URL: it may hold a password.
func openStore(ctx context.Context, source string, logger *slog.Logger) (bit.Store, error) {
	ctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	start := time.Now()
	st, kind, err := storeopen.Open(ctx, source)
	if err != nil {
		return nil, fmt.Errorf("opening the database named by DATABASE_URL: %w", err)
	}
	logger.Info("database ready", "kind", string(kind), "took_ms", time.Since(start).Milliseconds())
	if checker, ok := st.(bit.NameKeyChecker); ok {
		// Names written before they were compared as a reader sees them (bit.NameKey): reported, never changed.
		found, err := checker.CheckNameKeys(ctx)
		if err != nil {
			_ = st.Close()
			return nil, fmt.Errorf("checking the database's name keys: %w", err)
		}
		for _, c := range found {
			logger.Warn("existing name looks like another row's", "table", c.Table, "id", c.ID, "name", c.Name, "held_by", c.HeldBy)
		}
	}
	return st, nil
}

// seedDemo gives the demo users BridgeInTech data: each is an organization representative with a published
// organization and two programs (idempotent, so a demo database kept in a file is seeded once).
func seedDemo(ctx context.Context, svc *bit.Service, d *demoMS) error {
	var reps []int64
	for _, u := range d.users {
		if id, ok := d.em.UserID(u.Username); ok {
			reps = append(reps, id)
		}
	}
	if err := svc.Seed(ctx, reps); err != nil {
		return fmt.Errorf("demo: seeding organizations and programs: %w", err)
	}
	return nil
}
