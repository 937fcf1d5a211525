// Package authn decides who a request acts for: it opens the session cookie or reads the Bearer header, refreshes
// a session's access token through MS, checks revocations (in memory) and the idle and absolute timeouts, and
// answers with one Result that the HTTP side turns into an answer (docs/SESSIONS.md).
package authn

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/anitab-org/bridge-in-tech-bff/internal/ledger"
	"github.com/anitab-org/bridge-in-tech-bff/msclient"
	"github.com/anitab-org/bridge-in-tech-bff/revocation"
	"github.com/anitab-org/bridge-in-tech-bff/secret"
	"github.com/anitab-org/bridge-in-tech-bff/session"
)

// RefreshAhead is how close to expiry an access token is refreshed before use.
const RefreshAhead = 30 * time.Second

// ActivityStep is how stale the cookie's last activity may get before a request re-seals it: the idle timeout
// is exact to within this step, and an ordinary request does not re-seal the cookie on every answer.
const ActivityStep = 5 * time.Minute

// Revocations is the memory copy of the revocations (revocation.Mirror).
type Revocations interface {
	// Revoked reports whether the session id of userID that logged in at loginAt has been ended.
	Revoked(userID int64, id revocation.SessionID, loginAt time.Time) bool
	// Ready reports whether the revocations have been loaded from the database at least once.
	Ready() bool
}

// Revoker ends sessions: at once in this instance's memory, then in the database (revocation.Revoker).
type Revoker interface {
	Revoke(ctx context.Context, e revocation.Entry) error
}

// Observer receives the resolver's counts (handlers.Observer has these two methods).
type Observer interface {
	// Refresh counts refreshes by outcome: "done", "refused", "failed".
	Refresh(outcome string)
	// CookieRejected counts session cookies refused, by reason.
	CookieRejected(reason string)
}

// Config is what a Resolver is built from. Codec and MS are required.
type Config struct {
	Codec *session.Codec
	MS    *msclient.Client
	// Revocations is the memory copy checked on every cookie request; nil means nothing is revoked.
	Revocations Revocations
	// Revoker ends a session MS refused; nil means the session is only cleared from its browser.
	Revoker Revoker
	// VerifyBearer says MS_JWT_SECRET is set: Bearer tokens are checked here.
	VerifyBearer bool
	// IdleTimeout and AbsoluteTimeout end a session after a time without requests and a time after its login;
	// zero turns one off.
	IdleTimeout, AbsoluteTimeout time.Duration
	// MSRecheck bounds how long a BridgeInTech route trusts a session MS last accepted without asking MS again.
	MSRecheck time.Duration
	Now       func() time.Time
	Logger    *slog.Logger
	Observer  Observer
}

// Resolver turns a request's credentials into a Result. Safe for concurrent use; it keeps no per-user state
// beyond the in-flight refresh calls it shares.
type Resolver struct {
	cfg     Config
	started time.Time // sessions that logged in from here on are accepted while revocations are not loaded
	refresh singleflight.Group
}

// New makes a Resolver.
func New(cfg Config) *Resolver {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	// Login times are whole seconds: a session that logged in during this process's first second has the
	// second it started in, and is this process's own.
	return &Resolver{cfg: cfg, started: cfg.Now().UTC().Truncate(time.Second)}
}

// Now is the resolver's clock.
func (r *Resolver) Now() time.Time { return r.cfg.Now() }

// Request is what the resolver needs of one HTTP request.
type Request struct {
	// Cookie is the session cookie's value; CookieNamed says the request names the cookie at all (a named
	// cookie with an empty Cookie is malformed or empty: refused and cleared).
	Cookie      string
	CookieNamed bool
	// Authorization is the request's own Authorization header, or empty.
	Authorization secret.String
	RequestID     string
	// CallsMS says the request will call MS with the session's access token: one about to expire is refreshed
	// first.
	CallsMS bool
	// Identity says the caller's user id must be known and verified (BridgeInTech routes). Without
	// MS_JWT_SECRET a Bearer token's id is then asked of MS (GET /user).
	Identity bool
	// Write says a BridgeInTech write: a Bearer token is confirmed with MS first even when verified here, so
	// the token of a deleted account cannot write.
	Write bool
	// Recheck says a BridgeInTech route that makes no MS call: a cookie session MS last accepted more than
	// MSRecheck ago is asked of MS again (GET /user) first.
	Recheck bool
}

