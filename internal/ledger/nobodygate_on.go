//go:build ledger_nobodygate

package ledger

// NoBodyGate leaves out the body gate (gateBody) (build tag ledger_nobodygate: a measuring build only).
const NoBodyGate = true
