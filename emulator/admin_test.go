package emulator

import "testing"

func TestAdminEndpoints(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := func(n int) map[string]any { return map[string]any{"user_id": n} }
	steps := []struct {
		name, method, path, caller string
		body                       any
		status                     int
		message                    string
	}{
		{"a missing user_id fails the schema", "POST", "/admin/new", "adminuser", map[string]any{}, 400, "Input payload validation failed"},
		{"a float user_id is not an integer", "POST", "/admin/new", "adminuser", map[string]any{"user_id": 2.5}, 400, "Input payload validation failed"},
		{"a non-admin cannot assign", "POST", "/admin/new", "mentoruser", id(menteeID), 403, "You don't have admin status. You can't assign other user as admin."},
		{"an admin cannot assign themself", "POST", "/admin/new", "adminuser", id(adminID), 403, "You cannot assign yourself as an Admin."},
		{"assigning an unknown user is a 404", "POST", "/admin/new", "adminuser", id(99), 404, msgUserDoesNotExist},
		{"an admin assigns another user", "POST", "/admin/new", "adminuser", id(mentorID), 200, "User is now an Admin."},
		{"assigning an admin again is refused", "POST", "/admin/new", "adminuser", id(mentorID), 400, "User is already an Admin."},
		{"a non-admin cannot revoke", "POST", "/admin/remove", "menteeuser", id(mentorID), 403, "You don't have admin status. You can't revoke other admin user."},
		{"revoking an unknown user is a 404", "POST", "/admin/remove", "adminuser", id(99), 404, msgUserDoesNotExist},
		{"revoking a non-admin is refused", "POST", "/admin/remove", "adminuser", id(menteeID), 400, "User is not an Admin."},
		{"a non-admin cannot list admins", "GET", "/admins", "menteeuser", nil, 403, "User is not an Admin."},
		{"an admin may demote themself while another admin exists", "POST", "/admin/remove", "mentoruser", id(mentorID), 200, "User admin status was revoked."},
		{"the last admin cannot demote themself", "POST", "/admin/remove", "adminuser", id(adminID), 403, "You cannot revoke your adminstatus."},
	}
	for _, tc := range steps {
		t.Run(tc.name, func(t *testing.T) { expect(t, h.do(tc.method, tc.path, tc.caller, tc.body), tc.status, tc.message) })
	}
	t.Run("admins lists every admin but the caller", func(t *testing.T) {
		expectStatus(t, h.do("POST", "/admin/new", "adminuser", id(otherID)), 200)
		list := h.do("GET", "/admins", "adminuser", nil).array(t)
		if len(list) != 1 {
			t.Fatalf("admins %v", list)
		}
		a := list[0].(map[string]any)
		if a["username"] != "otheruser" || len(a) != 9 {
			t.Fatalf("admin %v", a)
		}
	})
}
