package bit

import (
	"net/url"
	"strings"
	"unicode"

	"github.com/mtibben/confusables"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Text is checked as a person reads it (docs/BRIDGEINTECH.md):
//
//   - no text field holds a control character (C0, DEL, C1) or a bidirectional embedding, override or isolate
//     (U+202A–U+202E, U+2066–U+2069), except that the multi-line fields may hold tab, line feed and carriage return;
//   - a URL field is empty or an absolute http or https URL with a host;
//   - a phone number holds at least one digit;
//   - unique names (organizations', programs') are compared by NameKey, so names a reader cannot tell apart are
//     one name.

// forbiddenRune reports whether r may not appear in a text field; multiLine allows tab, LF and CR.
func forbiddenRune(r rune, multiLine bool) bool {
	switch {
	case multiLine && (r == '\t' || r == '\n' || r == '\r'):
		return false
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// hasForbiddenRune reports whether s holds a rune forbiddenRune refuses.
func hasForbiddenRune(s string, multiLine bool) bool {
	for _, r := range s {
		if forbiddenRune(r, multiLine) {
			return true
		}
	}
	return false
}

// validURL reports whether s is an absolute http or https URL with a host.
func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Opaque == "" &&
		!strings.ContainsAny(s, " \t\r\n")
}

// invisible reports whether r draws nothing a reader sees: default-ignorable format characters (zero-width space
// and joiners, word joiner, BOM, soft hyphen, directional marks) and variation selectors.
func invisible(r rune) bool {
	switch {
	case r == 0x00ad, r == 0x034f, r == 0x061c, r == 0x180e, r >= 0x200b && r <= 0x200f, r >= 0x202a && r <= 0x202e,
		r >= 0x2060 && r <= 0x206f, r == 0xfeff, r >= 0xfe00 && r <= 0xfe0f, r >= 0xe0100 && r <= 0xe01ef:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// NameKey is the form in which unique names are compared: invisible characters dropped, white space trimmed and
// runs of it made one space, NFKC, case folded, then reduced to its skeleton (Unicode TS #39: look-alikes such as
// Cyrillic "а" and Latin "a" map to one character), folded again and put in NFC. Two names with one key are one
// name to a reader; the stores keep the key under a unique index.
func NameKey(name string) string {
	var b strings.Builder
	space := false
	for _, r := range name {
		switch {
		case invisible(r):
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	fold := cases.Fold()
	s := fold.String(norm.NFKC.String(b.String()))
	s = fold.String(confusables.Skeleton(s))
	return norm.NFC.String(s)
}
