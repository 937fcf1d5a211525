package handlers

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// readyCheckEvery is how often /readyz may check MS (or the database) at most, however often it is called: a
// public /readyz must not be a way to flood either.
const readyCheckEvery = time.Second

// readyCheck remembers the last check of one dependency of /readyz (MS, the database). Callers within readyCheckEvery of it get its result;
// concurrent callers after that share one new check (singleflight).
type readyCheck struct {
	group singleflight.Group

	mu      sync.Mutex
	at      time.Time // when the last check finished; zero before the first
	healthy bool
}

// reachable runs ping at most once per readyCheckEvery (by now) and reports whether the dependency answered.
func (r *readyCheck) reachable(ctx context.Context, now func() time.Time, ping func(context.Context) error) bool {
	r.mu.Lock()
	if !r.at.IsZero() && now().Sub(r.at) < readyCheckEvery {
		ok := r.healthy
		r.mu.Unlock()
		return ok
	}
	r.mu.Unlock()
	v, _, _ := r.group.Do("check", func() (any, error) {
		r.mu.Lock()
		if !r.at.IsZero() && now().Sub(r.at) < readyCheckEvery { // another caller's check just finished
			ok := r.healthy
			r.mu.Unlock()
			return ok, nil
		}
		r.mu.Unlock()
		// The shared check must not die with the caller that started it.
		ok := ping(context.WithoutCancel(ctx)) == nil
		r.mu.Lock()
		r.at, r.healthy = now(), ok
		r.mu.Unlock()
		return ok, nil
	})
	return v.(bool)
}
