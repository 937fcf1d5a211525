// Package revocation keeps the ends of sessions: which session ids are over and, per user, from when every
// earlier session is over; plus the record of each login that lets a user list their sessions, and the login
// failures counted for all instances at once. The database holds them (Store, implemented by bit/sqlitestore and
// bit/pgstore and checked by revocation/revocationtest); every instance keeps a copy in memory, loaded at start
// and kept current by the database's own push, so the check on a request is a memory look-up.
package revocation

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// SessionID is a session's random id: 16 bytes (128 bits) from crypto/rand, sealed in the session cookie.
type SessionID [16]byte

// IsZero reports whether id is unset (a cookie from before session ids existed).
func (id SessionID) IsZero() bool { return id == SessionID{} }

// Entry is one revocation. Exactly one of two kinds:
//   - SessionID set: that session is over (logout, "end this session", MS refused its tokens); UserID names the
//     session's owner (see Validate);
//   - SessionID zero, UserID and Before set: every session of UserID that logged in before Before is over
//     (password change, account deleted, "sign out everywhere").
type Entry struct {
	SessionID SessionID
	UserID    int64
	Before    time.Time // per-user entries: sessions whose login time is before this are over (second precision)
	// Until is when the entry may be forgotten: the sessions it ends would have expired by then anyway.
	Until time.Time
}

// Record is one login, written once when the session is created (never per request), so a user can list their
// live sessions and end one.
type Record struct {
	SessionID SessionID
	UserID    int64
	LoginAt   time.Time
	Until     time.Time // the session's absolute end; the record may be forgotten after it
	Device    string    // a coarse description from the User-Agent ("Firefox on Linux"), never an address
}

// Store keeps revocations, login records and login failures in the database. Every call honours ctx; an
// unreachable database gives an error (the caller retries revocations until they are stored).
type Store interface {
	// Revoke stores e (storing the same entry twice is not an error) and wakes every instance's Watch.
	Revoke(ctx context.Context, e Entry) error
	// Revocations returns every entry whose Until is after now, and a cursor for Since.
	Revocations(ctx context.Context, now time.Time) (entries []Entry, cursor int64, err error)
	// RevocationsSince returns the entries stored after cursor (whatever their Until) and the new cursor.
	RevocationsSince(ctx context.Context, cursor int64) (entries []Entry, next int64, err error)
	// WatchRevocations blocks until ctx ends or its connection is lost (then it returns the error), calling wake
	// whenever another writer may have stored entries. PostgreSQL: LISTEN/NOTIFY on its own connection; SQLite: a
	// change counter polled about once a second. It also calls wake once as soon as it is watching, so a caller
	// that catches up on that first wake misses nothing stored between its last read and the watch's start.
	WatchRevocations(ctx context.Context, wake func()) error
	// PurgeRevocations forgets entries, records and login failures that no longer matter at now.
	PurgeRevocations(ctx context.Context, now time.Time) error

	// RecordLogin stores r.
	RecordLogin(ctx context.Context, r Record) error
	// Logins returns userID's records whose Until is after now, newest login first (revoked ones included: the
	// caller filters them with its memory copy).
	Logins(ctx context.Context, userID int64, now time.Time) ([]Record, error)

	// AddLoginFailure counts one failed login for key within a window that started at the key's first failure
	// (a new window starts when the old one is over at now) and returns the failures in the current window.
	AddLoginFailure(ctx context.Context, key string, now time.Time, window time.Duration) (int, error)
	// LoginFailures returns key's failures in its current window at now (0 when none or the window is over).
	LoginFailures(ctx context.Context, key string, now time.Time, window time.Duration) (int, error)
	// ClearLoginFailures forgets key's failures (a successful login).
	ClearLoginFailures(ctx context.Context, key string) error
}

// Validate reports whether e is one of the two kinds of entry, with its owner and an end: UserID is required for
// both kinds (a session entry names the session's owner, so that a later per-user cutoff can stand for it), Until
// always, Before for a per-user entry.
func (e Entry) Validate() error {
	switch {
	case e.UserID <= 0:
		return errors.New("revocation: entry without a user id")
	case e.Until.IsZero():
		return errors.New("revocation: entry without an end (Until)")
	case e.SessionID.IsZero() && e.Before.IsZero():
		return errors.New("revocation: entry with neither a session id nor a cutoff (Before)")
	case !e.SessionID.IsZero() && !e.Before.IsZero():
		return errors.New("revocation: entry with both a session id and a cutoff (Before)")
	}
	return nil
}

// Key is what makes two entries the same one in a Store: the session id of a single-session entry, or the user
// and the cutoff second of a per-user one. Storing an entry whose Key is stored already keeps one (the later
// Until).
func (e Entry) Key() string {
	if !e.SessionID.IsZero() {
		return "s:" + hex.EncodeToString(e.SessionID[:])
	}
	return "u:" + strconv.FormatInt(e.UserID, 10) + ":" + strconv.FormatInt(e.Before.Unix(), 10)
}

// UntilSecond is t in Unix seconds rounded up, as Stores keep an Until: an entry is never forgotten before it.
func UntilSecond(t time.Time) int64 {
	if t.Nanosecond() > 0 {
		return t.Unix() + 1
	}
	return t.Unix()
}

// EntryOfRow is the entry a Store's row holds: a per-user cutoff when before is set (Unix seconds), else a single
// session whose id must be 16 bytes. until is Unix seconds.
func EntryOfRow(id []byte, userID int64, before *int64, until int64) (Entry, error) {
	e := Entry{UserID: userID, Until: time.Unix(until, 0).UTC()}
	switch {
	case before != nil:
		e.Before = time.Unix(*before, 0).UTC()
	case len(id) == len(e.SessionID):
		copy(e.SessionID[:], id)
	default:
		return Entry{}, fmt.Errorf("revocation: a stored session id of %d bytes", len(id))
	}
	return e, nil
}
