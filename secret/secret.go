// Package secret holds the types that carry credentials (MS tokens, passwords, cookie values) through the
// program. Each one redacts itself wherever it could be printed: fmt verbs, slog, JSON, so a secret reaches a
// log line or an error only if somebody calls Reveal on purpose.
package secret

import (
	"fmt"
	"log/slog"
)

// Redacted is what every secret prints as.
const Redacted = "[REDACTED]"

// String is a credential: a JWT, a password, a refresh token or a sealed cookie value.
type String string

// Reveal returns the credential itself, for the one place that must send it (an HTTP header, a sealed cookie).
func (s String) Reveal() string { return string(s) }

// Empty reports whether no credential is held.
func (s String) Empty() bool { return s == "" }

// String implements fmt.Stringer and never shows the value.
func (s String) String() string { return Redacted }

// GoString implements fmt.GoStringer for %#v.
func (s String) GoString() string { return `secret.String("` + Redacted + `")` }

// Format covers every fmt verb (%s, %v, %q, %x, %d ...), so no verb can leak the bytes.
func (s String) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Redacted)) }

// LogValue implements slog.LogValuer: structured logs see only the redaction marker.
func (s String) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalJSON keeps secrets out of JSON built by accident (error bodies, debug dumps).
func (s String) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText keeps secrets out of text encodings (slog's TextHandler, encoding/xml, flag values).
func (s String) MarshalText() ([]byte, error) { return []byte(Redacted), nil }
