package session

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
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
	kidBytes   = 9  // 72 bits, 12 base64url characters
	ivChars    = 16 // base64url length of the 96-bit GCM IV
	tagChars   = 22 // base64url length of the 128-bit GCM tag
	nonceSize  = 12 // bytes of the GCM IV
	tagSize    = 16 // bytes of the GCM tag
	maxNameLen = 128
)

// b64 is the JWE compact form's base64url without padding, strict: one spelling per value (no stray low bits).
var b64 = base64.RawURLEncoding.Strict()

// ringKey is one key of the ring: its key id, the one protected header this codec writes for it, and its
// AES-256-GCM.
type ringKey struct {
	kid    string
	header string      // the header segment: base64url of protectedHeader(name, kid)
	aad    []byte      // the same bytes, the GCM additional data (RFC 7516 §5.1 step 14)
	aead   cipher.AEAD // never written to after NewCodec; safe for concurrent use
	handle []byte      // the key legacy-client handles are made with (handle.go), derived from this key
}

// Codec seals and opens the session cookie of one cookie name with a key ring. It keeps its own copy of the
// keys (inside their AES ciphers), is immutable after NewCodec and safe for concurrent use.
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
		block, err := aes.NewCipher(k) // copies the key into its schedule
		if err != nil {
			return nil, fmt.Errorf("session: key %d of %d: %w", i+1, len(keys), err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("session: key %d of %d: %w", i+1, len(keys), err)
		}
		hdr := b64.EncodeToString(protectedHeader(cookieName, kid))
		c.ring = append(c.ring, ringKey{kid: kid, header: hdr, aad: []byte(hdr), aead: aead, handle: handleKey(k)})
	}
	return c, nil
}

// protectedHeader is the JSON of the one protected header the codec writes for a key: the four parameters in
// lexical order, no spaces, which is byte for byte what jwx's jwe.Encrypt writes for the same parameters, so
// a value either of them seals opens with the other. The name is a cookie-name token and the kid base64url:
// neither needs escaping in JSON.
func protectedHeader(cookieName, kid string) []byte {
	return []byte(`{"alg":"dir","` + headerCookieParam + `":"` + cookieName + `","enc":"A256GCM","kid":"` + kid + `"}`)
}

// Name is the cookie name the codec seals for and accepts.
func (c *Codec) Name() string { return c.name }

// Seal encrypts s with the primary key into a JWE compact value for the cookie (RFC 7516 §7.1, AES-256-GCM
// from crypto/cipher): protected header {"alg":"dir","cookie":<name>,"enc":"A256GCM","kid":…}, no encrypted
// key, a random 96-bit IV, the session as compact JSON, and the GCM tag. Times are stored as unix seconds. s
// needs a positive UserID, both tokens (printable ASCII, as JWTs are) and both expiry times after 1970.
func (c *Codec) Seal(s Session) (string, error) {
	if err := validFull(s); err != nil {
		return "", fmt.Errorf("session: seal: %w", err)
	}
	k := &c.ring[0]

	// One buffer: the random IV, then the payload, which GCM seals in place with room for its tag.
	buf := make([]byte, nonceSize, nonceSize+payloadLen(s)+tagSize)
	nonce := buf[:nonceSize]
	_, _ = rand.Read(nonce) // never fails (Go 1.24+): it crashes the program instead
	pt := appendPayload(buf[nonceSize:], s)
	total := len(k.header) + 2 + ivChars + 1 + b64.EncodedLen(len(pt)) + 1 + tagChars
	if total > MaxValueLen {
		return "", fmt.Errorf("session: seal: sealed value would be %d bytes, over the %d-byte cookie limit", total, MaxValueLen)
	}
	sealed := k.aead.Seal(pt[:0], nonce, pt, k.aad)
	ct, tag := sealed[:len(sealed)-tagSize], sealed[len(sealed)-tagSize:]

	var out strings.Builder
	out.Grow(total)
	out.WriteString(k.header)
	out.WriteString("..")
	var enc [ivChars + tagChars]byte
	b64.Encode(enc[:ivChars], nonce)
	out.Write(enc[:ivChars])
	out.WriteByte('.')
	writeBase64(&out, ct)
	out.WriteByte('.')
	b64.Encode(enc[ivChars:], tag)
	out.Write(enc[ivChars:])
	return out.String(), nil
}

// writeBase64 writes base64url of src to out in stack-sized pieces (multiples of 3 bytes: no padding between).
func writeBase64(out *strings.Builder, src []byte) {
	var chunk [256]byte // 192 source bytes per piece
	for len(src) > 0 {
		n := min(len(src), 192)
		m := b64.EncodedLen(n)
		b64.Encode(chunk[:m], src[:n])
		out.Write(chunk[:m])
		src = src[n:]
	}
}

// Open decrypts a cookie value made by Seal with any key of the ring and checks it was sealed for this
// cookie name. stale is true when a key other than the primary one opened it: the caller re-seals the session.
// Every error is an *OpenError; none contains the value or a token. Open never panics.
//
// The header segment must be byte for byte the one this codec writes for one of its keys (the four
// parameters, jwx's layout): that one comparison checks alg, enc, kid and the cookie name, and picks the key.
// Any other header is refused before any base64 or crypto work; only then is it read, to name the reason.
func (c *Codec) Open(value string) (s Session, stale bool, err error) {
	switch {
	case value == "":
		return Session{}, false, &OpenError{ReasonEmpty}
	case len(value) > MaxValueLen:
		return Session{}, false, &OpenError{ReasonOversized}
	}
	hdr, rest, _ := strings.Cut(value, ".")
	encKey, rest, _ := strings.Cut(rest, ".")
	iv, rest, _ := strings.Cut(rest, ".")
	ct, tag, ok := strings.Cut(rest, ".")
	if !ok || hdr == "" || encKey != "" || len(iv) != ivChars || len(tag) != tagChars {
		return Session{}, false, &OpenError{ReasonMalformed} // alg "dir" has an empty encrypted key
	}
	idx := -1
	for i := range c.ring {
		if hdr == c.ring[i].header {
			idx = i
			break
		}
	}
	if idx < 0 {
		return Session{}, false, &OpenError{c.headerReason(hdr)}
	}
	k := &c.ring[idx]

	// One buffer holds ciphertext | tag, which GCM opens in place; the IV stays on the stack.
	var nonce [nonceSize]byte
	ctn := b64.DecodedLen(len(ct))
	buf := make([]byte, ctn+tagSize)
	if !decodeExact(nonce[:], iv) || !decodeExact(buf[:ctn], ct) || !decodeExact(buf[ctn:], tag) {
		return Session{}, false, &OpenError{ReasonMalformed}
	}
	pt, err := k.aead.Open(buf[:0], nonce[:], buf, k.aad)
	if err != nil {
		return Session{}, false, &OpenError{ReasonDecrypt}
	}
	s, ok = readPayload(pt)
	if !ok {
		return Session{}, false, &OpenError{ReasonPayload}
	}
	return s, idx != 0, nil
}

// decodeExact decodes canonical base64url src into dst, which must be exactly its decoded length.
func decodeExact(dst []byte, src string) bool {
	if b64.DecodedLen(len(src)) != len(dst) {
		return false
	}
	// A string's bytes go to Decode without a copy: the compiler sees the []byte does not escape.
	n, err := b64.Decode(dst, []byte(src))
	return err == nil && n == len(dst)
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
