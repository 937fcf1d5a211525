//go:build !ledger_nolog

package ledger

// NoLog leaves out the access log line (and its level check) (build tag ledger_nolog: a measuring build only).
const NoLog = false
