package session

import (
	"strings"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/secret"
)

// FuzzParsePayload reaches the payload decoder directly: through Open, AES-GCM stops the fuzzer long before
// it. Whatever decodes must encode back and decode to the same session.
func FuzzParsePayload(f *testing.F) {
	for _, seed := range []string{
		`{"v":1,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000}`,
		` { "re" : 2 , "ae" : 1 , "r" : "y" , "a" : "x" , "u" : 3 , "v" : 1 } `,
		`{"v":1,"u":9,"a":"a\"\\\/\u0041","r":"r","ae":1700000000,"re":1800000000}`,
		`{"v":1,"u":9223372036854775807,"a":"a","r":"r","ae":253402300799,"re":1}`,
		`{"v":1,"u":-0,"a":"a","r":"r","ae":01,"re":1e3}`,
		`{"v":1,"u":7,"a":"\ud800","r":"r","ae":1,"re":1}`,
		`{"V":1,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000}`,
		`{"v":1,"u":7,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000}`,
		`{"v":1,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000}{}`,
		`{"v":1,"u":7,"a":null,"r":"ref","ae":1700000000,"re":1800000000}`,
		`{}`, `[]`, `"`, `{"v":1,`, ``,
		`{"v":2,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000,"s":"0123456789abcdef0123456789abcdef","l":1,"m":2,"t":3}`,
		` { "t" : 3 , "m" : 2 , "l" : 1 , "s" : "0123456789abcdef0123456789abcdef" , "re" : 2 , "ae" : 1 , "r" : "y" , "a" : "x" , "u" : 3 , "v" : 2 } `,
		`{"v":2,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000,"s":"0123456789ABCDEF0123456789abcdef","l":1,"m":2,"t":3}`,
		`{"v":2,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000,"s":"00000000000000000000000000000000","l":1,"m":2,"t":3}`,
		`{"v":2,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000,"s":"0123456789abcdef0123456789abcdef","l":0,"m":2,"t":3}`,
		`{"v":1,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000,"s":"0123456789abcdef0123456789abcdef","l":1,"m":2,"t":3}`,
		`{"v":2,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, p string) {
		s, ok := decodePayload([]byte(p))
		// Open's hand-written reader of the sealed layout accepts a subset of what decodePayload accepts, and
		// reads it to the same session.
		if fs, fok := readSealedLayout([]byte(p)); fok && (!ok || fs != s) {
			t.Fatalf("readSealedLayout took %q as %+v; decodePayload: ok=%v %+v", p, fs, ok, s)
		}
		if rs, rok := readPayload([]byte(p)); rok != ok || rs != s {
			t.Fatalf("readPayload and decodePayload disagree on %q", p)
		}
		if !ok {
			if s != (Session{}) {
				t.Fatal("failed decode returned a session")
			}
			return
		}
		if err := validSession(s.UserID, s.AccessToken.Reveal(), s.RefreshToken.Reveal(), s.AccessExp.Unix(), s.RefreshExp.Unix()); err != nil {
			t.Fatalf("decoded an invalid session: %v", err)
		}
		again, err := encodePayload(s)
		if err != nil {
			t.Fatalf("encodePayload: %v", err)
		}
		s2, ok := decodePayload(again)
		if !ok || s2 != s {
			t.Fatalf("%q did not round-trip through %q", p, again)
		}
		if s3, ok := readPayload(again); !ok || s3 != s {
			t.Fatalf("readPayload does not read %q, which encodePayload wrote", again)
		}
	})
}

// TestDecodePayloadIsStrict pins what json.Unmarshal alone would let through. Keys match as encoding/json
// matches them (case-insensitively), so "u" and "U" are one key given twice.
func TestDecodePayloadIsStrict(t *testing.T) {
	t.Parallel()
	const good = `{"v":1,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000}`
	if _, ok := decodePayload([]byte(good)); !ok {
		t.Fatalf("%s did not decode", good)
	}
	for _, p := range []string{
		`{"v":1,"u":7,"U":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000}`,
		`{"v":1,"u":7,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000}`,
		`{"v":1,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000,"x":null}`,
		`{"v":1,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000}{}`,
		`{"v":1,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000}]`,
		`{"v":1,"u":7,"a":["acc"],"r":"ref","ae":1700000000,"re":1800000000}`,
		`{"v":1,"u":"7","a":"acc","r":"ref","ae":1700000000,"re":1800000000}`,
		`{"v":1,"u":7,"a":null,"r":"ref","ae":1700000000,"re":1800000000}`,
		`{"v":1.0,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000}`,
		`{"v":1,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000`,
		`[{"v":1,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000}]`,
		// Version 1 carries none of version 2's keys; version 2 needs all four, a lowercase non-zero id and times.
		`{"v":1,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000,"l":1}`,
		`{"v":2,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000,"s":"0123456789abcdef0123456789abcdef","l":1,"m":2}`,
		`{"v":2,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000,"s":"0123456789ABCDEF0123456789abcdef","l":1,"m":2,"t":3}`,
		`{"v":2,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000,"s":"00000000000000000000000000000000","l":1,"m":2,"t":3}`,
		`{"v":2,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000,"s":"0123456789abcdef0123456789abcde","l":1,"m":2,"t":3}`,
		`{"v":2,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000,"s":"0123456789abcdef0123456789abcdef","l":-1,"m":2,"t":3}`,
		`{"v":3,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000,"s":"0123456789abcdef0123456789abcdef","l":1,"m":2,"t":3}`,
	} {
		if s, ok := decodePayload([]byte(p)); ok || s != (Session{}) {
			t.Errorf("%s decoded to %+v", p, s)
		}
	}
}

// BenchmarkPayload is the payload's share of Seal (encode) and Open (decode), for a real-sized session.
func BenchmarkPayload(b *testing.B) {
	tok := strings.Repeat("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.", 7) // 266 characters, like the MS's tokens
	s := Session{UserID: 1234, AccessToken: secret.String(tok), RefreshToken: secret.String(tok + "x"),
		AccessExp: time.Unix(1700000600, 0).UTC(), RefreshExp: time.Unix(1702419200, 0).UTC()}
	p, err := encodePayload(s)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := encodePayload(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := decodePayload(p); !ok {
				b.Fatal("did not decode")
			}
		}
	})
}
