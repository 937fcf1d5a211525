package authn_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/authn"
	"github.com/anitab-org/bridge-in-tech-bff/msclient"
	"github.com/anitab-org/bridge-in-tech-bff/revocation"
	"github.com/anitab-org/bridge-in-tech-bff/session"
)

// mirror is a memory copy that ends the listed sessions and every session of cutUser before cutBefore.
type mirror struct {
	notReady  bool
	ended     map[revocation.SessionID]bool
	cutUser   int64
	cutBefore time.Time
}

func (m *mirror) Ready() bool { return !m.notReady }
func (m *mirror) Revoked(user int64, id revocation.SessionID, loginAt time.Time) bool {
	return m.ended[id] || (user == m.cutUser && loginAt.Before(m.cutBefore))
}

func TestResolveRefusesEndedSessionsWithoutCallingMS(t *testing.T) {
	t.Parallel()
	start := time.Unix(1_800_000_000, 0).UTC()
	codec, err := session.NewCodec("bit_session", [][]byte{bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	// An MS nobody listens on: a test that reached it would fail with Upstream.
	ms, err := msclient.New(msclient.Config{BaseURL: "http://127.0.0.1:1", Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	live := func(mod func(*session.Session)) session.Session {
		s := session.Session{UserID: 7, AccessToken: "a.b.c", RefreshToken: "d.e.f",
			AccessExp: start.Add(time.Hour), RefreshExp: start.Add(28 * 24 * time.Hour),
			ID: session.NewID(), LoginAt: start.Add(-time.Hour), MSCheckedAt: start, ActiveAt: start.Add(-time.Minute)}
		if mod != nil {
			mod(&s)
		}
		return s
	}
	revokedID := session.NewID()
	tests := []struct {
		name   string
		sess   session.Session
		mirror *mirror
		want   authn.Kind // 0: accepted
		clear  bool
	}{
		{"a live session is accepted", live(nil), &mirror{}, 0, false},
		{"a session whose refresh token has expired is refused", live(func(s *session.Session) { s.RefreshExp = start }), &mirror{}, authn.Expired, true},
		{"a session idle for the idle timeout is refused", live(func(s *session.Session) { s.ActiveAt = start.Add(-2 * time.Hour) }), &mirror{}, authn.IdleTimeout, true},
		{"a session logged in for the absolute timeout is refused", live(func(s *session.Session) { s.LoginAt = start.Add(-10 * 24 * time.Hour) }), &mirror{}, authn.AbsoluteTimeout, true},
		{"a revoked session id is refused", live(func(s *session.Session) { s.ID = revokedID }), &mirror{ended: map[revocation.SessionID]bool{revokedID: true}}, authn.Revoked, true},
		{"a session before its user's cutoff is refused", live(nil), &mirror{cutUser: 7, cutBefore: start}, authn.Revoked, true},
		{"a session after its user's cutoff is accepted", live(nil), &mirror{cutUser: 7, cutBefore: start.Add(-2 * time.Hour)}, 0, false},
		{"a session older than the process is 'not loaded' while the revocations load, cookie kept", live(nil), &mirror{notReady: true}, authn.NotLoaded, false},
		{"a session newer than the process is accepted while the revocations load", live(func(s *session.Session) { s.LoginAt = start }), &mirror{notReady: true}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := authn.New(authn.Config{Codec: codec, MS: ms, Revocations: tt.mirror, IdleTimeout: time.Hour,
				AbsoluteTimeout: 7 * 24 * time.Hour, MSRecheck: 5 * time.Minute, Now: func() time.Time { return start }})
			v, err := codec.Seal(tt.sess)
			if err != nil {
				t.Fatal(err)
			}
			res := r.Resolve(context.Background(), authn.Request{Cookie: v, CookieNamed: true, CallsMS: true})
			var got authn.Kind
			if res.Refusal != nil {
				got = res.Refusal.Kind
			}
			if got != tt.want || res.Clear != tt.clear {
				t.Fatalf("got kind %d clear %v (%+v), want %d clear %v", got, res.Clear, res.Refusal, tt.want, tt.clear)
			}
			if tt.want == 0 && (res.UserID != 7 || res.Authorization.Reveal() != "Bearer a.b.c") {
				t.Fatalf("accepted as %d with %q", res.UserID, res.Authorization.Reveal())
			}
		})
	}
}

func TestALegacyCookieGetsAnIDAtItsNextReseal(t *testing.T) {
	t.Parallel()
	start := time.Unix(1_800_000_000, 0).UTC()
	codec, err := session.NewCodec("bit_session", [][]byte{bytes.Repeat([]byte{7}, 32), bytes.Repeat([]byte{8}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	old, err := session.NewCodec("bit_session", [][]byte{bytes.Repeat([]byte{8}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := msclient.New(msclient.Config{BaseURL: "http://127.0.0.1:1", Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	legacy := session.Session{UserID: 7, AccessToken: "a.b.c", RefreshToken: "d.e.f",
		AccessExp: start.Add(time.Hour), RefreshExp: start.Add(28 * 24 * time.Hour)}
	r := authn.New(authn.Config{Codec: codec, MS: ms, Revocations: &mirror{}, IdleTimeout: time.Hour,
		AbsoluteTimeout: 7 * 24 * time.Hour, Now: func() time.Time { return start }})
	tests := []struct {
		name      string
		codec     *session.Codec
		wantNewID bool
	}{
		{"a legacy cookie that needs no re-seal keeps working as it is", codec, false},
		{"a legacy cookie re-sealed (here: under an older key) gets an id and its times", old, true},
	}
	for _, tt := range tests {
		v, err := tt.codec.Seal(legacy)
		if err != nil {
			t.Fatal(err)
		}
		res := r.Resolve(context.Background(), authn.Request{Cookie: v, CookieNamed: true})
		if !res.OK() || res.Reseal != tt.wantNewID || res.Session.Legacy() == tt.wantNewID {
			t.Fatalf("%s: ok %v reseal %v legacy %v", tt.name, res.OK(), res.Reseal, res.Session.Legacy())
		}
		if tt.wantNewID && res.Session.ID != authn.IDOf(legacy) {
			t.Fatalf("%s: the new id is not the one every copy of the legacy cookie gets", tt.name)
		}
		if tt.wantNewID && (!res.Session.LoginAt.Equal(start) || !res.Session.ActiveAt.Equal(start)) {
			t.Fatalf("%s: times %v %v", tt.name, res.Session.LoginAt, res.Session.ActiveAt)
		}
	}
}

func TestALegacyCookieIsEndedByAnyCutoffOfItsUser(t *testing.T) {
	t.Parallel()
	start := time.Unix(1_800_000_000, 0).UTC()
	codec, err := session.NewCodec("bit_session", [][]byte{bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := msclient.New(msclient.Config{BaseURL: "http://127.0.0.1:1", Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	v, err := codec.Seal(session.Session{UserID: 7, AccessToken: "a.b.c", RefreshToken: "d.e.f",
		AccessExp: start.Add(time.Hour), RefreshExp: start.Add(28 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	r := authn.New(authn.Config{Codec: codec, MS: ms, Revocations: &mirror{cutUser: 7, cutBefore: start.Add(-24 * time.Hour)},
		Now: func() time.Time { return start }})
	res := r.Resolve(context.Background(), authn.Request{Cookie: v, CookieNamed: true})
	if res.OK() || res.Refusal.Kind != authn.Revoked {
		t.Fatalf("a legacy cookie (login time unknown) survived its user's cutoff: %+v", res.Refusal)
	}
}

// TestASessionOfTheProcesssFirstSecondIsItsOwn: login times are whole seconds, so a session that logged in just
// after a process started mid-second carries the second the process started in; while the revocations load it
// is the process's own (accepted), and one a second older is not.
func TestASessionOfTheProcesssFirstSecondIsItsOwn(t *testing.T) {
	t.Parallel()
	second := time.Unix(1_800_000_000, 0).UTC()
	now := second.Add(700 * time.Millisecond)
	codec, err := session.NewCodec("bit_session", [][]byte{bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := msclient.New(msclient.Config{BaseURL: "http://127.0.0.1:1", Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	r := authn.New(authn.Config{Codec: codec, MS: ms, Revocations: &mirror{notReady: true}, IdleTimeout: time.Hour,
		AbsoluteTimeout: 7 * 24 * time.Hour, MSRecheck: 5 * time.Minute, Now: func() time.Time { return now }})
	for _, tc := range []struct {
		loginAt time.Time
		want    authn.Kind
	}{{second, 0}, {second.Add(-time.Second), authn.NotLoaded}} {
		v, err := codec.Seal(session.Session{UserID: 7, AccessToken: "a.b.c", RefreshToken: "d.e.f",
			AccessExp: now.Add(time.Hour), RefreshExp: now.Add(24 * time.Hour),
			ID: session.NewID(), LoginAt: tc.loginAt, MSCheckedAt: tc.loginAt, ActiveAt: tc.loginAt})
		if err != nil {
			t.Fatal(err)
		}
		res := r.Resolve(context.Background(), authn.Request{Cookie: v, CookieNamed: true})
		var got authn.Kind
		if res.Refusal != nil {
			got = res.Refusal.Kind
		}
		if got != tc.want {
			t.Errorf("login at %v, process started at %v: kind %d, want %d", tc.loginAt, now, got, tc.want)
		}
	}
}
