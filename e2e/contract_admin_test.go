package e2e

import (
	"net/http"
	"slices"
	"testing"
)

// ctAdminTable is docs/MS.md#admin through the BFF.
func ctAdminTable(t *testing.T) {
	s := newCtStack(t,
		ctSeed("root_admin", "Root Admin", "admin"),
		ctSeed("ben_member", "Ben Member", "mentor"),
		ctSeed("cat_member", "Cat Member", "mentee"),
	)
	root, ben, cat := s.as("root_admin"), s.as("ben_member"), s.as("cat_member")
	rootID, benID, catID := s.id("root_admin"), s.id("ben_member"), s.id("cat_member")
	post, get := http.MethodPost, http.MethodGet
	target := func(id any) map[string]any { return map[string]any{"user_id": id} }
	admins := func(want ...int64) func(t *testing.T, a ctAnswer) {
		return func(t *testing.T, a ctAnswer) {
			xs := a.array(t)
			ctAllKeys(t, "admin", xs, ctAdminKeys)
			if got := ctIDs(t, xs); !slices.Equal(got, want) {
				t.Errorf("admins %v, want %v", got, want)
			}
		}
	}
	isAdmin := func(c *ctClient, want bool) func(t *testing.T, a ctAnswer) {
		return func(t *testing.T, a ctAnswer) {
			if got := c.must(t, 200, get, "/api/user", nil).object(t)["is_admin"]; got != want {
				t.Errorf("%s is_admin %v, want %v", c.name, got, want)
			}
		}
	}
	ctRunTable(t, []ctCase{
		// POST /admin/new.
		{name: "assign admin refuses a body without user_id, by schema", who: root, method: post, path: "/api/admin/new",
			body: map[string]any{}, status: 400, check: ctSchemaError("user_id", "'user_id' is a required property")},
		{name: "assign admin refuses a user_id that is not an integer, by schema", who: root, method: post, path: "/api/admin/new",
			body: target("2"), status: 400, check: ctSchemaError("user_id", "'2' is not of type 'integer'")},
		{name: "assign admin refuses a caller who is not an admin", who: ben, method: post, path: "/api/admin/new", body: target(catID),
			status: 403, msg: "You don't have admin status. You can't assign other user as admin."},
		{name: "assign admin refuses the caller themself", who: root, method: post, path: "/api/admin/new", body: target(rootID),
			status: 403, msg: "You cannot assign yourself as an Admin."},
		{name: "assign admin refuses an unknown user", who: root, method: post, path: "/api/admin/new", body: target(9999),
			status: 404, msg: "User does not exist."},
		{name: "assign admin makes a user admin", who: root, method: post, path: "/api/admin/new", body: target(benID),
			status: 200, msg: "User is now an Admin.", check: isAdmin(ben, true)},
		{name: "assign admin refuses a user who already is one", who: root, method: post, path: "/api/admin/new", body: target(benID),
			status: 400, msg: "User is already an Admin."},

		// GET /admins.
		{name: "admins refuses a caller who is not an admin", who: cat, method: get, path: "/api/admins", status: 403,
			msg: "User is not an Admin."},
		{name: "admins lists every admin but the caller", who: root, method: get, path: "/api/admins", status: 200, check: admins(benID)},
		{name: "admins of the other admin lists the first", who: ben, method: get, path: "/api/admins", status: 200, check: admins(rootID)},

		// POST /admin/remove.
		{name: "revoke admin refuses a body without user_id, by schema", who: root, method: post, path: "/api/admin/remove",
			body: map[string]any{"id": benID}, status: 400, check: ctSchemaError("user_id", "'user_id' is a required property")},
		{name: "revoke admin refuses a caller who is not an admin", who: cat, method: post, path: "/api/admin/remove", body: target(benID),
			status: 403, msg: "You don't have admin status. You can't revoke other admin user."},
		{name: "revoke admin refuses an unknown user", who: root, method: post, path: "/api/admin/remove", body: target(9999),
			status: 404, msg: "User does not exist."},
		{name: "revoke admin refuses a user who is not an admin", who: root, method: post, path: "/api/admin/remove", body: target(catID),
			status: 400, msg: "User is not an Admin."},
		{name: "revoke admin revokes another admin", who: root, method: post, path: "/api/admin/remove", body: target(benID),
			status: 200, msg: "User admin status was revoked.", check: isAdmin(ben, false)},
		{name: "revoke admin refuses the only admin revoking themself", who: root, method: post, path: "/api/admin/remove",
			body: target(rootID), status: 403, msg: "You cannot revoke your adminstatus."},
		{name: "admins of the only admin is empty", who: root, method: get, path: "/api/admins", status: 200, check: admins()},
		{name: "revoke admin lets an admin step down while another admin exists", who: root, method: post, path: "/api/admin/remove",
			before: func(t *testing.T) { root.must(t, 200, post, "/api/admin/new", target(catID)) },
			body:   target(rootID), status: 200, msg: "User admin status was revoked.", check: isAdmin(root, false)},
		{name: "the former admin is refused admin routes", who: root, method: get, path: "/api/admins", status: 403,
			msg: "User is not an Admin."},
		{name: "the new admin lists no other admin", who: cat, method: get, path: "/api/admins", status: 200, check: admins()},
	})
}
