package handlers

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

// TestBITRoutesServeEachCallerTheirOwnData: writes land under the caller's verified id, reads return the caller's
// own row, and another member sees only what the privacy rules allow.
func TestBITRoutesServeEachCallerTheirOwnData(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{bit: true})
	users := emulator.LoadUsers(2)
	ada, bob := s.newClient(), s.newClient()
	adaID := int64(ada.mustLogin(users[0])["user"].(map[string]any)["id"].(float64))
	bob.mustLogin(users[1])

	steps := []struct {
		name   string
		c      *client
		method string
		path   string
		body   any
		status int
		msg    string
	}{
		{"a first read finds nothing yet", ada, "GET", "/api/user/additional_info", nil, 404, bit.MsgAdditionalInfoNotFound},
		{"a first write creates the row", ada, "PUT", "/api/user/additional_info", validAdditionalInfo("+44 20 7946 0000"), 201, bit.MsgAdditionalInfoCreated},
		{"a second write updates it", ada, "PUT", "/api/user/additional_info", validAdditionalInfo("020 7946 0001"), 200, bit.MsgAdditionalInfoUpdated},
		{"another member has none of their own", bob, "GET", "/api/user/additional_info", nil, 404, bit.MsgAdditionalInfoNotFound},
		{"nobody has a background yet", bob, "GET", "/api/users/" + fmt.Sprint(adaID) + "/personal_background", nil, 404, bit.MsgUserBackgroundNotFound},
	}
	for _, st := range steps {
		a := st.c.do(st.method, st.path, st.body)
		if a.Status != st.status || a.message(t) != st.msg {
			t.Fatalf("%s: %s %s = %d %s, want %d %q", st.name, st.method, st.path, a.Status, a.Body, st.status, st.msg)
		}
	}
	own := ada.do("GET", "/api/user/additional_info", nil).json(t)
	if own["user_id"] != float64(adaID) || own["phone"] != "020 7946 0001" || own["timezone"] != "Europe/London" || own["is_organization_rep"] != true {
		t.Fatalf("own additional info: %v", own)
	}
	seen := bob.do("GET", fmt.Sprintf("/api/users/%d/additional_info", adaID), nil).json(t)
	if seen["phone"] != "" || seen["mobile"] != "" || seen["personal_website"] != "https://example.org" {
		t.Fatalf("another member's view of the additional info shows the phones: %v", seen)
	}
	bg := map[string]any{"gender": "Female", "age": "Between 25 to 34 yo", "ethnicity": "Asian",
		"sexual_orientation": "Prefer not to say", "religion": "Prefer not to say", "physical_ability": "Prefer not to say",
		"mental_ability": "Prefer not to say", "socio_economic": "Prefer not to say", "highest_education": "Master's Degree",
		"years_of_experience": "Between 3 to 5 years", "gender_other": "", "ethnicity_other": "", "sexual_orientation_other": "",
		"religion_other": "", "physical_ability_other": "", "mental_ability_other": "", "socio_economic_other": "",
		"highest_education_other": "", "is_public": false}
	if a := ada.do("PUT", "/api/user/personal_background", bg); a.Status != 201 || a.message(t) != bit.MsgBackgroundCreated {
		t.Fatalf("PUT personal_background: %d %s", a.Status, a.Body)
	}
	if a := bob.do("GET", fmt.Sprintf("/api/users/%d/personal_background", adaID), nil); a.Status != 403 || a.message(t) != bit.MsgUserBackgroundNotPublic {
		t.Fatalf("a private background read by another member: %d %s", a.Status, a.Body)
	}
	if a := ada.do("GET", "/api/user/personal_background", nil); a.Status != 200 || a.json(t)["highest_education"] != "Master's Degree" {
		t.Fatalf("own background: %d %s", a.Status, a.Body)
	}
}

