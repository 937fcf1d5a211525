package emulator

import (
	"math"
	"net/http"
	"reflect"
	"strings"
	"time"
)

// Relation messages shared by several endpoints.
const (
	msgRequestDoesNotExist  = "This mentorship relation request does not exist."
	msgNotPending           = "This mentorship relation is not in the pending state."
	msgNotAccepted          = "This mentorship relation status is not in the accepted state."
	msgRelationDoesNotExist = "Mentorship relation does not exist."
	msgNotInvolved          = "You are not involved in this mentorship relation."
)

// Relation duration limits (MS: 4 weeks to 24 weeks from now).
const (
	minRelationDuration = 4 * 7 * 24 * time.Hour
	maxRelationDuration = 24 * 7 * 24 * time.Hour
)

// Python's datetime.fromtimestamp accepts years 1 to 9999; beyond time_t it raises OverflowError (a 500).
const (
	minTimestamp = -62135596800
	maxTimestamp = 253402300799.999999
	timeTLimit   = 9.223372036854775807e18
)

// sendRequest is POST /mentorship_relation/send_request.
func (s *Server) sendRequest(c *call) reply {
	v, present, ok := c.json()
	if !ok {
		return errBadJSON()
	}
	if !present {
		v = nil
	}
	for _, f := range []struct{ key, text string }{
		{"mentor_id", "Mentor ID field is missing."}, {"mentee_id", "Mentee ID field is missing."},
		{"end_date", "End date field is missing."}, {"notes", "Notes field is missing."},
	} {
		has, ok := pyIn(f.key, v)
		if !ok {
			return internalError()
		}
		if !has {
			return msg(http.StatusBadRequest, f.text)
		}
	}
	body, isObj := v.(map[string]any)
	if !isObj {
		return internalError() // data["mentor_id"] on a list or string
	}
	mentorV, menteeV, endV := body["mentor_id"], body["mentee_id"], body["end_date"]
	if !equalsID(mentorV, c.uid) && !equalsID(menteeV, c.uid) {
		return msg(http.StatusBadRequest, "Your ID has to match either Mentor or Mentee IDs.")
	}
	if pyEqual(mentorV, menteeV) {
		return msg(http.StatusBadRequest, "You cannot have a mentorship relation with yourself.")
	}
	end, isNum := numberValue(endV)
	if !isNum || math.Abs(end) >= timeTLimit {
		return internalError() // fromtimestamp raises TypeError or OverflowError, not ValueError
	}
	if end < minTimestamp || end > maxTimestamp {
		return msg(http.StatusBadRequest, "Validation error. End date represented by the timestamp is invalid.")
	}
	end = math.Round(end*1e6) / 1e6
	now := unixFloat(c.now)
	switch d := end - now; {
	case end < now:
		return msg(http.StatusBadRequest, "End date is invalid since date has passed.")
	case d > maxRelationDuration.Seconds():
		return msg(http.StatusBadRequest, "Mentorship relation maximum duration is 6 months.")
	case d < minRelationDuration.Seconds():
		return msg(http.StatusBadRequest, "Mentorship relation minimum duration is 4 week.")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	mentor, mentee := s.userByValue(mentorV), s.userByValue(menteeV)
	switch {
	case mentor == nil:
		return msg(http.StatusNotFound, "Mentor user does not exist.")
	case !mentor.AvailableToMentor:
		return msg(http.StatusBadRequest, "Mentor user is not available to mentor.")
	case mentee == nil:
		return msg(http.StatusNotFound, "Mentee user does not exist.")
	case !mentee.NeedMentoring:
		return msg(http.StatusBadRequest, "Mentee user is not available to be mentored.")
	case s.st.acceptedRelation(mentor.ID) != nil:
		return msg(http.StatusBadRequest, "Mentor user is already in a relationship.")
	case s.st.acceptedRelation(mentee.ID) != nil:
		return msg(http.StatusBadRequest, "Mentee user is already in a relationship.")
	}
	r := &relation{
		ActionUserID: c.uid, MentorID: mentor.ID, MenteeID: mentee.ID, CreationDate: now, EndDate: end,
		State: statePending, Notes: pyStr(body["notes"]), Tasks: []*task{}, NextTaskID: 1,
	}
	s.st.addRelation(r)
	receiver := mentor
	if mentor.ID == c.uid {
		receiver = mentee
	}
	s.st.send(Email{To: receiver.Email, Kind: EmailRelationRequest, RelationID: r.ID, At: c.now})
	return msg(http.StatusCreated, "Mentorship relation was sent successfully.")
}

func (s *Server) userByValue(v any) *user {
	if id, ok := lookupID(v); ok {
		return s.st.users[id]
	}
	return nil
}

// pyIn is Python's `key in data` for a decoded body; ok is false where Python raises TypeError.
func pyIn(key string, data any) (has, ok bool) {
	switch x := data.(type) {
	case map[string]any:
		_, has = x[key]
		return has, true
	case []any:
		for _, e := range x {
			if e == key {
				return true, true
			}
		}
		return false, true
	case string:
		return strings.Contains(x, key), true
	}
	return false, false
}

// pyEqual is Python's == for decoded JSON values (numbers and booleans compare by value).
func pyEqual(a, b any) bool {
	fa, okA := numberValue(a)
	fb, okB := numberValue(b)
	if okA || okB {
		return okA && okB && fa == fb
	}
	return reflect.DeepEqual(a, b)
}

// relationNulls is the relation-shaped all-null body MS answers when the caller no longer exists.
func relationNulls() reply { return jsonReply(http.StatusNotFound, relationJSON{}) }

// listRelations is GET /mentorship_relations with the optional relation_state filter.
func (s *Server) listRelations(c *call) reply {
	q := c.r.URL.Query()
	filter := 0
	if len(q) > 0 {
		vs, ok := q["relation_state"]
		if !ok {
			return errBadJSON() // request.args["relation_state"]: werkzeug's BadRequestKeyError
		}
		if vs[0] != "" {
			st, known := stateNames[strings.ToUpper(vs[0])]
			if !known {
				return jsonReply(http.StatusBadRequest, []any{})
			}
			filter = st
		}
	}
	return s.listRelationsWhere(c, func(r *relation, _ float64) bool { return filter == 0 || r.State == filter })
}

// pastRelations is GET /mentorship_relations/past: relations whose end date has passed, in any state.
func (s *Server) pastRelations(c *call) reply {
	return s.listRelationsWhere(c, func(r *relation, now float64) bool { return r.EndDate < now })
}

// pendingRelations is GET /mentorship_relations/pending: PENDING relations that have not yet ended.
func (s *Server) pendingRelations(c *call) reply {
	return s.listRelationsWhere(c, func(r *relation, now float64) bool {
		return r.State == statePending && r.EndDate > now
	})
}

func (s *Server) listRelationsWhere(c *call, keep func(*relation, float64) bool) reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.st.users[c.uid] == nil {
		return relationNulls()
	}
	now := unixFloat(c.now)
	var rs []*relation
	for _, r := range s.st.relationsOf(c.uid) {
		if keep(r, now) {
			rs = append(rs, r)
		}
	}
	return jsonReply(http.StatusOK, s.st.relationsJSON(rs, c.uid))
}

