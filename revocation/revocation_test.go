package revocation_test

import (
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/revocation"
)

func TestEntryOfRowAndKey(t *testing.T) {
	t.Parallel()
	before := int64(1_800_000_000)
	cut, err := revocation.EntryOfRow(nil, 7, &before, before+60)
	if err != nil || cut.UserID != 7 || cut.Before.Unix() != before || cut.Until.Unix() != before+60 || !cut.SessionID.IsZero() {
		t.Fatalf("a cutoff row: %+v, %v", cut, err)
	}
	id := make([]byte, 16)
	id[0] = 9
	one, err := revocation.EntryOfRow(id, 7, nil, before+60)
	if err != nil || one.SessionID[0] != 9 || !one.Before.IsZero() {
		t.Fatalf("a session row: %+v, %v", one, err)
	}
	if _, err := revocation.EntryOfRow(id[:15], 7, nil, before); err == nil {
		t.Fatal("a 15-byte session id was read without an error")
	}
	if cut.Key() == one.Key() || one.Key() != "s:09000000000000000000000000000000" || cut.Key() != "u:7:1800000000" {
		t.Fatalf("keys %q and %q", cut.Key(), one.Key())
	}
	if revocation.UntilSecond(time.Unix(5, 1)) != 6 || revocation.UntilSecond(time.Unix(5, 0)) != 5 {
		t.Fatal("UntilSecond does not round up")
	}
}
