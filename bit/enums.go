package bit

import "strings"

// The enumerations of docs/BRIDGEINTECH.md#enumerations. Values travel and are stored exactly as written here (case-sensitive;
// the typos and unbalanced parentheses are part of the values). Each list is a constant, one value a line, so the
// package holds no mutable state.
const (
	// OrganizationStatus values.
	organizationStatusList = "Draft\nPublish\nArchived\n"
	// ProgramStatus values.
	programStatusList = "Draft\nOpen\nIn_Progress\nCompleted\nClosed\n"
	// ContactType values.
	contactTypeList = "Face-to-face\nRemote\nBoth Remote and Face-to-face\n"
	// Zone values.
	zoneList = "Local\nNational\nGlobal\n"
	// Gender values.
	genderList = "Female\nMale\nOther\nPrefer not to say\nNot Applicable\n"
	// Age values.
	ageList = "Under 18\nBetween 18 to 20 yo\nBetween 21 to 24 yo\nBetween 25 to 34 yo\nBetween 35 to 44 yo\nBetween 45 to 54 yo\nBetween 55 to 64 yo\nAbove 65 yo\nPrefer not to say\nNot Applicable\n"
	// Ethnicity values.
	ethnicityList = "African-American/Black\nCaucasian/White\nHispanic/Latinx\nNative American/Alaska Native/First Nations\nMiddle Eastern/North African (MENA)\nAsian\nOther\nPrefer not to say\nNot Applicable\n"
	// SexualOrientation values.
	sexualOrientationList = "Heterosexual/Straight\nLGBTIA+\nOther\nPrefer not to say\nNot Applicable\n"
	// Religion values.
	religionList = "Christianity\nJudaism\nIslam\nHinduism\nBuddhism\nOther\nPrefer not to say\nNot Applicable\n"
	// PhysicalAbility values.
	physicalAbilityList = "With/had limited physical ability (or with/had some type of physical disability/ies)\nWithout/have no limitation to physical ability/ies\nOther\nPrefer not to say\nNot Applicable\n"
	// MentalAbility values.
	mentalAbilityList = "With/previously had some type of mental disorders\nWithout/have no mental disorders\nOther\nPrefer not to say\nNot Applicable\n"
	// SocioEconomic values.
	socioEconomicList = "Upper class/Elite\nUpper Middle class (or High-level Professionals/white collars e.g. enginers/accountants/lawyers/architects/managers/directors\nLower Middle class (e.g. blue collars in skilled trades/Paralegals/Bank tellers/Sales/Clerical-Admin/other support workers)\nWorking class (e.g. craft workers factory labourers restaurant/delivery services workers\nUnderclass working but with wages under poverty line receiving Social Benefit from Government\nOther\nPrefer not to say\nNot Applicable\n"
	// HighestEducation values.
	highestEducationList = "Have/did not completed High School\nHigh School Diploma\nAssociate Degree\nBachelor's Degree\nMaster's Degree\nPhD or other Doctorate Degrees\nOther\nPrefer not to say\nNot Applicable\n"
	// YearsOfExperience values.
	yearsOfExperienceList = "Less than a year\nBetween 1 to 3 years\nBetween 3 to 5 years\nBetween 5 to 10 year\nOver 10 years of experience\nPrefer not to say\nNot Applicable\n"
)

// inList reports whether v is one of the values of list (a constant of this file: values each followed by "\n").
func inList(list, v string) bool {
	if v == "" || strings.ContainsRune(v, '\n') {
		return false
	}
	for rest := list; rest != ""; {
		line, after, _ := strings.Cut(rest, "\n")
		if line == v {
			return true
		}
		rest = after
	}
	return false
}

// values returns the values of list in their documented order.
func values(list string) []string { return strings.Split(strings.TrimSuffix(list, "\n"), "\n") }

// IsTimezone reports whether v is one of the 591 accepted Timezone values (docs/BRIDGEINTECH.md#timezones).
func IsTimezone(v string) bool { return inList(timezoneList, v) }

