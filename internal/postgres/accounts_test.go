package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"

	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/testenv"
)

func TestPurgeDeletesOnlyWhatNoLongerCounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.DB(t)
	a := postgres.NewAccounts(db)
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	user := uuid.New()
	exec(t, db, `INSERT INTO users (id, email, password_hash, role, display_name) VALUES (?, 'p@example.com', 'x', 'producer', 'P')`, user)
	for i, tok := range []struct {
		expires time.Time
		revoked *time.Time
	}{
		{now.Add(-48 * time.Hour), nil},                         // expired long ago: purged
		{now.Add(time.Hour), ptrTime(now.Add(-48 * time.Hour))}, // revoked long ago: purged
		{now.Add(time.Hour), nil},                               // live: kept
		{now.Add(-time.Hour), nil},                              // expired within the day: kept
	} {
		exec(t, db, `INSERT INTO auth_tokens (token_hash, user_id, expires_at, revoked_at) VALUES (decode(?, 'hex'), ?, ?, ?)`,
			fmt.Sprintf("%02x", i), user, tok.expires, tok.revoked)
	}
	for _, at := range []time.Time{now.Add(-48 * time.Hour), now.Add(-30 * time.Hour), now.Add(-time.Minute)} {
		limit := account.Limit{Scope: "email", Key: "p@example.com", Max: 10, Window: time.Hour}
		if _, retry, err := a.ReserveAttempts(ctx, []account.Limit{limit}, at); err != nil || retry != 0 {
			t.Fatal(retry, err)
		}
	}
	tokens, failures, err := a.Purge(ctx, now.Add(-24*time.Hour))
	if err != nil || tokens != 2 || failures != 2 {
		t.Fatalf("Purge = %d tokens, %d failures, %v; want 2, 2", tokens, failures, err)
	}
	var n int64
	if err := db.Raw("SELECT count(*) FROM login_failures WHERE key = 'p@example.com'").Scan(&n).Error; err != nil || n != 1 {
		t.Errorf("recent login failures after Purge = %d, %v; want 1", n, err)
	}
	var left int64
	if err := db.Raw("SELECT count(*) FROM auth_tokens").Scan(&left).Error; err != nil || left != 2 {
		t.Errorf("%d tokens left, %v; want 2", left, err)
	}
}

func ptrTime(t time.Time) *time.Time { return &t }
