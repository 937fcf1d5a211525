//go:build ledger_nocors

package ledger

// NoCORS leaves out the CORS middleware (build tag ledger_nocors: a measuring build only).
const NoCORS = true
