package storewatch

import (
	"context"
	"time"
)

func (s *Store) BindAccount(ctx context.Context, userID int64, registered time.Time) (bool, error) {
	return call(s, ctx, "account_bind", func(c context.Context) (bool, error) { return s.next.BindAccount(c, userID, registered) })
}

func (s *Store) ForgetAccount(ctx context.Context, userID int64) error {
	_, err := call(s, ctx, "account_forget", func(c context.Context) (struct{}, error) {
		return struct{}{}, s.next.ForgetAccount(c, userID)
	})
	return err
}
