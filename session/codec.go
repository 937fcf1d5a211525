package session

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwe"
)

// MaxValueLen is the longest cookie value Open looks at, and the longest Seal produces (browsers keep about
// 4096 bytes per cookie, name and attributes included).
const MaxValueLen = 4096

const (
	// headerCookieParam is the private protected-header parameter that binds the cookie name. Being part of
	// the protected header, it is authenticated as AES-GCM additional data.
	headerCookieParam = "cookie"
	// kidContext separates the key-id hash from any other use of SHA-256 over the key.
	kidContext = "bridge-in-tech-bff session key id v1\x00"
	kidBytes   = 9  // 72 bits, 12 base64url characters
	ivChars    = 16 // base64url length of the 96-bit GCM IV
	tagChars   = 22 // base64url length of the 128-bit GCM tag
	maxNameLen = 128
)

// ringKey is one key of the ring: a private copy of the key and its key id.
type ringKey struct {
	kid string
	key []byte // never written to after NewCodec
}

// Codec seals and opens the session cookie of one cookie name with a key ring. It keeps its own copy of the
// keys, is immutable after NewCodec and safe for concurrent use.
type Codec struct {
	name string
	ring []ringKey
}

// NewCodec makes a Codec for the cookie called cookieName. keys[0] seals new cookies; every key opens them
// (key rotation). Each key must be exactly 32 bytes, with at least one key and no duplicates.
func NewCodec(cookieName string, keys [][]byte) (*Codec, error) {
	if err := checkCookieName(cookieName); err != nil {
		return nil, fmt.Errorf("session: cookie name: %w", err)
	}
	if len(keys) == 0 {
		return nil, errors.New("session: no keys given (at least one 32-byte key is needed)")
	}
	c := &Codec{name: cookieName, ring: make([]ringKey, 0, len(keys))}
	for i, k := range keys {
		if len(k) != KeySize {
			return nil, fmt.Errorf("session: key %d of %d is %d bytes, want %d", i+1, len(keys), len(k), KeySize)
		}
		if allZero(k) {
			return nil, fmt.Errorf("session: key %d of %d is all zero bytes", i+1, len(keys))
		}
		for j := range i {
			if bytes.Equal(k, keys[j]) {
				return nil, fmt.Errorf("session: key %d of %d repeats key %d", i+1, len(keys), j+1)
			}
		}
		kid := keyID(k)
		for j := range c.ring {
			if c.ring[j].kid == kid { // 2^-72 for distinct keys, checked anyway
				return nil, fmt.Errorf("session: key %d of %d has the same key id as key %d", i+1, len(keys), j+1)
			}
		}
		c.ring = append(c.ring, ringKey{kid: kid, key: bytes.Clone(k)})
	}
	return c, nil
}

// Name is the cookie name the codec seals for and accepts.
func (c *Codec) Name() string { return c.name }

// Seal encrypts s with the primary key into a JWE compact value for the cookie (jwx jwe.Encrypt): protected
// header {"alg":"dir","cookie":<name>,"enc":"A256GCM","kid":…}, no encrypted key, a random 96-bit IV, the
// session as compact JSON, and the GCM tag. Times are stored as unix seconds. s needs a positive UserID, both
// tokens (printable ASCII, as JWTs are) and both expiry times after 1970.
func (c *Codec) Seal(s Session) (string, error) {
	if err := validSession(s.UserID, s.AccessToken.Reveal(), s.RefreshToken.Reveal(),
		s.AccessExp.Unix(), s.RefreshExp.Unix()); err != nil {
		return "", fmt.Errorf("session: seal: %w", err)
	}
	pt, err := encodePayload(s)
	if err != nil {
		return "", fmt.Errorf("session: seal: %w", err)
	}
	k := &c.ring[0]
	// A fresh header each time: jwe.Encrypt writes "enc" into the headers it is given.
	h := jwe.NewHeaders()
	if err := h.Set(jwe.KeyIDKey, k.kid); err != nil {
		return "", fmt.Errorf("session: seal: %w", err)
	}
	if err := h.Set(headerCookieParam, c.name); err != nil {
		return "", fmt.Errorf("session: seal: %w", err)
	}
	out, err := jwe.Encrypt(pt, jwe.WithKey(jwa.DIRECT, k.key), jwe.WithContentEncryption(jwa.A256GCM),
		jwe.WithProtectedHeaders(h))
	if err != nil {
		return "", fmt.Errorf("session: seal: %w", err)
	}
	if len(out) > MaxValueLen {
		return "", fmt.Errorf("session: seal: sealed value would be %d bytes, over the %d-byte cookie limit", len(out), MaxValueLen)
	}
	return string(out), nil
}

