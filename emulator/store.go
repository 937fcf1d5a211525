package emulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Relation states (docs/MS.md#relation-states), as integers in JSON.
const (
	statePending   = 1
	stateAccepted  = 2
	stateRejected  = 3
	stateCancelled = 4
	stateCompleted = 5
)

var stateNames = map[string]int{
	"PENDING": statePending, "ACCEPTED": stateAccepted, "REJECTED": stateRejected,
	"CANCELLED": stateCancelled, "COMPLETED": stateCompleted,
}

// unverifiedThreshold is how long an unverified user survives the daily job (MS: UNVERIFIED_USER_THRESHOLD).
const unverifiedThreshold = 30 * 24 * time.Hour

// outboxCap bounds the recorded emails; the oldest are dropped first.
const outboxCap = 10000

type user struct {
	ID                        int64   `json:"id"`
	Name                      string  `json:"name"`
	Username                  string  `json:"username"`
	Email                     string  `json:"email"`
	PasswordHash              string  `json:"password_hash"`
	TermsAndConditionsChecked bool    `json:"terms_and_conditions_checked"`
	IsAdmin                   bool    `json:"is_admin"`
	RegistrationDate          float64 `json:"registration_date"`
	IsEmailVerified           bool    `json:"is_email_verified"`
	EmailVerificationDate     *string `json:"email_verification_date"`
	Bio                       *string `json:"bio"`
	Location                  *string `json:"location"`
	Occupation                *string `json:"occupation"`
	Organization              *string `json:"organization"`
	SlackUsername             *string `json:"slack_username"`
	SocialMediaLinks          *string `json:"social_media_links"`
	Skills                    *string `json:"skills"`
	Interests                 *string `json:"interests"`
	ResumeURL                 *string `json:"resume_url"`
	PhotoURL                  *string `json:"photo_url"`
	NeedMentoring             bool    `json:"need_mentoring"`
	AvailableToMentor         bool    `json:"available_to_mentor"`
	CurrentMentorshipRole     *int64  `json:"current_mentorship_role"`
	MembershipStatus          *int64  `json:"membership_status"`
}

type relation struct {
	ID           int64   `json:"id"`
	ActionUserID int64   `json:"action_user_id"`
	MentorID     int64   `json:"mentor_id"` // 0 once the mentor's account is deleted (the foreign key is nulled)
	MenteeID     int64   `json:"mentee_id"` // 0 once the mentee's account is deleted
	CreationDate float64 `json:"creation_date"`
	EndDate      float64 `json:"end_date"`
	State        int     `json:"state"`
	Notes        *string `json:"notes"`
	Tasks        []*task `json:"tasks"`
	NextTaskID   int64   `json:"next_task_id"`
}

type task struct {
	ID          int64    `json:"id"`
	Description *string  `json:"description"`
	IsDone      bool     `json:"is_done"`
	CreatedAt   float64  `json:"created_at"`
	CompletedAt *float64 `json:"completed_at"`
}

type comment struct {
	ID               int64    `json:"id"`
	UserID           int64    `json:"user_id"`
	TaskID           int64    `json:"task_id"`
	RelationID       int64    `json:"relation_id"`
	CreationDate     float64  `json:"creation_date"`
	ModificationDate *float64 `json:"modification_date"`
	Comment          string   `json:"comment"`
}

// Kinds of Email.
const (
	EmailConfirmation     = "confirmation"      // register and resend_email: carries Token
	EmailRelationRequest  = "relation_request"  // send_request: to the other party
	EmailRelationAccepted = "relation_accepted" // accept: to the requester
)

// Email is a message MS would have sent; the emulator records it instead.
type Email struct {
	To         string    `json:"to"`
	Kind       string    `json:"kind"`
	Token      string    `json:"token,omitempty"`       // confirmation token (EmailConfirmation)
	RelationID int64     `json:"relation_id,omitempty"` // the relation (relation emails)
	At         time.Time `json:"at"`
}

// state is everything MS keeps in its database, with indexes. Guarded by Server.mu.
type state struct {
	nextUserID, nextRelationID, nextCommentID int64

	users      map[int64]*user
	userOrder  []int64 // ascending ids
	byUsername map[string]int64
	byEmail    map[string]int64

	relations  map[int64]*relation
	mentorRels map[int64][]int64 // user id → relation ids where the user is mentor, ascending
	menteeRels map[int64][]int64

	comments     map[int64]*comment
	relComments  map[int64][]int64 // relation id → comment ids, ascending
	commentOrder []int64

	outbox []Email
}

func newState() *state {
	return &state{
		nextUserID: 1, nextRelationID: 1, nextCommentID: 1,
		users: map[int64]*user{}, byUsername: map[string]int64{}, byEmail: map[string]int64{},
		relations: map[int64]*relation{}, mentorRels: map[int64][]int64{}, menteeRels: map[int64][]int64{},
		comments: map[int64]*comment{}, relComments: map[int64][]int64{},
	}
}

func (st *state) addUser(u *user) {
	u.ID = st.nextUserID
	st.nextUserID++
	st.indexUser(u)
}

func (st *state) indexUser(u *user) {
	st.users[u.ID] = u
	st.userOrder = append(st.userOrder, u.ID)
	st.byUsername[u.Username] = u.ID
	st.byEmail[u.Email] = u.ID
}

func (st *state) userByUsername(name string) *user { return st.lookup(st.byUsername, name) }
func (st *state) userByEmail(email string) *user   { return st.lookup(st.byEmail, email) }

func (st *state) lookup(index map[string]int64, key string) *user {
	if id, ok := index[key]; ok {
		return st.users[id]
	}
	return nil
}

func (st *state) renameUser(u *user, username string) {
	delete(st.byUsername, u.Username)
	u.Username = username
	st.byUsername[username] = u.ID
}

// deleteUser removes a user; the relations they were part of stay, with that side nulled, as the database's
// foreign keys are.
func (st *state) deleteUser(id int64) {
	u := st.users[id]
	if u == nil {
		return
	}
	delete(st.users, id)
	delete(st.byUsername, u.Username)
	delete(st.byEmail, u.Email)
	st.userOrder = removeID(st.userOrder, id)
	for _, rid := range st.mentorRels[id] {
		st.relations[rid].MentorID = 0
	}
	for _, rid := range st.menteeRels[id] {
		st.relations[rid].MenteeID = 0
	}
	delete(st.mentorRels, id)
	delete(st.menteeRels, id)
}

func (st *state) addRelation(r *relation) {
	r.ID = st.nextRelationID
	st.nextRelationID++
	st.indexRelation(r)
}

func (st *state) indexRelation(r *relation) {
	st.relations[r.ID] = r
	if r.MentorID != 0 {
		st.mentorRels[r.MentorID] = append(st.mentorRels[r.MentorID], r.ID)
	}
	if r.MenteeID != 0 {
		st.menteeRels[r.MenteeID] = append(st.menteeRels[r.MenteeID], r.ID)
	}
}

// deleteRelation removes a relation with its task list and comments.
func (st *state) deleteRelation(r *relation) {
	delete(st.relations, r.ID)
	if r.MentorID != 0 {
		st.mentorRels[r.MentorID] = removeID(st.mentorRels[r.MentorID], r.ID)
	}
	if r.MenteeID != 0 {
		st.menteeRels[r.MenteeID] = removeID(st.menteeRels[r.MenteeID], r.ID)
	}
	for _, cid := range st.relComments[r.ID] {
		delete(st.comments, cid)
		st.commentOrder = removeID(st.commentOrder, cid)
	}
	delete(st.relComments, r.ID)
}

// relationsOf lists a user's relations as MS does: user.mentor_relations + user.mentee_relations.
func (st *state) relationsOf(uid int64) []*relation {
	ids := append(slices.Clone(st.mentorRels[uid]), st.menteeRels[uid]...)
	out := make([]*relation, len(ids))
	for i, id := range ids {
		out[i] = st.relations[id]
	}
	return out
}

// acceptedRelation returns the user's ACCEPTED relation, or nil.
func (st *state) acceptedRelation(uid int64) *relation {
	if uid == 0 {
		return nil
	}
	for _, r := range st.relationsOf(uid) {
		if r.State == stateAccepted {
			return r
		}
	}
	return nil
}

func (st *state) addComment(c *comment) {
	c.ID = st.nextCommentID
	st.nextCommentID++
	st.indexComment(c)
}

func (st *state) indexComment(c *comment) {
	st.comments[c.ID] = c
	st.commentOrder = append(st.commentOrder, c.ID)
	st.relComments[c.RelationID] = append(st.relComments[c.RelationID], c.ID)
}

func (st *state) deleteComment(c *comment) {
	delete(st.comments, c.ID)
	st.commentOrder = removeID(st.commentOrder, c.ID)
	st.relComments[c.RelationID] = removeID(st.relComments[c.RelationID], c.ID)
}

func (st *state) admins() []*user {
	var out []*user
	for _, id := range st.userOrder {
		if u := st.users[id]; u.IsAdmin {
			out = append(out, u)
		}
	}
	return out
}

func (st *state) send(e Email) {
	st.outbox = append(st.outbox, e)
	if len(st.outbox) > 2*outboxCap {
		st.outbox = append([]Email(nil), st.outbox[len(st.outbox)-outboxCap:]...)
	}
}

func removeID(ids []int64, id int64) []int64 {
	if i := slices.Index(ids, id); i >= 0 {
		return slices.Delete(ids, i, i+1)
	}
	return ids
}

// unixFloat is a time as MS stores it: float Unix seconds with microsecond precision.
func unixFloat(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

// isoNaive is Python's datetime.isoformat() of a naive UTC datetime.
func isoNaive(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02T15:04:05")
	}
	return t.Format("2006-01-02T15:04:05.000000")
}

// seed creates the verified seed users.
func (s *Server) seed(users []SeedUser) {
	now := s.now()
	anyAdmin := false
	for _, su := range users {
		anyAdmin = anyAdmin || su.Admin
	}
	var first *user
	for _, su := range users {
		if s.st.userByUsername(su.Username) != nil || s.st.userByEmail(su.Email) != nil {
			continue
		}
		verified := isoNaive(now)
		u := &user{
			Name: su.Name, Username: su.Username, Email: su.Email, PasswordHash: hashPassword(su.Password),
			TermsAndConditionsChecked: true, IsAdmin: su.Admin, RegistrationDate: unixFloat(now),
			IsEmailVerified: true, EmailVerificationDate: &verified,
			NeedMentoring: su.NeedMentoring, AvailableToMentor: su.AvailableToMentor,
		}
		s.st.addUser(u)
		if first == nil {
			first = u
		}
	}
	if !anyAdmin && first != nil {
		first.IsAdmin = true
	}
}

// Outbox returns a copy of the emails MS would have sent, oldest first (at most the latest 10,000 or so).
func (s *Server) Outbox() []Email {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.st.outbox)
}