// Timezones returns the 591 accepted Timezone values in ASCII order.
func Timezones() []string { return values(timezoneList) }

// IsOrganizationStatus reports whether v is a OrganizationStatus value.
func IsOrganizationStatus(v string) bool { return inList(organizationStatusList, v) }

// OrganizationStatusValues returns the OrganizationStatus values in their documented order.
func OrganizationStatusValues() []string { return values(organizationStatusList) }

// IsProgramStatus reports whether v is a ProgramStatus value.
func IsProgramStatus(v string) bool { return inList(programStatusList, v) }

// ProgramStatusValues returns the ProgramStatus values in their documented order.
func ProgramStatusValues() []string { return values(programStatusList) }

// IsContactType reports whether v is a ContactType value.
func IsContactType(v string) bool { return inList(contactTypeList, v) }

// ContactTypeValues returns the ContactType values in their documented order.
func ContactTypeValues() []string { return values(contactTypeList) }

// IsZone reports whether v is a Zone value.
func IsZone(v string) bool { return inList(zoneList, v) }

// ZoneValues returns the Zone values in their documented order.
func ZoneValues() []string { return values(zoneList) }

// IsGender reports whether v is a Gender value.
func IsGender(v string) bool { return inList(genderList, v) }

// GenderValues returns the Gender values in their documented order.
func GenderValues() []string { return values(genderList) }

// IsAge reports whether v is a Age value.
func IsAge(v string) bool { return inList(ageList, v) }

// AgeValues returns the Age values in their documented order.
func AgeValues() []string { return values(ageList) }

// IsEthnicity reports whether v is a Ethnicity value.
func IsEthnicity(v string) bool { return inList(ethnicityList, v) }

// EthnicityValues returns the Ethnicity values in their documented order.
func EthnicityValues() []string { return values(ethnicityList) }

// IsSexualOrientation reports whether v is a SexualOrientation value.
func IsSexualOrientation(v string) bool { return inList(sexualOrientationList, v) }

// SexualOrientationValues returns the SexualOrientation values in their documented order.
func SexualOrientationValues() []string { return values(sexualOrientationList) }

// IsReligion reports whether v is a Religion value.
func IsReligion(v string) bool { return inList(religionList, v) }

// ReligionValues returns the Religion values in their documented order.
func ReligionValues() []string { return values(religionList) }

// IsPhysicalAbility reports whether v is a PhysicalAbility value.
func IsPhysicalAbility(v string) bool { return inList(physicalAbilityList, v) }

// PhysicalAbilityValues returns the PhysicalAbility values in their documented order.
func PhysicalAbilityValues() []string { return values(physicalAbilityList) }

// IsMentalAbility reports whether v is a MentalAbility value.
func IsMentalAbility(v string) bool { return inList(mentalAbilityList, v) }

// MentalAbilityValues returns the MentalAbility values in their documented order.
func MentalAbilityValues() []string { return values(mentalAbilityList) }

// IsSocioEconomic reports whether v is a SocioEconomic value.
func IsSocioEconomic(v string) bool { return inList(socioEconomicList, v) }

// SocioEconomicValues returns the SocioEconomic values in their documented order.
func SocioEconomicValues() []string { return values(socioEconomicList) }

// IsHighestEducation reports whether v is a HighestEducation value.
func IsHighestEducation(v string) bool { return inList(highestEducationList, v) }

// HighestEducationValues returns the HighestEducation values in their documented order.
func HighestEducationValues() []string { return values(highestEducationList) }

// IsYearsOfExperience reports whether v is a YearsOfExperience value.
func IsYearsOfExperience(v string) bool { return inList(yearsOfExperienceList, v) }

// YearsOfExperienceValues returns the YearsOfExperience values in their documented order.
func YearsOfExperienceValues() []string { return values(yearsOfExperienceList) }
