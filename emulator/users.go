package emulator

import (
	"net/http"
	"regexp"
	"strings"
)

const msgUserDoesNotExist = "User does not exist."

// getUser is GET /user. A deleted token user gets 404 with the full-user shape all null: MS marshals its
// error message through the user model.
func (s *Server) getUser(c *call) reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.st.users[c.uid]
	if u == nil {
		return jsonReply(http.StatusNotFound, fullUser{})
	}
	return jsonReply(http.StatusOK, fullUserOf(u))
}

// profileText are the text fields PUT /user sets (null when sent empty), with their maximum lengths
// (0: no length check).
var profileText = []struct {
	key string
	max int
	get func(*user) **string
}{
	{"bio", 450, func(u *user) **string { return &u.Bio }},
	{"location", 60, func(u *user) **string { return &u.Location }},
	{"occupation", 60, func(u *user) **string { return &u.Occupation }},
	{"organization", 60, func(u *user) **string { return &u.Organization }},
	{"slack_username", 60, func(u *user) **string { return &u.SlackUsername }},
	{"social_media_links", 400, func(u *user) **string { return &u.SocialMediaLinks }},
	{"skills", 450, func(u *user) **string { return &u.Skills }},
	{"interests", 150, func(u *user) **string { return &u.Interests }},
	{"resume_url", 0, func(u *user) **string { return &u.ResumeURL }},
	{"photo_url", 0, func(u *user) **string { return &u.PhotoURL }},
}

