package emulator

import "net/http"

// routes is every MS endpoint of docs/MS.md#endpoints in one table (34 routes). A {name} segment is an integer
// id, except {token}.
func routes() []*route {
	const (
		get, post, put, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
		rel                 = "/mentorship_relation/{request_id}"
		task                = "/mentorship_relation/{relation_id}/task"
	)
	return []*route{
		// Auth and account (auth.go, users.go).
		{method: post, pattern: "/login", handle: (*Server).login},
		{method: post, pattern: "/refresh", auth: authRefresh, handle: (*Server).refresh},
		{method: post, pattern: "/register", schema: registerSchema, handle: (*Server).register},
		{method: get, pattern: "/user/confirm_email/{token}", handle: (*Server).confirmEmail},
		{method: post, pattern: "/user/resend_email", handle: (*Server).resendEmail},
		{method: get, pattern: "/user", auth: authAccess, handle: (*Server).getUser},
		{method: put, pattern: "/user", auth: authAccess, handle: (*Server).updateUser},
		{method: del, pattern: "/user", auth: authAccess, handle: (*Server).deleteUser},
		{method: put, pattern: "/user/change_password", auth: authAccess, schema: changePasswordSchema, handle: (*Server).changePassword},

		// Users, home, dashboard (users.go, home.go).
		{method: get, pattern: "/users", auth: authAccess, handle: (*Server).listAllUsers},
		{method: get, pattern: "/users/verified", auth: authAccess, handle: (*Server).listVerifiedUsers},
		{method: get, pattern: "/users/{user_id}", auth: authAccess, handle: (*Server).getUserByID},
		{method: get, pattern: "/home", auth: authAccess, handle: (*Server).home},
		{method: get, pattern: "/dashboard", auth: authAccess, handle: (*Server).dashboard},

		// Admin (admin.go).
		{method: post, pattern: "/admin/new", auth: authAccess, schema: adminSchema, handle: (*Server).assignAdmin},
		{method: post, pattern: "/admin/remove", auth: authAccess, schema: adminSchema, handle: (*Server).revokeAdmin},
		{method: get, pattern: "/admins", auth: authAccess, handle: (*Server).listAdmins},

		// Mentorship relations (relations.go).
		{method: post, pattern: "/mentorship_relation/send_request", auth: authAccess, handle: (*Server).sendRequest},
		{method: get, pattern: "/mentorship_relations", auth: authAccess, handle: (*Server).listRelations},
		{method: get, pattern: "/mentorship_relations/past", auth: authAccess, handle: (*Server).pastRelations},
		{method: get, pattern: "/mentorship_relations/current", auth: authAccess, handle: (*Server).currentRelation},
		{method: get, pattern: "/mentorship_relations/pending", auth: authAccess, handle: (*Server).pendingRelations},
		{method: put, pattern: rel + "/accept", auth: authAccess, handle: (*Server).acceptRelation},
		{method: put, pattern: rel + "/reject", auth: authAccess, handle: (*Server).rejectRelation},
		{method: put, pattern: rel + "/cancel", auth: authAccess, handle: (*Server).cancelRelation},
		{method: del, pattern: rel, auth: authAccess, handle: (*Server).deleteRelation},

		// Tasks (tasks.go).
		{method: post, pattern: task, auth: authAccess, handle: (*Server).createTask},
		{method: get, pattern: "/mentorship_relation/{relation_id}/tasks", auth: authAccess, handle: (*Server).listTasks},
		{method: put, pattern: task + "/{task_id}/complete", auth: authAccess, handle: (*Server).completeTask},
		{method: del, pattern: task + "/{task_id}", auth: authAccess, handle: (*Server).deleteTask},

		// Task comments (comments.go).
		{method: post, pattern: task + "/{task_id}/comment", auth: authAccess, handle: (*Server).createComment},
		{method: put, pattern: task + "/{task_id}/comment/{comment_id}", auth: authAccess, handle: (*Server).updateComment},
		{method: del, pattern: task + "/{task_id}/comment/{comment_id}", auth: authAccess, handle: (*Server).deleteComment},
		{method: get, pattern: task + "/{task_id}/comments", auth: authAccess, handle: (*Server).listComments},
	}
}
