package session

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length in bytes of every session key (AES-256).
const KeySize = 32

// ParseKey reads one session key: 64 hex digits (either case), or base64 in the standard or URL alphabet,
// padded or not, that decodes to exactly 32 bytes. Surrounding spaces are ignored. The error never contains
// the key text.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("session key is empty")
	}
	if len(s) == 2*KeySize && isHex(s) {
		k, err := hex.DecodeString(s)
		if err != nil { // unreachable after isHex, kept for safety
			return nil, errors.New("session key is not valid hex")
		}
		return k, nil
	}
	for _, enc := range [...]*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		k, err := enc.Strict().DecodeString(s)
		if err != nil {
			continue
		}
		if len(k) != KeySize {
			return nil, fmt.Errorf("session key decodes to %d bytes, want %d (64 hex digits or base64 of 32 bytes)", len(k), KeySize)
		}
		return k, nil
	}
	if isHex(s) {
		return nil, fmt.Errorf("session key has %d hex digits, want 64 (or base64 of 32 bytes)", len(s))
	}
	return nil, fmt.Errorf("session key (%d characters) is neither 64 hex digits nor base64 of 32 bytes", len(s))
}

// ParseKeys reads the comma-separated SESSION_KEYS value: each element is a key for ParseKey, spaces around
// it are trimmed, and none may be empty. The first key seals, all of them open. Errors name the key's position
// (1-based), never its text.
func ParseKeys(csv string) ([][]byte, error) {
	if strings.TrimSpace(csv) == "" {
		return nil, errors.New("session keys: none given")
	}
	parts := strings.Split(csv, ",")
	keys := make([][]byte, 0, len(parts))
	for i, p := range parts {
		if strings.TrimSpace(p) == "" {
			return nil, fmt.Errorf("session keys: key %d of %d is empty", i+1, len(parts))
		}
		k, err := ParseKey(p)
		if err != nil {
			return nil, fmt.Errorf("session keys: key %d of %d: %w", i+1, len(parts), err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