// RunDailyJobs runs MS's background jobs once at the emulator's clock: ACCEPTED relations whose end date has
// passed become COMPLETED, and users still unverified 30 days after registering are deleted.
func (s *Server) RunDailyJobs() {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	nowF := unixFloat(now)
	for _, r := range s.st.relations {
		if r.State == stateAccepted && r.EndDate < nowF {
			r.State = stateCompleted
		}
	}
	limit := unixFloat(now.Add(-unverifiedThreshold))
	for _, id := range slices.Clone(s.st.userOrder) {
		if u := s.st.users[id]; !u.IsEmailVerified && u.RegistrationDate <= limit {
			s.st.deleteUser(id)
		}
	}
}

// snapshot is the JSON form of the whole state. It holds no secret: password hashes are salted per user, and
// tokens signed with another secret simply stop working after a Restore.
type snapshot struct {
	Version        int         `json:"version"`
	NextUserID     int64       `json:"next_user_id"`
	NextRelationID int64       `json:"next_relation_id"`
	NextCommentID  int64       `json:"next_comment_id"`
	Users          []*user     `json:"users"`
	Relations      []*relation `json:"relations"`
	Comments       []*comment  `json:"comments"`
	Outbox         []Email     `json:"outbox"`
}

const snapshotVersion = 1

