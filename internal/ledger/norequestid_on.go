//go:build ledger_norequestid

package ledger

// NoRequestID leaves out the request id (X-Request-ID, the logs' request_id, MS's X-Request-Id) (build tag ledger_norequestid: a measuring build only).
const NoRequestID = true
