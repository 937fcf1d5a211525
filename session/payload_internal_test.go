package session

import (
	"testing"
)

// FuzzParsePayload reaches the hand-written payload reader directly: through Open, AES-GCM stops the fuzzer
// long before it. Whatever parses must write back and parse to the same session.
func FuzzParsePayload(f *testing.F) {
	for _, seed := range []string{
		`{"v":1,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000}`,
		` { "re" : 2 , "ae" : 1 , "r" : "y" , "a" : "x" , "u" : 3 , "v" : 1 } `,
		`{"v":1,"u":9,"a":"a\"\\\/\u0041","r":"r","ae":1700000000,"re":1800000000}`,
		`{"v":1,"u":9223372036854775807,"a":"a","r":"r","ae":253402300799,"re":1}`,
		`{"v":1,"u":-0,"a":"a","r":"r","ae":01,"re":1e3}`,
		`{"v":1,"u":7,"a":"\ud800","r":"r","ae":1,"re":1}`,
		`{}`, `[]`, `"`, `{"v":1,`, ``,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, p string) {
		s, ok := parsePayload(p)
		if !ok {
			if s != (Session{}) {
				t.Fatal("failed parse returned a session")
			}
			return
		}
		if err := validSession(s.UserID, s.AccessToken.Reveal(), s.RefreshToken.Reveal(), s.AccessExp.Unix(), s.RefreshExp.Unix()); err != nil {
			t.Fatalf("parsed an invalid session: %v", err)
		}
		again := appendPayload(nil, s)
		if len(again) > payloadLen(s) {
			t.Fatalf("payloadLen %d under the written %d bytes", payloadLen(s), len(again))
		}
		s2, ok := parsePayload(string(again))
		if !ok || s2 != s {
			t.Fatalf("%q did not round-trip through %q", p, again)
		}
	})
}
