package revocationtest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/revocation"
)

// ErrDown is what a MemStore answers while SetDown(true) is in force.
var ErrDown = errors.New("memstore: database down")

// memDB is the data MemStores share: what a database file or server holds.
type memDB struct {
	mu       sync.Mutex
	seq      int64
	rows     []memRow // in seq order
	logins   map[revocation.SessionID]revocation.Record
	failures map[string]memFailure
	changed  chan struct{} // closed and replaced at every stored revocation
}

type memRow struct {
	seq int64
	e   revocation.Entry
}

type memFailure struct {
	count   int
	expires int64 // Unix seconds
}

// MemStore is a revocation.Store in memory that keeps times in whole seconds as the databases do, for unit
// tests of the store's callers. Stores made by Another share its data (as two instances share a database) but
// have their own watches. SetDown makes every call fail and ends running watches, as a lost database would. It
// is safe for concurrent use.
type MemStore struct {
	db *memDB

	mu      sync.Mutex
	down    bool
	broken  chan struct{} // closed by BreakWatches / SetDown(true), then replaced
	watches int
	calls   map[string]int
}

var _ revocation.Store = (*MemStore)(nil)

// NewMemStore returns an empty store on a new memory database.
func NewMemStore() *MemStore {
	return newMem(&memDB{
		logins:   map[revocation.SessionID]revocation.Record{},
		failures: map[string]memFailure{},
		changed:  make(chan struct{}),
	})
}

func newMem(db *memDB) *MemStore {
	return &MemStore{db: db, broken: make(chan struct{}), calls: map[string]int{}}
}

// Another returns a second store on the same data (another instance on the same database).
func (s *MemStore) Another() *MemStore { return newMem(s.db) }

// SetDown makes every call of this store fail with ErrDown (true), ending its running watches, or work again.
func (s *MemStore) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
	if down {
		close(s.broken)
		s.broken = make(chan struct{})
	}
}

// BreakWatches makes this store's running watches return an error, as a lost connection does; later calls work.
func (s *MemStore) BreakWatches() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.broken)
	s.broken = make(chan struct{})
}

// Watches returns how many watches of this store are running.
func (s *MemStore) Watches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.watches
}

// Calls returns how many times method (e.g. "Revocations", "RevocationsSince", "Revoke") was called, failed
// calls included.
func (s *MemStore) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// enter counts a call and says whether it may go on.
func (s *MemStore) enter(ctx context.Context, method string) error {
	s.mu.Lock()
	s.calls[method]++
	down := s.down
	s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore %s: %w", method, err)
	}
	if down {
		return fmt.Errorf("memstore %s: %w", method, ErrDown)
	}
	return nil
}

func ceil(t time.Time) int64 {
	if t.Nanosecond() > 0 {
		return t.Unix() + 1
	}
	return t.Unix()
}

func unix(s int64) time.Time { return time.Unix(s, 0).UTC() }

// normal is e as a database gives it back: whole seconds (Until rounded up), UTC.
func normal(e revocation.Entry) revocation.Entry {
	e.Until = unix(ceil(e.Until))
	if e.SessionID.IsZero() {
		e.Before = unix(e.Before.Unix())
	} else {
		e.Before = time.Time{}
	}
	return e
}

func sameKey(a, b revocation.Entry) bool {
	if !a.SessionID.IsZero() || !b.SessionID.IsZero() {
		return a.SessionID == b.SessionID
	}
	return a.UserID == b.UserID && a.Before.Equal(b.Before)
}

// Revoke implements revocation.Store: an entry with the key of a stored one (its session id, or its user and
// Before) replaces it, with a new cursor, only when its Until is later.
func (s *MemStore) Revoke(ctx context.Context, e revocation.Entry) error {
	if err := s.enter(ctx, "Revoke"); err != nil {
		return err
	}
	if err := e.Validate(); err != nil {
		return fmt.Errorf("memstore revoke: %w", err)
	}
	e = normal(e)
	d := s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, r := range d.rows {
		if sameKey(r.e, e) {
			if !e.Until.After(r.e.Until) {
				return nil
			}
			d.rows = append(d.rows[:i], d.rows[i+1:]...)
			break
		}
	}
	d.seq++
	d.rows = append(d.rows, memRow{seq: d.seq, e: e})
	close(d.changed)
	d.changed = make(chan struct{})
	return nil
}