// TestBITIdentityComesOnlyFromWhatWasVerified: a Bearer token that was not verified (forged signature, "alg":
// "none", expired, a refresh token, garbage) neither reads nor changes the BridgeInTech data of the user it
// names, whether the BFF checks tokens itself (MS_JWT_SECRET) or leaves that to MS.
func TestBITIdentityComesOnlyFromWhatWasVerified(t *testing.T) {
	t.Parallel()
	for _, local := range []bool{true, false} {
		t.Run(fmt.Sprintf("with local verification %v", local), func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			s := newStack(t, stackOpts{bit: true, verifyLocal: local, clock: clk})
			victim := emulator.LoadUsers(2)[1]
			vc := s.newClient()
			victimID := int64(vc.mustLogin(victim)["user"].(map[string]any)["id"].(float64))
			if a := vc.do("PUT", "/api/user/additional_info", validAdditionalInfo("+1 555 0100")); a.Status != 201 {
				t.Fatalf("victim's PUT: %d %s", a.Status, a.Body)
			}
			_, refresh := s.msLogin(victim)
			now := clk.Now()
			forged := []struct{ name, token string }{
				{"a token signed with another key", signToken(t, []byte("not-the-ms-secret"), victimID, "access", now.Add(10*time.Minute))},
				{"an alg none token", unsignedToken(victimID, now.Add(10*time.Minute))},
				// Expired by both clocks: the emulator's (the stack's) and msclient's own (the real one).
				{"an expired token with a good signature", signToken(t, []byte(testSecret), victimID, "access", minTime(now, time.Now()).Add(-time.Minute))},
				{"a refresh token", refresh},
				{"garbage", "abc.def.ghi"},
			}
			attacker := s.newClient()
			for _, f := range forged {
				for _, req := range []struct {
					method, path string
					body         any
				}{
					{"GET", "/api/user/additional_info", nil},
					{"PUT", "/api/user/additional_info", validAdditionalInfo("666")},
					{"GET", "/api/organization", nil},
				} {
					a := attacker.do(req.method, req.path, req.body, "Authorization", "Bearer "+f.token)
					if a.Status != http.StatusUnauthorized {
						t.Errorf("%s: %s %s = %d %s, want 401", f.name, req.method, req.path, a.Status, a.Body)
					}
					if strings.Contains(string(a.Body), "555") {
						t.Errorf("%s: the victim's data leaked: %s", f.name, a.Body)
					}
				}
			}
			if got := vc.do("GET", "/api/user/additional_info", nil).json(t); got["phone"] != "+1 555 0100" {
				t.Fatalf("the victim's data changed: %v", got)
			}
			// The victim's own genuine token works as a Bearer header, in both modes.
			access, _ := s.msLogin(victim)
			if a := s.newClient().do("GET", "/api/user/additional_info", nil, "Authorization", "Bearer "+access); a.Status != 200 || a.json(t)["phone"] != "+1 555 0100" {
				t.Fatalf("genuine Bearer: %d %s", a.Status, a.Body)
			}
		})
	}
}

