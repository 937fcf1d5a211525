package session_test

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/secret"
	"github.com/anitab-org/bridge-in-tech-bff/session"
)

// cookieName is what the handlers use with COOKIE_SECURE=true.
const cookieName = "__Host-bit_session"

var b64 = base64.RawURLEncoding

// fixedKey is a deterministic key, so fuzz corpus files made with it stay valid.
func fixedKey(label string) []byte {
	k := sha256.Sum256([]byte("session test key: " + label))
	return k[:]
}

func randomKey(t testing.TB) []byte {
	t.Helper()
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func mustCodec(t testing.TB, name string, keys ...[]byte) *session.Codec {
	t.Helper()
	c, err := session.NewCodec(name, keys)
	if err != nil {
		t.Fatalf("NewCodec: %v", err)
	}
	return c
}

// flaskJWT makes a token shaped like Flask-JWT-Extended's (the MS): HS256, claims iat, nbf, jti, exp,
// identity, fresh, type; about 300 characters.
func flaskJWT(identity int64, typ string, iat, exp time.Time) string {
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u[:])
	jti := h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
	header := b64.EncodeToString([]byte(`{"typ":"JWT","alg":"HS256"}`))
	claims := b64.EncodeToString(fmt.Appendf(nil,
		`{"iat":%d,"nbf":%d,"jti":"%s","exp":%d,"identity":%d,"fresh":false,"type":"%s"}`,
		iat.Unix(), iat.Unix(), jti, exp.Unix(), identity, typ))
	mac := hmac.New(sha256.New, []byte("ms test secret"))
	mac.Write([]byte(header + "." + claims))
	return header + "." + claims + "." + b64.EncodeToString(mac.Sum(nil))
}

// realSession is a session as the BFF holds it right after login.
func realSession() session.Session {
	now := time.Now().Truncate(time.Second).UTC()
	accessExp, refreshExp := now.Add(10*time.Minute), now.Add(4*7*24*time.Hour)
	return session.Session{
		UserID:       1234,
		AccessToken:  secret.String(flaskJWT(1234, "access", now, accessExp)),
		RefreshToken: secret.String(flaskJWT(1234, "refresh", now, refreshExp)),
		AccessExp:    accessExp,
		RefreshExp:   refreshExp,
	}
}

// sealRaw builds a JWE compact value by hand (RFC 7516 §7.1) with any protected header and payload, to
// craft inputs no honest sealer makes.
func sealRaw(t testing.TB, key []byte, headerJSON, payload string) string {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	hdr := b64.EncodeToString([]byte(headerJSON))
	iv := make([]byte, 12)
	_, _ = rand.Read(iv)
	sealed := aead.Seal(nil, iv, []byte(payload), []byte(hdr))
	n := len(sealed) - 16
	return hdr + ".." + b64.EncodeToString(iv) + "." + b64.EncodeToString(sealed[:n]) + "." + b64.EncodeToString(sealed[n:])
}

// ourHeaderJSON is the protected header a codec for cookieName writes for the key with this kid (and jwx
// writes for the same parameters): the only header Open reads further.
func ourHeaderJSON(kid string) string {
	return `{"alg":"dir","cookie":"` + cookieName + `","enc":"A256GCM","kid":"` + kid + `"}`
}

// headerOf decodes the protected header JSON of a compact value.
func headerOf(t testing.TB, v string) []byte {
	t.Helper()
	i := 0
	for i < len(v) && v[i] != '.' {
		i++
	}
	h, err := b64.DecodeString(v[:i])
	if err != nil {
		t.Fatalf("header segment: %v", err)
	}
	return h
}

// kidOf is the kid a codec gives key, read from a value it sealed.
func kidOf(t testing.TB, key []byte) string {
	t.Helper()
	v, err := mustCodec(t, cookieName, key).Seal(realSession())
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(headerOf(t, v), &h); err != nil {
		t.Fatal(err)
	}
	return h.Kid
}
