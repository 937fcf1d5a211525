package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/emulator"
	"github.com/anitab-org/bridge-in-tech-bff/internal/testkit"
)

// withMemberRows gives the logged-in client's user (id) additional info and a public personal background.
func withMemberRows(t *testing.T, c *client) {
	t.Helper()
	if a := c.do(http.MethodPut, "/api/user/additional_info", validAdditionalInfo("+44 20 7946 0000")); a.Status != http.StatusCreated {
		t.Fatalf("additional info: %d %s", a.Status, a.Body)
	}
	bg := map[string]any{"gender": "Female", "age": "Under 18", "ethnicity": "Asian", "sexual_orientation": "Other",
		"religion": "Other", "physical_ability": "Other", "mental_ability": "Other", "socio_economic": "Other",
		"highest_education": "Other", "years_of_experience": "Less than a year", "gender_other": "",
		"ethnicity_other": "", "sexual_orientation_other": "", "religion_other": "", "physical_ability_other": "",
		"mental_ability_other": "", "socio_economic_other": "", "highest_education_other": "", "is_public": true}
	if a := c.do(http.MethodPut, "/api/user/personal_background", bg); a.Status != http.StatusCreated {
		t.Fatalf("personal background: %d %s", a.Status, a.Body)
	}
}

// formerAccountRows makes user 1's rows (c is logged in as user 1) another account's: bound to a registration
// time this MS's user 1 does not have, as after MS handed id 1 out again.
func formerAccountRows(t *testing.T, s *stack, c *client) {
	t.Helper()
	if err := s.bff.bit.ForgetAccount(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	withMemberRows(t, c)
	forgot, err := s.bff.bit.BindAccount(t.Context(), bit.Account{ID: 1, Registered: time.Unix(1_000_000_000, 0)})
	if err != nil || forgot {
		t.Fatalf("binding the rows to the former account: forgot %v, %v", forgot, err)
	}
}

func TestDeletingTheAccountForgetsItsBridgeInTechDataInTheDatabase(t *testing.T) {
	s := newStack(t, stackOpts{bit: true})
	users := emulator.LoadUsers(3)
	gone, other := s.newClient(), s.newClient()
	gone.mustLogin(users[1]) // user 1 is MS's only admin, who may not delete their account
	other.mustLogin(users[2])
	withMemberRows(t, gone)
	if a := other.do(http.MethodGet, "/api/users/2/personal_background", nil); a.Status != http.StatusOK {
		t.Fatalf("before the deletion: %d %s", a.Status, a.Body)
	}
	if a := gone.do(http.MethodDelete, "/api/user", nil); a.Status != http.StatusOK {
		t.Fatalf("DELETE /api/user: %d %s", a.Status, a.Body)
	}
	// The store itself, not only the reads that ask MS: the rows are gone.
	if _, err := s.bff.bit.AdditionalInfo(t.Context(), 2); bit.ErrorStatus(err) != http.StatusNotFound {
		t.Errorf("additional info of the deleted account: %v, want not found", err)
	}
	if _, err := s.bff.bit.PersonalBackground(t.Context(), 2); bit.ErrorStatus(err) != http.StatusNotFound {
		t.Errorf("personal background of the deleted account: %v, want not found", err)
	}
	a := other.do(http.MethodGet, "/api/users/2/personal_background", nil)
	if a.Status != http.StatusNotFound {
		t.Errorf("another member reading it: %d %s, want 404", a.Status, a.Body)
	}
}

func TestLoginWithAReusedIDForgetsTheFormerAccountsRows(t *testing.T) {
	s := newStack(t, stackOpts{bit: true})
	users := emulator.LoadUsers(3)
	c := s.newClient()
	c.mustLogin(users[0])
	formerAccountRows(t, s, c)
	c.mustLogin(users[0])
	for _, path := range []string{"/api/user/additional_info", "/api/user/personal_background"} {
		if a := c.do(http.MethodGet, path, nil); a.Status != http.StatusNotFound {
			t.Errorf("GET %s after logging in as the newcomer: %d %s, want 404", path, a.Status, a.Body)
		}
	}
	t.Run("the newcomer's own rows stay theirs at the next login and GET /user", func(t *testing.T) {
		withMemberRows(t, c)
		c.mustLogin(users[0])
		if a := c.do(http.MethodGet, "/api/user", nil); a.Status != http.StatusOK {
			t.Fatalf("GET /api/user: %d", a.Status)
		}
		if a := c.do(http.MethodGet, "/api/user/additional_info", nil); a.Status != http.StatusOK {
			t.Errorf("GET /api/user/additional_info: %d %s, want 200", a.Status, a.Body)
		}
	})
}

func TestGetUserThroughTheBFFBindsTheAccount(t *testing.T) {
	s := newStack(t, stackOpts{bit: true})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(3)[0])
	formerAccountRows(t, s, c)
	if a := c.do(http.MethodGet, "/api/user", nil); a.Status != http.StatusOK {
		t.Fatalf("GET /api/user: %d", a.Status)
	}
	if a := c.do(http.MethodGet, "/api/user/personal_background", nil); a.Status != http.StatusNotFound {
		t.Errorf("after GET /api/user with another registration time: %d %s, want 404", a.Status, a.Body)
	}
}

// flakyStore is a Store whose ForgetAccount fails (the database is down) until it has been called failures+1
// times; forgotten receives the id then.
type flakyStore struct {
	bit.Store
	failures  int32
	calls     atomic.Int32
	forgotten chan int64
}

func (f *flakyStore) ForgetAccount(_ context.Context, id int64) error {
	if f.calls.Add(1) <= f.failures {
		return bit.ErrUnavailable
	}
	f.forgotten <- id
	return nil
}

func TestAForgettingTheDatabaseRefusesIsRetriedUntilItIsStored(t *testing.T) {
	store := &flakyStore{failures: 4, forgotten: make(chan int64, 1)}
	logs := &testkit.SyncBuffer{}
	f := newAccountForgetter(bit.NewService(store, bit.Options{}), slog.New(slog.NewJSONHandler(logs, nil)))
	f.first, f.max = time.Millisecond, 4*time.Millisecond
	f.forget(t.Context(), "req-1", 42)
	if got := <-store.forgotten; got != 42 {
		t.Errorf("forgot %d, want 42", got)
	}
	if err := f.stop(); err != nil {
		t.Fatal(err)
	}
	if n := store.calls.Load(); n != 5 {
		t.Errorf("%d calls, want 5 (4 refused, then stored)", n)
	}
	if out := logs.String(); !strings.Contains(out, "retrying in the background") || !strings.Contains(out, `"attempts":5`) {
		t.Errorf("the log does not tell the retries and the success: %s", out)
	}
}

func TestAForgettingStillPendingAtShutdownIsLoggedAsAnError(t *testing.T) {
	store := &flakyStore{failures: 1 << 30, forgotten: make(chan int64, 1)}
	logs := &testkit.SyncBuffer{}
	f := newAccountForgetter(bit.NewService(store, bit.Options{}), slog.New(slog.NewJSONHandler(logs, nil)))
	f.first = time.Hour // the retry waits: shutdown comes first
	f.forget(t.Context(), "req-2", 7)
	if err := f.stop(); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if !strings.Contains(out, `"level":"ERROR"`) || !strings.Contains(out, "was not forgotten") || !strings.Contains(out, `"user_id":7`) {
		t.Errorf("the pending forgetting is not logged as an error: %s", out)
	}
}
