package session_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwe"

	"github.com/anitab-org/bridge-in-tech-bff/secret"
	"github.com/anitab-org/bridge-in-tech-bff/session"
)

func TestSealedSessionOpensToTheSameSession(t *testing.T) {
	t.Parallel()
	c := mustCodec(t, cookieName, randomKey(t))
	tests := []struct {
		name string
		s    session.Session
	}{
		{"a real-sized session right after login", realSession()},
		{"tokens with quotes and backslashes survive the JSON escaping", session.Session{
			UserID: 1, AccessToken: `a"b\c`, RefreshToken: `\\"\"`,
			AccessExp: time.Unix(1, 0).UTC(), RefreshExp: time.Unix(253402300799, 0).UTC(),
		}},
		{"the largest user id", session.Session{
			UserID: 1<<63 - 1, AccessToken: "x", RefreshToken: "y",
			AccessExp: time.Unix(1700000000, 0).UTC(), RefreshExp: time.Unix(1800000000, 0).UTC(),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := c.Seal(tt.s)
			if err != nil {
				t.Fatalf("Seal: %v", err)
			}
			got, stale, err := c.Open(v)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if stale {
				t.Error("stale = true for a value sealed with the primary key")
			}
			if got != tt.s {
				t.Errorf("Open gave %+v, want %+v", got, tt.s)
			}
			if got.AccessToken.Reveal() != tt.s.AccessToken.Reveal() || got.RefreshToken.Reveal() != tt.s.RefreshToken.Reveal() {
				t.Error("tokens differ after the round trip")
			}
		})
	}
}

func TestSealKeepsTimesToTheSecond(t *testing.T) {
	t.Parallel()
	c := mustCodec(t, cookieName, randomKey(t))
	s := realSession()
	s.AccessExp = s.AccessExp.Add(999 * time.Millisecond)
	v, err := c.Seal(s)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := c.Open(v)
	if err != nil {
		t.Fatal(err)
	}
	if want := s.AccessExp.Truncate(time.Second); !got.AccessExp.Equal(want) {
		t.Errorf("AccessExp = %v, want %v", got.AccessExp, want)
	}
}

func TestSealedValueIsAJWECompactStringThatHidesTheTokens(t *testing.T) {
	t.Parallel()
	key := randomKey(t)
	c := mustCodec(t, cookieName, key)
	s := realSession()
	v, err := c.Seal(s)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(v, ".")
	if len(parts) != 5 {
		t.Fatalf("%d parts, want 5", len(parts))
	}
	if parts[1] != "" {
		t.Error("the encrypted-key part is not empty, as alg dir requires")
	}
	if n := len(parts[2]); n != 16 {
		t.Errorf("iv part is %d characters, want 16 (96 bits)", n)
	}
	if n := len(parts[4]); n != 22 {
		t.Errorf("tag part is %d characters, want 22 (128 bits)", n)
	}
	var h map[string]any
	if err := json.Unmarshal(headerOf(t, v), &h); err != nil {
		t.Fatal(err)
	}
	if h["alg"] != "dir" || h["enc"] != "A256GCM" || h["cookie"] != cookieName {
		t.Errorf("header = %v, want alg dir, enc A256GCM, cookie %s", h, cookieName)
	}
	if kid, _ := h["kid"].(string); len(kid) < 8 {
		t.Errorf("kid %q missing or short", kid)
	}
	for _, tok := range []string{s.AccessToken.Reveal(), s.RefreshToken.Reveal()} {
		for _, piece := range append(strings.Split(tok, "."), tok) {
			if strings.Contains(v, piece) {
				t.Errorf("sealed value shows a token piece in the clear")
			}
		}
	}

	// Same session, new IV: two seals never match.
	v2, _ := c.Seal(s)
	if v2 == v {
		t.Error("two seals of one session are identical; the IV is not random")
	}
}

