package emulator

import (
	"regexp"
	"strconv"
	"unicode/utf8"
)

// Field limits of MS (app/utils/validation_utils.py).
const (
	nameMin, nameMax         = 2, 30
	usernameMin, usernameMax = 5, 25
	passwordMin, passwordMax = 8, 64
	commentMax               = 400
)

// The MS regexes, used with Python's re.match. Python's $ also matches before a final newline, hence \n?$.
var (
	usernameRe = regexp.MustCompile(`^[a-zA-Z0-9_]+\n?$`)
	emailRe    = regexp.MustCompile(`^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9.-]+\n?$`)
)

// nameValid is re.match(r"(^[a-zA-Z\s\-]+$)", name): ASCII letters, '-' and any Python whitespace.
func nameValid(name string) bool {
	if name == "" || !utf8.ValidString(name) {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || isPySpace(r)) {
			return false
		}
	}
	return true
}

func usernameValid(s string) bool { return usernameRe.MatchString(s) }
func emailValid(s string) bool    { return emailRe.MatchString(s) }

// lengthMessage is MS's get_length_validation_error_message.
func lengthMessage(field string, min, max int) string {
	if min <= 0 {
		return "The " + field + " field has to be shorter than " + strconv.Itoa(max+1) + " characters."
	}
	return "The " + field + " field has to be longer than " + strconv.Itoa(min-1) +
		" characters and shorter than " + strconv.Itoa(max+1) + " characters."
}

// checkLength is MS's validate_length over the whitespace-stripped length; ok false gives the message.
func checkLength(value, field string, min, max int) (string, bool) {
	if n := strippedLen(value); n < min || n > max {
		return lengthMessage(field, min, max), false
	}
	return "", true
}

// pyStr is Python's str(value) for a decoded JSON value stored in a text column (nil stays nil).
func pyStr(v any) *string {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return &x
	}
	s := pyRepr(v)
	return &s
}

func itoa(i int) string { return strconv.Itoa(i) }
