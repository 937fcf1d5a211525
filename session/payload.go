package session

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anitab-org/bridge-in-tech-bff/secret"
)

// The sealed payload is compact JSON with short keys:
//
//	{"v":1,"u":<user id>,"a":"<access token>","r":"<refresh token>","ae":<unix s>,"re":<unix s>}
//
// It is written and read by hand: encoding/json alone cost about 5 µs per Open, half the budget. The reader
// takes any valid JSON object of exactly these keys (any order, any whitespace) and refuses everything else.
const formatVersion = 1

// maxUnix is 9999-12-31T23:59:59Z; later expiry times are refused as nonsense.
const maxUnix = 253402300799

// payloadLen is at least the length appendPayload writes (each integer counted at its widest, 20 bytes).
func payloadLen(s Session) int {
	return len(`{"v":1,"u":,"a":,"r":,"ae":,"re":}`) + 20 + 3*20 +
		quotedLen(s.AccessToken.Reveal()) + quotedLen(s.RefreshToken.Reveal())
}

func appendPayload(b []byte, s Session) []byte {
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, formatVersion, 10)
	b = append(b, `,"u":`...)
	b = strconv.AppendInt(b, s.UserID, 10)
	b = append(b, `,"a":`...)
	b = appendQuoted(b, s.AccessToken.Reveal())
	b = append(b, `,"r":`...)
	b = appendQuoted(b, s.RefreshToken.Reveal())
	b = append(b, `,"ae":`...)
	b = strconv.AppendInt(b, s.AccessExp.Unix(), 10)
	b = append(b, `,"re":`...)
	b = strconv.AppendInt(b, s.RefreshExp.Unix(), 10)
	return append(b, '}')
}

// quotedLen is the JSON string length of a valid token (printable ASCII: only '"' and '\' are escaped).
func quotedLen(s string) int {
	return 2 + len(s) + strings.Count(s, `"`) + strings.Count(s, `\`)
}

// appendQuoted writes a validated token as a JSON string: only '"' and '\' need escaping.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	if strings.IndexByte(s, '"') < 0 && strings.IndexByte(s, '\\') < 0 { // every JWT
		return append(append(b, s...), '"')
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' {
			b = append(b, '\\', c)
		} else {
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// validSession holds the rules for a session both ways: Seal refuses what Open would not accept.
func validSession(userID int64, access, refresh string, accessExp, refreshExp int64) error {
	switch {
	case userID <= 0:
		return errors.New("user id must be positive")
	case !validToken(access):
		return errors.New("access token must be non-empty printable ASCII")
	case !validToken(refresh):
		return errors.New("refresh token must be non-empty printable ASCII")
	case accessExp <= 0 || accessExp > maxUnix:
		return errors.New("access expiry must be a time between 1970 and 9999")
	case refreshExp <= 0 || refreshExp > maxUnix:
		return errors.New("refresh expiry must be a time between 1970 and 9999")
	}
	return nil
}

// validToken accepts what a JWT (or any bearer token) is made of: printable ASCII without spaces.
func validToken(t string) bool {
	if t == "" || len(t) > MaxValueLen {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i]-'!' > '~'-'!' { // one unsigned compare for '!' <= c <= '~'
			return false
		}
	}
	return true
}

// parsePayload reads a payload written by appendPayload. Token strings are substrings of p when they hold
// no escapes, so the whole payload costs one allocation (the caller's string conversion).
func parsePayload(p string) (Session, bool) {
	const (
		seenV = 1 << iota
		seenU
		seenA
		seenR
		seenAE
		seenRE
		seenAll = seenV | seenU | seenA | seenR | seenAE | seenRE
	)
	r := reader{s: p}
	var (
		seen            int
		v, u, ae, re    int64
		access, refresh string
	)
	r.ws()
	if !r.eat('{') {
		return Session{}, false
	}
	for {
		r.ws()
		key, ok := r.str()
		if !ok {
			return Session{}, false
		}
		r.ws()
		if !r.eat(':') {
			return Session{}, false
		}
		r.ws()
		var bit int
		switch key {
		case "v":
			bit = seenV
			v, ok = r.int()
		case "u":
			bit = seenU
			u, ok = r.int()
		case "a":
			bit = seenA
			access, ok = r.str()
		case "r":
			bit = seenR
			refresh, ok = r.str()
		case "ae":
			bit = seenAE
			ae, ok = r.int()
		case "re":
			bit = seenRE
			re, ok = r.int()
		default:
			return Session{}, false
		}
		if !ok || seen&bit != 0 {
			return Session{}, false
		}
		seen |= bit
		r.ws()
		if r.eat('}') {
			break
		}
		if !r.eat(',') {
			return Session{}, false
		}
	}
	r.ws()
	if r.i != len(r.s) || seen != seenAll || v != formatVersion ||
		validSession(u, access, refresh, ae, re) != nil {
		return Session{}, false
	}
	return Session{
		UserID:       u,
		AccessToken:  secret.String(access),
		RefreshToken: secret.String(refresh),
		AccessExp:    time.Unix(ae, 0).UTC(),
		RefreshExp:   time.Unix(re, 0).UTC(),
	}, true
}

// reader is a minimal JSON reader for the payload's grammar: an object of strings and integers.
type reader struct {
	s string
	i int
}

func (r *reader) ws() {
	for r.i < len(r.s) {
		switch r.s[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

func (r *reader) eat(c byte) bool {
	if r.i < len(r.s) && r.s[r.i] == c {
		r.i++
		return true
	}
	return false
}

// int reads a JSON number that is an integer in int64 range (no fraction, no exponent, no leading zeros).
func (r *reader) int() (int64, bool) {
	start := r.i
	r.eat('-')
	digits := r.i
	for r.i < len(r.s) && '0' <= r.s[r.i] && r.s[r.i] <= '9' {
		r.i++
	}
	if n := r.i - digits; n == 0 || n > 1 && r.s[digits] == '0' {
		return 0, false
	}
	v, err := strconv.ParseInt(r.s[start:r.i], 10, 64)
	return v, err == nil
}

// str reads a JSON string. Without escapes it returns a substring of the input. It lets control characters
// through where JSON forbids them; no caller accepts one (keys must match exactly, tokens pass validToken).
func (r *reader) str() (string, bool) {
	if !r.eat('"') {
		return "", false
	}
	start := r.i
	end := strings.IndexByte(r.s[start:], '"')
	if end < 0 {
		return "", false
	}
	if esc := strings.IndexByte(r.s[start:start+end], '\\'); esc >= 0 {
		r.i = start + esc
		return r.strEscaped(start)
	}
	r.i = start + end + 1
	return r.s[start : start+end], true
}

// strEscaped finishes a string that has escapes, from its first character at start.
func (r *reader) strEscaped(start int) (string, bool) {
	b := []byte(r.s[start:r.i])
	for r.i < len(r.s) {
		c := r.s[r.i]
		switch {
		case c == '"':
			r.i++
			return string(b), true
		case c < 0x20:
			return "", false
		case c != '\\':
			b = append(b, c)
			r.i++
			continue
		}
		if r.i+1 >= len(r.s) {
			return "", false
		}
		e := r.s[r.i+1]
		r.i += 2
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			if r.i+4 > len(r.s) {
				return "", false
			}
			n, err := strconv.ParseUint(r.s[r.i:r.i+4], 16, 16)
			if err != nil || 0xD800 <= n && n <= 0xDFFF { // surrogates never make a valid token anyway
				return "", false
			}
			b = utf8.AppendRune(b, rune(n))
			r.i += 4
		default:
			return "", false
		}
	}
	return "", false
}
