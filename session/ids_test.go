package session_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwe"

	"github.com/anitab-org/bridge-in-tech-bff/revocation"
	"github.com/anitab-org/bridge-in-tech-bff/session"
)

// withFacts is realSession with an id and its three times, as a login after session ids seals it.
func withFacts(s session.Session) session.Session {
	s.ID = session.NewID()
	s.LoginAt = s.AccessExp.Add(-10 * time.Minute)
	s.MSCheckedAt, s.ActiveAt = s.LoginAt.Add(time.Minute), s.LoginAt.Add(2*time.Minute)
	return s
}

func TestSessionIDsAndTimes(t *testing.T) {
	t.Parallel()
	key := randomKey(t)
	c := mustCodec(t, cookieName, key)
	tests := []struct {
		name string
		sess session.Session
	}{
		{"a session with an id, login, MS-check and activity times opens to the same session", withFacts(realSession())},
		{"a session without an id is sealed as before and opens as a legacy session", realSession()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := c.Seal(tt.sess)
			if err != nil {
				t.Fatal(err)
			}
			got, stale, err := c.Open(v)
			if err != nil || stale || got != tt.sess {
				t.Fatalf("Open = %+v, %v, %v; want the sealed session", got, stale, err)
			}
			if got.Legacy() != tt.sess.ID.IsZero() {
				t.Errorf("Legacy() = %v", got.Legacy())
			}
		})
	}
}

func TestSealRefusesHalfASessionsFacts(t *testing.T) {
	t.Parallel()
	c := mustCodec(t, cookieName, randomKey(t))
	noTimes := realSession()
	noTimes.ID = session.NewID()
	timesNoID := realSession()
	timesNoID.LoginAt = time.Now()
	for name, s := range map[string]session.Session{
		"an id without its times": noTimes,
		"times without an id":     timesNoID,
	} {
		if _, err := c.Seal(s); err == nil {
			t.Errorf("%s: Seal accepted it", name)
		}
	}
}

func TestVersion2PayloadLayout(t *testing.T) {
	t.Parallel()
	key := randomKey(t)
	c := mustCodec(t, cookieName, key)
	s := withFacts(realSession())
	s.ID = revocation.SessionID{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10}
	v, err := c.Seal(s)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jwe.Decrypt([]byte(v), jwe.WithKey(jwa.DIRECT, key))
	if err != nil {
		t.Fatalf("jwe.Decrypt: %v", err)
	}
	plain := string(out)
	want := `,"s":"0123456789abcdeffedcba9876543210","l":` + itoa(s.LoginAt.Unix()) + `,"m":` + itoa(s.MSCheckedAt.Unix()) +
		`,"t":` + itoa(s.ActiveAt.Unix()) + `}`
	if !strings.HasPrefix(plain, `{"v":2,"u":1234,"a":"`) || !strings.HasSuffix(plain, want) {
		t.Errorf("payload %s does not have the version 2 layout (ending %s)", plain, want)
	}
}

func TestNewIDIsRandomAndNeverZero(t *testing.T) {
	t.Parallel()
	seen := map[revocation.SessionID]bool{}
	for range 1000 {
		id := session.NewID()
		if id.IsZero() || seen[id] {
			t.Fatalf("NewID gave %x twice or zero", id)
		}
		seen[id] = true
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
