package session

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/anitab-org/bridge-in-tech-bff/revocation"
)

// A handle is what a legacy client (the unmodified web app, which keeps its "access token" where JavaScript can
// read it and sends it as Bearer) is given instead of an MS token: a value bound to one session, useless without
// that session's cookie, and never a JWT. It is an HMAC of the session id under a key derived from the cookie
// key, so it needs no server state: the cookie says which session the request is, the handle must match it.
//
//	handle = "bith_" + base64url(HMAC-SHA256(HKDF-like(key, handleLabel), cookie name 0x00 session id))
const (
	// HandlePrefix starts every handle; no JWT (which starts "eyJ") and no MS token does.
	HandlePrefix = "bith_"
	handleLabel  = "bridge-in-tech-bff session handle v1"
	handleMACLen = sha256.Size
)

// HandleLen is a handle's length: the prefix and 43 base64url characters.
var HandleLen = len(HandlePrefix) + base64.RawURLEncoding.EncodedLen(handleMACLen)

// handleKey derives the key that makes handles from a cookie key (never the cookie key itself).
func handleKey(cookieKey []byte) []byte {
	m := hmac.New(sha256.New, cookieKey)
	m.Write([]byte(handleLabel))
	return m.Sum(nil)
}

// handleMAC is the MAC of one session id under one handle key, bound to the cookie name.
func (c *Codec) handleMAC(key []byte, id revocation.SessionID) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(c.name))
	m.Write([]byte{0})
	m.Write(id[:])
	return m.Sum(nil)
}

// Handle is the handle of the session with this id, made with the current (first) key. A session without an id
// (a cookie from before session ids) has no handle: ok is false.
func (c *Codec) Handle(id revocation.SessionID) (handle string, ok bool) {
	if id.IsZero() {
		return "", false
	}
	return HandlePrefix + base64.RawURLEncoding.EncodeToString(c.handleMAC(c.ring[0].handle, id)), true
}

// IsHandle reports whether a Bearer value has the form of a handle (not whether it is valid).
func IsHandle(v string) bool {
	return len(v) == HandleLen && strings.HasPrefix(v, HandlePrefix)
}

// HandleMatches reports whether handle belongs to the session with this id, under any key of the ring (a handle
// made before a key rotation stays good while its key is in the ring). The comparison is constant-time.
func (c *Codec) HandleMatches(handle string, id revocation.SessionID) bool {
	if id.IsZero() || !IsHandle(handle) {
		return false
	}
	got, err := base64.RawURLEncoding.Strict().DecodeString(handle[len(HandlePrefix):])
	if err != nil || len(got) != handleMACLen {
		return false
	}
	match := false
	for i := range c.ring {
		if hmac.Equal(got, c.handleMAC(c.ring[i].handle, id)) {
			match = true
		}
	}
	return match
}
