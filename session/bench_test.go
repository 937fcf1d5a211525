package session_test

import (
	"encoding/json"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwe"

	"github.com/anitab-org/bridge-in-tech-bff/session"
)

// The benchmarks use a real-sized session: two Flask-JWT-Extended-shaped HS256 tokens of about 270
// characters each, under the __Host- cookie name.

func BenchmarkSeal(b *testing.B) {
	c := mustCodec(b, cookieName, randomKey(b))
	s := realSession()
	var v string
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if v, err = c.Seal(s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(v)), "cookie-bytes")
}

func BenchmarkOpen(b *testing.B) {
	c := mustCodec(b, cookieName, randomKey(b))
	v, err := c.Seal(realSession())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.Open(v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenStale opens a value sealed with the second key of the ring.
func BenchmarkOpenStale(b *testing.B) {
	k1, k2 := randomKey(b), randomKey(b)
	v, err := mustCodec(b, cookieName, k1).Seal(realSession())
	if err != nil {
		b.Fatal(err)
	}
	c := mustCodec(b, cookieName, k2, k1)
	b.ReportAllocs()
	for b.Loop() {
		if _, stale, err := c.Open(v); err != nil || !stale {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenTampered is the cost of refusing a forged value of real size.
func BenchmarkOpenTampered(b *testing.B) {
	c := mustCodec(b, cookieName, randomKey(b))
	v, err := c.Seal(realSession())
	if err != nil {
		b.Fatal(err)
	}
	cs, _ := part(v, 3)
	v = flip(v, cs+10)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.Open(v); err == nil {
			b.Fatal("opened")
		}
	}
}

func BenchmarkSealOpen(b *testing.B) {
	c := mustCodec(b, cookieName, randomKey(b))
	s := realSession()
	b.ReportAllocs()
	for b.Loop() {
		v, err := c.Seal(s)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := c.Open(v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJWXSealOpenReference does the bare jwx work: jwe.Encrypt / jwe.Decrypt with one static key and
// json.Marshal / json.Unmarshal, none of the package's checks. Codec's figure less this one is what its own
// checks, key choice and strict payload reading cost on top of jwx.
func BenchmarkJWXSealOpenReference(b *testing.B) {
	key := randomKey(b)
	s := realSession()
	type payload struct {
		V  int    `json:"v"`
		U  int64  `json:"u"`
		A  string `json:"a"`
		R  string `json:"r"`
		AE int64  `json:"ae"`
		RE int64  `json:"re"`
	}
	h := jwe.NewHeaders()
	_ = h.Set("kid", "abcdefghijkl")
	_ = h.Set("cookie", cookieName)
	b.ReportAllocs()
	for b.Loop() {
		p, _ := json.Marshal(payload{1, s.UserID, s.AccessToken.Reveal(), s.RefreshToken.Reveal(), s.AccessExp.Unix(), s.RefreshExp.Unix()})
		v, err := jwe.Encrypt(p, jwe.WithKey(jwa.DIRECT, key), jwe.WithContentEncryption(jwa.A256GCM), jwe.WithProtectedHeaders(h))
		if err != nil {
			b.Fatal(err)
		}
		out, err := jwe.Decrypt(v, jwe.WithKey(jwa.DIRECT, key))
		if err != nil {
			b.Fatal(err)
		}
		var q payload
		if err := json.Unmarshal(out, &q); err != nil {
			b.Fatal(err)
		}
		_ = session.Session{UserID: q.U}
	}
}