// Open decrypts a cookie value made by Seal with any key of the ring and checks it was sealed for this
// cookie name. stale is true when a key other than the primary one opened it: the caller re-seals the session.
// Every error is an *OpenError; none contains the value or a token. Open never panics.
func (c *Codec) Open(value string) (s Session, stale bool, err error) {
	switch {
	case value == "":
		return Session{}, false, &OpenError{ReasonEmpty}
	case len(value) > MaxValueLen:
		return Session{}, false, &OpenError{ReasonOversized}
	case !wellFormed(value):
		return Session{}, false, &OpenError{ReasonMalformed}
	}

	// jwx parses the value once and asks the key provider for the key; the provider checks the protected
	// header and picks the one key its kid names, so a value is tried against at most one key.
	idx, bound := -1, ""
	pick := jwe.KeyProviderFunc(func(_ context.Context, sink jwe.KeySink, _ jwe.Recipient, msg *jwe.Message) error {
		i, name, reason := c.pickKey(msg.ProtectedHeaders())
		if reason != "" {
			return &OpenError{reason}
		}
		idx, bound = i, name
		sink.Key(jwa.DIRECT, c.ring[i].key)
		return nil
	})
	// jwx sets cek only once the content has authenticated. It also reports an authentic empty plaintext as
	// an error ("failed to find matching recipient"): cek tells that case (a bad payload) from a forgery.
	var cek []byte
	pt, err := jwe.Decrypt([]byte(value), jwe.WithKeyProvider(pick), jwe.WithCEK(&cek))
	if err != nil {
		var oe *OpenError
		switch {
		case errors.As(err, &oe): // the key provider refused the header
			return Session{}, false, oe
		case idx < 0: // jwx could not parse it: the header is not base64 JSON of well-typed fields
			return Session{}, false, &OpenError{ReasonMalformed}
		case cek == nil: // a key was found, so only the authentication can have failed
			return Session{}, false, &OpenError{ReasonDecrypt}
		}
		pt = nil // authentic but empty: decodePayload refuses it below, after the cookie-name check
	}
	if bound != c.name {
		return Session{}, false, &OpenError{ReasonWrongName}
	}
	s, ok := decodePayload(pt)
	if !ok {
		return Session{}, false, &OpenError{ReasonPayload}
	}
	return s, idx != 0, nil
}

// pickKey reads a protected header: it must have alg "dir", enc "A256GCM", a kid of the ring, no zip and no
// crit. It returns the ring index and the bound cookie name ("" when absent, which Open reports as wrong_name
// once the value has authenticated).
func (c *Codec) pickKey(h jwe.Headers) (idx int, name string, reason Reason) {
	if h == nil || h.Algorithm() != jwa.DIRECT || h.ContentEncryption() != jwa.A256GCM {
		return -1, "", ReasonMalformed
	}
	if _, ok := h.Get(jwe.CompressionKey); ok {
		return -1, "", ReasonMalformed
	}
	if _, ok := h.Get(jwe.CriticalKey); ok {
		return -1, "", ReasonMalformed
	}
	if _, ok := h.Get(jwe.KeyIDKey); !ok {
		return -1, "", ReasonMalformed
	}
	if v, ok := h.Get(headerCookieParam); ok {
		if name, ok = v.(string); !ok {
			return -1, "", ReasonMalformed
		}
	}
	kid := h.KeyID()
	for i := range c.ring {
		if c.ring[i].kid == kid {
			return i, name, ""
		}
	}
	return -1, "", ReasonUnknownKey
}

// wellFormed is Open's check before jwx: five segments, a header, an empty encrypted key (alg "dir"), a 96-bit
// IV and a 128-bit tag, each in canonical unpadded base64url. jwx decodes base64 leniently (padding, the
// standard alphabet, stray low bits), so this is also what keeps one spelling per sealed value.
func wellFormed(v string) bool {
	hdr, rest, _ := strings.Cut(v, ".")
	encKey, rest, _ := strings.Cut(rest, ".")
	iv, rest, _ := strings.Cut(rest, ".")
	ct, tag, ok := strings.Cut(rest, ".")
	return ok && hdr != "" && encKey == "" && len(iv) == ivChars && len(tag) == tagChars &&
		canonicalBase64URL(hdr) && canonicalBase64URL(iv) && canonicalBase64URL(ct) && canonicalBase64URL(tag)
}

// canonicalBase64URL reports whether s is unpadded base64url that base64.RawURLEncoding.Strict() decodes:
// only alphabet characters, a length a byte string can have, and zero bits below the last encoded byte.
func canonicalBase64URL(s string) bool {
	var last byte // the 6-bit value of the last character
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'A' <= c && c <= 'Z':
			last = c - 'A'
		case 'a' <= c && c <= 'z':
			last = c - 'a' + 26
		case '0' <= c && c <= '9':
			last = c - '0' + 52
		case c == '-':
			last = 62
		case c == '_':
			last = 63
		default:
			return false
		}
	}
	switch len(s) % 4 {
	case 1: // 6 bits: not a whole byte
		return false
	case 2: // 12 bits hold one byte: 4 spare bits
		return last&0x0f == 0
	case 3: // 18 bits hold two bytes: 2 spare bits
		return last&0x03 == 0
	}
	return true
}

// keyID names a key without revealing it: base64url of the first 72 bits of a domain-separated SHA-256.
func keyID(key []byte) string {
	h := sha256.New()
	h.Write([]byte(kidContext))
	h.Write(key)
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:kidBytes])
}

func allZero(b []byte) bool {
	var acc byte
	for _, x := range b {
		acc |= x
	}
	return acc == 0
}

// checkCookieName accepts an RFC 6265 cookie-name token, which also needs no escaping inside JSON.
func checkCookieName(name string) error {
	if name == "" {
		return errors.New("empty")
	}
	if len(name) > maxNameLen {
		return fmt.Errorf("%d bytes, at most %d", len(name), maxNameLen)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= 0x20 || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return fmt.Errorf("%q is not a cookie-name token", name)
		}
	}
	return nil
}
