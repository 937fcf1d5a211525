package session

import (
	"bytes"
	"strings"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/revocation"
)

func TestHandlesAreBoundToOneSessionAndOneKeyRing(t *testing.T) {
	t.Parallel()
	oldKey, newKey, otherKey := bytes.Repeat([]byte{1}, KeySize), bytes.Repeat([]byte{2}, KeySize), bytes.Repeat([]byte{3}, KeySize)
	before, err := NewCodec("bit_session", [][]byte{oldKey})
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := NewCodec("bit_session", [][]byte{newKey, oldKey})
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := NewCodec("bit_session", [][]byte{otherKey})
	if err != nil {
		t.Fatal(err)
	}
	otherName, err := NewCodec("__Host-bit_session", [][]byte{oldKey})
	if err != nil {
		t.Fatal(err)
	}
	a, b := NewID(), NewID()
	h, ok := before.Handle(a)
	if !ok {
		t.Fatal("a session with an id has no handle")
	}
	if !IsHandle(h) || len(h) != HandleLen || strings.Count(h, ".") != 0 || strings.HasPrefix(h, "eyJ") {
		t.Fatalf("handle %q does not have the handle form (or looks like a JWT)", h)
	}
	again, _ := before.Handle(a)
	if again != h {
		t.Fatal("the handle of one session changes between calls")
	}
	cases := []struct {
		name  string
		codec *Codec
		h     string
		id    revocation.SessionID
		want  bool
	}{
		{"its own session's handle matches", before, h, a, true},
		{"after a key rotation the old key's handle still matches", rotated, h, a, true},
		{"another session's cookie does not match it", before, h, b, false},
		{"a ring without its key does not match it", stranger, h, a, false},
		{"a codec of another cookie name does not match it", otherName, h, a, false},
		{"a session without an id matches nothing", before, h, revocation.SessionID{}, false},
		{"one character changed does not match", before, h[:len(h)-1] + flip(h[len(h)-1]), a, false},
		{"a truncated handle does not match", before, h[:len(h)-2], a, false},
		{"a JWT is not a handle", before, "eyJhbGciOiJIUzI1NiJ9.eyJpZGVudGl0eSI6MX0.c2ln", a, false},
		{"the prefix alone is not a handle", before, HandlePrefix, a, false},
		{"non-base64 of the right length is not a handle", before, HandlePrefix + strings.Repeat("*", HandleLen-len(HandlePrefix)), a, false},
	}
	for _, c := range cases {
		if got := c.codec.HandleMatches(c.h, c.id); got != c.want {
			t.Errorf("%s: HandleMatches = %v, want %v", c.name, got, c.want)
		}
	}
	if _, ok := before.Handle(revocation.SessionID{}); ok {
		t.Error("a session without an id was given a handle")
	}
	if hb, _ := before.Handle(b); hb == h {
		t.Error("two sessions have the same handle")
	}
}

func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

func FuzzHandleMatches(f *testing.F) {
	c, err := NewCodec("bit_session", [][]byte{bytes.Repeat([]byte{7}, KeySize)})
	if err != nil {
		f.Fatal(err)
	}
	id := NewID()
	good, _ := c.Handle(id)
	f.Add(good)
	f.Add(HandlePrefix)
	f.Add("Bearer x")
	f.Fuzz(func(t *testing.T, h string) {
		if c.HandleMatches(h, id) && h != good {
			t.Fatalf("a forged handle %q matched", h)
		}
	})
}
