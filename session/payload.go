package session

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/revocation"
	"github.com/anitab-org/bridge-in-tech-bff/secret"
)

// A cookie seals compact JSON with short keys, in this order when Seal writes it. Version 1 (cookies from before
// sessions had ids, still opened):
//
//	{"v":1,"u":<user id>,"a":"<access token>","r":"<refresh token>","ae":<unix s>,"re":<unix s>}
//
// Version 2 adds the session's id (32 lowercase hex digits), login time, when MS last accepted it, and the last
// activity the cookie knows of:
//
//	{"v":2,"u":…,"a":"…","r":"…","ae":…,"re":…,"s":"<id>","l":<unix s>,"m":<unix s>,"t":<unix s>}
const (
	formatV1 = 1
	formatV2 = 2
)

// maxUnix is 9999-12-31T23:59:59Z; later expiry times are refused as nonsense.
const maxUnix = 253402300799

// idHexLen is the length of a session id in the payload: 16 bytes as lowercase hex.
const idHexLen = 2 * len(revocation.SessionID{})

// encodePayload is the payload of s as Seal writes it.
func encodePayload(s Session) ([]byte, error) {
	if err := validFull(s); err != nil {
		return nil, err
	}
	return appendPayload(make([]byte, 0, payloadLen(s)), s), nil
}

// validFull checks every field of s as Seal needs them: the tokens and expiry times always, and the session's
// facts when it has an id (version 2).
func validFull(s Session) error {
	if err := validSession(s.UserID, s.AccessToken.Reveal(), s.RefreshToken.Reveal(),
		s.AccessExp.Unix(), s.RefreshExp.Unix()); err != nil {
		return err
	}
	if s.ID.IsZero() {
		if !s.LoginAt.IsZero() || !s.MSCheckedAt.IsZero() || !s.ActiveAt.IsZero() {
			return errors.New("a session without an id carries no login, MS-check or activity time")
		}
		return nil
	}
	return validFacts(s.LoginAt.Unix(), s.MSCheckedAt.Unix(), s.ActiveAt.Unix())
}

// validFacts holds the rules for version 2's three times.
func validFacts(login, msChecked, active int64) error {
	for _, t := range [...]int64{login, msChecked, active} {
		if t <= 0 || t > maxUnix {
			return errors.New("login, MS-check and activity times must be times between 1970 and 9999")
		}
	}
	return nil
}

// payloadLen is at least the length appendPayload writes (each integer counted at its widest, 20 bytes).
func payloadLen(s Session) int {
	n := len(`{"v":1,"u":,"a":,"r":,"ae":,"re":}`) + 3*20 +
		quotedLen(s.AccessToken.Reveal()) + quotedLen(s.RefreshToken.Reveal())
	if !s.ID.IsZero() {
		n += len(`,"s":"","l":,"m":,"t":`) + idHexLen + 3*20
	}
	return n
}

// appendPayload writes a validated session as the compact JSON above, by hand: json.Marshal of the struct
// writes the same bytes for every token that holds no '<', '>' or '&' (which it escapes as \u003c...), and
// costs a reflection walk and three allocations. A session without an id is written as version 1.
func appendPayload(b []byte, s Session) []byte {
	if s.ID.IsZero() {
		b = append(b, `{"v":1,"u":`...)
	} else {
		b = append(b, `{"v":2,"u":`...)
	}
	b = strconv.AppendInt(b, s.UserID, 10)
	b = append(b, `,"a":`...)
	b = appendQuoted(b, s.AccessToken.Reveal())
	b = append(b, `,"r":`...)
	b = appendQuoted(b, s.RefreshToken.Reveal())
	b = append(b, `,"ae":`...)
	b = strconv.AppendInt(b, s.AccessExp.Unix(), 10)
	b = append(b, `,"re":`...)
	b = strconv.AppendInt(b, s.RefreshExp.Unix(), 10)
	if s.ID.IsZero() {
		return append(b, '}')
	}
	b = append(b, `,"s":"`...)
	b = hex.AppendEncode(b, s.ID[:])
	b = append(b, `","l":`...)
	b = strconv.AppendInt(b, s.LoginAt.Unix(), 10)
	b = append(b, `,"m":`...)
	b = strconv.AppendInt(b, s.MSCheckedAt.Unix(), 10)
	b = append(b, `,"t":`...)
	b = strconv.AppendInt(b, s.ActiveAt.Unix(), 10)
	return append(b, '}')
}

// parseID reads a session id written as 32 lowercase hex digits (one spelling per id; never all zero).
func parseID[T string | []byte](h T) (revocation.SessionID, bool) {
	var id revocation.SessionID
	if len(h) != idHexLen {
		return id, false
	}
	for i := range id {
		hi, ok1 := nibble(h[2*i])
		lo, ok2 := nibble(h[2*i+1])
		if !ok1 || !ok2 {
			return revocation.SessionID{}, false
		}
		id[i] = hi<<4 | lo
	}
	return id, !id.IsZero()
}

