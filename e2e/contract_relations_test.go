package e2e

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

// ctRelationIDs checks a relation list's shape and answers its ids, sorted.
func ctRelationIDs(t *testing.T, a ctAnswer) []int64 {
	t.Helper()
	xs := a.array(t)
	ctAllKeys(t, "relation", xs, ctRelationKeys)
	for _, r := range xs {
		for _, side := range []string{"mentor", "mentee"} {
			u, _ := r[side].(map[string]any)
			ctKeys(t, "relation "+side, u, []string{"id", "name"})
		}
	}
	ids := ctIDs(t, xs)
	slices.Sort(ids)
	return ids
}

// ctWantRelations checks that a relation list holds exactly the relations want (any order).
func ctWantRelations(want ...int64) func(t *testing.T, a ctAnswer) {
	return func(t *testing.T, a ctAnswer) {
		t.Helper()
		w := slices.Clone(want)
		slices.Sort(w)
		if got := ctRelationIDs(t, a); !slices.Equal(got, w) {
			t.Errorf("relations %v, want %v", got, w)
		}
	}
}

// ctRelationsTable is docs/MS.md#mentorship-relations' send_request refusals and the relation lists through the BFF.
func ctRelationsTable(t *testing.T) {
	s := newCtStack(t,
		ctSeed("mia_mentor", "Mia Mentor", "admin", "mentor"),
		ctSeed("max_mentee", "Max Mentee", "mentee"),
		ctSeed("nia_neither", "Nia Neither"),
		ctSeed("oli_busy", "Oli Busy", "mentor", "mentee"),
		ctSeed("pat_busy", "Pat Busy", "mentor", "mentee"),
		ctSeed("zed_deleted", "Zed Deleted", "mentor", "mentee"),
	)
	mia, max, oli, zed := s.as("mia_mentor"), s.as("max_mentee"), s.as("oli_busy"), s.as("zed_deleted")
	miaID, maxID, niaID, oliID, patID := s.id("mia_mentor"), s.id("max_mentee"), s.id("nia_neither"), s.id("oli_busy"), s.id("pat_busy")
	// Oli mentors Pat: relation 1, accepted.
	busy := s.sendRequest(t, oli, oliID, patID, 10*ctWeek, "busy pair")
	s.as("pat_busy").must(t, 200, http.MethodPut, ctPath("/api/mentorship_relation/%d/accept", busy), nil)

	const send = "/api/mentorship_relation/send_request"
	post, get := http.MethodPost, http.MethodGet
	ok := 8 * ctWeek
	partial := func(keys ...string) map[string]any {
		full := ctRequest(miaID, maxID, s.end(ok), "partial")
		out := map[string]any{}
		for _, k := range keys {
			out[k] = full[k]
		}
		return out
	}
	const sentOK = "Mentorship relation was sent successfully."
	ctRunTable(t, []ctCase{
		// POST /mentorship_relation/send_request, refusals in the contract's order.
		{name: "send request refuses a body without mentor_id", who: max, method: post, path: send, body: partial(),
			status: 400, msg: "Mentor ID field is missing."},
		{name: "send request refuses a body without mentee_id", who: max, method: post, path: send, body: partial("mentor_id"),
			status: 400, msg: "Mentee ID field is missing."},
		{name: "send request refuses a body without end_date", who: max, method: post, path: send, body: partial("mentor_id", "mentee_id"),
			status: 400, msg: "End date field is missing."},
		{name: "send request refuses a body without notes", who: max, method: post, path: send,
			body: partial("mentor_id", "mentee_id", "end_date"), status: 400, msg: "Notes field is missing."},
		{name: "send request refuses a caller who is neither mentor nor mentee", who: max, method: post, path: send,
			body: ctRequest(miaID, niaID, s.end(ok), "n"), status: 400, msg: "Your ID has to match either Mentor or Mentee IDs."},
		{name: "send request refuses a relation with oneself", who: max, method: post, path: send,
			body: ctRequest(maxID, maxID, s.end(ok), "n"), status: 400, msg: "You cannot have a mentorship relation with yourself."},
		{name: "send request refuses an end date beyond year 9999", who: max, method: post, path: send,
			body: ctRequest(miaID, maxID, 3e11, "n"), status: 400, msg: "Validation error. End date represented by the timestamp is invalid."},
		{name: "send request refuses an end date that has passed", who: max, method: post, path: send,
			body: ctRequest(miaID, maxID, s.end(-24*time.Hour), "n"), status: 400, msg: "End date is invalid since date has passed."},
		{name: "send request refuses an end date one second over 24 weeks away", who: max, method: post, path: send,
			body: ctRequest(miaID, maxID, s.end(24*ctWeek)+1, "n"), status: 400, msg: "Mentorship relation maximum duration is 6 months."},
		{name: "send request refuses an end date one second under 4 weeks away", who: max, method: post, path: send,
			body: ctRequest(miaID, maxID, s.end(4*ctWeek)-1, "n"), status: 400, msg: "Mentorship relation minimum duration is 4 week."},
		{name: "send request refuses an unknown mentor", who: max, method: post, path: send,
			body: ctRequest(9999, maxID, s.end(ok), "n"), status: 404, msg: "Mentor user does not exist."},
		{name: "send request refuses a mentor who is not available to mentor", who: max, method: post, path: send,
			body: ctRequest(niaID, maxID, s.end(ok), "n"), status: 400, msg: "Mentor user is not available to mentor."},
		{name: "send request refuses an unknown mentee", who: mia, method: post, path: send,
			body: ctRequest(miaID, 9999, s.end(ok), "n"), status: 404, msg: "Mentee user does not exist."},
		{name: "send request refuses a mentee who does not need mentoring", who: mia, method: post, path: send,
			body: ctRequest(miaID, niaID, s.end(ok), "n"), status: 400, msg: "Mentee user is not available to be mentored."},
		{name: "send request refuses a mentor already in a relationship", who: max, method: post, path: send,
			body: ctRequest(oliID, maxID, s.end(ok), "n"), status: 400, msg: "Mentor user is already in a relationship."},
		{name: "send request refuses a mentee already in a relationship", who: mia, method: post, path: send,
			body: ctRequest(miaID, patID, s.end(ok), "n"), status: 400, msg: "Mentee user is already in a relationship."},
		{name: "send request accepts an end date exactly 4 weeks away and emails the other party", who: max, method: post, path: send,
			body: ctRequest(miaID, maxID, s.end(4*ctWeek), "four weeks"), status: 201, msg: sentOK,
			check: func(t *testing.T, a ctAnswer) {
				if !s.hasEmail("mia_mentor@example.org", emulator.EmailRelationRequest) {
					t.Errorf("no request email to mia: %+v", s.ms.Outbox())
				}
			}},
		{name: "send request accepts an end date exactly 24 weeks away", who: mia, method: post, path: send,
			body: ctRequest(miaID, maxID, s.end(24*ctWeek), "twenty-four weeks"), status: 201, msg: sentOK},
		{name: "send request does not prevent a duplicate pending request", who: max, method: post, path: send,
			body: ctRequest(miaID, maxID, s.end(4*ctWeek), "four weeks"), status: 201, msg: sentOK},

		// GET /mentorship_relations and the relation_state filter.
		{name: "relations lists the caller's relations with sent_by_me from the caller's side", who: max, method: get,
			path: "/api/mentorship_relations", status: 200, check: func(t *testing.T, a ctAnswer) {
				ctWantRelations(2, 3, 4)(t, a)
				for _, r := range a.array(t) {
					mine := ctNum(t, r["action_user_id"]) == maxID
					if r["sent_by_me"] != mine || ctNum(t, r["state"]) != 1 || r["accept_date"] != nil || r["start_date"] != nil {
						t.Errorf("relation %v", r)
					}
					if m := r["mentor"].(map[string]any); ctNum(t, m["id"]) != miaID || m["name"] != "Mia Mentor" {
						t.Errorf("mentor %v", m)
					}
				}
			}},
		{name: "relations filters by relation_state", who: mia, method: get, path: "/api/mentorship_relations?relation_state=pending",
			status: 200, check: ctWantRelations(2, 3, 4)},
		{name: "relations filters case-insensitively", who: oli, method: get, path: "/api/mentorship_relations?relation_state=ACCEPTED",
			status: 200, check: ctWantRelations(busy)},
		{name: "relations with an empty relation_state does not filter", who: oli, method: get, path: "/api/mentorship_relations?relation_state=",
			status: 200, check: ctWantRelations(busy)},
		{name: "relations with a filter that matches nothing is empty", who: mia, method: get,
			path: "/api/mentorship_relations?relation_state=completed", status: 200, check: ctWantRelations()},
		{name: "relations refuses an unknown relation_state with 400 and an empty list", who: mia, method: get,
			path: "/api/mentorship_relations?relation_state=bogus", status: 400, check: func(t *testing.T, a ctAnswer) {
				var xs []any
				if err := json.Unmarshal(a.body, &xs); err != nil || xs == nil || len(xs) != 0 {
					t.Errorf("body %s, want []", a.body)
				}
			}},
		{name: "relations refuses a query without relation_state as a bad request", who: mia, method: get,
			path: "/api/mentorship_relations?x=1", status: 400,
			check: func(t *testing.T, a ctAnswer) {
				if m := a.message(); m != "The browser (or proxy) sent a request that this server could not understand." || !a.msCalled {
					t.Errorf("body %s", a.body)
				}
			}},

		// GET /mentorship_relations/pending, /past, /current.
		{name: "pending lists sent and received pending requests", who: mia, method: get, path: "/api/mentorship_relations/pending",
			status: 200, check: ctWantRelations(2, 3, 4)},
		{name: "past is empty while no end date has passed", who: mia, method: get, path: "/api/mentorship_relations/past",
			status: 200, check: ctWantRelations()},
		{name: "current without an accepted relation answers 200 with a message", who: mia, method: get,
			path: "/api/mentorship_relations/current", status: 200,
			check: func(t *testing.T, a ctAnswer) {
				if !a.isMessage() || a.message() != "You are not in a current mentorship relation." {
					t.Errorf("body %s", a.body)
				}
			}},
		{name: "current answers the accepted relation", who: oli, method: get, path: "/api/mentorship_relations/current", status: 200,
			check: func(t *testing.T, a ctAnswer) {
				m := a.object(t)
				ctKeys(t, "relation", m, ctRelationKeys)
				if ctNum(t, m["id"]) != busy || ctNum(t, m["state"]) != 2 || m["sent_by_me"] != true {
					t.Errorf("current %v", m)
				}
			}},

		// A deleted caller whose session is still valid.
		{name: "current of a deleted user says the user does not exist", who: zed, method: get, path: "/api/mentorship_relations/current",
			before: func(t *testing.T) { s.deleteAtMS(t, "zed_deleted") },
			status: 404, msg: "User does not exist."},
		{name: "relations of a deleted user is 404 with one all-null relation", who: zed, method: get, path: "/api/mentorship_relations",
			status: 404, check: func(t *testing.T, a ctAnswer) {
				m := a.object(t)
				ctKeys(t, "relation", m, ctRelationKeys)
				if m["id"] != nil || m["state"] != nil {
					t.Errorf("body %v", m)
				}
			}},
		{name: "accept by a deleted user says the user does not exist", who: zed, method: http.MethodPut,
			path: "/api/mentorship_relation/2/accept", status: 404, msg: "User does not exist."},
	})
}
