package msclient

import "strings"

// confirmPrefix is the one MS path that carries a credential: the e-mail confirmation token.
const confirmPrefix = "/user/confirm_email/"

// RedactPath returns path fit for logs: the e-mail confirmation token of /user/confirm_email/{token} is
// replaced by "[REDACTED]"; every other MS path holds only ids and is returned as is.
func RedactPath(path string) string {
	if strings.HasPrefix(path, confirmPrefix) && len(path) > len(confirmPrefix) {
		return confirmPrefix + "[REDACTED]"
	}
	return path
}

// RouteOf derives a low-cardinality route label from an MS method and path: numeric segments become ":id",
// the confirmation token ":token", and any other segment that is not one of MS's static segments
// ":param", so a label set stays bounded whatever paths arrive. E.g. "PUT /mentorship_relation/12/task/3/complete" →
// "PUT /mentorship_relation/:id/task/:id/complete".
func RouteOf(method, path string) string {
	if strings.HasPrefix(path, confirmPrefix) && len(path) > len(confirmPrefix) {
		return method + " " + confirmPrefix + ":token"
	}
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	if path == "/" || path == "" {
		return method + " /"
	}
	var b strings.Builder
	b.Grow(len(method) + 1 + len(path))
	b.WriteString(method)
	b.WriteByte(' ')
	for seg := range strings.SplitSeq(strings.TrimPrefix(path, "/"), "/") {
		b.WriteByte('/')
		switch {
		case isStatic(seg):
			b.WriteString(seg)
		case isDigits(seg):
			b.WriteString(":id")
		default:
			b.WriteString(":param")
		}
	}
	return b.String()
}

// isStatic reports whether seg is one of the static path segments of the MS API (docs/MS.md#endpoints); every
// other segment is a parameter.
func isStatic(seg string) bool {
	switch seg {
	case "accept", "admin", "admins", "cancel", "change_password", "comment", "comments", "complete",
		"confirm_email", "current", "dashboard", "home", "login", "mentorship_relation", "mentorship_relations",
		"new", "past", "pending", "refresh", "register", "reject", "remove", "resend_email", "send_request",
		"task", "tasks", "user", "users":
		return true
	}
	return false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