func TestKeyIDIsStableAndDoesNotShowTheKey(t *testing.T) {
	t.Parallel()
	k1, k2 := randomKey(t), randomKey(t)
	kid := kidOf(t, k1)
	if again := kidOf(t, k1); again != kid {
		t.Errorf("kid changed between codecs: %q then %q", kid, again)
	}
	// The key keeps its kid when it moves from primary to secondary.
	old, _ := mustCodec(t, cookieName, k1).Seal(realSession())
	rotated := mustCodec(t, cookieName, k2, k1)
	if _, stale, err := rotated.Open(old); err != nil || !stale {
		t.Errorf("Open after rotation: stale=%v err=%v", stale, err)
	}
	if kidOf(t, k2) == kid {
		t.Error("two keys share a kid")
	}
	for _, enc := range []string{fmt.Sprintf("%x", k1), b64.EncodeToString(k1)} {
		if strings.Contains(enc, kid) {
			t.Error("kid is part of the key's encoding")
		}
	}
}

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	k1, k2 := randomKey(t), randomKey(t)
	s := realSession()
	old, err := mustCodec(t, cookieName, k1).Seal(s)
	if err != nil {
		t.Fatal(err)
	}

	rotated := mustCodec(t, cookieName, k2, k1)
	got, stale, err := rotated.Open(old)
	if err != nil {
		t.Fatalf("a k1 cookie under (k2, k1): %v", err)
	}
	if !stale {
		t.Error("a k1 cookie under (k2, k1) is not stale")
	}
	if got != s {
		t.Error("session changed across the rotation")
	}

	resealed, err := rotated.Seal(got)
	if err != nil {
		t.Fatal(err)
	}
	if kidOf(t, k2) != kidFromValue(t, resealed) {
		t.Error("re-sealed value is not under k2")
	}
	onlyNew := mustCodec(t, cookieName, k2)
	if _, stale, err := onlyNew.Open(resealed); err != nil || stale {
		t.Errorf("re-sealed value under (k2): stale=%v err=%v, want fresh", stale, err)
	}
	if _, _, err := onlyNew.Open(old); reasonOf(err) != session.ReasonUnknownKey {
		t.Errorf("a k1 cookie under (k2) alone: %v, want unknown_key", err)
	}
}

func kidFromValue(t *testing.T, v string) string {
	t.Helper()
	var h struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(headerOf(t, v), &h); err != nil {
		t.Fatal(err)
	}
	return h.Kid
}

func reasonOf(err error) session.Reason {
	var oe *session.OpenError
	if errors.As(err, &oe) {
		return oe.Reason
	}
	return "<not an *OpenError>"
}