// Snapshot returns the whole state (users, relations, tasks, comments, id counters, outbox) as JSON.
func (s *Server) Snapshot() ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	snap := snapshot{
		Version: snapshotVersion, NextUserID: st.nextUserID, NextRelationID: st.nextRelationID,
		NextCommentID: st.nextCommentID, Outbox: st.outbox,
		Users: []*user{}, Relations: []*relation{}, Comments: []*comment{},
	}
	for _, id := range st.userOrder {
		snap.Users = append(snap.Users, st.users[id])
	}
	rids := make([]int64, 0, len(st.relations))
	for id := range st.relations {
		rids = append(rids, id)
	}
	slices.Sort(rids)
	for _, id := range rids {
		snap.Relations = append(snap.Relations, st.relations[id])
	}
	for _, id := range st.commentOrder {
		snap.Comments = append(snap.Comments, st.comments[id])
	}
	b, err := json.Marshal(snap)
	if err != nil {
		return nil, fmt.Errorf("marshal emulator snapshot: %w", err)
	}
	return b, nil
}

// Restore replaces the whole state with one taken by Snapshot. On error the state is unchanged.
func (s *Server) Restore(data []byte) error {
	var snap snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return fmt.Errorf("restore emulator snapshot: %w", err)
	}
	if snap.Version != snapshotVersion {
		return fmt.Errorf("restore emulator snapshot: version %d, want %d", snap.Version, snapshotVersion)
	}
	st, err := buildState(&snap)
	if err != nil {
		return fmt.Errorf("restore emulator snapshot: %w", err)
	}
	s.mu.Lock()
	s.st = st
	s.mu.Unlock()
	return nil
}