// currentRelation is GET /mentorship_relations/current.
func (s *Server) currentRelation(c *call) reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.st.users[c.uid] == nil {
		return msg(http.StatusNotFound, msgUserDoesNotExist)
	}
	if r := s.st.acceptedRelation(c.uid); r != nil {
		return jsonReply(http.StatusOK, s.st.relationOf(r, c.uid))
	}
	return msg(http.StatusOK, "You are not in a current mentorship relation.")
}

// changeRelation runs the checks every PUT/DELETE on a relation starts with (caller exists, relation exists)
// under the write lock, then do.
func (s *Server) changeRelation(c *call, do func(caller *user, r *relation) reply) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	caller := s.st.users[c.uid]
	if caller == nil {
		return msg(http.StatusNotFound, msgUserDoesNotExist)
	}
	r := s.st.relations[c.params["request_id"]]
	if r == nil {
		return msg(http.StatusNotFound, msgRequestDoesNotExist)
	}
	return do(caller, r)
}

func involved(r *relation, uid int64) bool {
	return uid != 0 && (r.MentorID == uid || r.MenteeID == uid)
}

// acceptRelation is PUT /mentorship_relation/{request_id}/accept. accept_date and start_date stay null and the
// request's own end date is not checked, as in MS.
func (s *Server) acceptRelation(c *call) reply {
	return s.changeRelation(c, func(caller *user, r *relation) reply {
		forbid := func(text string) reply { return msg(http.StatusForbidden, text) }
		switch {
		case r.State != statePending:
			return forbid(msgNotPending)
		case r.ActionUserID == caller.ID:
			return forbid("You cannot accept a mentorship request sent by yourself.")
		case !involved(r, caller.ID):
			return forbid("You cannot accept a mentorship relation where you are not involved.")
		case s.st.acceptedRelation(caller.ID) != nil:
			return forbid("You are currently involved in a mentorship relation.")
		}
		if caller.ID == r.MentorID {
			if s.st.acceptedRelation(r.MenteeID) != nil {
				return msg(http.StatusBadRequest, "Mentee user is already in a relationship.")
			}
		} else if s.st.acceptedRelation(r.MentorID) != nil {
			return msg(http.StatusBadRequest, "Mentor user is already in a relationship.")
		}
		r.State = stateAccepted
		if requester := s.st.users[r.ActionUserID]; requester != nil {
			s.st.send(Email{To: requester.Email, Kind: EmailRelationAccepted, RelationID: r.ID, At: c.now})
		}
		return msg(http.StatusOK, "Mentorship relation was accepted successfully.")
	})
}