// Result is the resolver's one answer: who, which session, what MS gets, what the cookie becomes, or why not.
type Result struct {
	UserID        int64
	Authorization secret.String   // the Authorization header MS gets
	Claims        msclient.Claims // a Bearer token's claims, when they were read
	ViaCookie     bool
	ViaHandle     bool            // a legacy client's handle named the cookie's session (ViaCookie too)
	Session       session.Session // the cookie session (ViaCookie), as it is to be re-sealed
	Name          string          // the user's MS name, when GET /user was asked on the way
	UserBody      []byte          // MS's GET /user answer, when it was asked on the way (the caller binds the account)
	Reseal        bool            // the cookie must be written on this answer
	Clear         bool            // the cookie must be cleared on this answer
	Refreshed     bool            // the access token was refreshed for this request
	Refusal       *Refusal        // nil: the request may proceed
}

// OK reports whether the request may proceed.
func (r *Result) OK() bool { return r.Refusal == nil }

// Kind is why a request is refused.
type Kind int

// The refusals.
const (
	NoSession       Kind = iota + 1 // no cookie and no Authorization header
	BadSession                      // the cookie did not open (Reason says why)
	Expired                         // the session's refresh token has expired
	IdleTimeout                     // no request for longer than IDLE timeout
	AbsoluteTimeout                 // logged in longer ago than the absolute timeout
	Revoked                         // the session was ended (logout, password change, sign out everywhere...)
	NotLoaded                       // the revocations are not loaded yet and the session is older than this process
	TokenInvalid                    // a Bearer token that is no good
	TokenExpired                    // a Bearer token that has expired
	MSRefused                       // MS refused (MS holds its answer, passed through)
	Upstream                        // MS gave no answer (Err holds the msclient error)
	MSBadAnswer                     // MS answered something the BFF cannot read
)

// Refusal is why a request is refused.
type Refusal struct {
	Kind   Kind
	Reason string             // BadSession: the cookie's reason, for metrics and logs
	MS     *msclient.Response // MSRefused: MS's answer
	Err    error              // Upstream: the msclient error
}

func refuse(k Kind) *Refusal { return &Refusal{Kind: k} }

// Resolve decides who the request acts for.
func (r *Resolver) Resolve(ctx context.Context, q Request) Result {
	if !q.Authorization.Empty() {
		if h, ok := HandleOf(q.Authorization); ok {
			return r.handled(ctx, q, h)
		}
		if res, ok := r.expiredBearerFallback(ctx, q, false); ok {
			return res
		}
		return r.bearer(ctx, q)
	}
	if q.Cookie == "" {
		if q.CookieNamed {
			r.cfg.Observer.CookieRejected(string(session.ReasonEmpty))
			return Result{Clear: true, Refusal: &Refusal{Kind: BadSession, Reason: string(session.ReasonEmpty)}}
		}
		return Result{Refusal: refuse(NoSession)}
	}
	sess, stale, err := r.cfg.Codec.Open(q.Cookie)
	if err != nil {
		reason := "unknown"
		var oe *session.OpenError
		if errors.As(err, &oe) {
			reason = string(oe.Reason)
		}
		r.cfg.Observer.CookieRejected(reason)
		r.cfg.Logger.Info("session cookie rejected", "request_id", q.RequestID, "reason", reason)
		return Result{Clear: true, Refusal: &Refusal{Kind: BadSession, Reason: reason}}
	}
	return r.cookieSession(ctx, q, sess, stale)
}

