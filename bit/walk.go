package bit

import (
	"unicode/utf16"
	"unicode/utf8"
)

// A walker over JSON text that json.Valid has accepted: it finds values in place, without decoding or copying,
// so a body's shape cannot make parsing allocate. Every function assumes valid JSON and an index at a value (or
// at the white space before one).

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index just past the value starting at b[i] (no recursion: nesting is counted).
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(b)
	default: // a number or a literal
		for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\t' &&
			b[i] != '\n' && b[i] != '\r' {
			i++
		}
		return i
	}
}

// eachMember calls f with each member of the object obj (its key as raw JSON text without quotes unless it holds
// escapes, when it is decoded; its value as raw JSON text), in order.
func eachMember(obj []byte, f func(key, value []byte)) {
	i := skipSpace(obj, 1)
	for i < len(obj) && obj[i] == '"' {
		end := skipString(obj, i)
		key := obj[i+1 : end-1]
		for _, c := range key {
			if c == '\\' {
				key = []byte(unquote(obj[i:end])) // a key is at most the body's size, and rare
				break
			}
		}
		i = skipSpace(obj, skipSpace(obj, end)+1) // past ':'
		vend := skipValue(obj, i)
		f(key, obj[i:vend])
		i = skipSpace(obj, vend)
		if i < len(obj) && obj[i] == ',' {
			i = skipSpace(obj, i+1)
		}
	}
}

// eachItem calls f with each item of the array arr as raw JSON text, in order, until f returns false.
func eachItem(arr []byte, f func(item []byte) bool) {
	if len(arr) == 0 || arr[0] != '[' {
		return
	}
	i := skipSpace(arr, 1)
	for i < len(arr) && arr[i] != ']' {
		end := skipValue(arr, i)
		if !f(arr[i:end]) {
			return
		}
		i = skipSpace(arr, end)
		if i < len(arr) && arr[i] == ',' {
			i = skipSpace(arr, i+1)
		}
	}
}

// unquote decodes the JSON string q (with its quotes; a cut one is decoded as far as it goes) as encoding/json
// does, except that bytes which are not UTF-8 are kept as they are (encoding/json replaces each with U+FFFD, three
// bytes for one): so the result is never longer than q.
func unquote(q []byte) string {
	if len(q) < 2 || q[0] != '"' {
		return ""
	}
	q = q[1:]
	if n := len(q); n > 0 && q[n-1] == '"' && (n < 2 || q[n-2] != '\\' || escapedQuoteEnds(q)) {
		q = q[:n-1]
	}
	plain := true
	for _, c := range q {
		if c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		return string(q)
	}
	out := make([]byte, 0, len(q))
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c != '\\' || i+1 >= len(q) {
			out = append(out, c)
			continue
		}
		i++
		switch q[i] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n := hex4(q[i+1:])
			if n == 0 {
				return string(out) // cut inside the escape
			}
			i += n
			if utf16.IsSurrogate(r) {
				r2, n2 := rune(-1), 0
				if i+2 < len(q) && q[i+1] == '\\' && q[i+2] == 'u' {
					r2, n2 = hex4(q[i+3:])
				}
				if dec := utf16.DecodeRune(r, r2); n2 > 0 && dec != utf8.RuneError {
					r = dec
					i += 2 + n2
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default: // '"', '\\', '/'
			out = append(out, q[i])
		}
	}
	return string(out)
}

// escapedQuoteEnds reports whether q's last '"' (preceded by backslashes) is the string's end: it is when the
// backslashes before it are an even number.
func escapedQuoteEnds(q []byte) bool {
	n := 0
	for i := len(q) - 2; i >= 0 && q[i] == '\\'; i-- {
		n++
	}
	return n%2 == 0
}

// hex4 reads four hex digits; n is 4, or 0 when there are not four.
func hex4(b []byte) (r rune, n int) {
	if len(b) < 4 {
		return 0, 0
	}
	for _, c := range b[:4] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, 0
		}
		r = r<<4 | rune(d)
	}
	return r, 4
}
