package bit

import "time"

// AdditionalInfo is a member's additional info (#5, #6, #12), keyed by the MS user id. Its JSON form is the old
// API's response shape.
type AdditionalInfo struct {
	UserID            int64  `json:"user_id"`
	IsOrganizationRep bool   `json:"is_organization_rep"`
	Timezone          string `json:"timezone"`
	Phone             string `json:"phone"`
	Mobile            string `json:"mobile"`
	PersonalWebsite   string `json:"personal_website"`
}

// PersonalBackground is a member's personal background (#7, #8, #11). The ten categories hold enumeration values;
// the *Other fields are free text. Its JSON form is the old API's response shape.
type PersonalBackground struct {
	UserID                 int64  `json:"user_id"`
	Gender                 string `json:"gender"`
	Age                    string `json:"age"`
	Ethnicity              string `json:"ethnicity"`
	SexualOrientation      string `json:"sexual_orientation"`
	Religion               string `json:"religion"`
	PhysicalAbility        string `json:"physical_ability"`
	MentalAbility          string `json:"mental_ability"`
	SocioEconomic          string `json:"socio_economic"`
	HighestEducation       string `json:"highest_education"`
	YearsOfExperience      string `json:"years_of_experience"`
	GenderOther            string `json:"gender_other"`
	EthnicityOther         string `json:"ethnicity_other"`
	SexualOrientationOther string `json:"sexual_orientation_other"`
	ReligionOther          string `json:"religion_other"`
	PhysicalAbilityOther   string `json:"physical_ability_other"`
	MentalAbilityOther     string `json:"mental_ability_other"`
	SocioEconomicOther     string `json:"socio_economic_other"`
	HighestEducationOther  string `json:"highest_education_other"`
	IsPublic               bool   `json:"is_public"`
}

// Organization is a stored organization. There is at most one per representative (RepID).
type Organization struct {
	ID            int64
	RepID         int64
	RepDepartment string
	Name          string
	Email         string
	About         string
	Address       string
	Website       string
	Timezone      string
	Phone         string
	Status        string // an OrganizationStatus value
	JoinDate      time.Time
}

// OrganizationInput is the body of PUT /organization (#14), decoded and validated by DecodeOrganization.
type OrganizationInput struct {
	RepresentativeDepartment string `json:"representative_department"`
	Name                     string `json:"name"`
	Email                    string `json:"email"`
	About                    string `json:"about"`
	Address                  string `json:"address"`
	Website                  string `json:"website"`
	Timezone                 string `json:"timezone"`
	Phone                    string `json:"phone"`
	Status                   string `json:"status"`
}

// OrganizationView is the organization object O of the old API, as the Service returns it.
type OrganizationView struct {
	ID                       int64  `json:"id"`
	RepresentativeID         int64  `json:"representative_id"`
	RepresentativeName       string `json:"representative_name"`
	RepresentativeDepartment string `json:"representative_department"`
	OrganizationName         string `json:"organization_name"`
	Email                    string `json:"email"`
	About                    string `json:"about"`
	Address                  string `json:"address"`
	Website                  string `json:"website"`
	Timezone                 string `json:"timezone"`
	Phone                    string `json:"phone"`
	Status                   string `json:"status"`
	JoinDate                 string `json:"join_date"` // "2006-01-02 15:04 MST-0700" in the caller's timezone
}

// TargetCandidate is a program's target candidate: free text, not checked against the enumerations (as the old API).
type TargetCandidate struct {
	Gender            string `json:"target_candidate_gender"`
	Age               string `json:"target_candidate_age"`
	Ethnicity         string `json:"target_candidate_ethnicity"`
	SexualOrientation string `json:"target_candidate_sexual_orientation"`
	Religion          string `json:"target_candidate_religion"`
	PhysicalAbility   string `json:"target_candidate_physical_ability"`
	MentalAbility     string `json:"target_candidate_mental_ability"`
	SocioEconomic     string `json:"target_candidate_socio_economic"`
	HighestEducation  string `json:"target_candidate_highest_education"`
	YearsOfExperience string `json:"target_candidate_years_of_experience"`
	Other             string `json:"target_candidate_other"`
}

