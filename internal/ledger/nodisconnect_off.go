//go:build !ledger_nodisconnect

package ledger

// NoDisconnect leaves out the disconnect watch (watchClient) on the routes that call MS (build tag ledger_nodisconnect: a measuring build only).
const NoDisconnect = false
