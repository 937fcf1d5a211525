package revocation

// Observer is told what the Mirror and the Revoker do, for metrics (metrics/revocation.go implements it). Every
// method must be cheap and safe for concurrent use. Op and trigger values are fixed words, never ids.
type Observer interface {
	// Entries reports how many entries the Mirror holds (session ids plus per-user cutoffs), after every change.
	Entries(n int)
	// Pending reports how many revocations the Revoker holds that the database has not stored yet.
	Pending(n int)
	// StoreFailure counts one failed database call; op is "load", "catch_up", "watch", "purge" or "revoke".
	StoreFailure(op string)
	// CatchUp counts one read of the entries stored since the last one; trigger is "wake" (the database's push or
	// a new watch), "reconnect" (after a lost watch) or "periodic" (the safety net).
	CatchUp(trigger string)
	// WatchReconnect counts one watch that ended with an error and was started again.
	WatchReconnect()
}

// nopObserver is the Observer used when none is given.
type nopObserver struct{}

func (nopObserver) Entries(int)         {}
func (nopObserver) Pending(int)         {}
func (nopObserver) StoreFailure(string) {}
func (nopObserver) CatchUp(string)      {}
func (nopObserver) WatchReconnect()     {}
