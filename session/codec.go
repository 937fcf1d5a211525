package session

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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
	kidBytes   = 9 // 72 bits, 12 base64url characters
	nonceSize  = 12
	tagSize    = 16
	maxNameLen = 128
)

var (
	// b64 is base64url without padding, strict so that each byte string has exactly one encoding.
	b64 = base64.RawURLEncoding.Strict()

	nonceLen = b64.EncodedLen(nonceSize) // 16
	tagLen   = b64.EncodedLen(tagSize)   // 22
)

// ringKey is one key of the ring, ready to use: its AEAD, its key id and the protected header it seals under.
type ringKey struct {
	kid    string
	header string // base64url of the protected header JSON: the first segment, and the AAD
	aad    []byte // header as bytes; never written to
	aead   cipher.AEAD
}

// Codec seals and opens the session cookie of one cookie name with a key ring. It holds no raw keys, is
// immutable after NewCodec and safe for concurrent use.
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
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("session: key %d of %d: %w", i+1, len(keys), err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("session: key %d of %d: %w", i+1, len(keys), err)
		}
		kid := keyID(k)
		for j := range c.ring {
			if c.ring[j].kid == kid { // 2^-72 for distinct keys, checked anyway
				return nil, fmt.Errorf("session: key %d of %d has the same key id as key %d", i+1, len(keys), j+1)
			}
		}
		hdr := b64.EncodeToString([]byte(`{"alg":"dir","enc":"A256GCM","kid":"` + kid + `","` +
			headerCookieParam + `":"` + cookieName + `"}`))
		c.ring = append(c.ring, ringKey{kid: kid, header: hdr, aad: []byte(hdr), aead: aead})
	}
	return c, nil
}

// Name is the cookie name the codec seals for and accepts.
func (c *Codec) Name() string { return c.name }

// Seal encrypts s with the primary key into a JWE compact value for the cookie: protected header
// {"alg":"dir","enc":"A256GCM","kid":…,"cookie":<name>}, no encrypted key, a random 96-bit IV, the session as
// compact JSON, and the GCM tag. Times are stored as unix seconds. s needs a positive UserID, both tokens
// (printable ASCII, as JWTs are) and both expiry times after 1970.
func (c *Codec) Seal(s Session) (string, error) {
	if err := validSession(s.UserID, s.AccessToken.Reveal(), s.RefreshToken.Reveal(),
		s.AccessExp.Unix(), s.RefreshExp.Unix()); err != nil {
		return "", fmt.Errorf("session: seal: %w", err)
	}
	k := &c.ring[0]

	// One buffer: the random IV, then the payload, which GCM seals in place with room for the tag.
	n := payloadLen(s)
	buf := make([]byte, nonceSize, nonceSize+n+tagSize)
	nonce := buf[:nonceSize]
	_, _ = rand.Read(nonce) // never fails (Go 1.24+): it crashes the program instead
	pt := appendPayload(buf[nonceSize:], s)
	total := len(k.header) + 2 + nonceLen + 1 + b64.EncodedLen(len(pt)) + 1 + tagLen
	if total > MaxValueLen {
		return "", fmt.Errorf("session: seal: sealed value would be %d bytes, over the %d-byte cookie limit", total, MaxValueLen)
	}
	sealed := k.aead.Seal(pt[:0], nonce, pt, k.aad)

	out := make([]byte, 0, total)
	out = append(out, k.header...)
	out = append(out, '.', '.')
	out = b64.AppendEncode(out, nonce)
	out = append(out, '.')
	out = b64.AppendEncode(out, sealed[:len(sealed)-tagSize])
	out = append(out, '.')
	out = b64.AppendEncode(out, sealed[len(sealed)-tagSize:])
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
	}

	// Five segments: header . encrypted key . iv . ciphertext . tag
	var seg [5]string
	rest := value
	for i := range 4 {
		j := strings.IndexByte(rest, '.')
		if j < 0 {
			return Session{}, false, &OpenError{ReasonMalformed}
		}
		seg[i], rest = rest[:j], rest[j+1:]
	}
	seg[4] = rest
	hdr, encKey, iv, ct, tag := seg[0], seg[1], seg[2], seg[3], seg[4]
	if hdr == "" || encKey != "" || len(iv) != nonceLen || len(tag) != tagLen || strings.IndexByte(tag, '.') >= 0 {
		return Session{}, false, &OpenError{ReasonMalformed} // alg "dir" has an empty encrypted key
	}

	// Fast path: the header is byte for byte one this codec writes (so alg is dir, enc is A256GCM, the kid is
	// in the ring and the cookie name is ours). Otherwise read it and check each field.
	idx := -1
	for i := range c.ring {
		if hdr == c.ring[i].header {
			idx = i
			break
		}
	}
	boundName := c.name
	var aad []byte
	if idx >= 0 {
		aad = c.ring[idx].aad // the same bytes as hdr, without a copy
	} else {
		var reason Reason
		idx, boundName, reason = c.readHeader(hdr)
		if reason != "" {
			return Session{}, false, &OpenError{reason}
		}
		aad = []byte(hdr)
	}
	k := &c.ring[idx]

	// One buffer holds iv | ciphertext | tag; GCM opens in place.
	ctn := b64.DecodedLen(len(ct))
	buf := make([]byte, nonceSize+ctn+tagSize)
	if !decodeExact(buf[:nonceSize], iv) || !decodeExact(buf[nonceSize:nonceSize+ctn], ct) ||
		!decodeExact(buf[nonceSize+ctn:], tag) {
		return Session{}, false, &OpenError{ReasonMalformed}
	}
	pt, err := k.aead.Open(buf[nonceSize:nonceSize], buf[:nonceSize], buf[nonceSize:], aad)
	if err != nil {
		return Session{}, false, &OpenError{ReasonDecrypt}
	}
	if boundName != c.name {
		return Session{}, false, &OpenError{ReasonWrongName}
	}
	s, ok := parsePayload(string(pt))
	if !ok {
		return Session{}, false, &OpenError{ReasonPayload}
	}
	return s, idx != 0, nil
}

