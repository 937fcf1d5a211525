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
}

// readyz answers 200 when MS answers within READY_TIMEOUT and the breaker is closed, else 503 saying which. MS is
// checked at most once a second (ready.go).
func (s *Server) readyz(c *fiber.Ctx) error {
	ping := func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, s.cfg.ReadyTimeout)
		defer cancel()
		return s.ms.Ping(ctx)
	}
	ans := readyAnswer{Status: "ready", MS: "reachable", Breaker: s.ms.BreakerState().String()}
	if !s.ready.msReachable(c.UserContext(), s.now, ping) {
		ans.Status, ans.MS = "not ready", "unreachable"
	}
	if s.ms.BreakerState() != gobreaker.StateClosed {
		ans.Status = "not ready"
	}
	status := fiber.StatusOK
	if ans.Status != "ready" {
		status = fiber.StatusServiceUnavailable
	}
	return c.Status(status).JSON(ans)
}
