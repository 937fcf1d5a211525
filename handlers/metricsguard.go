package handlers

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
)

// /metrics is not public (docs/CONFIGURATION.md#every-variable). It is served
//   - with METRICS_ADDR: on that listener only (MetricsHandler; app.Run starts it), behind METRICS_TOKEN if set;
//   - else with METRICS_TOKEN: at /metrics on the app's port, to a scraper that sends "Authorization: Bearer
//     <METRICS_TOKEN>" (Prometheus' authorization / bearer_token setting);
//   - else nowhere: /metrics is 404 like any unknown path.

const msgMetricsToken = "The metrics need the scraper's token: Authorization: Bearer <METRICS_TOKEN>."

// mountMetrics registers /metrics on the app's port when METRICS_TOKEN is set and METRICS_ADDR is not.
func (s *Server) mountMetrics(app *fiber.App) {
	h := s.obs.Handler()
	if h == nil || s.cfg.MetricsAddr != "" || s.cfg.MetricsToken.Empty() {
		return
	}
	app.Get("/metrics", s.metricsAuth, adaptor.HTTPHandler(h))
}

// metricsAuth lets through only a request with the metrics token.
func (s *Server) metricsAuth(c *fiber.Ctx) error {
	if !s.metricsTokenOK(c.Get(fiber.HeaderAuthorization)) {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
		return s.fail(c, fiber.StatusUnauthorized, msgMetricsToken)
	}
	return c.Next()
}

// metricsTokenOK compares "Bearer <token>" with METRICS_TOKEN in constant time (hashes of equal length, so
// neither the content nor the length of the token leaks through timing). No token configured: always true.
func (s *Server) metricsTokenOK(header string) bool {
	want := s.cfg.MetricsToken.Reveal()
	if want == "" {
		return true
	}
	got, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		return false
	}
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// MetricsHandler is the metrics page for METRICS_ADDR's own listener, behind METRICS_TOKEN when set; nil when
// METRICS_ADDR is unset or there are no metrics.
func (s *Server) MetricsHandler() http.Handler {
	h := s.obs.Handler()
	if h == nil || s.cfg.MetricsAddr == "" {
		return nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		if !s.metricsTokenOK(r.Header.Get("Authorization")) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			w.Header().Set("Content-Type", fiber.MIMEApplicationJSON)
			w.WriteHeader(http.StatusUnauthorized)
			body, _ := jsonMessage(msgMetricsToken)
			_, _ = w.Write(body)
			return
		}
		h.ServeHTTP(w, r)
	})
	return mux
}
