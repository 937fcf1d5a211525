package emulator

// The JSON shapes of docs/MS.md#shapes, with keys in MS's order.

// fullUser is §4.1 (GET /user). Every value is a pointer so the deleted-user 404 can be all nulls.
type fullUser struct {
	ID                        *int64   `json:"id"`
	Name                      *string  `json:"name"`
	Username                  *string  `json:"username"`
	Email                     *string  `json:"email"`
	TermsAndConditionsChecked *bool    `json:"terms_and_conditions_checked"`
	IsAdmin                   *bool    `json:"is_admin"`
	RegistrationDate          *pyFloat `json:"registration_date"`
	IsEmailVerified           *bool    `json:"is_email_verified"`
	EmailVerificationDate     *string  `json:"email_verification_date"`
	Bio                       *string  `json:"bio"`
	Location                  *string  `json:"location"`
	Occupation                *string  `json:"occupation"`
	Organization              *string  `json:"organization"`
	SlackUsername             *string  `json:"slack_username"`
	SocialMediaLinks          *string  `json:"social_media_links"`
	Skills                    *string  `json:"skills"`
	Interests                 *string  `json:"interests"`
	ResumeURL                 *string  `json:"resume_url"`
	PhotoURL                  *string  `json:"photo_url"`
	NeedMentoring             *bool    `json:"need_mentoring"`
	AvailableToMentor         *bool    `json:"available_to_mentor"`
	CurrentMentorshipRole     *int64   `json:"current_mentorship_role"`
	MembershipStatus          *int64   `json:"membership_status"`
}

func ptr[T any](v T) *T { return &v }

func fullUserOf(u *user) fullUser {
	return fullUser{
		ID: ptr(u.ID), Name: ptr(u.Name), Username: ptr(u.Username), Email: ptr(u.Email),
		TermsAndConditionsChecked: ptr(u.TermsAndConditionsChecked), IsAdmin: ptr(u.IsAdmin),
		RegistrationDate: ptr(pyFloat(u.RegistrationDate)), IsEmailVerified: ptr(u.IsEmailVerified),
		EmailVerificationDate: u.EmailVerificationDate, Bio: u.Bio, Location: u.Location, Occupation: u.Occupation,
		Organization: u.Organization, SlackUsername: u.SlackUsername, SocialMediaLinks: u.SocialMediaLinks,
		Skills: u.Skills, Interests: u.Interests, ResumeURL: u.ResumeURL, PhotoURL: u.PhotoURL,
		NeedMentoring: ptr(u.NeedMentoring), AvailableToMentor: ptr(u.AvailableToMentor),
		CurrentMentorshipRole: u.CurrentMentorshipRole, MembershipStatus: u.MembershipStatus,
	}
}

// publicUser is §4.2 (/users, /users/verified, /users/{id}).
type publicUser struct {
	ID                int64   `json:"id"`
	Username          string  `json:"username"`
	Name              string  `json:"name"`
	SlackUsername     *string `json:"slack_username"`
	Bio               *string `json:"bio"`
	Location          *string `json:"location"`
	Occupation        *string `json:"occupation"`
	Organization      *string `json:"organization"`
	Interests         *string `json:"interests"`
	Skills            *string `json:"skills"`
	NeedMentoring     bool    `json:"need_mentoring"`
	AvailableToMentor bool    `json:"available_to_mentor"`
	IsAvailable       *bool   `json:"is_available"`
	RegistrationDate  pyFloat `json:"registration_date"`
}

func publicUserOf(u *user, isAvailable *bool) publicUser {
	return publicUser{
		ID: u.ID, Username: u.Username, Name: u.Name, SlackUsername: u.SlackUsername, Bio: u.Bio,
		Location: u.Location, Occupation: u.Occupation, Organization: u.Organization, Interests: u.Interests,
		Skills: u.Skills, NeedMentoring: u.NeedMentoring, AvailableToMentor: u.AvailableToMentor,
		IsAvailable: isAvailable, RegistrationDate: pyFloat(u.RegistrationDate),
	}
}

// adminUser is an item of GET /admins.
type adminUser struct {
	ID            int64   `json:"id"`
	Username      string  `json:"username"`
	Name          string  `json:"name"`
	SlackUsername *string `json:"slack_username"`
	Bio           *string `json:"bio"`
	Location      *string `json:"location"`
	Occupation    *string `json:"occupation"`
	Organization  *string `json:"organization"`
	Skills        *string `json:"skills"`
}

// relationUser is a relation's mentor or mentee ({id, name}); both null once that user is deleted.
type relationUser struct {
	ID   *int64  `json:"id"`
	Name *string `json:"name"`
}

