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
//     verified MS member (Members.MemberName; a name the Members cannot learn now, ErrNameUnknown, is listed
//     empty), filtered by name, then paged.
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
//   - A member who withdraws is_organization_rep keeps their organization's data, but #13 answers 403, the
//     organization leaves the list and #16/#18 answer 404 to other members (hidden like a Draft) until they
//     declare again.
//   - Representative names: the Service takes a Members (per request, with the caller's own token) instead of
//     returning ids, because #15 must check representatives before paging.
//
// Accounts (account.go, service_account.go):
//   - A deleted account leaves nothing personal behind: ForgetAccount deletes the user's additional info and
//     personal background and archives the organization they represent, in one transaction. Archived means
//     status Archived and no representative (rep_id becomes minus the organization's id, which no MS user has,
//     because the column is NOT NULL and UNIQUE): it leaves every list, its programs are readable by nobody, and a
//     later account with the same id does not inherit it. Its name and email stay taken (the organization's
//     record, not the member's); the representative's department is cleared. The HTTP side calls it once MS has
//     answered DELETE /user with success; when the database does not answer, it retries in the background with
//     backoff for as long as the process lives (logged; a forgetting pending at shutdown is logged as an error and
//     lost). That gap is closed for reads: every read about another member asks MS first (next point).
//   - A read about another member (#11, #12, and the representative of #15/#16/#18) asks MS (Members) before
//     showing a row; MS's "no such member" is its own 404 (#15 skips the organization). One's own rows are read
//     without asking MS.
//   - Rows are bound to the MS account, not to its reusable id: the store keeps per user id the registration time
//     MS reports (registration_date, to the microsecond). BindAccount with another time forgets the former
//     account's rows (as ForgetAccount) before anything is shown; the HTTP side binds wherever MS's answer with
//     registration_date is at hand (login, GET /user passed through, a Bearer caller checked at MS), and the
//     Service binds at every member look-up whose Members implements MemberRegistrations. Rows whose account is
//     unknown (written before migration 00004, or while no binding was checked) are bound to the first account
//     that reaches them with a registration time ("bind at first sight"): an id handed out again before its
//     first binding cannot be told apart, and a cookie session that never passes a binding check keeps reading
//     what its id has. A Service remembers the bindings it has confirmed (at most 100,000), so a known account
//     costs no database read; the HTTP side bounds a binding on an MS route (login, GET /user) to 500 ms, skips
//     it while the database is known down, and never fails the request for it.
//
// Bounds (issue 17): #16 is paged (ProgramQuery, read from the store a few programs at a time, EachProgram hands
// them over one by one for the HTTP side to encode under its byte ceiling); an organization has at most
// Options.ProgramsPerOrganization programs and a representative creates at most Options.ProgramCreates per
// minute; bodies are parsed in place (walk.go) so parsing holds at most the body's size again plus
// DecodeOverhead; text fields refuse control characters and bidirectional overrides, URL fields take absolute
// http/https URLs only, phones need a digit, and unique names are compared by NameKey (text.go).
package bit