// Revocations implements revocation.Store.
func (s *MemStore) Revocations(ctx context.Context, now time.Time) ([]revocation.Entry, int64, error) {
	if err := s.enter(ctx, "Revocations"); err != nil {
		return nil, 0, err
	}
	d := s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []revocation.Entry
	for _, r := range d.rows {
		if r.e.Until.Unix() > now.Unix() {
			out = append(out, r.e)
		}
	}
	return out, d.seq, nil
}

// RevocationsSince implements revocation.Store.
func (s *MemStore) RevocationsSince(ctx context.Context, cursor int64) ([]revocation.Entry, int64, error) {
	if err := s.enter(ctx, "RevocationsSince"); err != nil {
		return nil, cursor, err
	}
	d := s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []revocation.Entry
	next := cursor
	for _, r := range d.rows {
		if r.seq > cursor {
			out = append(out, r.e)
			next = r.seq
		}
	}
	return out, next, nil
}

// WatchRevocations implements revocation.Store: it wakes at every Revoke of any store on the same data.
func (s *MemStore) WatchRevocations(ctx context.Context, wake func()) error {
	if err := s.enter(ctx, "WatchRevocations"); err != nil {
		return err
	}
	s.mu.Lock()
	broken := s.broken
	s.watches++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.watches--
		s.mu.Unlock()
	}()
	s.db.mu.Lock()
	changed := s.db.changed
	s.db.mu.Unlock()
	wake()
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("memstore watch: %w", ctx.Err())
		case <-broken:
			return errors.New("memstore watch: connection lost")
		case <-changed:
			s.db.mu.Lock()
			changed = s.db.changed
			s.db.mu.Unlock()
			wake()
		}
	}
}

// PurgeRevocations implements revocation.Store.
func (s *MemStore) PurgeRevocations(ctx context.Context, now time.Time) error {
	if err := s.enter(ctx, "PurgeRevocations"); err != nil {
		return err
	}
	d := s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	t := now.Unix()
	rows := d.rows[:0]
	for _, r := range d.rows {
		if r.e.Until.Unix() > t {
			rows = append(rows, r)
		}
	}
	d.rows = rows
	for id, r := range d.logins {
		if r.Until.Unix() <= t {
			delete(d.logins, id)
		}
	}
	for k, f := range d.failures {
		if f.expires <= t {
			delete(d.failures, k)
		}
	}
	return nil
}

// RecordLogin implements revocation.Store.
func (s *MemStore) RecordLogin(ctx context.Context, r revocation.Record) error {
	if err := s.enter(ctx, "RecordLogin"); err != nil {
		return err
	}
	r.LoginAt = unix(r.LoginAt.Unix())
	r.Until = unix(ceil(r.Until))
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	s.db.logins[r.SessionID] = r
	return nil
}

// Logins implements revocation.Store.
func (s *MemStore) Logins(ctx context.Context, userID int64, now time.Time) ([]revocation.Record, error) {
	if err := s.enter(ctx, "Logins"); err != nil {
		return nil, err
	}
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	var out []revocation.Record
	for _, r := range s.db.logins {
		if r.UserID == userID && r.Until.Unix() > now.Unix() {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].LoginAt.Equal(out[j].LoginAt) {
			return out[i].LoginAt.After(out[j].LoginAt)
		}
		return string(out[i].SessionID[:]) < string(out[j].SessionID[:])
	})
	return out, nil
}

// AddLoginFailure implements revocation.Store.
func (s *MemStore) AddLoginFailure(ctx context.Context, key string, now time.Time, window time.Duration) (int, error) {
	if err := s.enter(ctx, "AddLoginFailure"); err != nil {
		return 0, err
	}
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	f := s.db.failures[key]
	if f.expires <= now.Unix() {
		f = memFailure{expires: now.Unix() + int64(window/time.Second)}
	}
	f.count++
	s.db.failures[key] = f
	return f.count, nil
}

// LoginFailures implements revocation.Store.
func (s *MemStore) LoginFailures(ctx context.Context, key string, now time.Time, _ time.Duration) (int, error) {
	if err := s.enter(ctx, "LoginFailures"); err != nil {
		return 0, err
	}
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	if f := s.db.failures[key]; f.expires > now.Unix() {
		return f.count, nil
	}
	return 0, nil
}

// ClearLoginFailures implements revocation.Store.
func (s *MemStore) ClearLoginFailures(ctx context.Context, key string) error {
	if err := s.enter(ctx, "ClearLoginFailures"); err != nil {
		return err
	}
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	delete(s.db.failures, key)
	return nil
}
