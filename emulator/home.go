package emulator

import (
	"cmp"
	"net/http"
	"slices"
)

// home is GET /home: counts of the caller's relations by state and their latest achievements.
func (s *Server) home(c *call) reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.st.users[c.uid]
	if u == nil {
		return msg(http.StatusNotFound, "User not found.")
	}
	counts := map[int]int{}
	var done []*task
	for _, r := range s.st.relationsOf(u.ID) {
		counts[r.State]++
		for _, t := range r.Tasks {
			if t.IsDone {
				done = append(done, t)
			}
		}
	}
	// The last three done tasks in storage order, newest completion first.
	done = done[max(0, len(done)-3):]
	slices.SortStableFunc(done, func(a, b *task) int { return cmp.Compare(completedAt(b), completedAt(a)) })
	achievements := make([]storedTask, 0, len(done))
	for _, t := range done {
		achievements = append(achievements, storedTask{
			ID: t.ID, Description: t.Description, IsDone: t.IsDone, CreatedAt: pyFloat(t.CreatedAt),
			CompletedAt: floatPtr(t.CompletedAt),
		})
	}
	return jsonReply(http.StatusOK, struct {
		Name               string       `json:"name"`
		PendingRequests    int          `json:"pending_requests"`
		AcceptedRequests   int          `json:"accepted_requests"`
		RejectedRequests   int          `json:"rejected_requests"`
		CompletedRelations int          `json:"completed_relations"`
		CancelledRelations int          `json:"cancelled_relations"`
		Achievements       []storedTask `json:"achievements"`
	}{
		u.Name, counts[statePending], counts[stateAccepted], counts[stateRejected], counts[stateCompleted],
		counts[stateCancelled], achievements,
	})
}

func completedAt(t *task) float64 {
	if t.CompletedAt == nil {
		return 0
	}
	return *t.CompletedAt
}

// dashboardStates holds one side's relations by state.
type dashboardStates struct {
	Accepted  []dashboardRelation `json:"accepted"`
	Rejected  []dashboardRelation `json:"rejected"`
	Completed []dashboardRelation `json:"completed"`
	Cancelled []dashboardRelation `json:"cancelled"`
	Pending   []dashboardRelation `json:"pending"`
}

func newDashboardStates() *dashboardStates {
	return &dashboardStates{
		Accepted: []dashboardRelation{}, Rejected: []dashboardRelation{}, Completed: []dashboardRelation{},
		Cancelled: []dashboardRelation{}, Pending: []dashboardRelation{},
	}
}

func (d *dashboardStates) add(r dashboardRelation) {
	switch r.State {
	case stateAccepted:
		d.Accepted = append(d.Accepted, r)
	case stateRejected:
		d.Rejected = append(d.Rejected, r)
	case stateCompleted:
		d.Completed = append(d.Completed, r)
	case stateCancelled:
		d.Cancelled = append(d.Cancelled, r)
	default:
		d.Pending = append(d.Pending, r)
	}
}

type dashboardSide struct {
	Sent     *dashboardStates `json:"sent"`
	Received *dashboardStates `json:"received"`
}

// dashboard is GET /dashboard. tasks_todo and tasks_done appear only when the caller has an accepted relation.
func (s *Server) dashboard(c *call) reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.st.users[c.uid]
	if u == nil {
		return msg(http.StatusNotFound, "User not found.")
	}
	asMentor := dashboardSide{newDashboardStates(), newDashboardStates()}
	asMentee := dashboardSide{newDashboardStates(), newDashboardStates()}
	for _, r := range s.st.relationsOf(u.ID) {
		side := asMentee
		if r.MentorID == u.ID {
			side = asMentor
		}
		if r.ActionUserID == u.ID {
			side.Sent.add(s.st.dashboardRelationOf(r))
		} else {
			side.Received.add(s.st.dashboardRelationOf(r))
		}
	}
	out := struct {
		AsMentor  dashboardSide `json:"as_mentor"`
		AsMentee  dashboardSide `json:"as_mentee"`
		TasksTodo *[]taskItem   `json:"tasks_todo,omitempty"` // a pointer: present (maybe []) or absent
		TasksDone *[]taskItem   `json:"tasks_done,omitempty"`
	}{AsMentor: asMentor, AsMentee: asMentee}
	if r := s.st.acceptedRelation(u.ID); r != nil {
		var todo, done []*task
		for _, t := range r.Tasks {
			if t.IsDone {
				done = append(done, t)
			} else {
				todo = append(todo, t)
			}
		}
		out.TasksTodo, out.TasksDone = ptr(taskItemsOf(todo)), ptr(taskItemsOf(done))
	}
	return jsonReply(http.StatusOK, out)
}
