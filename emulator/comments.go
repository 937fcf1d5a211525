package emulator

import "net/http"

const msgCommentDoesNotExist = "Task comment does not exist."

// commentBody runs the body checks of POST and PUT comment: present, a string, at most 400 characters once
// whitespace is removed.
func commentBody(c *call) (string, reply, bool) {
	v, rp, ok := bodyField(c, "comment", "Comment field is missing.")
	if !ok {
		return "", rp, false
	}
	text, isStr := v.(string)
	if !isStr {
		return "", msg(http.StatusBadRequest, "Comment must be in string format."), false
	}
	if m, ok := checkLength(text, "comment", 0, commentMax); !ok {
		return "", msg(http.StatusBadRequest, m), false
	}
	return text, reply{}, true
}

// commentTarget runs the checks every comment endpoint shares: relation exists, caller involved, relation
// ACCEPTED, task exists. Call with s.mu held.
func (s *Server) commentTarget(c *call) (*relation, reply, bool) {
	r := s.st.relations[c.params["relation_id"]]
	switch {
	case r == nil:
		return nil, msg(http.StatusNotFound, msgRelationDoesNotExist), false
	case !involved(r, c.uid):
		return nil, msg(http.StatusUnauthorized, msgNotInvolved), false
	case r.State != stateAccepted:
		return nil, msg(http.StatusForbidden, msgNotAccepted), false
	case r.task(c.params["task_id"]) == nil:
		return nil, msg(http.StatusNotFound, msgTaskDoesNotExist), false
	}
	return r, reply{}, true
}

// createComment is POST /mentorship_relation/{relation_id}/task/{task_id}/comment.
func (s *Server) createComment(c *call) reply {
	text, rp, ok := commentBody(c)
	if !ok {
		return rp
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, rp, ok := s.commentTarget(c)
	if !ok {
		return rp
	}
	s.st.addComment(&comment{
		UserID: c.uid, TaskID: c.params["task_id"], RelationID: r.ID, CreationDate: unixFloat(c.now), Comment: text,
	})
	return msg(http.StatusCreated, "Task comment was created successfully.")
}

// ownComment finds the path's comment and checks the caller wrote it and it belongs to the path's task. As in
// MS, the comment's relation is not compared with the path's.
func (s *Server) ownComment(c *call, verb string) (*comment, reply, bool) {
	cm := s.st.comments[c.params["comment_id"]]
	switch {
	case cm == nil:
		return nil, msg(http.StatusNotFound, msgCommentDoesNotExist), false
	case cm.UserID != c.uid:
		return nil, msg(http.StatusForbidden, "You have not created the comment and therefore cannot "+verb+" it."), false
	case cm.TaskID != c.params["task_id"]:
		return nil, msg(http.StatusNotFound, "Task comment with given task id does not exist."), false
	}
	return cm, reply{}, true
}

// updateComment is PUT /mentorship_relation/{relation_id}/task/{task_id}/comment/{comment_id}.
func (s *Server) updateComment(c *call) reply {
	text, rp, ok := commentBody(c)
	if !ok {
		return rp
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, rp, ok := s.commentTarget(c); !ok {
		return rp
	}
	cm, rp, ok := s.ownComment(c, "modify")
	if !ok {
		return rp
	}
	cm.Comment, cm.ModificationDate = text, ptr(unixFloat(c.now))
	return msg(http.StatusOK, "Task comment was updated successfully.")
}

// deleteComment is DELETE /mentorship_relation/{relation_id}/task/{task_id}/comment/{comment_id}.
func (s *Server) deleteComment(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, rp, ok := s.commentTarget(c); !ok {
		return rp
	}
	cm, rp, ok := s.ownComment(c, "delete")
	if !ok {
		return rp
	}
	s.st.deleteComment(cm)
	return msg(http.StatusOK, "Task comment was deleted successfully.")
}

// listComments is GET /mentorship_relation/{relation_id}/task/{task_id}/comments (ACCEPTED relations only).
func (s *Server) listComments(c *call) reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, rp, ok := s.commentTarget(c)
	if !ok {
		return rp
	}
	out := []commentJSON{}
	for _, id := range s.st.relComments[r.ID] {
		if cm := s.st.comments[id]; cm.TaskID == c.params["task_id"] {
			out = append(out, commentOf(cm))
		}
	}
	return jsonReply(http.StatusOK, out)
}
