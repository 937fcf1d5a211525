package msclient

// countsAsUnavailable reports whether an MS answer with this status counts as a failure for the breaker: every
// 5xx. Transport errors and timeouts, which are not answers, always count.
func countsAsUnavailable(status int) bool { return status >= 500 }
