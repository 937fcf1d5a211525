package session_test

import (
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/session"
)

func TestAccessExpiresWithin(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		accessExp time.Time
		within    time.Duration
		want      bool
	}{
		{"a token expired a minute ago needs a refresh", now.Add(-time.Minute), 30 * time.Second, true},
		{"a token expiring right now needs a refresh", now, 30 * time.Second, true},
		{"a token expiring in 10 s needs a refresh within 30 s", now.Add(10 * time.Second), 30 * time.Second, true},
		{"a token expiring in exactly 30 s needs a refresh within 30 s", now.Add(30 * time.Second), 30 * time.Second, true},
		{"a token expiring in 31 s does not", now.Add(31 * time.Second), 30 * time.Second, false},
		{"a token expiring in 10 min does not", now.Add(10 * time.Minute), 30 * time.Second, false},
		{"with no margin, a token expiring in 1 s does not", now.Add(time.Second), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := session.Session{AccessExp: tt.accessExp}
			if got := s.AccessExpiresWithin(now, tt.within); got != tt.want {
				t.Errorf("AccessExpiresWithin = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMaxAgeIsTheRefreshTokensRemainingLife(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		refreshExp time.Time
		want       time.Duration
	}{
		{"four weeks left", now.Add(4 * 7 * 24 * time.Hour), 4 * 7 * 24 * time.Hour},
		{"one second left", now.Add(time.Second), time.Second},
		{"expired now is zero", now, 0},
		{"expired an hour ago is zero, not negative", now.Add(-time.Hour), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := (session.Session{RefreshExp: tt.refreshExp}).MaxAge(now); got != tt.want {
				t.Errorf("MaxAge = %v, want %v", got, tt.want)
			}
		})
	}
}
