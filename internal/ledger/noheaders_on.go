//go:build ledger_noheaders

package ledger

// NoHeaders leaves out the security headers of /api answers (nosniff, Content-Security-Policy) (build tag ledger_noheaders: a measuring build only).
const NoHeaders = true