// cookieSession checks an opened cookie session (expiry, timeouts, revocation), refreshes it when the request
// calls MS with it, and re-asks MS about it when a BridgeInTech route has trusted it long enough.
func (r *Resolver) cookieSession(ctx context.Context, q Request, sess session.Session, stale bool) Result {
	now := r.cfg.Now()
	if k, reason := r.ended(sess, now); k != 0 {
		if k != NotLoaded {
			r.cfg.Observer.CookieRejected(reason)
		}
		return Result{UserID: sess.UserID, Session: sess, ViaCookie: true, Clear: k != NotLoaded, Refusal: refuse(k)}
	}
	res := Result{UserID: sess.UserID, Session: sess, ViaCookie: true, Reseal: stale}
	if !sess.Legacy() && now.Sub(sess.ActiveAt) >= ActivityStep {
		res.Session.ActiveAt, res.Reseal = now.UTC().Truncate(time.Second), true
	}
	recheck := q.Recheck && (sess.Legacy() || now.Sub(sess.MSCheckedAt) >= r.cfg.MSRecheck)
	if (q.CallsMS || recheck) && sess.AccessExpiresWithin(now, RefreshAhead) {
		if r.Refresh(ctx, &res, q.RequestID); !res.OK() {
			return res
		}
	}
	if recheck {
		r.recheck(ctx, &res, q.RequestID)
		if !res.OK() {
			return res
		}
	}
	if res.Reseal {
		r.upgrade(&res.Session, now)
	}
	res.Authorization = msclient.AuthorizationBearer(res.Session.AccessToken)
	return res
}

// ended says whether a session is over at now, and the metric reason; 0 when it is alive.
func (r *Resolver) ended(sess session.Session, now time.Time) (Kind, string) {
	switch {
	case !sess.RefreshExp.After(now):
		return Expired, "expired"
	case !sess.Legacy() && r.cfg.AbsoluteTimeout > 0 && !now.Before(sess.LoginAt.Add(r.cfg.AbsoluteTimeout)):
		return AbsoluteTimeout, "absolute_timeout"
	case !sess.Legacy() && r.cfg.IdleTimeout > 0 && !now.Before(sess.ActiveAt.Add(r.cfg.IdleTimeout)):
		return IdleTimeout, "idle_timeout"
	}
	if rv := r.cfg.Revocations; rv != nil && !ledger.NoRevocation {
		if !rv.Ready() && (sess.Legacy() || sess.LoginAt.Before(r.started)) {
			return NotLoaded, ""
		}
		if rv.Revoked(sess.UserID, IDOf(sess), sess.LoginAt) {
			return Revoked, "revoked"
		}
	}
	return 0, ""
}

// IsRevoked reports whether the memory copy holds the session as ended (false when none is kept).
func (r *Resolver) IsRevoked(userID int64, id revocation.SessionID, loginAt time.Time) bool {
	return r.cfg.Revocations != nil && r.cfg.Revocations.Revoked(userID, id, loginAt)
}

// IDOf is the id that names s in revocations. A legacy session (a cookie from before session ids) has none sealed
// in: its id is derived from its refresh token (which MS never changes for a session), so every copy of one legacy
// cookie has the same id, a logout of one ends them all, and the id it gets at its re-seal is that one too.
func IDOf(s session.Session) revocation.SessionID {
	if !s.Legacy() {
		return s.ID
	}
	h := sha256.New()
	h.Write([]byte(legacyIDContext))
	h.Write([]byte(s.RefreshToken.Reveal()))
	var id revocation.SessionID
	copy(id[:], h.Sum(nil))
	return id
}

// legacyIDContext separates IDOf's hash from any other use of SHA-256 over a token.
const legacyIDContext = "bridge-in-tech-bff legacy session id v1\x00"

// upgrade gives a legacy session its id (IDOf) and times when it is re-sealed anyway. Its login time is unknown:
// it counts from now; the revocations of its user were checked just before with a login time of zero (any
// per-user cutoff ends a legacy session).
func (r *Resolver) upgrade(s *session.Session, now time.Time) {
	if !s.Legacy() {
		return
	}
	now = now.UTC().Truncate(time.Second)
	s.ID, s.LoginAt, s.ActiveAt = IDOf(*s), now, now
	if s.MSCheckedAt.IsZero() {
		s.MSCheckedAt = now
	}
}

