//go:build !ledger_nometrics

package ledger

// NoMetrics leaves out the per-route request metrics, the in-flight gauge and the MS call metrics (build tag ledger_nometrics: a measuring build only).
const NoMetrics = false