// readHeader reads a protected header that is not byte for byte one of ours: it must be a JSON object with
// alg "dir", enc "A256GCM", a kid of the ring, no zip and no crit. It returns the ring index and the bound
// cookie name ("" when absent, which Open reports as wrong_name once the value has authenticated).
func (c *Codec) readHeader(hdr string) (idx int, name string, reason Reason) {
	raw, err := b64.DecodeString(hdr)
	if err != nil {
		return -1, "", ReasonMalformed
	}
	var h map[string]json.RawMessage // exact, case-sensitive names, unlike decoding into a struct
	if err := json.Unmarshal(raw, &h); err != nil || h == nil {
		return -1, "", ReasonMalformed
	}
	str := func(name string) (string, bool) {
		v, ok := h[name]
		if !ok {
			return "", false
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			return "", false
		}
		return s, true
	}
	if alg, ok := str("alg"); !ok || alg != "dir" {
		return -1, "", ReasonMalformed
	}
	if enc, ok := str("enc"); !ok || enc != "A256GCM" {
		return -1, "", ReasonMalformed
	}
	if _, ok := h["zip"]; ok {
		return -1, "", ReasonMalformed
	}
	if _, ok := h["crit"]; ok {
		return -1, "", ReasonMalformed
	}
	kid, ok := str("kid")
	if !ok {
		return -1, "", ReasonMalformed
	}
	if _, present := h[headerCookieParam]; present {
		if name, ok = str(headerCookieParam); !ok {
			return -1, "", ReasonMalformed
		}
	}
	for i := range c.ring {
		if c.ring[i].kid == kid {
			return i, name, ""
		}
	}
	return -1, "", ReasonUnknownKey
}

// decodeExact decodes base64url src into dst, which must be exactly its decoded length.
func decodeExact(dst []byte, src string) bool {
	n, err := b64.Decode(dst, []byte(src))
	return err == nil && n == len(dst)
}

// keyID names a key without revealing it: base64url of the first 72 bits of a domain-separated SHA-256.
func keyID(key []byte) string {
	h := sha256.New()
	h.Write([]byte(kidContext))
	h.Write(key)
	return b64.EncodeToString(h.Sum(nil)[:kidBytes])
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