// ProgramFields are the fields of a program a representative writes (#17, #19), shared by Program and
// ProgramInput. List fields are never nil once decoded or read from a store.
type ProgramFields struct {
	Name                       string
	Description                string
	TargetSkills               []string
	TargetCandidate            TargetCandidate
	PaymentCurrency            string
	PaymentAmount              *int64 // nil: the web's emptied field (NaN sent as null)
	ContactType                string // a ContactType value
	Zone                       string // a Zone value
	StudentResponsibility      []string
	MentorResponsibility       []string
	OrganizationResponsibility []string
	StudentRequirements        []string
	MentorRequirements         []string
	ResourcesProvided          []string
	ContactName                string
	ContactDepartment          string
	ProgramAddress             string
	ContactPhone               string
	ContactMobile              string
	ContactEmail               string
	ProgramWebsite             string
	IRCChannel                 string
	Tags                       []string
	Status                     string // a ProgramStatus value
}

// Program is a stored program.
type Program struct {
	ID             int64
	OrganizationID int64
	StartDate      time.Time
	EndDate        time.Time
	CreationDate   time.Time
	ProgramFields
}

// ProgramInput is the body of #17/#19, decoded and validated by DecodeProgram. StartDate and EndDate are
// "YYYY-MM-DD HH:MM" in the caller's timezone; the Service converts them.
type ProgramInput struct {
	StartDate string
	EndDate   string
	ProgramFields
}

// ProgramView is the program object P of the old API (keys in its order), as the Service returns it. The
// representative is the organization's (B4 fixed), and dates are in the caller's timezone.
type ProgramView struct {
	ID                 int64    `json:"id"`
	ProgramName        string   `json:"program_name"`
	OrganizationID     int64    `json:"organization_id"`
	OrganizationName   string   `json:"organization_name"`
	RepresentativeID   int64    `json:"representative_id"`
	RepresentativeName string   `json:"representative_name"`
	StartDate          string   `json:"start_date"`
	EndDate            string   `json:"end_date"`
	Description        string   `json:"description"`
	TargetSkills       []string `json:"target_skills"`
	TargetCandidate
	PaymentCurrency            string   `json:"payment_currency"`
	PaymentAmount              *int64   `json:"payment_amount"`
	ContactType                string   `json:"contact_type"`
	Zone                       string   `json:"zone"`
	StudentResponsibility      []string `json:"student_responsibility"`
	MentorResponsibility       []string `json:"mentor_responsibility"`
	OrganizationResponsibility []string `json:"organization_responsibility"`
	StudentRequirements        []string `json:"student_requirements"`
	MentorRequirements         []string `json:"mentor_requirements"`
	ResourcesProvided          []string `json:"resources_provided"`
	ContactName                string   `json:"contact_name"`
	ContactDepartment          string   `json:"contact_department"`
	ProgramAddress             string   `json:"program_address"`
	ContactPhone               string   `json:"contact_phone"`
	ContactMobile              string   `json:"contact_mobile"`
	ContactEmail               string   `json:"contact_email"`
	ProgramWebsite             string   `json:"program_website"`
	IRCChannel                 string   `json:"irc_channel"`
	Tags                       []string `json:"tags"`
	Status                     string   `json:"status"`
	CreationDate               string   `json:"creation_date"`
}

// Outcome is the answer to a successful write: Created selects 201 (else 200); Message is the old API's text.
type Outcome struct {
	Created bool
	Message string
}

// OrganizationQuery is the query of GET /organizations (#15); ParseOrganizationQuery builds it from the raw
// query values.
type OrganizationQuery struct {
	Name    string // case-insensitive substring of the organization's name; "" matches all
	Page    int    // ≥ 1
	PerPage int    // 1..50
}

// OrganizationFilter selects organizations for Store.ListOrganizations: status Publish, whose representative has
// declared is_organization_rep, whose name contains NameContains (case-insensitively, taken literally: % and _
// are not wildcards), with id > AfterID, in id order, at most Limit of them. NameContains is UTF-8 without NUL
// (the Service answers other names itself).
type OrganizationFilter struct {
	NameContains string
	AfterID      int64
	Limit        int
}

// ProgramFilter selects programs for Store.Programs: those of OrganizationID (without the ones whose status is
// Draft unless WithDrafts), in id order, the first Offset skipped, at most Limit of them (Limit ≥ 1: the store
// query has a LIMIT).
type ProgramFilter struct {
	OrganizationID int64
	WithDrafts     bool
	Offset         int
	Limit          int
}
