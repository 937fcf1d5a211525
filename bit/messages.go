package bit

// The exact texts of the old API (docs/BRIDGEINTECH.md), and the few this BFF adds where the old one answered 500
// (marked "new"). The four texts the old API sent under the key "messages" (B9) are sent under "message".
const (
	MsgInputValidationFailed = "Input payload validation failed"
	MsgUnexpectedInput       = "Unexpected input is detected. Only approved fields should be submitted."
	MsgInternal              = "Internal Server Error"
	// new: the body is not one JSON object (old: Flask's HTML 400 page).
	MsgBodyNotJSONObject = "The request body must be a JSON object."
	// new: the store did not answer (503).
	MsgStoreUnavailable = "The database is unavailable. Please try again later."
	// new: a write's end was not confirmed in time (504); it may have been saved.
	MsgStoreOutcomeUnknown = "The database did not confirm the change in time: it may have been saved. Check it, or send it again."

	MsgTimezoneInvalid = "The Timezone input is not within the approved list."
	MsgPhoneInvalid    = "Phone or mobile fields must be in number format. It must contain numbers and may contain dash '-' or space characters."

	MsgAdditionalInfoCreated      = "User additional info successfully created."
	MsgAdditionalInfoUpdated      = "Your additional information is successfully updated."
	MsgAdditionalInfoNotFound     = "No additional information found with your data. Please provide them now."
	MsgUserAdditionalInfoNotFound = "No additional information found with this user id. Please provide them now."
	MsgBackgroundInvalid          = "One or more of the personal background fields input provided is/are not within the given list."
	MsgBackgroundCreated          = "User personal background information successfully created."
	MsgBackgroundUpdated          = "Your personal background information is successfully updated."
	MsgBackgroundNotFound         = "No personal background information found with your data. Please provide them now."
	MsgUserBackgroundNotFound     = "No personal background information found for this user."
	MsgUserBackgroundNotPublic    = "The personal background for this user is not public."
	MsgNotOrganizationRep         = "You have not declared that you are representing an organization."
	MsgOrganizationDoesNotExist   = "Organization does not exist."
	MsgEmailInvalid               = "Your email is invalid."
	MsgOrganizationStatusInvalid  = "Organization status input must be either Draft, Publish, or Archived."
	MsgOrganizationCreated        = "Organization was created successfully."
	MsgOrganizationUpdated        = "Organization was updated successfully."
	MsgNoOrganizationFound        = "No organization found on the record."
	MsgNoProgramFound             = "No program found on the record."
	MsgProgramNotInOrganization   = "The program you are looking for does not exist in this organization."
	MsgEmailMissing               = "Email field is missing."
	MsgPhoneMissing               = "Phone field is missing."
	MsgProgramStatusInvalid       = "Program status input must be either Draft, Open, In_Progress, Completed, or Closed."
	MsgNotRepOfThisOrganization   = "You are not the representative of this Organization."
	MsgProgramCreated             = "Program was created successfully."
	MsgProgramUpdated             = "Program was updated successfully."
	MsgProgramNameTaken           = "Program with that name already exists."
	MsgOrganizationNameTaken      = "Organization with that name already exists."                                              // new (B6)
	MsgOrganizationEmailTaken     = "Organization with that email already exists."                                             // new (B6)
	MsgDateInvalid                = "Program start and end dates must have the form YYYY-MM-DD HH:MM."                         // new (B7)
	MsgContactTypeInvalid         = "Contact type input must be either Face-to-face, Remote, or Both Remote and Face-to-face." // new (B7)
	MsgZoneInvalid                = "Zone input must be either Local, National, or Global."                                    // new (B7)
	MsgProgramCreateRate          = "Too many programs were created just now. Please try again later."                         // new
	msgProgramLimitFormat         = "An organization may have at most %d programs."                                            // new
	msgTooLongFormat              = "The field %s must be at most %d characters long."                                         // new (B6)
	msgTooManyItemsFormat         = "The field %s must have at most %d items."                                                 // new
	msgControlFormat              = "The field %s must not contain control characters or bidirectional overrides."             // new
	msgURLFormat                  = "The field %s must be an absolute http or https URL."                                      // new
	msgNULFormat                  = "The field %s must not contain NUL characters."                                            // new
	msgUTF8Format                 = "The field %s must be UTF-8 text."                                                         // new
	msgRequiredFormat             = "'%s' is a required property"                                                              // jsonschema's text
	msgWrongTypeFormat            = "%s is not of type '%s'"                                                                   // jsonschema's text
)
