package handlers

import (
	"fmt"
	"io/fs"

	"github.com/anitab-org/bridge-in-tech-bff/config"
	"github.com/anitab-org/bridge-in-tech-bff/internal/csp"
)

// strictPolicy is the CSP for pages when nothing better is known: everything from our own origin, no inline
// script, no framing. The API is same-origin, so connect-src 'self' covers it.
const strictPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; " +
	"font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; " +
	"frame-ancestors 'none'"

// PagePolicy is the Content-Security-Policy sent with the SPA's pages and where it comes from:
// CONTENT_SECURITY_POLICY exactly as the operator wrote it; else, with a static folder, the policy derived from
// its index.html (plus CONTENT_SECURITY_POLICY_EXTRA); else the strict 'self'-only policy. warnings name what
// the page holds that the derived policy cannot allow.
func PagePolicy(cfg *config.Config, static fs.FS) (policy, source string, warnings []string, err error) {
	if cfg.ContentSecurityPolicy != "" {
		return cfg.ContentSecurityPolicy, "CONTENT_SECURITY_POLICY", nil, nil
	}
	if static == nil {
		return strictPolicy, "default", nil, nil
	}
	page, err := fs.ReadFile(static, "index.html")
	if err != nil {
		return "", "", nil, fmt.Errorf("reading index.html for the content security policy: %w", err)
	}
	d, err := csp.Derive(page, static, cfg.ContentSecurityPolicyExtra)
	if err != nil {
		return "", "", nil, fmt.Errorf("deriving the content security policy: %w", err)
	}
	return d.Policy, "derived from index.html", d.Warnings, nil
}

// pagePolicy is PagePolicy for the running server: it logs the policy once, with what it cannot allow. A folder
// whose index.html cannot be read at start gets the strict policy (config has checked that it exists).
func (s *Server) pagePolicy(static fs.FS) string {
	policy, source, warnings, err := PagePolicy(s.cfg, static)
	if err != nil {
		s.log.Error("content security policy: using the strict default", "error", err)
		return strictPolicy
	}
	s.log.Info("content security policy", "source", source, "policy", policy)
	for _, w := range warnings {
		s.log.Warn("content security policy: index.html holds what the policy blocks", "problem", w)
	}
	return policy
}
