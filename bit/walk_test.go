package bit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestUnquoteDecodesAsEncodingJSON(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"plain text is copied", `"hello"`},
		{"the short escapes are decoded", `"a\"b\\c\/d\b\f\n\r\t"`},
		{"a BMP escape is decoded", `"caf\u00e9 \u2028"`},
		{"a surrogate pair is one rune", `"\ud83d\ude00"`},
		{"a lone high surrogate is U+FFFD", `"x\ud800y"`},
		{"a lone low surrogate is U+FFFD", `"\udc00"`},
		{"a high surrogate before a non-surrogate escape keeps both", `"\ud800\u0041"`},
		{"an escaped backslash before the closing quote ends the string", `"a\\"`},
		{"the empty string is empty", `""`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want string
			if err := json.Unmarshal([]byte(tc.in), &want); err != nil {
				t.Fatal(err)
			}
			if got := unquote([]byte(tc.in)); got != want {
				t.Errorf("unquote(%s) = %q, want %q", tc.in, got, want)
			}
		})
	}
}

func FuzzUnquote(f *testing.F) {
	for _, s := range []string{`"a"`, `"\u00e9\ud83d\ude00"`, `"\\\""`, `"\ud800"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want string
		if json.Unmarshal(data, &want) != nil || !utf8.Valid(data) {
			if got := unquote(data); len(got) > len(data) {
				t.Fatalf("unquote(%q) is longer than its input: %q", data, got)
			}
			return
		}
		if got := unquote(bytes.TrimSpace(data)); got != want {
			t.Fatalf("unquote(%q) = %q, want %q", data, got, want)
		}
	})
}

// allocated is how many bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// amplifyingProgram is a 1 MB program body whose list field holds n tiny items (the 330,000).
func amplifyingProgram(key string, n int, item string) []byte {
	m := validProgram()
	raw, _ := json.Marshal(m)
	list := "[" + strings.Repeat(item+",", n-1) + item + "]"
	return bytes.Replace(raw, []byte(fmt.Sprintf(`"%s":[`, key)), []byte(fmt.Sprintf(`"%s":%s,"x":[`, key, list)), 1)
}

func TestParsingStaysWithinTheBodyPlusAConstant(t *testing.T) {
	for _, tc := range []struct {
		name    string
		body    []byte
		message string
	}{
		{"330,000 one-character items stop at the 101st", amplifyingProgram("tags", 330_000, `"a"`),
			"The field tags must have at most 100 items."},
		{"330,000 empty objects fail the type check without being decoded", amplifyingProgram("tags", 330_000, `{}`),
			MsgInputValidationFailed},
		{"a huge non-string value is echoed in 40 characters", bytes.Replace(
			mustJSON(validProgram()), []byte(`"program_name":"`), []byte(`"program_name":[`+strings.Repeat(`"\u00e9",`, 100_000)+`1],"y":"`), 1),
			MsgInputValidationFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			used := allocated(func() { _, err = DecodeProgram(tc.body) })
			e, ok := err.(*Error)
			if !ok || e.Message != tc.message {
				t.Fatalf("DecodeProgram: %v, want %q", err, tc.message)
			}
			if limit := uint64(len(tc.body)) + DecodeOverhead; used > limit {
				t.Errorf("parsing a %d-byte body allocated %d bytes, over the body plus %d", len(tc.body), used, DecodeOverhead)
			}
		})
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
