//go:build !ledger_nobreaker

package ledger

// NoBreaker leaves out the circuit breaker around MS calls (build tag ledger_nobreaker: a measuring build only).
const NoBreaker = false
