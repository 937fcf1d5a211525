package bit

import (
	"context"
	"math"
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
