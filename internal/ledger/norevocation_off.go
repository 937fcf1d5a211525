//go:build !ledger_norevocation

package ledger

// NoRevocation leaves out the revocation check of cookie sessions (build tag ledger_norevocation: a measuring build only).
const NoRevocation = false
