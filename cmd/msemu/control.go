package main

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

// withControl adds the test-control endpoints under /_emulator/ in front of the emulator. They are never
// faulted and never counted:
//
//	POST /_emulator/fault               {"delay_ms": 0, "status": 0} sets (or, all zero, clears) the fault
//	GET  /_emulator/calls               {"METHOD /pattern": count, ...}
//	GET  /_emulator/confirmation_token?email=  {"token": "..."}
//	GET  /_emulator/outbox              the recorded emails
//	POST /_emulator/daily_jobs          runs MS's daily jobs now
func withControl(srv *emulator.Server) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /_emulator/fault", func(w http.ResponseWriter, r *http.Request) {
		var f struct {
			DelayMS int `json:"delay_ms"`
			Status  int `json:"status"`
		}
		if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "body must be {\"delay_ms\": int, \"status\": int}: " + err.Error()})
			return
		}
		if f.DelayMS < 0 || (f.Status != 0 && (f.Status < 100 || f.Status > 599)) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "delay_ms must be >= 0 and status 0 or 100..599"})
			return
		}
		srv.SetFault(emulator.Fault{Delay: time.Duration(f.DelayMS) * time.Millisecond, Status: f.Status})
		writeJSON(w, http.StatusOK, f)
	})
	mux.HandleFunc("GET /_emulator/calls", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, srv.CallCounts())
	})
	mux.HandleFunc("GET /_emulator/confirmation_token", func(w http.ResponseWriter, r *http.Request) {
		email := r.URL.Query().Get("email")
		if email == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "query parameter email is required"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"token": srv.ConfirmationToken(email)})
	})
	mux.HandleFunc("GET /_emulator/outbox", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, srv.Outbox())
	})
	mux.HandleFunc("POST /_emulator/daily_jobs", func(w http.ResponseWriter, _ *http.Request) {
		srv.RunDailyJobs()
		writeJSON(w, http.StatusOK, map[string]string{"message": "daily jobs ran"})
	})
	mux.Handle("/", srv)
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