// rejectRelation is PUT /mentorship_relation/{request_id}/reject.
func (s *Server) rejectRelation(c *call) reply {
	return s.changeRelation(c, func(caller *user, r *relation) reply {
		switch {
		case r.State != statePending:
			return msg(http.StatusForbidden, msgNotPending)
		case r.ActionUserID == caller.ID:
			return msg(http.StatusForbidden, "You cannot reject a mentorship request sent by yourself.")
		case !involved(r, caller.ID):
			return msg(http.StatusForbidden, "You cannot reject a mentorship relation where you are not involved.")
		}
		r.State = stateRejected
		return msg(http.StatusOK, "Mentorship relation was rejected successfully.")
	})
}

// cancelRelation is PUT /mentorship_relation/{request_id}/cancel.
func (s *Server) cancelRelation(c *call) reply {
	return s.changeRelation(c, func(caller *user, r *relation) reply {
		switch {
		case r.State != stateAccepted:
			return msg(http.StatusForbidden, msgNotAccepted)
		case !involved(r, caller.ID):
			return msg(http.StatusForbidden, "You cannot cancel a mentorship relation where you are not involved.")
		}
		r.State = stateCancelled
		return msg(http.StatusOK, "Mentorship relation was cancelled successfully.")
	})
}

// deleteRelation is DELETE /mentorship_relation/{request_id}: the requester withdraws a pending request.
func (s *Server) deleteRelation(c *call) reply {
	return s.changeRelation(c, func(caller *user, r *relation) reply {
		switch {
		case r.State != statePending:
			return msg(http.StatusForbidden, msgNotPending)
		case r.ActionUserID != caller.ID:
			return msg(http.StatusForbidden, "You cannot delete a mentorship request that you did not create.")
		}
		s.st.deleteRelation(r)
		return msg(http.StatusOK, "Mentorship relation was deleted successfully.")
	})
}