// TestBITMalformedInputGets4xxJSON: every malformed request to a BridgeInTech route is refused with a 4xx JSON
// message, before the database sees it where it can be.
func TestBITMalformedInputGets4xxJSON(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{bit: true, origins: []string{"http://app.example.test"}})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	anon := s.newClient()
	long := strings.Repeat("n", 151)
	org := func(mut func(map[string]any)) map[string]any {
		o := map[string]any{"representative_department": "Eng", "name": "Org", "email": "org@example.org", "about": "",
			"address": "", "website": "https://org.example", "timezone": "GMT0", "phone": "123", "status": "Draft"}
		mut(o)
		return o
	}
	cases := []struct {
		name   string
		c      *client
		method string
		path   string
		body   any
		hdr    []string
		status int
		msg    string
	}{
		{"a non-integer user id", c, "GET", "/api/users/abc/additional_info", nil, nil, 404, msgBadID},
		{"a negative organization id", c, "GET", "/api/organizations/-1/programs", nil, nil, 404, msgBadID},
		{"a huge program id", c, "GET", "/api/organizations/1/programs/99999999999999999999", nil, nil, 404, msgBadID},
		{"a program id that is a word", c, "PUT", "/api/organizations/1/programs/abc", `{}`, nil, 404, msgBadID},
		{"a missing body", c, "PUT", "/api/user/additional_info", nil, nil, 400, bit.MsgBodyNotJSONObject},
		{"a JSON array body", c, "PUT", "/api/user/personal_background", `[1]`, nil, 400, bit.MsgBodyNotJSONObject},
		{"broken JSON", c, "PUT", "/api/organization", `{"name": `, nil, 400, bit.MsgBodyNotJSONObject},
		{"a string where a bool belongs", c, "PUT", "/api/user/additional_info", map[string]any{"is_organization_rep": "yes", "timezone": "GMT0", "phone": "", "mobile": "", "personal_website": ""}, nil, 400, bit.MsgInputValidationFailed},
		{"null where a string belongs", c, "PUT", "/api/user/additional_info", map[string]any{"is_organization_rep": true, "timezone": nil, "phone": "", "mobile": "", "personal_website": ""}, nil, 400, bit.MsgInputValidationFailed},
		{"a missing optional key", c, "PUT", "/api/user/additional_info", map[string]any{"is_organization_rep": true, "timezone": "GMT0"}, nil, 400, bit.MsgUnexpectedInput},
		{"an unknown timezone", c, "PUT", "/api/user/additional_info", map[string]any{"is_organization_rep": true, "timezone": "Mars/Olympus", "phone": "", "mobile": "", "personal_website": ""}, nil, 400, bit.MsgTimezoneInvalid},
		{"an unknown organization status", c, "PUT", "/api/organization", org(func(o map[string]any) { o["status"] = "Live" }), nil, 400, bit.MsgOrganizationStatusInvalid},
		{"an over-long organization name", c, "PUT", "/api/organization", org(func(o map[string]any) { o["name"] = long }), nil, 400, "The field name must be at most 150 characters long."},
		{"a number as an organization name", c, "PUT", "/api/organization", org(func(o map[string]any) { o["name"] = 7 }), nil, 400, bit.MsgInputValidationFailed},
		{"a write without X-CSRF", c, "PUT", "/api/user/additional_info", validAdditionalInfo(""), []string{"X-CSRF", ""}, 403, "Missing header X-CSRF: 1, which requests authenticated by the session cookie must send."},
		{"a write from a foreign origin", c, "PUT", "/api/organization", org(func(map[string]any) {}), []string{"Origin", "https://evil.example"}, 403, "Cross-origin request refused: this origin may not send unsafe requests to the API."},
		{"a bad body without a session is 401 first", anon, "PUT", "/api/user/additional_info", `[`, nil, 401, msgNoSession},
		{"a read without a session", anon, "GET", "/api/organizations", nil, nil, 401, msgNoSession},
		{"a body over the limit", c, "PUT", "/api/user/additional_info", `{"phone":"` + strings.Repeat("1", 1<<20) + `"}`, nil, 413, msgBodyTooLarge},
		{"the wrong method", c, "DELETE", "/api/user/additional_info", nil, nil, 405, "The method is not allowed for the requested URL."},
		{"GET on the create-program path", c, "GET", "/api/organizations/1/programs/program", nil, nil, 404, msgBadID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.c.do(tc.method, tc.path, tc.body, tc.hdr...)
			if a.Status != tc.status || a.message(t) != tc.msg {
				t.Fatalf("%s %s = %d %s, want %d %q", tc.method, tc.path, a.Status, a.Body, tc.status, tc.msg)
			}
			if ct := a.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("content type %q", ct)
			}
		})
	}
	// The schema refusal names the failing key, in the old API's words.
	a := c.do("PUT", "/api/user/additional_info", map[string]any{"is_organization_rep": "yes", "phone": "", "mobile": "", "personal_website": ""})
	errs, _ := a.json(t)["errors"].(map[string]any)
	if errs["is_organization_rep"] != "'yes' is not of type 'boolean'" || errs["timezone"] != "'timezone' is a required property" {
		t.Fatalf("schema errors: %s", a.Body)
	}
}