func nibble(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// quotedLen is the JSON string length of a valid token (printable ASCII: only '"' and '\' are escaped).
func quotedLen(s string) int {
	return 2 + len(s) + strings.Count(s, `"`) + strings.Count(s, `\`)
}

// appendQuoted writes a validated token (printable ASCII) as a JSON string: only '"' and '\' need escaping.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	if strings.IndexByte(s, '"') < 0 && strings.IndexByte(s, '\\') < 0 { // every JWT
		return append(append(b, s...), '"')
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' {
			b = append(b, '\\', c)
		} else {
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// readPayload is Open's payload reader: the layout appendPayload writes, read by hand (readSealedLayout), and
// anything else (another key order, spaces, escapes: what jwx or an older BFF may have sealed) through the
// strict decodePayload. Both accept the same sessions; FuzzParsePayload checks that they agree.
func readPayload(p []byte) (Session, bool) {
	if s, ok := readSealedLayout(p); ok {
		return s, true
	}
	return decodePayload(p)
}

// readSealedLayout reads exactly the layout appendPayload writes (version 1 or 2) with N a positive decimal
// without leading zeros and T a token without '"' or '\'. The two tokens are substrings of one string
// conversion of p: one allocation for the whole session. ok is false for any other bytes, which the caller
// then gives to decodePayload.
func readSealedLayout(p []byte) (Session, bool) {
	r := layout{p: p}
	v2 := r.lit(`{"v":2,"u":`)
	if !v2 && !r.lit(`{"v":1,"u":`) {
		return Session{}, false
	}
	u, ok := r.num()
	if !ok || !r.lit(`,"a":"`) {
		return Session{}, false
	}
	a0, a1, ok := r.tok()
	if !ok || !r.lit(`,"r":"`) {
		return Session{}, false
	}
	r0, r1, ok := r.tok()
	if !ok || !r.lit(`,"ae":`) {
		return Session{}, false
	}
	ae, ok := r.num()
	if !ok || !r.lit(`,"re":`) {
		return Session{}, false
	}
	re, ok := r.num()
	if !ok {
		return Session{}, false
	}
	var id revocation.SessionID
	var login, checked, active int64
	if v2 {
		if !r.lit(`,"s":"`) || len(p)-r.i < idHexLen {
			return Session{}, false
		}
		if id, ok = parseID(p[r.i : r.i+idHexLen]); !ok {
			return Session{}, false
		}
		r.i += idHexLen
		if !r.lit(`","l":`) {
			return Session{}, false
		}
		if login, ok = r.num(); !ok || !r.lit(`,"m":`) {
			return Session{}, false
		}
		if checked, ok = r.num(); !ok || !r.lit(`,"t":`) {
			return Session{}, false
		}
		if active, ok = r.num(); !ok || validFacts(login, checked, active) != nil {
			return Session{}, false
		}
	}
	if !r.lit(`}`) || r.i != len(p) {
		return Session{}, false
	}
	all := string(p[a0:r1])
	access, refresh := all[:a1-a0], all[r0-a0:]
	if validSession(u, access, refresh, ae, re) != nil {
		return Session{}, false
	}
	s := Session{
		UserID:       u,
		AccessToken:  secret.String(access),
		RefreshToken: secret.String(refresh),
		AccessExp:    time.Unix(ae, 0).UTC(),
		RefreshExp:   time.Unix(re, 0).UTC(),
	}
	if v2 {
		s.ID, s.LoginAt, s.MSCheckedAt, s.ActiveAt = id, time.Unix(login, 0).UTC(), time.Unix(checked, 0).UTC(), time.Unix(active, 0).UTC()
	}
	return s, true
}

// layout walks readSealedLayout's bytes.
type layout struct {
	p []byte
	i int
}

func (r *layout) lit(s string) bool {
	if len(r.p)-r.i < len(s) || string(r.p[r.i:r.i+len(s)]) != s {
		return false
	}
	r.i += len(s)
	return true
}

// num reads 1 to 18 digits, the first not 0: always a positive int64.
func (r *layout) num() (int64, bool) {
	start := r.i
	var n int64
	for r.i < len(r.p) && r.p[r.i] >= '0' && r.p[r.i] <= '9' && r.i-start < 18 {
		n = n*10 + int64(r.p[r.i]-'0')
		r.i++
	}
	if r.i == start || r.p[start] == '0' || (r.i < len(r.p) && r.p[r.i] >= '0' && r.p[r.i] <= '9') {
		return 0, false
	}
	return n, true
}

// tok reads a token's bytes up to its closing quote, refusing a backslash (an escape: decodePayload's case).
// It returns the token's span in p; validSession checks the bytes themselves (printable ASCII) afterwards.
func (r *layout) tok() (start, end int, ok bool) {
	start = r.i
	n := bytes.IndexByte(r.p[start:], '"')
	if n <= 0 || bytes.IndexByte(r.p[start:start+n], '\\') >= 0 {
		return 0, 0, false
	}
	r.i = start + n + 1
	return start, start + n, true
}

// decodePayload reads a payload: one JSON object with each key of its version exactly once (the six of version
// 1, or those and the four of version 2), in any order and with any whitespace, holding a valid session, and
// nothing after it. encoding/json alone would let through unknown keys (DisallowUnknownFields refuses them) and
// repeated keys, the last one winning (each field is a once, which refuses its second value). One Decode over a
// struct: a walk with Decoder.Token cost 70 allocations, most of them syntax errors the scanner builds at each
// value's end and the walk then drops.
func decodePayload(p []byte) (Session, bool) {
	var in struct {
		V  once[int64]  `json:"v"`
		U  once[int64]  `json:"u"`
		A  once[string] `json:"a"`
		R  once[string] `json:"r"`
		AE once[int64]  `json:"ae"`
		RE once[int64]  `json:"re"`
		S  once[string] `json:"s"`
		L  once[int64]  `json:"l"`
		M  once[int64]  `json:"m"`
		T  once[int64]  `json:"t"`
	}
	dec := json.NewDecoder(bytes.NewReader(p))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return Session{}, false
	}
	if _, err := dec.Token(); err != io.EOF { // nothing but whitespace after the object
		return Session{}, false
	}
	if !in.V.set || !in.U.set || !in.A.set || !in.R.set || !in.AE.set || !in.RE.set ||
		validSession(in.U.v, in.A.v, in.R.v, in.AE.v, in.RE.v) != nil {
		return Session{}, false
	}
	s := Session{
		UserID:       in.U.v,
		AccessToken:  secret.String(in.A.v),
		RefreshToken: secret.String(in.R.v),
		AccessExp:    time.Unix(in.AE.v, 0).UTC(),
		RefreshExp:   time.Unix(in.RE.v, 0).UTC(),
	}
	switch in.V.v {
	case formatV1:
		if in.S.set || in.L.set || in.M.set || in.T.set {
			return Session{}, false
		}
		return s, true
	case formatV2:
		if !in.S.set || !in.L.set || !in.M.set || !in.T.set || validFacts(in.L.v, in.M.v, in.T.v) != nil {
			return Session{}, false
		}
		id, ok := parseID(in.S.v)
		if !ok {
			return Session{}, false
		}
		s.ID, s.LoginAt, s.MSCheckedAt, s.ActiveAt = id, time.Unix(in.L.v, 0).UTC(), time.Unix(in.M.v, 0).UTC(), time.Unix(in.T.v, 0).UTC()
		return s, true
	}
	return Session{}, false
}

// once is a payload field that takes one value: a second one for its key is an error.
type once[T int64 | string] struct {
	v   T
	set bool
}

// UnmarshalJSON gets one complete JSON value that the Decoder has already checked. A string without escapes
// (every token) is the bytes between its quotes; an int64 is what strconv.ParseInt takes of a JSON number (no
// fraction, no exponent, in range). Anything else goes through json.Unmarshal. Skipping json.Unmarshal for the
// tokens saves a third and fourth scan of their bytes: about a third of decodePayload's time.
func (f *once[T]) UnmarshalJSON(b []byte) error {
	if f.set {
		return errors.New("repeated key")
	}
	f.set = true
	switch v := any(&f.v).(type) {
	case *string:
		if len(b) >= 2 && b[0] == '"' && bytes.IndexByte(b, '\\') < 0 {
			*v = string(b[1 : len(b)-1])
			return nil
		}
	case *int64:
		n, err := strconv.ParseInt(string(b), 10, 64)
		*v = n
		return err
	}
	return json.Unmarshal(b, &f.v)
}

// validSession holds the rules for a session both ways: Seal refuses what Open would not accept.
func validSession(userID int64, access, refresh string, accessExp, refreshExp int64) error {
	switch {
	case userID <= 0:
		return errors.New("user id must be positive")
	case !validToken(access):
		return errors.New("access token must be non-empty printable ASCII")
	case !validToken(refresh):
		return errors.New("refresh token must be non-empty printable ASCII")
	case accessExp <= 0 || accessExp > maxUnix:
		return errors.New("access expiry must be a time between 1970 and 9999")
	case refreshExp <= 0 || refreshExp > maxUnix:
		return errors.New("refresh expiry must be a time between 1970 and 9999")
	}
	return nil
}

// validToken accepts what a JWT (or any bearer token) is made of: printable ASCII without spaces.
func validToken(t string) bool {
	if t == "" || len(t) > MaxValueLen {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i]-'!' > '~'-'!' { // one unsigned compare for '!' <= c <= '~'
			return false
		}
	}
	return true
}
