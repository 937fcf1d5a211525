package emulator

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Email-confirmation tokens work like itsdangerous' URLSafeTimedSerializer, which MS uses: the JSON-encoded
// email, a timestamp and an HMAC-SHA1 over both, keyed by sha1(salt + "signer" + secret), each part
// base64url without padding, joined with dots.
const (
	confirmSalt   = "msemu-email-confirm" // MS: SECURITY_PASSWORD_SALT
	confirmMaxAge = 30 * 24 * time.Hour   // MS: UNVERIFIED_USER_THRESHOLD
)

var b64 = base64.RawURLEncoding

func (s *Server) confirmKey() []byte {
	h := sha1.New()
	h.Write([]byte(confirmSalt + "signer"))
	h.Write(s.secret)
	return h.Sum(nil)
}

// makeConfirmToken signs email at time now.
func (s *Server) makeConfirmToken(email string, now time.Time) string {
	payload, _ := json.Marshal(email) // marshalling a string cannot fail
	ts := make([]byte, 8)
	binary.BigEndian.PutUint64(ts, uint64(now.Unix()))
	for len(ts) > 1 && ts[0] == 0 {
		ts = ts[1:]
	}
	value := b64.EncodeToString(payload) + "." + b64.EncodeToString(ts)
	mac := hmac.New(sha1.New, s.confirmKey())
	mac.Write([]byte(value))
	return value + "." + b64.EncodeToString(mac.Sum(nil))
}

// readConfirmToken returns the email a token was made for, if its signature is good and it is at most 30 days
// old at now.
func (s *Server) readConfirmToken(token string, now time.Time) (string, error) {
	value, sig, ok := cutLast(token, ".")
	if !ok {
		return "", fmt.Errorf("confirmation token: no signature")
	}
	gotMAC, err := b64.DecodeString(sig)
	if err != nil {
		return "", fmt.Errorf("confirmation token signature: %w", err)
	}
	mac := hmac.New(sha1.New, s.confirmKey())
	mac.Write([]byte(value))
	if !hmac.Equal(gotMAC, mac.Sum(nil)) {
		return "", fmt.Errorf("confirmation token: bad signature")
	}
	payloadPart, tsPart, ok := cutLast(value, ".")
	if !ok {
		return "", fmt.Errorf("confirmation token: no timestamp")
	}
	tsBytes, err := b64.DecodeString(tsPart)
	if err != nil || len(tsBytes) == 0 || len(tsBytes) > 8 {
		return "", fmt.Errorf("confirmation token timestamp: malformed")
	}
	var ts uint64
	for _, b := range tsBytes {
		ts = ts<<8 | uint64(b)
	}
	age := now.Unix() - int64(ts)
	if age < 0 || age > int64(confirmMaxAge/time.Second) {
		return "", fmt.Errorf("confirmation token: expired (age %ds)", age)
	}
	payload, err := b64.DecodeString(payloadPart)
	if err != nil {
		return "", fmt.Errorf("confirmation token payload: %w", err)
	}
	var email string
	if err := json.Unmarshal(payload, &email); err != nil {
		return "", fmt.Errorf("confirmation token payload: %w", err)
	}
	return email, nil
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// ConfirmationToken returns a fresh, valid confirmation token for email, as the link in MS's email would carry.
func (s *Server) ConfirmationToken(email string) string {
	return s.makeConfirmToken(email, s.now())
}