// TestBITSlowDatabaseAnswers503AtOnceWhileMSRoutesWork: while another connection holds the SQLite write lock, a
// write gives up at its own deadline (not the driver's 5 s busy wait) with 503 JSON, the MS routes keep working,
// and once the lock is gone the write succeeds.
func TestBITSlowDatabaseAnswers503AtOnceWhileMSRoutesWork(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{bit: true, dbTimeout: 2 * time.Second}) // room for the last write on a busy machine
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	db, err := sql.Open("sqlite", "file:"+s.db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	a := c.do("PUT", "/api/user/additional_info", validAdditionalInfo(""))
	if a.Status != http.StatusServiceUnavailable || a.message(t) != bit.MsgStoreUnavailable || a.Header.Get("Retry-After") == "" {
		t.Fatalf("a write while the database is locked: %d %s", a.Status, a.Body)
	}
	if n := s.obs.storeCallCount("additional_info_put", "timeout") + s.obs.storeCallCount("additional_info_get", "timeout"); n == 0 {
		t.Fatal("the call did not end at its own deadline")
	}
	if u := c.do("GET", "/api/user", nil); u.Status != http.StatusOK {
		t.Fatalf("an MS route while the database is locked: %d %s", u.Status, u.Body)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	_ = conn.Close()
	if a := c.do("PUT", "/api/user/additional_info", validAdditionalInfo("")); a.Status != http.StatusCreated {
		t.Fatalf("a write once the lock is gone: %d %s", a.Status, a.Body)
	}
}

// TestBITRoutesWithoutADatabaseAnswer503: a server built without a store answers the BridgeInTech routes 503 JSON.
func TestBITRoutesWithoutADatabaseAnswer503(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	if a := c.do("GET", "/api/user/additional_info", nil); a.Status != http.StatusServiceUnavailable || a.message(t) != bit.MsgStoreUnavailable {
		t.Fatalf("got %d %s", a.Status, a.Body)
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// TestBITMemberLookupRefusalsPassThrough: when MS refuses the representative look-up of a cookie session, its
// answer reaches the client unchanged; an "expired" caused by MS's clock running ahead leaves the session alone.
func TestBITMemberLookupRefusalsPassThrough(t *testing.T) {
	t.Parallel()
	clk, msClk := newClock(), newClock()
	s := newStack(t, stackOpts{bit: true, clock: clk, msClock: msClk})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	if a := c.do("PUT", "/api/user/additional_info", validAdditionalInfo("")); a.Status != http.StatusCreated {
		t.Fatalf("PUT additional_info: %d %s", a.Status, a.Body)
	}
	org := map[string]any{"representative_department": "Eng", "name": "Skewed Org", "email": "skew@example.org", "about": "",
		"address": "", "website": "https://skew.example", "timezone": "GMT0", "phone": "123", "status": "Publish"}
	if a := c.do("PUT", "/api/organization", org); a.Status != http.StatusCreated {
		t.Fatalf("PUT organization: %d %s", a.Status, a.Body)
	}
	msClk.Advance(20 * time.Minute) // the access token has expired at MS, not yet here
	a := c.do("GET", "/api/organization", nil)
	if a.Status != http.StatusUnauthorized || a.message(t) != "The token has expired! Please, login again or refresh it." {
		t.Fatalf("MS's expired: %d %s", a.Status, a.Body)
	}
	if len(setCookieHeaders(a.Header, s.codec.Name())) != 0 || c.cookieValue() == "" {
		t.Fatalf("an expired answer from a skewed MS touched the cookie: %v", a.Header.Values("Set-Cookie"))
	}
}
