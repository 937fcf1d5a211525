package session_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/anitab-org/bridge-in-tech-bff/session"
)

// fuzzCodec uses fixed keys so the committed corpus (testdata/fuzz/FuzzOpen) holds values that open:
// "1" is the primary key, "2" an older one.
func fuzzCodec(t testing.TB) *session.Codec {
	return mustCodec(t, cookieName, fixedKey("1"), fixedKey("2"))
}

func FuzzOpen(f *testing.F) {
	c := fuzzCodec(f)
	good, err := c.Seal(realSession())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("")
	f.Add("a.b.c.d.e")
	f.Add(good[:len(good)/2])
	for _, v := range fuzzSeeds(f) { // the committed seed_* files were written from these, with older nonces
		f.Add(v)
	}

	f.Fuzz(func(t *testing.T, v string) {
		s, stale, err := c.Open(v)
		if err != nil {
			var oe *session.OpenError
			if !errors.As(err, &oe) {
				t.Fatalf("error %T is not an *OpenError", err)
			}
			if err.Error() != (&session.OpenError{Reason: oe.Reason}).Error() || strings.Contains(err.Error(), "unknown reason") {
				t.Fatalf("error text %q depends on more than a known reason", err)
			}
			if stale || s != (session.Session{}) {
				t.Fatal("failed Open returned a session or stale=true")
			}
			return
		}
		if len(v) > session.MaxValueLen {
			t.Fatalf("opened a %d-byte value", len(v))
		}
		again, err := c.Seal(s)
		if err != nil {
			t.Fatalf("an opened session does not seal again: %v", err)
		}
		s2, stale2, err := c.Open(again)
		if err != nil || stale2 || s2 != s {
			t.Fatalf("re-sealed session: err=%v stale=%v same=%v", err, stale2, s2 == s)
		}
	})
}

// fuzzSeeds are hand-made values, one for each way a cookie can be right or wrong; the committed
// testdata/fuzz/FuzzOpen/seed_* files hold the same cases (TestCommittedSeedsStillHitTheirCases checks them).
func fuzzSeeds(t testing.TB) map[string]string {
	k1, k2, k3 := fixedKey("1"), fixedKey("2"), fixedKey("3")
	c := fuzzCodec(t)
	s := realSession()
	good, _ := c.Seal(s)
	kid1 := kidOf(t, k1)
	hdr := ourHeaderJSON(kid1)
	_, he := part(good, 0)
	cs, _ := part(good, 3)
	seeds := map[string]string{
		"valid_primary_key":   good,
		"valid_older_key":     sealWith(t, k2, s),
		"valid_escaped_token": sealRaw(t, k1, hdr, `{"v":1,"u":9,"a":"a\"\\\/\u0041","r":"r","ae":1700000000,"re":1800000000}`),
		"valid_jwx_layout":    jwxSealT(t, `{ "v": 1, "u": 3, "a": "x", "r": "y", "ae": 1, "re": 2 }`, k1, map[string]any{"kid": kid1, "cookie": cookieName}),
		"unknown_key":         sealWith(t, k3, s),
		"wrong_name":          sealWithName(t, "bit_session", k1, s),
		"tampered_ciphertext": flip(good, cs+5),
		"tampered_tag":        flip(good, len(good)-3),
		"truncated":           good[:len(good)-7],
		"encrypted_key_set":   good[:he+1] + "AAAA" + good[he+1:],
		"alg_none":            sealRaw(t, k1, `{"alg":"none","enc":"A256GCM","kid":"`+kid1+`"}`, "{}"),
		"payload_v2":          sealRaw(t, k1, hdr, `{"v":2,"u":9,"a":"a","r":"r","ae":1700000000,"re":1800000000}`),
		"payload_garbage":     sealRaw(t, k1, hdr, "\x00\xff{{"),
		"payload_big_numbers": sealRaw(t, k1, hdr, `{"v":1,"u":9223372036854775808,"a":"a","r":"r","ae":-0,"re":1e3}`),
		"oversized":           good + strings.Repeat(".", session.MaxValueLen),
	}
	return seeds
}

func jwxSealT(t testing.TB, payload string, key []byte, hdr map[string]any) string {
	return jwxSeal(t, payload, jwa.DIRECT, jwa.A256GCM, key, hdr)
}

// TestCommittedSeedsStillHitTheirCases keeps the seed corpus meaningful: the valid seeds must still open (so a
// change of key id or format shows up here, not as a silently weaker corpus) and each broken one must fail for
// its own reason.
func TestCommittedSeedsStillHitTheirCases(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"valid_primary_key":   "ok",
		"valid_older_key":     "stale",
		"valid_escaped_token": "ok",
		"valid_jwx_layout":    "ok",
		"unknown_key":         string(session.ReasonUnknownKey),
		"wrong_name":          string(session.ReasonWrongName),
		"tampered_ciphertext": string(session.ReasonDecrypt),
		"tampered_tag":        string(session.ReasonDecrypt),
		"truncated":           string(session.ReasonMalformed),
		"encrypted_key_set":   string(session.ReasonMalformed),
		"alg_none":            string(session.ReasonMalformed),
		"payload_v2":          string(session.ReasonPayload),
		"payload_garbage":     string(session.ReasonPayload),
		"payload_big_numbers": string(session.ReasonPayload),
		"oversized":           string(session.ReasonOversized),
	}
	c := fuzzCodec(t)
	for name, outcome := range want {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(filepath.Join("testdata", "fuzz", "FuzzOpen", "seed_"+name))
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
			if len(lines) != 2 || lines[0] != "go test fuzz v1" || !strings.HasPrefix(lines[1], "string(") {
				t.Fatalf("not a go test fuzz v1 file with one string")
			}
			v, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "string("), ")"))
			if err != nil {
				t.Fatal(err)
			}
			_, stale, err := c.Open(v)
			got := "ok"
			switch {
			case err != nil:
				got = string(reasonOf(err))
			case stale:
				got = "stale"
			}
			if got != outcome {
				t.Errorf("Open gave %s (%v), want %s", got, err, outcome)
			}
		})
	}
}
