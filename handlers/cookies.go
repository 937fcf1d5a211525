package handlers

import (
	"bytes"

	"github.com/gofiber/fiber/v2"
)

// cookieState is what a request carries of the session cookie.
type cookieState int

const (
	cookieAbsent    cookieState = iota // no Cookie header names it
	cookiePresent                      // exactly one well-formed pair names it
	cookieMalformed                    // it is named, but not as RFC 6265 §4.2.1 allows: refused, never guessed
)

// sessionCookie is the one way the BFF reads its session cookie, for authentication and for the CSRF check
// alike, so they can never disagree about whether a request carries it. It reads every Cookie header as the
// client sent it. Nothing in the BFF may use fasthttp's or Fiber's cookie readers (c.Cookies, Header.Cookie):
// they parse leniently (whitespace trimmed, first value wins), and once they have run, the raw headers are gone.
func (s *Server) sessionCookie(c *fiber.Ctx) (string, cookieState) {
	return findCookie(c.Request().Header.PeekAll(fiber.HeaderCookie), s.codec.Name())
}

// hasCookie reports whether the request names the session cookie at all (even empty or malformed).
func (s *Server) hasCookie(c *fiber.Ctx) bool {
	_, st := s.sessionCookie(c)
	return st != cookieAbsent
}

// findCookie looks for the cookie called name in the values of a request's Cookie headers. Strict, per RFC 6265:
// pairs are separated by ";" and optional spaces; a pair whose name, once whitespace is trimmed, is name counts
// as naming the cookie, and it is malformed when written with whitespace around the name or "=" ("bit_session =x"),
// without "=", with a value holding bytes a cookie value may not hold, or when the name appears more than once,
// in one header or across several.
func findCookie(headers [][]byte, name string) (string, cookieState) {
	// It reads the headers in place (bytes.SplitSeq, no copy) and copies only the value it returns: it runs on
	// every request.
	var value []byte
	state := cookieAbsent
	for _, h := range headers {
		for pair := range bytes.SplitSeq(h, []byte(";")) {
			pair = bytes.Trim(pair, " \t")
			k, v, hasEq := bytes.Cut(pair, []byte("="))
			if string(bytes.TrimSpace(k)) != name {
				continue
			}
			if state != cookieAbsent { // a second pair of the same name: which one is meant is anybody's guess
				return "", cookieMalformed
			}
			state = cookiePresent
			if !hasEq || string(k) != name || !validCookieValue(v) {
				state = cookieMalformed
				continue
			}
			value = v
		}
	}
	if state != cookiePresent {
		return "", state
	}
	return string(value), state
}

// validCookieValue is RFC 6265's cookie-value: cookie-octets, optionally in double quotes (which are kept, as
// the BFF's own values never have them).
func validCookieValue(v []byte) bool {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	for i := 0; i < len(v); i++ {
		b := v[i]
		if b < 0x21 || b > 0x7e || b == '"' || b == ',' || b == ';' || b == '\\' {
			return false
		}
	}
	return true
}