// jwxSeal encrypts payload with jwx itself, with the given key algorithm, content encryption and headers.
func jwxSeal(t testing.TB, payload string, alg jwa.KeyEncryptionAlgorithm, enc jwa.ContentEncryptionAlgorithm, key []byte, hdr map[string]any, opts ...jwe.EncryptOption) string {
	t.Helper()
	h := jwe.NewHeaders()
	for k, v := range hdr {
		if err := h.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	opts = append(opts, jwe.WithKey(alg, key), jwe.WithContentEncryption(enc), jwe.WithProtectedHeaders(h))
	out, err := jwe.Encrypt([]byte(payload), opts...)
	if err != nil {
		t.Fatalf("jwe.Encrypt: %v", err)
	}
	return string(out)
}

// flip changes the character at index i of v to another base64url character that alters the decoded bits.
func flip(v string, i int) string {
	c := byte('A')
	if v[i] == 'A' {
		c = 'g'
	}
	return v[:i] + string(c) + v[i+1:]
}

// part returns the start and end of compact segment n of v.
func part(v string, n int) (int, int) {
	start := 0
	for range n {
		start += strings.IndexByte(v[start:], '.') + 1
	}
	end := strings.IndexByte(v[start:], '.')
	if end < 0 {
		return start, len(v)
	}
	return start, start + end
}

func TestEveryFailureReasonIsReachedByARealInput(t *testing.T) {
	t.Parallel()
	k1, k2 := fixedKey("1"), fixedKey("2")
	c := mustCodec(t, cookieName, k1)
	s := realSession()
	good, err := c.Seal(s)
	if err != nil {
		t.Fatal(err)
	}
	kid1 := kidOf(t, k1)
	ourHeader := map[string]any{"kid": kid1, "cookie": cookieName}
	const validPayload = `{"v":1,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000}`
	_, he := part(good, 0)
	_, ivEnd := part(good, 2)
	cs, _ := part(good, 3)
	ts, _ := part(good, 4)

	tests := []struct {
		name  string
		value string
		want  session.Reason
	}{
		{"an empty value is empty", "", session.ReasonEmpty},
		{"8 KB of garbage is oversized", strings.Repeat("x", 8192), session.ReasonOversized},
		{"a valid value padded past 4096 bytes is oversized", good + strings.Repeat("A", 4097-len(good)), session.ReasonOversized},
		{"short garbage is malformed", "not a cookie", session.ReasonMalformed},
		{"four parts are malformed", good[:strings.LastIndexByte(good, '.')], session.ReasonMalformed},
		{"six parts are malformed", good + ".AAAA", session.ReasonMalformed},
		{"a value truncated by a few bytes is malformed", good[:len(good)-5], session.ReasonMalformed},
		{"a value cut inside the ciphertext is malformed", good[:cs+20], session.ReasonMalformed},
		{"a non-empty encrypted key is malformed", good[:he+1] + "AAAA" + good[he+1:], session.ReasonMalformed},
		{"a header that is not base64 is malformed", "%%%" + good[he:], session.ReasonMalformed},
		{"a header that is not JSON is malformed", b64.EncodeToString([]byte("hello")) + good[he:], session.ReasonMalformed},
		{"a ciphertext with a non-base64url character is malformed", good[:cs] + "+" + good[cs+1:], session.ReasonMalformed},
		{"a tag with unused low bits set is malformed (strict base64)", good[:len(good)-1] + string(good[len(good)-1]^1), session.ReasonMalformed},
		{"alg none is malformed", sealRaw(t, k1, `{"alg":"none","enc":"A256GCM","kid":"`+kid1+`","cookie":"`+cookieName+`"}`, validPayload), session.ReasonMalformed},
		{"a header without alg is malformed", sealRaw(t, k1, `{"enc":"A256GCM","kid":"`+kid1+`"}`, validPayload), session.ReasonMalformed},
		{"alg names are case-sensitive", sealRaw(t, k1, `{"ALG":"dir","enc":"A256GCM","kid":"`+kid1+`"}`, validPayload), session.ReasonMalformed},
		{"a header without kid is malformed", sealRaw(t, k1, `{"alg":"dir","enc":"A256GCM","cookie":"`+cookieName+`"}`, validPayload), session.ReasonMalformed},
		{"a crit header is malformed", sealRaw(t, k1, `{"alg":"dir","enc":"A256GCM","kid":"`+kid1+`","cookie":"`+cookieName+`","crit":["exp"]}`, validPayload), session.ReasonMalformed},
		{"enc A128GCM crafted with jwx is malformed", jwxSeal(t, validPayload, jwa.DIRECT, jwa.A128GCM, k1[:16], ourHeader), session.ReasonMalformed},
		{"enc A256CBC-HS512 crafted with jwx is malformed", jwxSeal(t, validPayload, jwa.DIRECT, jwa.A256CBC_HS512, append(append([]byte{}, k1...), k2...), ourHeader), session.ReasonMalformed},
		{"alg A256KW crafted with jwx is malformed", jwxSeal(t, validPayload, jwa.A256KW, jwa.A256GCM, k1, ourHeader), session.ReasonMalformed},
		{"a compressed payload crafted with jwx is malformed", jwxSeal(t, validPayload, jwa.DIRECT, jwa.A256GCM, k1, ourHeader, jwe.WithCompress(jwa.Deflate)), session.ReasonMalformed},
		{"a value sealed with another key is an unknown key", sealWith(t, k2, s), session.ReasonUnknownKey},
		{"a header naming an unknown kid is an unknown key", sealRaw(t, k1, `{"alg":"dir","enc":"A256GCM","kid":"nope","cookie":"`+cookieName+`"}`, validPayload), session.ReasonUnknownKey},
		{"a tampered ciphertext fails to decrypt", flip(good, cs+10), session.ReasonDecrypt},
		{"a tampered tag fails to decrypt", flip(good, ts), session.ReasonDecrypt},
		{"a tampered iv fails to decrypt", flip(good, ivEnd-16), session.ReasonDecrypt},
		{"a ciphertext with 6 bytes cut from its middle fails to decrypt", good[:cs+8] + good[cs+16:], session.ReasonDecrypt},
		{"a header with one more parameter is refused before decrypting", rehead(t, good, `{"alg":"dir","cookie":"`+cookieName+`","enc":"A256GCM","kid":"`+kid1+`","x":1}`), session.ReasonMalformed},
		{"our header's parameters in another order are refused before decrypting", rehead(t, good, `{"alg":"dir","enc":"A256GCM","kid":"`+kid1+`","cookie":"`+cookieName+`"}`), session.ReasonMalformed},
		{"our header with a space in its JSON is refused before decrypting", rehead(t, good, `{"alg":"dir", "cookie":"`+cookieName+`","enc":"A256GCM","kid":"`+kid1+`"}`), session.ReasonMalformed},
		{"a header that is ours in another base64 spelling is malformed", good[:he-1] + string(good[he-1]^1) + good[he:], session.ReasonMalformed},
		{"an authentic value whose header is ours reordered is refused unopened", sealRaw(t, k1, `{"alg":"dir","enc":"A256GCM","kid":"`+kid1+`","cookie":"`+cookieName+`"}`, validPayload), session.ReasonMalformed},
		{"our kid on another key's ciphertext fails to decrypt", sealRaw(t, k2, ourHeaderJSON(kid1), validPayload), session.ReasonDecrypt},
		{"a value sealed for another cookie name is the wrong name", sealWithName(t, "bit_session", k1, s), session.ReasonWrongName},
		{"a jwx value without the cookie name is the wrong name", jwxSeal(t, validPayload, jwa.DIRECT, jwa.A256GCM, k1, map[string]any{"kid": kid1}), session.ReasonWrongName},
		{"a jwx value with a garbage payload is a bad payload", jwxSeal(t, "\x00garbage\xff", jwa.DIRECT, jwa.A256GCM, k1, ourHeader), session.ReasonPayload},
		{"an empty payload is a bad payload", sealRaw(t, k1, ourHeaderJSON(kid1), ""), session.ReasonPayload},
		{"a payload of version 2 is a bad payload", jwxSeal(t, `{"v":2,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000}`, jwa.DIRECT, jwa.A256GCM, k1, ourHeader), session.ReasonPayload},
		{"a payload without a version is a bad payload", jwxSeal(t, `{"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000}`, jwa.DIRECT, jwa.A256GCM, k1, ourHeader), session.ReasonPayload},
		{"a payload with user id zero is a bad payload", jwxSeal(t, `{"v":1,"u":0,"a":"acc","r":"ref","ae":1700000000,"re":1800000000}`, jwa.DIRECT, jwa.A256GCM, k1, ourHeader), session.ReasonPayload},
		{"a payload without the refresh token is a bad payload", jwxSeal(t, `{"v":1,"u":7,"a":"acc","ae":1700000000,"re":1800000000}`, jwa.DIRECT, jwa.A256GCM, k1, ourHeader), session.ReasonPayload},
		{"a payload with an empty access token is a bad payload", jwxSeal(t, `{"v":1,"u":7,"a":"","r":"ref","ae":1700000000,"re":1800000000}`, jwa.DIRECT, jwa.A256GCM, k1, ourHeader), session.ReasonPayload},
		{"a payload with a newline in a token is a bad payload", jwxSeal(t, `{"v":1,"u":7,"a":"a\nb","r":"ref","ae":1700000000,"re":1800000000}`, jwa.DIRECT, jwa.A256GCM, k1, ourHeader), session.ReasonPayload},
		{"a payload with a repeated key is a bad payload", jwxSeal(t, `{"v":1,"u":7,"u":8,"a":"acc","r":"ref","ae":1700000000,"re":1800000000}`, jwa.DIRECT, jwa.A256GCM, k1, ourHeader), session.ReasonPayload},
		{"a payload with an unknown key is a bad payload", jwxSeal(t, `{"v":1,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000,"admin":true}`, jwa.DIRECT, jwa.A256GCM, k1, ourHeader), session.ReasonPayload},
		{"a payload with a fractional time is a bad payload", jwxSeal(t, `{"v":1,"u":7,"a":"acc","r":"ref","ae":1700000000.5,"re":1800000000}`, jwa.DIRECT, jwa.A256GCM, k1, ourHeader), session.ReasonPayload},
		{"a payload with trailing data is a bad payload", jwxSeal(t, `{"v":1,"u":7,"a":"acc","r":"ref","ae":1700000000,"re":1800000000}x`, jwa.DIRECT, jwa.A256GCM, k1, ourHeader), session.ReasonPayload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, stale, err := c.Open(tt.value)
			if err == nil {
				t.Fatalf("Open succeeded (%+v), want %s", got, tt.want)
			}
			if r := reasonOf(err); r != tt.want {
				t.Errorf("reason %s (%v), want %s", r, err, tt.want)
			}
			if stale || got != (session.Session{}) {
				t.Error("a failed Open returned a session or stale=true")
			}
			assertErrorHidesSecrets(t, err, tt.value, s)
		})
	}
}