func buildState(snap *snapshot) (*state, error) {
	st := newState()
	slices.SortFunc(snap.Users, func(a, b *user) int { return cmp.Compare(a.ID, b.ID) })
	for _, u := range snap.Users {
		switch {
		case u == nil || u.ID <= 0:
			return nil, fmt.Errorf("user with bad id")
		case st.users[u.ID] != nil:
			return nil, fmt.Errorf("user id %d twice", u.ID)
		case st.userByUsername(u.Username) != nil || st.userByEmail(u.Email) != nil:
			return nil, fmt.Errorf("user %d: username or email taken twice", u.ID)
		}
		st.indexUser(u)
		st.nextUserID = max(st.nextUserID, u.ID+1)
	}
	slices.SortFunc(snap.Relations, func(a, b *relation) int { return cmp.Compare(a.ID, b.ID) })
	for _, r := range snap.Relations {
		if r == nil || r.ID <= 0 || st.relations[r.ID] != nil {
			return nil, fmt.Errorf("relation with bad or repeated id")
		}
		if r.State < statePending || r.State > stateCompleted {
			return nil, fmt.Errorf("relation %d: state %d", r.ID, r.State)
		}
		if r.Tasks == nil {
			r.Tasks = []*task{}
		}
		st.indexRelation(r)
		st.nextRelationID = max(st.nextRelationID, r.ID+1)
	}
	slices.SortFunc(snap.Comments, func(a, b *comment) int { return cmp.Compare(a.ID, b.ID) })
	for _, c := range snap.Comments {
		if c == nil || c.ID <= 0 || st.comments[c.ID] != nil {
			return nil, fmt.Errorf("comment with bad or repeated id")
		}
		st.indexComment(c)
		st.nextCommentID = max(st.nextCommentID, c.ID+1)
	}
	st.nextUserID = max(st.nextUserID, snap.NextUserID)
	st.nextRelationID = max(st.nextRelationID, snap.NextRelationID)
	st.nextCommentID = max(st.nextCommentID, snap.NextCommentID)
	st.outbox = snap.Outbox
	return st, nil
}
