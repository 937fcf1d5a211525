package bit

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strconv"
	"time"
)

// Account is one MS account: its user id and when MS registered it. MS hands a user id out again (a reset or
// restored MS, or MS_BASE_URL pointed at another MS), so the id alone does not name an account; the pair does.
type Account struct {
	ID         int64
	Registered time.Time // microsecond precision, UTC
}

// RegistrationTime converts MS's registration_date (Unix seconds as a float, microsecond precision) into the
// Registered of an Account. The same float always gives the same time.
func RegistrationTime(unixSeconds float64) time.Time {
	return time.UnixMicro(int64(math.Round(unixSeconds * 1e6))).UTC()
}

// AccountStore binds the rows of a user id to one MS account and forgets an account's rows. It is part of Store.
type AccountStore interface {
	// BindAccount binds userID's rows to the account registered at registered, in one transaction. When userID has
	// no binding yet, or one of unknown time (rows from before bindings existed), the rows are bound to this
	// account ("bind at first sight"). When userID is bound to another registration time, the rows are another
	// account's: they are forgotten as ForgetAccount does, the new binding is stored, and forgot is true. A call
	// for the account already bound changes nothing (and takes no write lock).
	BindAccount(ctx context.Context, userID int64, registered time.Time) (forgot bool, err error)
	// ForgetAccount deletes userID's additional info, personal background and binding, and archives the
	// organization userID represents, in one transaction: its status becomes Archived and it no longer has a
	// representative (so it leaves every list, its programs are readable by nobody, and a later account with the
	// same id does not get it). Forgetting an id with no rows is not an error.
	ForgetAccount(ctx context.Context, userID int64) error
}

// MemberRegistrations is implemented by a Members that also learns, from the MS answer that gave a member's name,
// when MS registered that member. The Service then binds the member's rows to that account before showing them
// (see BindAccount).
type MemberRegistrations interface {
	// MemberRegistered returns the registration time MS reported for id in an earlier MemberName call of this
	// Members; ok is false when it is not known.
	MemberRegistered(id int64) (registered time.Time, ok bool)
}

// AccountOfUser reads the account of an MS user object (the answer of GET /user or GET /users/{id}): its "id" (an
// integer) and "registration_date" (a number). It walks the JSON in place (walk.go), so reading the account of
// every GET /user answer allocates nothing. ok is false when the body is not a JSON object, or either member is
// missing, null or not a number of its kind. Keys are matched exactly, and a key given twice counts as its last
// value, as MS's JSON has them.
func AccountOfUser(body []byte) (a Account, ok bool) {
	// The walk is safe on any bytes and cheap; the validity check, the dear part, runs only on what it accepted.
	if a, ok = accountFields(body); !ok || !json.Valid(body) {
		return Account{}, false
	}
	return a, true
}

// accountFields is AccountOfUser's walk of body, a JSON object after optional white space, without the check that
// body is valid JSON. Unlike the rest of the walker (walk.go) it is safe on any bytes: where the JSON breaks off
// or goes wrong it stops with ok false, and it never reads outside body; but on malformed JSON what it reads may
// be anything. Only a caller that acts on nothing it reads unless the object is valid may use it alone
// (Service.Bound). On valid JSON its extra checks never fire.
func accountFields(body []byte) (a Account, ok bool) {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return Account{}, false
	}
	obj := body[i:]
	var id, reg []byte
	// eachMember's walk, written out: a closure capturing id and reg would be allocated.
	for j := skipSpace(obj, 1); j < len(obj) && obj[j] == '"'; {
		end := skipString(obj, j)
		if end < j+2 { // a key cut off after its opening quote
			return Account{}, false
		}
		key := obj[j+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			key = []byte(unquote(obj[j:end])) // rare: an escaped key
		}
		colon := skipSpace(obj, end)
		if colon >= len(obj) || obj[colon] != ':' {
			return Account{}, false
		}
		if j = skipSpace(obj, colon+1); j >= len(obj) {
			return Account{}, false
		}
		vend := skipValue(obj, j)
		switch string(key) {
		case "id":
			id = obj[j:vend]
		case "registration_date":
			reg = obj[j:vend]
		}
		j = skipSpace(obj, vend)
		if j < len(obj) && obj[j] == ',' {
			j = skipSpace(obj, j+1)
		}
	}
	if len(id) == 0 || len(reg) == 0 {
		return Account{}, false
	}
	n, err := strconv.ParseInt(string(id), 10, 64)
	if err != nil {
		return Account{}, false
	}
	f, err := strconv.ParseFloat(string(reg), 64)
	if err != nil {
		return Account{}, false
	}
	return Account{ID: n, Registered: RegistrationTime(f)}, true
}