// relationJSON is §4.3. Pointers allow the all-null 404 body MS sends for a deleted caller.
type relationJSON struct {
	ID           *int64       `json:"id"`
	ActionUserID *int64       `json:"action_user_id"`
	SentByMe     *bool        `json:"sent_by_me"`
	Mentor       relationUser `json:"mentor"`
	Mentee       relationUser `json:"mentee"`
	CreationDate *pyFloat     `json:"creation_date"`
	AcceptDate   *pyFloat     `json:"accept_date"`
	StartDate    *pyFloat     `json:"start_date"`
	EndDate      *pyFloat     `json:"end_date"`
	State        *int         `json:"state"`
	Notes        *string      `json:"notes"`
}

func (st *state) relationUserOf(id int64) relationUser {
	if u := st.users[id]; u != nil {
		return relationUser{ID: ptr(u.ID), Name: ptr(u.Name)}
	}
	return relationUser{}
}

func (st *state) relationOf(r *relation, caller int64) relationJSON {
	return relationJSON{
		ID: ptr(r.ID), ActionUserID: ptr(r.ActionUserID), SentByMe: ptr(r.ActionUserID == caller),
		Mentor: st.relationUserOf(r.MentorID), Mentee: st.relationUserOf(r.MenteeID),
		CreationDate: ptr(pyFloat(r.CreationDate)), EndDate: ptr(pyFloat(r.EndDate)), State: ptr(r.State),
		Notes: r.Notes,
	}
}

func (st *state) relationsJSON(rs []*relation, caller int64) []relationJSON {
	out := make([]relationJSON, 0, len(rs))
	for _, r := range rs {
		out = append(out, st.relationOf(r, caller))
	}
	return out
}

// dashboardUser is a dashboard relation's mentor or mentee.
type dashboardUser struct {
	ID       *int64  `json:"id"`
	UserName *string `json:"user_name"`
	PhotoURL *string `json:"photo_url"`
}

// dashboardRelation is §4.3's dashboard relation: no sent_by_me, users as {id, user_name, photo_url}.
type dashboardRelation struct {
	ID           int64         `json:"id"`
	ActionUserID int64         `json:"action_user_id"`
	Mentor       dashboardUser `json:"mentor"`
	Mentee       dashboardUser `json:"mentee"`
	CreationDate pyFloat       `json:"creation_date"`
	AcceptDate   *pyFloat      `json:"accept_date"`
	StartDate    *pyFloat      `json:"start_date"`
	EndDate      pyFloat       `json:"end_date"`
	State        int           `json:"state"`
	Notes        *string       `json:"notes"`
}

func (st *state) dashboardUserOf(id int64) dashboardUser {
	if u := st.users[id]; u != nil {
		return dashboardUser{ID: ptr(u.ID), UserName: ptr(u.Name), PhotoURL: u.PhotoURL}
	}
	return dashboardUser{}
}

func (st *state) dashboardRelationOf(r *relation) dashboardRelation {
	return dashboardRelation{
		ID: r.ID, ActionUserID: r.ActionUserID, Mentor: st.dashboardUserOf(r.MentorID),
		Mentee: st.dashboardUserOf(r.MenteeID), CreationDate: pyFloat(r.CreationDate), EndDate: pyFloat(r.EndDate),
		State: r.State, Notes: r.Notes,
	}
}

// taskItem is a task in list answers (no is_done).
type taskItem struct {
	ID          int64    `json:"id"`
	Description *string  `json:"description"`
	CreatedAt   pyFloat  `json:"created_at"`
	CompletedAt *pyFloat `json:"completed_at"`
}

// storedTask is a task as stored, with is_done (the /home achievements).
type storedTask struct {
	ID          int64    `json:"id"`
	Description *string  `json:"description"`
	IsDone      bool     `json:"is_done"`
	CreatedAt   pyFloat  `json:"created_at"`
	CompletedAt *pyFloat `json:"completed_at"`
}

func floatPtr(f *float64) *pyFloat {
	if f == nil {
		return nil
	}
	return ptr(pyFloat(*f))
}

func taskItemsOf(ts []*task) []taskItem {
	out := make([]taskItem, 0, len(ts))
	for _, t := range ts {
		out = append(out, taskItem{ID: t.ID, Description: t.Description, CreatedAt: pyFloat(t.CreatedAt), CompletedAt: floatPtr(t.CompletedAt)})
	}
	return out
}

// commentJSON is §4.5.
type commentJSON struct {
	ID               int64    `json:"id"`
	UserID           int64    `json:"user_id"`
	TaskID           int64    `json:"task_id"`
	RelationID       int64    `json:"relation_id"`
	CreationDate     pyFloat  `json:"creation_date"`
	ModificationDate *pyFloat `json:"modification_date"`
	Comment          string   `json:"comment"`
}

func commentOf(c *comment) commentJSON {
	return commentJSON{
		ID: c.ID, UserID: c.UserID, TaskID: c.TaskID, RelationID: c.RelationID,
		CreationDate: pyFloat(c.CreationDate), ModificationDate: floatPtr(c.ModificationDate), Comment: c.Comment,
	}
}
