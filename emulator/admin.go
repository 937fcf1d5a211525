package emulator

import "net/http"

// assignAdmin is POST /admin/new (the schema has already been checked).
func (s *Server) assignAdmin(c *call) reply {
	body, _ := c.object()
	target := intValue(body["user_id"])
	s.mu.Lock()
	defer s.mu.Unlock()
	caller := s.st.users[c.uid]
	switch {
	case caller == nil:
		return internalError() // MS reads is_admin of None
	case !caller.IsAdmin:
		return msg(http.StatusForbidden, "You don't have admin status. You can't assign other user as admin.")
	case target == caller.ID:
		return msg(http.StatusForbidden, "You cannot assign yourself as an Admin.")
	}
	u := s.st.users[target]
	switch {
	case u == nil:
		return msg(http.StatusNotFound, msgUserDoesNotExist)
	case u.IsAdmin:
		return msg(http.StatusBadRequest, "User is already an Admin.")
	}
	u.IsAdmin = true
	return msg(http.StatusOK, "User is now an Admin.")
}

// revokeAdmin is POST /admin/remove (the schema has already been checked). An admin may demote themself while
// another admin exists.
func (s *Server) revokeAdmin(c *call) reply {
	body, _ := c.object()
	target := intValue(body["user_id"])
	s.mu.Lock()
	defer s.mu.Unlock()
	caller := s.st.users[c.uid]
	switch {
	case caller == nil:
		return internalError()
	case !caller.IsAdmin:
		return msg(http.StatusForbidden, "You don't have admin status. You can't revoke other admin user.")
	case target == caller.ID && len(s.st.admins()) == 1:
		return msg(http.StatusForbidden, "You cannot revoke your adminstatus.")
	}
	u := s.st.users[target]
	switch {
	case u == nil:
		return msg(http.StatusNotFound, msgUserDoesNotExist)
	case !u.IsAdmin:
		return msg(http.StatusBadRequest, "User is not an Admin.")
	}
	u.IsAdmin = false
	return msg(http.StatusOK, "User admin status was revoked.")
}

// listAdmins is GET /admins: every admin but the caller.
func (s *Server) listAdmins(c *call) reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	caller := s.st.users[c.uid]
	switch {
	case caller == nil:
		return internalError()
	case !caller.IsAdmin:
		return msg(http.StatusForbidden, "User is not an Admin.")
	}
	out := []adminUser{}
	for _, u := range s.st.admins() {
		if u.ID == caller.ID {
			continue
		}
		out = append(out, adminUser{
			ID: u.ID, Username: u.Username, Name: u.Name, SlackUsername: u.SlackUsername, Bio: u.Bio,
			Location: u.Location, Occupation: u.Occupation, Organization: u.Organization, Skills: u.Skills,
		})
	}
	return jsonReply(http.StatusOK, out)
}
