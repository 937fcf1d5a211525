// Package session seals a user's Mentorship System tokens into the BFF's session cookie and opens them again:
// a JWE compact value (alg "dir", enc "A256GCM", a key id, the cookie name bound in), so the BFF keeps no
// server-side session state.
package session

import (
	"crypto/rand"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/revocation"
	"github.com/anitab-org/bridge-in-tech-bff/secret"
)

// Session is what one browser's cookie carries: the MS user and both MS tokens with their expiry times.
// Times are kept to the second (the cookie stores unix seconds).
type Session struct {
	UserID       int64
	AccessToken  secret.String
	RefreshToken secret.String
	AccessExp    time.Time // from the access token's exp
	RefreshExp   time.Time // from the refresh token's exp; the cookie's lifetime

	// The session's own facts (docs/SESSIONS.md). All four are zero in a cookie sealed before sessions had ids
	// (payload version 1); the resolver gives such a session an id at its next re-seal. Seal writes version 2
	// when ID is set, and then needs the three times too.
	ID          revocation.SessionID // random, 128 bits: what a revocation names
	LoginAt     time.Time            // when the user logged in (the absolute timeout counts from it)
	MSCheckedAt time.Time            // when MS last accepted the session's tokens
	ActiveAt    time.Time            // the last activity the cookie knows of, kept coarse (the idle timeout)
}

// Legacy reports whether the session comes from a cookie sealed before sessions had ids.
func (s Session) Legacy() bool { return s.ID.IsZero() }

// AccessExpiresWithin reports whether the access token has expired at now or will within d, so the caller
// refreshes it first.
func (s Session) AccessExpiresWithin(now time.Time, d time.Duration) bool {
	return !s.AccessExp.After(now.Add(d))
}

// MaxAge is the remaining life of the refresh token at now, which is the cookie's lifetime; never negative.
func (s Session) MaxAge(now time.Time) time.Duration {
	if d := s.RefreshExp.Sub(now); d > 0 {
		return d
	}
	return 0
}

// Reason says why a cookie value did not open.
type Reason string

// The reasons Open gives, one per kind of failure.
const (
	ReasonEmpty      Reason = "empty"       // no value at all
	ReasonOversized  Reason = "oversized"   // longer than MaxValueLen, refused before parsing
	ReasonMalformed  Reason = "malformed"   // not a JWE compact value of the expected shape, algorithms and header layout
	ReasonUnknownKey Reason = "unknown_key" // sealed under a key id that is not in the key ring
	ReasonDecrypt    Reason = "decrypt"     // authentication failed: tampered, truncated, or a different key
	ReasonWrongName  Reason = "wrong_name"  // its header names a key of the ring but another cookie name (not decrypted)
	ReasonPayload    Reason = "payload"     // decrypts, but does not hold a valid session
)

// OpenError is the only error Open returns. It carries a Reason and never the cookie value or a token.
type OpenError struct {
	Reason Reason
}

// Error describes the failure in one line without the cookie value.
func (e *OpenError) Error() string {
	var why string
	switch e.Reason {
	case ReasonEmpty:
		why = "the value is empty"
	case ReasonOversized:
		why = "the value is longer than 4096 bytes"
	case ReasonMalformed:
		why = "the value is not a dir/A256GCM JWE in compact form"
	case ReasonUnknownKey:
		why = "it was sealed with a key that is not in SESSION_KEYS"
	case ReasonDecrypt:
		why = "it failed authenticated decryption"
	case ReasonWrongName:
		why = "it was sealed for a different cookie name"
	case ReasonPayload:
		why = "it does not hold a valid session"
	default:
		why = "unknown reason"
	}
	return "session: cookie did not open (" + string(e.Reason) + "): " + why
}

// NewID is a fresh random session id (128 bits from crypto/rand).
func NewID() revocation.SessionID {
	var id revocation.SessionID
	for id.IsZero() { // all zero means "no id"; 2^-128, checked anyway
		_, _ = rand.Read(id[:]) // never fails (Go 1.24+): it crashes the program instead
	}
	return id
}