// updateUser is PUT /user. Checks run in MS's order; a truthy value of the wrong type crashes MS (500) where
// MS first touches it: in validation for checked fields, at the database commit for the others.
func (s *Server) updateUser(c *call) reply {
	body, kind := c.object()
	switch {
	case kind == bodyInvalid:
		return errBadJSON()
	case kind == bodyNone:
		return msg(http.StatusBadRequest, "No data for updating profile was sent.")
	case kind == bodyOther:
		if v, _, _ := c.json(); !truthy(v) {
			return msg(http.StatusBadRequest, "No data for updating profile was sent.")
		}
		return internalError()
	case len(body) == 0:
		return msg(http.StatusBadRequest, "No data for updating profile was sent.")
	}
	bad := func(text string) reply { return msg(http.StatusBadRequest, text) }

	username := ""
	if v := body["username"]; truthy(v) {
		str, isStr := v.(string)
		if !isStr {
			return internalError()
		}
		if m, ok := checkLength(str, "username", usernameMin, usernameMax); !ok {
			return bad(m)
		}
		if !usernameValid(str) {
			return bad("Your new username is invalid.")
		}
		username = str
	}
	name := ""
	if v := body["name"]; truthy(v) {
		str, isStr := v.(string)
		if !isStr {
			return internalError()
		}
		if m, ok := checkLength(str, "name", nameMin, nameMax); !ok {
			return bad(m)
		}
		if !nameValid(str) {
			return bad("Your name is invalid.")
		}
		name = str
	}
	for _, f := range profileText {
		v := body[f.key]
		if f.max == 0 || !truthy(v) {
			continue
		}
		str, isStr := v.(string)
		if !isStr {
			return internalError()
		}
		if m, ok := checkLength(str, f.key, 0, f.max); !ok {
			return bad(m)
		}
	}
	for _, key := range []string{"need_mentoring", "available_to_mentor"} {
		if v, present := body[key]; present && v == nil {
			return bad("Field " + key + " is not valid.")
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.users[c.uid]
	if u == nil {
		return msg(http.StatusNotFound, msgUserDoesNotExist)
	}
	if username != "" && s.st.userByUsername(username) != nil {
		return bad("A user with that username already exists.")
	}
	// The commit: every value must fit its column, or nothing is saved.
	for _, f := range profileText {
		if v := body[f.key]; truthy(v) {
			if _, isStr := v.(string); !isStr {
				return internalError()
			}
		}
	}
	bools := map[string]bool{}
	for _, key := range []string{"need_mentoring", "available_to_mentor"} {
		if v, present := body[key]; present {
			b, ok := sqlBool(v)
			if !ok {
				return internalError()
			}
			bools[key] = b
		}
	}
	if username != "" {
		s.st.renameUser(u, username)
	}
	if name != "" {
		u.Name = name
	}
	for _, f := range profileText {
		if v, present := body[f.key]; present {
			field := f.get(u)
			if str, isStr := v.(string); isStr && str != "" {
				*field = ptr(str)
			} else {
				*field = nil
			}
		}
	}
	if b, ok := bools["need_mentoring"]; ok {
		u.NeedMentoring = b
	}
	if b, ok := bools["available_to_mentor"]; ok {
		u.AvailableToMentor = b
	}
	return msg(http.StatusOK, "User was updated successfully.")
}

// sqlBool is what SQLAlchemy's Boolean column accepts: True, False and the numbers equal to them.
func sqlBool(v any) (bool, bool) {
	if b, ok := v.(bool); ok {
		return b, true
	}
	if f, ok := numberValue(v); ok && (f == 0 || f == 1) {
		return f == 1, true
	}
	return false, false
}

// deleteUser is DELETE /user.
func (s *Server) deleteUser(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.users[c.uid]
	if u == nil {
		return msg(http.StatusNotFound, msgUserDoesNotExist)
	}
	if u.IsAdmin && len(s.st.admins()) == 1 {
		return msg(http.StatusBadRequest, "You cannot delete your account, since you are the only Admin left.")
	}
	s.st.deleteUser(u.ID)
	return msg(http.StatusOK, "User was deleted successfully.")
}

// changePassword is PUT /user/change_password (the schema has already been checked).
func (s *Server) changePassword(c *call) reply {
	body, _ := c.object()
	current, _ := body["current_password"].(string)
	next, _ := body["new_password"].(string)
	switch {
	case current == next:
		return msg(http.StatusBadRequest, "New password should not be same as the current password.")
	case containsSpace(next):
		return msg(http.StatusBadRequest, "Password shouldn't contain spaces.")
	}
	if m, ok := checkLength(next, "new_password", passwordMin, passwordMax); !ok {
		return msg(http.StatusBadRequest, m)
	}
	s.mu.RLock()
	u := s.st.users[c.uid]
	var stored string
	if u != nil {
		stored = u.PasswordHash
	}
	s.mu.RUnlock()
	if u == nil {
		return msg(http.StatusNotFound, msgUserDoesNotExist)
	}
	if !checkPassword(stored, current) {
		return msg(http.StatusBadRequest, "Current password is incorrect.")
	}
	hash := hashPassword(next)
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.st.users[c.uid]; u != nil {
		u.PasswordHash = hash
	}
	return msg(http.StatusCreated, "Password was updated successfully.")
}

func (s *Server) listAllUsers(c *call) reply      { return s.listUsers(c, false) }
func (s *Server) listVerifiedUsers(c *call) reply { return s.listUsers(c, true) }

// Paging defaults of MS / Flask-SQLAlchemy 2.x paginate(error_out=False, max_per_page=50).
const (
	defaultPage, defaultPerPage, maxPerPage, negativePerPage = 1, 10, 50, 20
)

// listUsers is GET /users and GET /users/verified: search, page and per_page from the query string.
func (s *Server) listUsers(c *call, verifiedOnly bool) reply {
	q := c.r.URL.Query()
	page, perPage := int64(defaultPage), int64(defaultPerPage)
	if v, ok := queryInt(q, "page"); ok {
		page = v
	}
	if v, ok := queryInt(q, "per_page"); ok {
		perPage = v
	}
	perPage = min(perPage, maxPerPage)
	if page < 1 {
		page = 1
	}
	if perPage < 0 {
		perPage = negativePerPage
	}
	match := likeMatcher(q.Get("search"))

	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []publicUser{}
	skip := (page - 1) * perPage
	if page-1 > 1<<40 {
		return jsonReply(http.StatusOK, out)
	}
	for _, id := range s.st.userOrder {
		if int64(len(out)) >= perPage {
			break
		}
		u := s.st.users[id]
		if id == c.uid || (verifiedOnly && !u.IsEmailVerified) || !(match(u.Name) || match(u.Username)) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		available := (u.NeedMentoring || u.AvailableToMentor) && s.st.acceptedRelation(u.ID) == nil
		out = append(out, publicUserOf(u, &available))
	}
	return jsonReply(http.StatusOK, out)
}

// queryInt is request.args.get(key, type=int): a value that int() refuses counts as absent.
func queryInt(q map[string][]string, key string) (int64, bool) {
	vs := q[key]
	if len(vs) == 0 {
		return 0, false
	}
	return pyInt(vs[0])
}

// likeMatcher is ilike('%search%'): case-insensitive substring, where % and _ in search are SQL wildcards.
func likeMatcher(search string) func(string) bool {
	if search == "" {
		return func(string) bool { return true }
	}
	var b strings.Builder
	b.WriteString(`(?is)^.*`)
	for _, r := range search {
		switch r {
		case '%':
			b.WriteString(`.*`)
		case '_':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`.*$`)
	re := regexp.MustCompile(b.String())
	return re.MatchString
}

// getUserByID is GET /users/{user_id}.
func (s *Server) getUserByID(c *call) reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.st.users[c.params["user_id"]]
	switch {
	case u == nil:
		return msg(http.StatusNotFound, msgUserDoesNotExist)
	case !u.IsEmailVerified:
		return msg(http.StatusForbidden, "Please verify your email before login.")
	}
	return jsonReply(http.StatusOK, publicUserOf(u, nil))
}
