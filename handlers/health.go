package handlers

import (
	"context"

	"github.com/gofiber/fiber/v2"
	"github.com/sony/gobreaker/v2"
)

// healthz answers while the process serves; it checks nothing else, so a slow MS never gets the dyno restarted.
func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok", "checked": "process"})
}

// readyAnswer says what /readyz checked.
type readyAnswer struct {
	Status  string `json:"status"`
	MS      string `json:"ms"`
	Breaker string `json:"breaker"`
	// Store is the database of BridgeInTech's own data: "reachable", "unreachable", or "not opened" while it has
	// not been opened since the start (absent without one).
	Store string `json:"store,omitempty"`
}

// readyz answers 200 when MS answers within READY_TIMEOUT, the breaker is closed and the database answers, else
// 503 saying which. MS and the database are each checked at most once a second (ready.go).
func (s *Server) readyz(c *fiber.Ctx) error {
	ping := func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, s.cfg.ReadyTimeout)
		defer cancel()
		return s.ms.Ping(ctx)
	}
	ans := readyAnswer{Status: "ready", MS: "reachable", Breaker: s.ms.BreakerState().String()}
	if !s.ready.reachable(c.UserContext(), s.now, ping) {
		ans.Status, ans.MS = "not ready", "unreachable"
	}
	if s.ms.BreakerState() != gobreaker.StateClosed {
		ans.Status = "not ready"
	}
	if s.bit != nil {
		ans.Store = "reachable"
		pingStore := func(ctx context.Context) error {
			ctx, cancel := context.WithTimeout(ctx, s.cfg.ReadyTimeout)
			defer cancel()
			return s.bit.Ping(ctx)
		}
		if !s.storeReady.reachable(c.UserContext(), s.now, pingStore) {
			ans.Status, ans.Store = "not ready", "unreachable"
		}
		if !s.bit.StoreOpened() {
			ans.Status, ans.Store = "not ready", "not opened"
		}
	}
	status := fiber.StatusOK
	if ans.Status != "ready" {
		status = fiber.StatusServiceUnavailable
	}
	return c.Status(status).JSON(ans)
}
