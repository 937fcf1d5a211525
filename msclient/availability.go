package msclient

import "net/http"

// countsAsUnavailable reports whether an MS answer with this status says that MS is unavailable, so the breaker
// counts it as a failure. Only gateway answers do (502, 503, 504: a proxy in front of MS, or MS itself, saying it
// cannot serve now). Every other answer, 500 included, is MS's answer to that one request: a 500 is MS crashing
// on that input (docs/MS.md#known-500s-and-the-edge-checks), and counting it would let any anonymous client open the breaker for everyone
// by sending input MS cannot handle. Transport errors and timeouts, which are not answers, always count.
func countsAsUnavailable(status int) bool {
	switch status {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}
