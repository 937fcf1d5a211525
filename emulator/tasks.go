package emulator

import "net/http"

const msgTaskDoesNotExist = "Task does not exist."

func (r *relation) task(id int64) *task {
	for _, t := range r.Tasks {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// bodyField reads data[key] after a `key in data` check, as MS's handlers do; missing is the 400 text when
// the key is absent. ok false means the answer in rp (werkzeug's 400 or MS's 500).
func bodyField(c *call, key, missing string) (v any, rp reply, ok bool) {
	data, present, valid := c.json()
	if !valid {
		return nil, errBadJSON(), false
	}
	if !present {
		data = nil
	}
	has, typeOK := pyIn(key, data)
	switch {
	case !typeOK:
		return nil, internalError(), false
	case !has:
		return nil, msg(http.StatusBadRequest, missing), false
	}
	obj, isObj := data.(map[string]any)
	if !isObj {
		return nil, internalError(), false
	}
	return obj[key], reply{}, true
}

// createTask is POST /mentorship_relation/{relation_id}/task.
//
// MS at HEAD (d878a01) answers 500 here on every request past the description check (b5e2556 renamed the
// route variable but not its use). The emulator follows the last good revision, 8977489, as the BFF targets
// the intended behaviour.
func (s *Server) createTask(c *call) reply {
	desc, rp, ok := bodyField(c, "description", "Description field is missing.")
	if !ok {
		return rp
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.st.relations[c.params["relation_id"]]
	switch {
	case r == nil:
		return msg(http.StatusNotFound, msgRelationDoesNotExist)
	case r.State != stateAccepted:
		return msg(http.StatusForbidden, msgNotAccepted)
	case !involved(r, c.uid):
		return msg(http.StatusForbidden, msgNotInvolved)
	}
	r.Tasks = append(r.Tasks, &task{ID: r.NextTaskID, Description: pyStr(desc), CreatedAt: unixFloat(c.now)})
	r.NextTaskID++
	return msg(http.StatusCreated, "Task was created successfully.")
}

// listTasks is GET /mentorship_relation/{relation_id}/tasks (any relation state).
func (s *Server) listTasks(c *call) reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.st.relations[c.params["relation_id"]]
	switch {
	case r == nil:
		return msg(http.StatusNotFound, msgRelationDoesNotExist)
	case !involved(r, c.uid):
		return msg(http.StatusUnauthorized, msgNotInvolved)
	}
	return jsonReply(http.StatusOK, taskItemsOf(r.Tasks))
}

// completeTask is PUT /mentorship_relation/{relation_id}/task/{task_id}/complete (any relation state).
func (s *Server) completeTask(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.st.relations[c.params["relation_id"]]
	switch {
	case r == nil:
		return msg(http.StatusNotFound, msgRelationDoesNotExist)
	case !involved(r, c.uid):
		return msg(http.StatusUnauthorized, msgNotInvolved)
	}
	t := r.task(c.params["task_id"])
	switch {
	case t == nil:
		return msg(http.StatusNotFound, msgTaskDoesNotExist)
	case t.IsDone:
		return msg(http.StatusConflict, "Task was already achieved.")
	}
	t.IsDone, t.CompletedAt = true, ptr(unixFloat(c.now))
	return msg(http.StatusOK, "Task was achieved successfully.")
}

// deleteTask is DELETE /mentorship_relation/{relation_id}/task/{task_id} (any relation state).
//
// MS at HEAD (d878a01) answers 500 after the token check (the route's variable no longer matches the
// handler's parameter). The emulator follows the last good revision, 8977489: relation, then task, then
// involvement.
func (s *Server) deleteTask(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.st.relations[c.params["relation_id"]]
	if r == nil {
		return msg(http.StatusNotFound, msgRelationDoesNotExist)
	}
	t := r.task(c.params["task_id"])
	switch {
	case t == nil:
		return msg(http.StatusNotFound, msgTaskDoesNotExist)
	case !involved(r, c.uid):
		return msg(http.StatusUnauthorized, msgNotInvolved)
	}
	for i, x := range r.Tasks {
		if x == t {
			r.Tasks = append(r.Tasks[:i:i], r.Tasks[i+1:]...)
			break
		}
	}
	return msg(http.StatusOK, "Task was deleted successfully.")
}
