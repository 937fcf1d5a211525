package session_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/session"
)

// keyWith has bytes that make base64 use '+', '/', '-' and '_', so the std and URL alphabets differ.
var keyWith = func() []byte {
	k := make([]byte, 32)
	for i := range k {
		k[i] = byte(0xfb + i%5)
	}
	return k
}()

func TestParseKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    []byte
		wantErr string
	}{
		{"64 lower-case hex digits", hex.EncodeToString(keyWith), keyWith, ""},
		{"64 upper-case hex digits", strings.ToUpper(hex.EncodeToString(keyWith)), keyWith, ""},
		{"hex with a trailing newline from a file", hex.EncodeToString(keyWith) + "\n", keyWith, ""},
		{"padded standard base64", base64.StdEncoding.EncodeToString(keyWith), keyWith, ""},
		{"unpadded standard base64", base64.RawStdEncoding.EncodeToString(keyWith), keyWith, ""},
		{"padded URL base64", base64.URLEncoding.EncodeToString(keyWith), keyWith, ""},
		{"unpadded URL base64", base64.RawURLEncoding.EncodeToString(keyWith), keyWith, ""},
		{"base64 of 31 bytes", base64.StdEncoding.EncodeToString(keyWith[:31]), nil, "decodes to 31 bytes"},
		{"base64 of 33 bytes", base64.StdEncoding.EncodeToString(append(append([]byte{}, keyWith...), 1)), nil, "decodes to 33 bytes"},
		{"62 hex digits (31 bytes)", hex.EncodeToString(keyWith[:31]), nil, "has 62 hex digits"},
		{"66 hex digits (33 bytes)", hex.EncodeToString(append(append([]byte{}, keyWith...), 1)), nil, "has 66 hex digits"},
		{"64 characters with one non-hex", "g" + hex.EncodeToString(keyWith)[1:], nil, "decodes to 48 bytes"},
		{"junk", "correct horse battery staple!", nil, "neither"},
		{"mixed alphabets", strings.Replace(base64.RawURLEncoding.EncodeToString(keyWith), "-", "+", 1), nil, "neither"},
		{"empty", "", nil, "empty"},
		{"only spaces", "   ", nil, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := session.ParseKey(tt.in)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("ParseKey accepted it: %x", got)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %q does not say %q", err, tt.wantErr)
				}
				if s := strings.TrimSpace(tt.in); len(s) > 4 && strings.Contains(err.Error(), s) {
					t.Errorf("error %q echoes the key", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseKey: %v", err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("ParseKey = %x, want %x", got, tt.want)
			}
		})
	}
}

func TestParseKeys(t *testing.T) {
	t.Parallel()
	k1, k2 := fixedKey("1"), fixedKey("2")
	h1, b2 := hex.EncodeToString(k1), base64.StdEncoding.EncodeToString(k2)
	tests := []struct {
		name    string
		csv     string
		want    [][]byte
		wantErr string
	}{
		{"one hex key", h1, [][]byte{k1}, ""},
		{"a hex key then a base64 key", h1 + "," + b2, [][]byte{k1, k2}, ""},
		{"spaces around the keys are trimmed", "  " + h1 + " ,\t" + b2 + " ", [][]byte{k1, k2}, ""},
		{"nothing at all", "", nil, "none given"},
		{"only spaces", "  ", nil, "none given"},
		{"an empty element in the middle", h1 + ",," + b2, nil, "key 2 of 3 is empty"},
		{"a trailing comma", h1 + ",", nil, "key 2 of 2 is empty"},
		{"a short second key", h1 + "," + hex.EncodeToString(k2[:31]), nil, "key 2 of 2"},
		{"junk in first place", "hunter2," + b2, nil, "key 1 of 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := session.ParseKeys(tt.csv)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("ParseKeys accepted it")
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %q does not say %q", err, tt.wantErr)
				}
				for _, secretText := range []string{h1, b2, "hunter2", hex.EncodeToString(k2[:31])} {
					if strings.Contains(err.Error(), secretText) {
						t.Errorf("error %q echoes a key", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseKeys: %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d keys, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if !bytes.Equal(got[i], tt.want[i]) {
					t.Errorf("key %d = %x, want %x", i+1, got[i], tt.want[i])
				}
			}
			if _, err := session.NewCodec(cookieName, got); err != nil {
				t.Errorf("NewCodec refused parsed keys: %v", err)
			}
		})
	}
}