// rehead replaces the protected header of v, keeping iv, ciphertext and tag.
func rehead(t *testing.T, v, headerJSON string) string {
	t.Helper()
	_, he := part(v, 0)
	return b64.EncodeToString([]byte(headerJSON)) + v[he:]
}

func sealWith(t testing.TB, key []byte, s session.Session) string {
	t.Helper()
	return sealWithName(t, cookieName, key, s)
}

func sealWithName(t testing.TB, name string, key []byte, s session.Session) string {
	t.Helper()
	v, err := mustCodec(t, name, key).Seal(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// assertErrorHidesSecrets checks every way an error may be printed for the value and the tokens.
func assertErrorHidesSecrets(t *testing.T, err error, value string, s session.Session) {
	t.Helper()
	for _, text := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		if len(value) >= 8 && strings.Contains(text, value) {
			t.Errorf("error text contains the cookie value: %q", text)
		}
		for _, seg := range strings.Split(value, ".") {
			if len(seg) >= 8 && strings.Contains(text, seg) {
				t.Errorf("error text contains a piece of the cookie value: %q", text)
			}
		}
		for _, tok := range []string{s.AccessToken.Reveal(), s.RefreshToken.Reveal(), "acc", "ref"} {
			if strings.Contains(text, tok) {
				t.Errorf("error text contains a token: %q", text)
			}
		}
	}
}

func TestAnotherCookieNameNeverOpensAValue(t *testing.T) {
	t.Parallel()
	key := randomKey(t)
	a := mustCodec(t, "__Host-bit_session", key)
	b := mustCodec(t, "bit_session", key)
	v, err := a.Seal(realSession())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Open(v); reasonOf(err) != session.ReasonWrongName {
		t.Errorf("a's value under b: %v, want wrong_name", err)
	}
	// Rewriting the bound name in the header breaks the authentication instead.
	var h map[string]any
	_ = json.Unmarshal(headerOf(t, v), &h)
	h["cookie"] = "bit_session"
	forged, _ := json.Marshal(h)
	if _, _, err := b.Open(rehead(t, v, string(forged))); reasonOf(err) != session.ReasonDecrypt {
		t.Errorf("a's value with its header renamed, under b: %v, want decrypt", err)
	}
}

func TestJWXDecryptsSealedValuesAndOursOpensJWXValues(t *testing.T) {
	t.Parallel()
	key := randomKey(t)
	c := mustCodec(t, cookieName, key)
	s := realSession()
	v, err := c.Seal(s)
	if err != nil {
		t.Fatal(err)
	}

	// jwx reads our value: header fields and the payload.
	msg, err := jwe.Parse([]byte(v))
	if err != nil {
		t.Fatalf("jwe.Parse: %v", err)
	}
	ph := msg.ProtectedHeaders()
	if ph.Algorithm() != jwa.DIRECT || ph.ContentEncryption() != jwa.A256GCM || ph.KeyID() != kidOf(t, key) {
		t.Errorf("jwx sees alg %s enc %s kid %s", ph.Algorithm(), ph.ContentEncryption(), ph.KeyID())
	}
	if name, _ := ph.Get("cookie"); name != cookieName {
		t.Errorf("jwx sees cookie %v", name)
	}
	plain, err := jwe.Decrypt([]byte(v), jwe.WithKey(jwa.DIRECT, key))
	if err != nil {
		t.Fatalf("jwe.Decrypt: %v", err)
	}
	var p struct {
		V  int    `json:"v"`
		U  int64  `json:"u"`
		A  string `json:"a"`
		R  string `json:"r"`
		AE int64  `json:"ae"`
		RE int64  `json:"re"`
	}
	if err := json.Unmarshal(plain, &p); err != nil {
		t.Fatalf("payload is not JSON: %v", err)
	}
	if p.V != 1 || p.U != s.UserID || p.A != s.AccessToken.Reveal() || p.R != s.RefreshToken.Reveal() ||
		p.AE != s.AccessExp.Unix() || p.RE != s.RefreshExp.Unix() {
		t.Errorf("jwx decrypted payload %s does not match the session", plain)
	}
	// Payload keys are short: compact JSON, no spaces.
	if strings.ContainsAny(string(plain), " \n") {
		t.Error("payload JSON is not compact")
	}

	// And a value jwx seals with the same key, kid and cookie name opens with us: jwx writes the very header
	// segment we write (Open reads no other), whatever the payload's layout (spaces, key order).
	jv := jwxSeal(t, fmt.Sprintf(`{ "re": %d, "ae": %d, "r": %q, "a": %q, "u": %d, "v": 1 }`,
		p.RE, p.AE, p.R, p.A, p.U), jwa.DIRECT, jwa.A256GCM, key, map[string]any{"kid": kidOf(t, key), "cookie": cookieName})
	if jh, oh := jv[:strings.IndexByte(jv, '.')], v[:strings.IndexByte(v, '.')]; jh != oh {
		t.Errorf("jwx's header segment %q differs from ours %q", jh, oh)
	}
	got, stale, err := c.Open(jv)
	if err != nil || stale || got != s {
		t.Errorf("jwx-sealed value: %v stale=%v equal=%v", err, stale, got == s)
	}
	// Our own layout sealed by jwx (what an earlier BFF wrote) opens too.
	compact, _ := json.Marshal(p)
	if got, _, err := c.Open(jwxSeal(t, string(compact), jwa.DIRECT, jwa.A256GCM, key, map[string]any{"kid": kidOf(t, key), "cookie": cookieName})); err != nil || got != s {
		t.Errorf("jwx-sealed compact payload: %v equal=%v", err, got == s)
	}
}

func TestRealSizedCookieStaysUnder4096Bytes(t *testing.T) {
	t.Parallel()
	c := mustCodec(t, cookieName, randomKey(t))
	s := realSession()
	v, err := c.Seal(s)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Cookie{
		Name: cookieName, Value: v, Path: "/", MaxAge: int(s.MaxAge(time.Now()).Seconds()),
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	}
	line := hc.String()
	t.Logf("tokens %d + %d chars; sealed value %d bytes; Set-Cookie value %d bytes",
		len(s.AccessToken.Reveal()), len(s.RefreshToken.Reveal()), len(v), len(line))
	if len(line) >= 4096 {
		t.Errorf("Set-Cookie is %d bytes, browsers keep at most 4096", len(line))
	}
	if got := (&http.Cookie{Name: cookieName, Value: v}).String(); !strings.HasSuffix(got, v) {
		t.Error("net/http changed the value: it holds characters a cookie value may not")
	}
}

func TestSealRefusesWhatOpenWouldNotAccept(t *testing.T) {
	t.Parallel()
	c := mustCodec(t, cookieName, randomKey(t))
	base := realSession()
	tests := []struct {
		name string
		edit func(*session.Session)
	}{
		{"a zero user id", func(s *session.Session) { s.UserID = 0 }},
		{"a negative user id", func(s *session.Session) { s.UserID = -1 }},
		{"no access token", func(s *session.Session) { s.AccessToken = "" }},
		{"no refresh token", func(s *session.Session) { s.RefreshToken = "" }},
		{"a token with a space", func(s *session.Session) { s.AccessToken = "a b" }},
		{"a token with a line break", func(s *session.Session) { s.RefreshToken = "a\r\nSet-Cookie: x" }},
		{"a token with non-ASCII", func(s *session.Session) { s.AccessToken = "tökén" }},
		{"a zero access expiry", func(s *session.Session) { s.AccessExp = time.Time{} }},
		{"a zero refresh expiry", func(s *session.Session) { s.RefreshExp = time.Time{} }},
		{"an expiry after year 9999", func(s *session.Session) { s.RefreshExp = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"tokens too long for a cookie", func(s *session.Session) {
			s.AccessToken = secret.String(strings.Repeat("a", 1500))
			s.RefreshToken = secret.String(strings.Repeat("r", 1500))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := base
			tt.edit(&s)
			v, err := c.Seal(s)
			if err == nil {
				t.Fatalf("Seal accepted a session with %s (%d bytes)", tt.name, len(v))
			}
			if strings.Contains(err.Error(), base.AccessToken.Reveal()) || strings.Contains(err.Error(), base.RefreshToken.Reveal()) {
				t.Error("Seal error contains a token")
			}
		})
	}
}

func TestNewCodecRefusesBadInput(t *testing.T) {
	t.Parallel()
	k1, k2 := randomKey(t), randomKey(t)
	tests := []struct {
		name    string
		cookie  string
		keys    [][]byte
		wantErr string
	}{
		{"no keys", cookieName, nil, "no keys"},
		{"a 31-byte key", cookieName, [][]byte{k1[:31]}, "key 1 of 1 is 31 bytes"},
		{"a 33-byte key in second place", cookieName, [][]byte{k1, append(append([]byte{}, k2...), 0)}, "key 2 of 2 is 33 bytes"},
		{"a repeated key", cookieName, [][]byte{k1, k2, k1}, "key 3 of 3 repeats key 1"},
		{"an all-zero key", cookieName, [][]byte{make([]byte, 32)}, "all zero"},
		{"an empty cookie name", "", [][]byte{k1}, "cookie name: empty"},
		{"a cookie name with a space", "bit session", [][]byte{k1}, "cookie-name token"},
		{"a cookie name with a quote", `bit"session`, [][]byte{k1}, "cookie-name token"},
		{"a cookie name with an equals sign", "bit=session", [][]byte{k1}, "cookie-name token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := session.NewCodec(tt.cookie, tt.keys)
			if err == nil {
				t.Fatalf("NewCodec accepted it: %v", c)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not say %q", err, tt.wantErr)
			}
			for _, k := range tt.keys {
				if len(k) > 0 && (strings.Contains(err.Error(), fmt.Sprintf("%x", k)) || strings.Contains(err.Error(), b64.EncodeToString(k))) {
					t.Error("error shows a key")
				}
			}
		})
	}
}

func TestNewCodecKeepsNoReferenceToTheCallersKeys(t *testing.T) {
	t.Parallel()
	k := randomKey(t)
	keys := [][]byte{append([]byte{}, k...)}
	c := mustCodec(t, cookieName, keys...)
	v, _ := c.Seal(realSession())
	keys[0][0] ^= 0xff // the caller wipes or reuses its buffer
	if _, _, err := c.Open(v); err != nil {
		t.Errorf("Open after the caller changed its key slice: %v", err)
	}
	if c.Name() != cookieName {
		t.Errorf("Name() = %q", c.Name())
	}
}

func TestOneCodecServesConcurrentRequests(t *testing.T) {
	t.Parallel()
	k1, k2 := randomKey(t), randomKey(t)
	c := mustCodec(t, cookieName, k2, k1)
	old := sealWith(t, k1, realSession())
	done := make(chan error)
	for range 8 {
		go func() {
			for range 200 {
				s := realSession()
				v, err := c.Seal(s)
				if err != nil {
					done <- err
					return
				}
				if got, stale, err := c.Open(v); err != nil || stale || got != s {
					done <- fmt.Errorf("fresh value: %v stale=%v", err, stale)
					return
				}
				if _, stale, err := c.Open(old); err != nil || !stale {
					done <- fmt.Errorf("old value: %v stale=%v", err, stale)
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestOpenErrorTextNamesTheReason(t *testing.T) {
	t.Parallel()
	for _, r := range []session.Reason{
		session.ReasonEmpty, session.ReasonOversized, session.ReasonMalformed, session.ReasonUnknownKey,
		session.ReasonDecrypt, session.ReasonWrongName, session.ReasonPayload,
	} {
		text := (&session.OpenError{Reason: r}).Error()
		if !strings.Contains(text, "("+string(r)+")") || strings.Contains(text, "unknown reason") {
			t.Errorf("%s: %q", r, text)
		}
	}
}