// NewSession is the session a login creates: a fresh id, logged in, accepted by MS and active at now. Per-user
// revocations count whole seconds ("every session that logged in before T", T the second after the event), so a
// login in the same second as a password change or "sign out everywhere" that this instance already knows of
// would be ended at once: its login time is then moved to that next second.
func (r *Resolver) NewSession(userID int64, tokens msclient.Tokens) session.Session {
	now := r.cfg.Now().UTC().Truncate(time.Second)
	s := session.Session{
		UserID:       userID,
		AccessToken:  tokens.Access,
		RefreshToken: tokens.Refresh,
		AccessExp:    tokens.AccessClaims.Expires,
		RefreshExp:   tokens.RefreshClaims.Expires,
		ID:           session.NewID(),
		LoginAt:      now,
		MSCheckedAt:  now,
		ActiveAt:     now,
	}
	if r.IsRevoked(userID, s.ID, s.LoginAt) {
		s.LoginAt = now.Add(time.Second)
	}
	return s
}

// Cutoff is the Before of a per-user revocation made at now: the next whole second, so every session that logged
// in up to now is before it.
func (r *Resolver) Cutoff() time.Time {
	return r.cfg.Now().UTC().Truncate(time.Second).Add(time.Second)
}

// End is the moment a session is over whatever happens: its refresh token's expiry, or the absolute timeout.
func (r *Resolver) End(s session.Session) time.Time {
	if r.cfg.AbsoluteTimeout > 0 && !s.Legacy() {
		if abs := s.LoginAt.Add(r.cfg.AbsoluteTimeout); abs.Before(s.RefreshExp) {
			return abs
		}
	}
	return s.RefreshExp
}

// refreshResult is what one shared MS refresh produced.
type refreshResult struct {
	access  secret.String
	expires time.Time
	refused *msclient.Response
}

// Refresh refreshes the cookie session's access token through MS. Concurrent requests of one session share one
// MS call. On failure res carries the refusal (MS's refusal with its cookie cleared on a 401, or MS trouble).
func (r *Resolver) Refresh(ctx context.Context, res *Result, requestID string) {
	key := sha256.Sum256([]byte(res.Session.RefreshToken.Reveal()))
	refresh, userID := res.Session.RefreshToken, res.Session.UserID
	// The shared call must not die with whichever request started it, so it runs detached from that request;
	// msclient still bounds it with MS_TIMEOUT.
	dctx := context.WithoutCancel(ctx)
	v, ferr, _ := r.refresh.Do(string(key[:]), func() (any, error) {
		access, refused, err := r.cfg.MS.Refresh(dctx, refresh, requestID)
		if err != nil {
			return nil, err
		}
		if refused != nil {
			return refreshResult{refused: refused}, nil
		}
		claims, err := r.cfg.MS.ParseToken(access, msclient.TokenAccess)
		if err != nil {
			return nil, &msclient.UpstreamError{Kind: msclient.KindBadAnswer, Err: err}
		}
		if claims.Identity != userID {
			return nil, &msclient.UpstreamError{Kind: msclient.KindBadAnswer, Err: errors.New("refreshed token names another user")}
		}
		return refreshResult{access: access, expires: claims.Expires}, nil
	})
	if ferr != nil {
		r.cfg.Observer.Refresh("failed")
		res.Refusal = &Refusal{Kind: Upstream, Err: ferr}
		return
	}
	rr := v.(refreshResult)
	if rr.refused != nil {
		r.cfg.Observer.Refresh("refused")
		res.Refusal = &Refusal{Kind: MSRefused, MS: rr.refused}
		if rr.refused.Status == 401 {
			r.Refused(ctx, res, requestID)
		}
		return
	}
	r.cfg.Observer.Refresh("done")
	now := r.cfg.Now().UTC().Truncate(time.Second)
	res.Session.AccessToken, res.Session.AccessExp = rr.access, rr.expires
	if !res.Session.Legacy() {
		res.Session.MSCheckedAt = now
	}
	res.Authorization = msclient.AuthorizationBearer(rr.access)
	res.Reseal, res.Refreshed = true, true
	r.upgrade(&res.Session, now)
}

