package bit

import "context"

// Store keeps BridgeInTech's own data. Every call honours ctx's deadline and cancellation; when the database does
// not answer (down, unreachable, deadline passed) the error wraps ErrUnavailable. Implementations:
// bit/sqlitestore and bit/pgstore, both checked by the contract suite bit/storetest.
type Store interface {
	// AdditionalInfo returns userID's additional info, or an error wrapping ErrNotFound.
	AdditionalInfo(ctx context.Context, userID int64) (AdditionalInfo, error)
	// PutAdditionalInfo creates or overwrites the whole row of a.UserID in one statement (concurrent puts of one
	// user leave one whole row); created reports whether the row was new.
	PutAdditionalInfo(ctx context.Context, a AdditionalInfo) (created bool, err error)

	// PersonalBackground returns userID's personal background, or an error wrapping ErrNotFound.
	PersonalBackground(ctx context.Context, userID int64) (PersonalBackground, error)
	// PutPersonalBackground creates or overwrites the whole row of b.UserID; created reports whether it was new.
	PutPersonalBackground(ctx context.Context, b PersonalBackground) (created bool, err error)

	// Organization returns the organization with this id, or an error wrapping ErrNotFound.
	Organization(ctx context.Context, id int64) (Organization, error)
	// OrganizationByRep returns the organization whose representative is repID, or an error wrapping ErrNotFound.
	OrganizationByRep(ctx context.Context, repID int64) (Organization, error)
	// PutOrganization creates the organization of o.RepID (JoinDate = o.JoinDate, ID ignored) or overwrites its
	// nine writable fields keeping its id and JoinDate. It returns the stored organization and whether it was
	// new. A name or email taken by another organization gives an error wrapping ErrDuplicateOrganizationName or
	// ErrDuplicateOrganizationEmail and changes nothing.
	PutOrganization(ctx context.Context, o Organization) (stored Organization, created bool, err error)
	// ListOrganizations returns the organizations f selects (see OrganizationFilter).
	ListOrganizations(ctx context.Context, f OrganizationFilter) ([]Organization, error)

	// Programs returns the programs f selects (see ProgramFilter), in id order (empty, not an error, when none).
	Programs(ctx context.Context, f ProgramFilter) ([]Program, error)
	// Program returns program programID if it belongs to organization orgID, else an error wrapping ErrNotFound.
	Program(ctx context.Context, orgID, programID int64) (Program, error)
	// CreateProgram inserts p (ID ignored) and returns it with its new id. A taken name gives an error wrapping
	// ErrDuplicateProgramName; a missing organization one wrapping ErrNotFound. When limit > 0 and the
	// organization already has limit programs, the error wraps ErrProgramLimit and nothing is inserted; the count
	// and the insert are one atomic step, so concurrent creations never pass the limit.
	CreateProgram(ctx context.Context, p Program, limit int) (Program, error)
	// UpdateProgram overwrites the writable fields and dates of program p.ID of organization p.OrganizationID,
	// keeping CreationDate. Not found (or in another organization): ErrNotFound; a taken name:
	// ErrDuplicateProgramName.
	UpdateProgram(ctx context.Context, p Program) (Program, error)

	// BindAccount and ForgetAccount keep rows bound to one MS account (account.go).
	AccountStore

	// Ping checks that the database answers (for /readyz); the error wraps ErrUnavailable when it does not.
	Ping(ctx context.Context) error
	// Close releases the store's connections.
	Close() error
}

// Members tells the Service who an MS user is. The HTTP side implements it per request with the caller's own
// token (MS GET /users/{id}, or GET /user for the caller's own id), so the Service never sees a token.
type Members interface {
	// MemberName returns the MS name of user id. When MS says the user does not exist or is not verified (404 or
	// 403), the error wraps ErrNoSuchMember (it may carry MS's answer for the HTTP side to pass through). Any
	// other error (MS down, token refused) is returned by the Service unchanged, for the HTTP side to map.
	MemberName(ctx context.Context, id int64) (string, error)
}

// NameCollision is a row written before names were compared by NameKey whose key another row of its table already
// holds: two names a reader cannot tell apart. A store's name-key check reports it and changes nothing; the row
// keeps its name and stays without a key (it is still found, listed and writable; a new name that looks like it
// is refused because the other row holds the key).
type NameCollision struct {
	Table  string // "organizations" or "programs"
	ID     int64
	Name   string
	HeldBy int64 // the id of the row that holds the key
}

// NameKeyChecker is a store that keeps name keys (migration 00005_name_keys). CheckNameKeys gives every row
// without a key its key, in id order, and returns the rows whose key another row already holds. The app runs it
// at start and logs each collision.
type NameKeyChecker interface {
	CheckNameKeys(ctx context.Context) ([]NameCollision, error)
}
