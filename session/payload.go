package session

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/secret"
)

// payload is what a cookie seals: compact JSON with short keys, in this order when Seal writes it:
//
//	{"v":1,"u":<user id>,"a":"<access token>","r":"<refresh token>","ae":<unix s>,"re":<unix s>}
type payload struct {
	V  int64  `json:"v"` // formatVersion
	U  int64  `json:"u"`
	A  string `json:"a"`
	R  string `json:"r"`
	AE int64  `json:"ae"`
	RE int64  `json:"re"`
}

const formatVersion = 1

// maxUnix is 9999-12-31T23:59:59Z; later expiry times are refused as nonsense.
const maxUnix = 253402300799

func encodePayload(s Session) ([]byte, error) {
	return json.Marshal(payload{
		V:  formatVersion,
		U:  s.UserID,
		A:  s.AccessToken.Reveal(),
		R:  s.RefreshToken.Reveal(),
		AE: s.AccessExp.Unix(),
		RE: s.RefreshExp.Unix(),
	})
}

// decodePayload reads a payload: one JSON object with each of the six keys exactly once, in any order and with
// any whitespace, holding a valid session of format version 1, and nothing after it. encoding/json alone would
// let through unknown keys (DisallowUnknownFields refuses them) and repeated keys, the last one winning (each
// field is a once, which refuses its second value). One Decode over a struct: a walk with Decoder.Token cost 70
// allocations, most of them syntax errors the scanner builds at each value's end and the walk then drops.
func decodePayload(p []byte) (Session, bool) {
	var in struct {
		V  once[int64]  `json:"v"`
		U  once[int64]  `json:"u"`
		A  once[string] `json:"a"`
		R  once[string] `json:"r"`
		AE once[int64]  `json:"ae"`
		RE once[int64]  `json:"re"`
	}
	dec := json.NewDecoder(bytes.NewReader(p))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return Session{}, false
	}
	if _, err := dec.Token(); err != io.EOF { // nothing but whitespace after the object
		return Session{}, false
	}
	if !in.V.set || !in.U.set || !in.A.set || !in.R.set || !in.AE.set || !in.RE.set || in.V.v != formatVersion ||
		validSession(in.U.v, in.A.v, in.R.v, in.AE.v, in.RE.v) != nil {
		return Session{}, false
	}
	return Session{
		UserID:       in.U.v,
		AccessToken:  secret.String(in.A.v),
		RefreshToken: secret.String(in.R.v),
		AccessExp:    time.Unix(in.AE.v, 0).UTC(),
		RefreshExp:   time.Unix(in.RE.v, 0).UTC(),
	}, true
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