// Refused handles MS refusing a cookie session's tokens as no good (its secret changed, the user is gone, the
// refresh did not help): the session ends everywhere (when it has an id) and its cookie is cleared.
func (r *Resolver) Refused(ctx context.Context, res *Result, requestID string) {
	res.Clear, res.Reseal = true, false
	if !res.ViaCookie || r.cfg.Revoker == nil {
		return
	}
	e := revocation.Entry{SessionID: IDOf(res.Session), UserID: res.Session.UserID, Until: r.End(res.Session)}
	if err := r.cfg.Revoker.Revoke(context.WithoutCancel(ctx), e); err != nil {
		r.cfg.Logger.Warn("a session MS refused is ended here; storing its revocation is retried",
			"request_id", requestID, "error", err)
	}
}

// recheck asks MS about a cookie session (GET /user) and remembers when MS accepted it.
func (r *Resolver) recheck(ctx context.Context, res *Result, requestID string) {
	resp, err := r.cfg.MS.Do(ctx, msclient.Request{
		Method: "GET", Path: "/user", RequestID: requestID, Route: "GET /user",
		Authorization: msclient.AuthorizationBearer(res.Session.AccessToken),
	})
	if err != nil {
		res.Refusal = &Refusal{Kind: Upstream, Err: err}
		return
	}
	if resp.Status != 200 {
		res.Refusal = &Refusal{Kind: MSRefused, MS: resp}
		if resp.Status == 401 || resp.Status == 404 {
			r.Refused(ctx, res, requestID)
		}
		return
	}
	id, name, ok := userOf(resp)
	if !ok || id != res.Session.UserID {
		r.cfg.Logger.Error("MS /user named no user or another user than the session", "request_id", requestID)
		res.Refusal = refuse(MSBadAnswer)
		return
	}
	res.Name, res.UserBody = name, resp.Body
	res.Session.MSCheckedAt = r.cfg.Now().UTC().Truncate(time.Second)
	res.Reseal = true
}

// userOf reads the id and name of MS's GET /user answer.
func userOf(resp *msclient.Response) (id int64, name string, ok bool) {
	var who struct {
		ID   *int64 `json:"id"`
		Name string `json:"name"`
	}
	if json.Unmarshal(resp.Body, &who) != nil || who.ID == nil {
		return 0, "", false
	}
	return *who.ID, who.Name, true
}

// bearer resolves a request that carries its own Authorization header (and no cookie that serves it).
func (r *Resolver) bearer(ctx context.Context, q Request) Result {
	res := r.Bearer(q.Authorization, msclient.TokenAccess, false)
	if !res.OK() {
		return res
	}
	if !q.Identity {
		return res
	}
	if r.cfg.VerifyBearer && !q.Write {
		return res
	}
	// Without the secret MS says whose token it is; with it, a write is confirmed with MS first, so the token of
	// an account deleted since it was issued cannot write.
	resp, err := r.cfg.MS.Do(ctx, msclient.Request{
		Method: "GET", Path: "/user", Authorization: q.Authorization, RequestID: q.RequestID, Route: "GET /user",
	})
	if err != nil {
		return Result{Refusal: &Refusal{Kind: Upstream, Err: err}}
	}
	if resp.Status != 200 {
		return Result{Refusal: &Refusal{Kind: MSRefused, MS: resp}}
	}
	id, name, ok := userOf(resp)
	if !ok || (res.Claims.Type != "" && id != res.Claims.Identity) {
		r.cfg.Logger.Error("MS /user answered without a user id, or for another user", "request_id", q.RequestID)
		return Result{Refusal: refuse(MSBadAnswer)}
	}
	res.UserID, res.Name, res.UserBody = id, name, resp.Body
	return res
}

