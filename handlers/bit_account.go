package handlers

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/anitab-org/bridge-in-tech-bff/authn"
	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/msclient"
)

// BridgeInTech's data follows the MS account it belongs to (bit/doc.go, "Accounts"): the rows of a user id are
// bound to the account MS registered at a given time, re-bound (a former account's rows forgotten) when another
// account with that id shows up, and forgotten when MS deletes the account. These are the HTTP side's calls.

// bindTimeout bounds the binding on an MS route (login, GET /user): a hung database delays those routes by at
// most this much. Once the database is known to be down (storewatch), the binding is not tried at all.
const bindTimeout = 500 * time.Millisecond

// bindAccount binds the BridgeInTech rows of the user MS's GET /user answer describes to that account, before
// the answer is used. It never fails the request: a database that does not answer is logged, and the binding
// happens at the next GET /user (bit/doc.go says what that leaves open). An account this process has bound
// already costs no database call (bit.Service remembers it).
func (s *Server) bindAccount(c *fiber.Ctx, userBody []byte) {
	if s.bit == nil || s.bit.Bound(userBody) { // nearly every call: a memory look-up, no JSON check, no context
		return
	}
	a, ok := bit.AccountOfUser(userBody)
	if !ok {
		return
	}
	if !s.bit.StoreUp() {
		s.log.Warn("account binding not checked: database down", "request_id", requestIDOf(c))
		return
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), bindTimeout)
	defer cancel()
	forgot, err := s.bit.BindAccount(ctx, a)
	switch {
	case err != nil:
		s.log.Warn("account binding not checked: database unavailable", "request_id", requestIDOf(c), "error", err)
	case forgot:
		s.log.Info("a former account's BridgeInTech data was forgotten: its user id was handed out again",
			"request_id", requestIDOf(c), "user_id", a.ID)
	}
}

// afterAccountCall follows MS's success on the caller's own account: a GET /user binds the account, a DELETE
// /user forgets its BridgeInTech data.
func (s *Server) afterAccountCall(c *fiber.Ctx, r msRoute, res *authn.Result, resp *msclient.Response) {
	if resp.Status != fiber.StatusOK || r.path != "/user" {
		return
	}
	switch r.method {
	case fiber.MethodGet:
		s.bindAccount(c, resp.Body)
	case fiber.MethodDelete:
		if id, ok := s.deletedUserID(res); ok {
			s.forgets.forget(context.WithoutCancel(c.UserContext()), requestIDOf(c), id)
		}
	}
}

// deletedUserID is the id of the account MS has just deleted with res's credential: the session's, or the
// token's identity (MS accepted the token, so its identity is MS's even when the BFF could not check it).
func (s *Server) deletedUserID(res *authn.Result) (int64, bool) {
	switch {
	case res.ViaCookie:
		return res.Session.UserID, true
	case res.UserID != 0:
		return res.UserID, true
	case res.Claims.Identity != 0:
		return res.Claims.Identity, true
	}
	b := s.auth.Bearer(res.Authorization, msclient.TokenAccess, true)
	return b.Claims.Identity, b.OK() && b.Claims.Identity != 0
}

// Retry bounds of a deleted account's forgetting when the database did not answer.
const (
	forgetRetryFirst = time.Second
	forgetRetryMax   = time.Minute
)

// accountForgetter forgets deleted accounts' BridgeInTech data. When the database does not answer at once, it
// retries in the background, backing off from first to max, for as long as the process lives: each failure is
// logged, and a forgetting still pending when the server shuts down is logged as an error (its rows stay, but
// every read about another member asks MS first, so they are not served; bit/doc.go).
type accountForgetter struct {
	svc        *bit.Service
	log        *slog.Logger
	first, max time.Duration
	life       context.Context
	end        context.CancelFunc
	wg         sync.WaitGroup
}

func newAccountForgetter(svc *bit.Service, log *slog.Logger) *accountForgetter {
	life, end := context.WithCancel(context.Background())
	return &accountForgetter{svc: svc, log: log, first: forgetRetryFirst, max: forgetRetryMax, life: life, end: end}
}

// forget forgets userID's data now, or starts the background retry.
func (f *accountForgetter) forget(ctx context.Context, reqID string, userID int64) {
	if f.svc == nil {
		return
	}
	err := f.svc.ForgetAccount(ctx, userID)
	if err == nil {
		return
	}
	f.log.Warn("a deleted account's BridgeInTech data is not forgotten yet; retrying in the background",
		"request_id", reqID, "user_id", userID, "error", err)
	f.wg.Add(1)
	go f.retry(reqID, userID)
}

func (f *accountForgetter) retry(reqID string, userID int64) {
	defer f.wg.Done()
	wait := f.first
	for attempt := 2; ; attempt++ {
		t := time.NewTimer(wait)
		select {
		case <-f.life.Done():
			t.Stop()
			f.log.Error("a deleted account's BridgeInTech data was not forgotten: the server stopped first",
				"request_id", reqID, "user_id", userID, "attempts", attempt-1)
			return
		case <-t.C:
		}
		err := f.svc.ForgetAccount(f.life, userID)
		if err == nil {
			f.log.Info("a deleted account's BridgeInTech data is forgotten", "request_id", reqID, "user_id", userID,
				"attempts", attempt)
			return
		}
		f.log.Warn("a deleted account's BridgeInTech data is still not forgotten", "request_id", reqID,
			"user_id", userID, "attempts", attempt, "error", err)
		wait = min(2*wait, f.max)
	}
}

// stop ends the retries (each logs what it leaves) and waits for them. It is the app's shutdown hook.
func (f *accountForgetter) stop() error {
	f.end()
	f.wg.Wait()
	return nil
}
