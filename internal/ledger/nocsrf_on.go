//go:build ledger_nocsrf

package ledger

// NoCSRF leaves out the CSRF gate on the API routes (build tag ledger_nocsrf: a measuring build only).
const NoCSRF = true