// Bearer takes a request's own Authorization header as the credential. With MS_JWT_SECRET the token is checked
// here first (signature, HS256 only, expiry, type), so forged or expired tokens never reach MS. needClaims reads
// the claims even without the secret (unverified then: UserID stays 0). Claims is left zero when not read.
func (r *Resolver) Bearer(h secret.String, wantType string, needClaims bool) Result {
	res := Result{Authorization: h}
	if !needClaims && !r.cfg.VerifyBearer {
		return res
	}
	tok, ok := BearerToken(h)
	if !ok {
		return Result{Refusal: refuse(TokenInvalid)}
	}
	claims, err := r.cfg.MS.ParseToken(tok, wantType)
	if err != nil {
		if errors.Is(err, msclient.ErrTokenExpired) {
			return Result{Refusal: refuse(TokenExpired)}
		}
		return Result{Refusal: refuse(TokenInvalid)}
	}
	res.Claims = claims
	if r.cfg.VerifyBearer { // an unverified id is never used
		res.UserID = claims.Identity
	}
	return res
}

// BearerToken splits "Bearer <jwt>" the way MS does: exactly two whitespace-separated parts, "Bearer" as written.
func BearerToken(h secret.String) (secret.String, bool) {
	parts := strings.Fields(h.Reveal())
	if len(parts) != 2 || parts[0] != "Bearer" {
		return "", false
	}
	return secret.String(parts[1]), true
}

// ExpiredBearerFallback serves a legacy client's request after MS called its Bearer token expired: when the
// request's cookie is a live session of the token's user, that session acts. ok is false when it does not apply.
func (r *Resolver) ExpiredBearerFallback(ctx context.Context, q Request) (Result, bool) {
	return r.expiredBearerFallback(ctx, q, true)
}

// expiredBearerFallback keeps legacy Bearer clients logged in. The old React app keeps the access token from its
// login answer and sends it as Authorization: Bearer for ever, but its requests also carry the session cookie.
// When the header's token has expired (by its own exp, or because MS just said so: msSaysExpired) and the cookie
// opens, is live and belongs to the same user as the token's identity, the request is served with the cookie's
// session, refreshed as usual. Without MS_JWT_SECRET the token's identity is read unverified. That grants
// nothing: the request then acts with the cookie's own session, which the same browser already holds; the token
// only decides whether it may.
func (r *Resolver) expiredBearerFallback(ctx context.Context, q Request, msSaysExpired bool) (Result, bool) {
	if q.Cookie == "" {
		return Result{}, false
	}
	identity, expired := r.expiredBearerIdentity(q.Authorization)
	if !expired && !msSaysExpired {
		return Result{}, false
	}
	sess, stale, err := r.cfg.Codec.Open(q.Cookie)
	if err != nil || sess.UserID != identity || !sess.RefreshExp.After(r.cfg.Now()) {
		return Result{}, false
	}
	r.cfg.Logger.Debug("an expired Bearer token is served with its user's session cookie", "request_id", q.RequestID)
	return r.cookieSession(ctx, q, sess, stale), true
}

// expiredBearerIdentity reads an access token's identity from an Authorization header and whether the token has
// expired by the BFF's clock. A token that is not a well-formed MS access token (or, with MS_JWT_SECRET, not
// genuine) has no identity: 0.
func (r *Resolver) expiredBearerIdentity(h secret.String) (identity int64, expired bool) {
	tok, ok := BearerToken(h)
	if !ok {
		return 0, false
	}
	claims, err := r.cfg.MS.ParseToken(tok, msclient.TokenAccess)
	switch {
	case errors.Is(err, msclient.ErrTokenExpired) && claims.Type == msclient.TokenAccess:
		return claims.Identity, true
	case err != nil || claims.Type != msclient.TokenAccess:
		return 0, false
	}
	return claims.Identity, !claims.Expires.After(r.cfg.Now())
}

type nopObserver struct{}

func (nopObserver) Refresh(string)        {}
func (nopObserver) CookieRejected(string) {}
