package emulator

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Passwords are stored as "hmac-sha256$<salt hex>$<mac hex>": a random 16-byte salt per user and one
// HMAC-SHA256 of the password keyed by it. That is deliberately fast, not a slow KDF: load tests create and log
// in thousands of users, and the emulator holds no real credentials. The plain password is never kept.
const passwordScheme = "hmac-sha256"

func hashPassword(password string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails on supported platforms
	return passwordScheme + "$" + hex.EncodeToString(salt) + "$" + hex.EncodeToString(passwordMAC(salt, password))
}

func passwordMAC(salt []byte, password string) []byte {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(password))
	return m.Sum(nil)
}

func checkPassword(stored, password string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 3 || parts[0] != passwordScheme {
		return false
	}
	salt, err1 := hex.DecodeString(parts[1])
	want, err2 := hex.DecodeString(parts[2])
	if err1 != nil || err2 != nil {
		return false
	}
	return hmac.Equal(want, passwordMAC(salt, password))
}
