// Package bit is the domain of BridgeInTech's own data (additional info, personal background, organizations and
// programs; docs/BRIDGEINTECH.md): its types, enumerations, request decoding and validation with the old API's exact
// messages, the domain errors (Error, one Code→status map), the Store interface its databases implement
// (bit/sqlitestore, bit/pgstore) and the Service that applies the endpoints' rules: who may read or write what.
// It knows no HTTP framework and no database driver; the caller passes the verified MS user id.
//
// # Decisions (where the old API had a bug or the contract leaves a choice open)
//
// Privacy:
//   - GET /users/{id}/additional_info (#12): another member gets "phone" and "mobile" as "" (keys kept); the
//     owner reading their own id gets everything (B11).
//   - GET /users/{id}/personal_background (#11): refused (403) to others unless is_public; the owner always reads
//     their own, public or not.
//   - Organizations with status Draft or Archived are visible only to their representative: they are never listed
//     (#15), and #16/#18 answer 404 "No organization found on the record." to others (B11).
//   - Programs with status Draft are visible only to their organization's representative (#16 leaves them out,
//     #18 answers 404); other statuses are shown to every member who may see the organization.
//   - Organization email/phone and program contact details are shown: they are published contact details.
//
// Old bugs fixed (docs/BRIDGEINTECH.md#old-bugs-not-kept):
//   - B2/B3: #15 lists Publish organizations whose representative has declared is_organization_rep and is a
//     verified MS member (Members.MemberName, one look-up per representative), filtered by name, then paged.
//   - B4: a program's representative is its organization's, named by MS, not the caller.
//   - B5: #19 updates only a program of the organization in the path; else 404 (#18's text).
//   - B6: duplicates are 409 (organization name, organization email, program name); over-long strings are 400.
//   - B7: a bad date, contact_type or zone is 400 with its own message.
//   - B9: the four "messages" texts are sent as "message".
//   - B10: authentication (401) comes before the body checks (the HTTP side verifies the caller first).
//   - B12: programs are listed in id order.
//
// Choices:
//   - The web's two SocioEconomic spellings with commas are accepted and stored as the backend's values.
//   - payment_amount may be null (the web sends NaN as null for an emptied field); it is stored and shown as null.
//   - Keys a body's model does not declare are ignored, as before.
//   - Length limits: the old database's column sizes for organizations and programs; for what the old API kept
//     as unbounded JSON: phone/mobile 50, personal_website 254, *_other and target_candidate_* 254, at most 100
//     items per program list. NUL characters are refused in every text.
//   - #15: a name filter is a literal, case-insensitive substring (% and _ are not wildcards); per_page 0 → 10.
//   - #13/#15/#16/#18 dates are shown in the caller's timezone (GMT0 when they saved none); program dates are
//     read in the caller's timezone; the order of start and end is not checked (as before).
//   - A member who withdraws is_organization_rep keeps their organization's data, but #13 answers 403 and the
//     organization leaves the list until they declare again.
//   - Rows of an MS user deleted from MS stay (the BFF's store cannot follow MS's foreign keys); their
//     organization drops from #15 and #16/#18 answer MS's own refusal of that user.
//   - Representative names: the Service takes a Members (per request, with the caller's own token) instead of
//     returning ids, because #15 must check representatives before paging.
package bit
