package emulator

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"github.com/anitab-org/bridge-in-tech-bff/internal/testkit"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var testSecret = []byte("test-secret-key")

// Seed users every harness has (ids 1..4).
var testSeeds = []SeedUser{
	{Username: "adminuser", Name: "Ada Admin", Email: "admin@example.org", Password: "adminpass1", Admin: true},
	{Username: "mentoruser", Name: "Mona Mentor", Email: "mentor@example.org", Password: "mentorpass1", AvailableToMentor: true},
	{Username: "menteeuser", Name: "Mel Mentee", Email: "mentee@example.org", Password: "menteepass1", NeedMentoring: true},
	{Username: "otheruser", Name: "Otto Other", Email: "other@example.org", Password: "otherpass1", NeedMentoring: true, AvailableToMentor: true},
}

const (
	adminID, mentorID, menteeID, otherID = 1, 2, 3, 4
)

type harness struct {
	t     testing.TB
	srv   *Server
	clock *testkit.Clock
	tok   map[string]string // username → access token
}

func newHarness(t testing.TB, mod ...func(*Options)) *harness {
	t.Helper()
	clk := testkit.NewClock(time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC))
	opts := Options{Secret: testSecret, Now: clk.Now, SeedUsers: testSeeds}
	for _, m := range mod {
		m(&opts)
	}
	return &harness{t: t, srv: New(opts), clock: clk, tok: map[string]string{}}
}

// resp is one recorded answer.
type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) message() string {
	var m struct{ Message string }
	_ = json.Unmarshal(r.body, &m)
	return m.Message
}

func (r resp) decode(t *testing.T) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("body %q is not JSON: %v", r.body, err)
	}
	return v
}

func (r resp) object(t *testing.T) map[string]any {
	t.Helper()
	m, ok := r.decode(t).(map[string]any)
	if !ok {
		t.Fatalf("body %s is not an object", r.body)
	}
	return m
}

func (r resp) array(t *testing.T) []any {
	t.Helper()
	a, ok := r.decode(t).([]any)
	if !ok {
		t.Fatalf("body %s is not an array", r.body)
	}
	return a
}

// raw marks a request body sent byte for byte (with Content-Type application/json).
type raw string

// noJSON marks a body sent as text/plain, which MS does not read.
type noJSON string

// do sends one request as the named seed user (their access token as a Bearer header), or anonymously when
// username is empty.
func (h *harness) do(method, path, username string, body any) resp {
	h.t.Helper()
	header := ""
	if username != "" {
		header = "Bearer " + h.access(username)
	}
	return h.doHeader(method, path, header, body)
}

// doHeader sends one request with the given Authorization header (none when empty).
func (h *harness) doHeader(method, path, header string, body any) resp {
	h.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case raw:
		rd, ct = strings.NewReader(string(b)), "application/json"
	case noJSON:
		rd, ct = strings.NewReader(string(b)), "text/plain"
	default:
		js, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd, ct = bytes.NewReader(js), "application/json"
	}
	req := httptest.NewRequest(method, path, rd)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if header != "" {
		req.Header.Set("Authorization", header)
	}
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	return resp{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// access returns a fresh-enough access token for a seeded user (password: the username with "user" → "pass1").
func (h *harness) access(username string) string {
	h.t.Helper()
	if tok, ok := h.tok[username]; ok {
		return tok
	}
	a, _ := h.login(username, passwordOf(username))
	h.tok[username] = a
	return a
}

func passwordOf(username string) string {
	for _, s := range testSeeds {
		if s.Username == username {
			return s.Password
		}
	}
	return username + "-pass"
}

func (h *harness) login(username, password string) (access, refresh string) {
	h.t.Helper()
	r := h.do("POST", "/login", "", map[string]any{"username": username, "password": password})
	if r.status != http.StatusOK {
		h.t.Fatalf("login %s: %d %s", username, r.status, r.body)
	}
	var tk struct{ AccessToken, RefreshToken string }
	if err := json.Unmarshal(r.body, &struct {
		A *string `json:"access_token"`
		R *string `json:"refresh_token"`
	}{&tk.AccessToken, &tk.RefreshToken}); err != nil {
		h.t.Fatal(err)
	}
	return tk.AccessToken, tk.RefreshToken
}

// expect checks status and message.
func expect(t testing.TB, r resp, status int, message string) {
	t.Helper()
	if r.status != status || r.message() != message {
		t.Fatalf("got %d %s, want %d %q", r.status, r.body, status, message)
	}
}

// expectStatus checks the status only.
func expectStatus(t testing.TB, r resp, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("got %d %s, want %d", r.status, r.body, status)
	}
}

// craftToken signs any header and claims with HMAC (alg HS256 or HS512) or none, for token tests.
func craftToken(header, claims map[string]any, key []byte) string {
	enc := base64.RawURLEncoding
	hb, _ := json.Marshal(header)
	cb, _ := json.Marshal(claims)
	signing := enc.EncodeToString(hb) + "." + enc.EncodeToString(cb)
	var h func() hash.Hash
	switch header["alg"] {
	case "HS256":
		h = sha256.New
	case "HS512":
		h = sha512.New
	default:
		return signing + "."
	}
	m := hmac.New(h, key)
	m.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(m.Sum(nil))
}

// sendRequest makes a pending relation from→to (from's role given) ending in 8 weeks; returns its id.
func (h *harness) sendRequest(from string, mentor, mentee int64) int64 {
	h.t.Helper()
	end := float64(h.clock.Now().Add(8*7*24*time.Hour).Unix()) + 0.5
	r := h.do("POST", "/mentorship_relation/send_request", from, map[string]any{
		"mentor_id": mentor, "mentee_id": mentee, "end_date": end, "notes": "please",
	})
	expect(h.t, r, http.StatusCreated, "Mentorship relation was sent successfully.")
	h.srv.mu.RLock()
	defer h.srv.mu.RUnlock()
	return h.srv.st.nextRelationID - 1
}

// acceptedRelation makes mentoruser mentor menteeuser in an ACCEPTED relation and returns its id.
func (h *harness) acceptedRelation() int64 {
	h.t.Helper()
	id := h.sendRequest("menteeuser", mentorID, menteeID)
	expect(h.t, h.do("PUT", "/mentorship_relation/"+itoa(int(id))+"/accept", "mentoruser", nil),
		http.StatusOK, "Mentorship relation was accepted successfully.")
	return id
}
