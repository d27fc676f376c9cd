package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/audit"
	"github.com/otopmarket/otop/internal/errs"
)

type userRecord struct {
	ID             uuid.UUID `gorm:"type:uuid;default:gen_random_uuid()"`
	Email          string
	PasswordHash   string
	Role           string
	DisplayName    string
	Country        *string
	SelectCenterID *string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (userRecord) TableName() string { return "users" }

func (r userRecord) domain() account.User {
	return account.User{
		ID: r.ID, Email: r.Email, Role: account.Role(r.Role), DisplayName: r.DisplayName,
		Country: deref(r.Country), SelectCenterID: deref(r.SelectCenterID), CreatedAt: r.CreatedAt,
	}
}

type tokenRecord struct {
	TokenHash []byte
	UserID    uuid.UUID
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

func (tokenRecord) TableName() string { return "auth_tokens" }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Accounts stores users, tokens and login failures.
type Accounts struct{ db *gorm.DB }

// NewAccounts returns the account repository.
func NewAccounts(db *gorm.DB) *Accounts { return &Accounts{db: db} }

func (a *Accounts) CreateUser(ctx context.Context, u account.User, passwordHash string, log []audit.Entry) (account.User, error) {
	rec := userRecord{
		ID: u.ID, Email: u.Email, PasswordHash: passwordHash, Role: string(u.Role), DisplayName: u.DisplayName,
		Country: nullable(u.Country), SelectCenterID: nullable(u.SelectCenterID),
	}
	err := a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&rec).Error; err != nil {
			return translate(err, "create user")
		}
		return insertAudit(tx, log)
	})
	if err != nil {
		return account.User{}, err
	}
	return rec.domain(), nil
}

func (a *Accounts) UserByEmail(ctx context.Context, email string) (account.User, string, error) {
	var rec userRecord
	if err := a.db.WithContext(ctx).Where("email = ?", email).Take(&rec).Error; err != nil {
		return account.User{}, "", translate(err, "user by email")
	}
	return rec.domain(), rec.PasswordHash, nil
}

func (a *Accounts) UserByID(ctx context.Context, id uuid.UUID) (account.User, error) {
	var rec userRecord
	if err := a.db.WithContext(ctx).Where("id = ?", id).Take(&rec).Error; err != nil {
		return account.User{}, translate(err, "user by id")
	}
	return rec.domain(), nil
}

func (a *Accounts) CreateToken(ctx context.Context, tokenHash []byte, userID uuid.UUID, expiresAt time.Time) error {
	rec := tokenRecord{TokenHash: tokenHash, UserID: userID, ExpiresAt: expiresAt}
	return translate(a.db.WithContext(ctx).Create(&rec).Error, "create token")
}

func (a *Accounts) PrincipalByToken(ctx context.Context, tokenHash []byte, now time.Time) (account.Principal, time.Time, error) {
	var (
		p       account.Principal
		role    string
		center  *string
		expires time.Time
	)
	err := a.db.WithContext(ctx).Raw(`
		SELECT u.id, u.role, u.select_center_id, t.expires_at
		FROM auth_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ?`, tokenHash, now).
		Row().Scan(&p.UserID, &role, &center, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return account.Principal{}, time.Time{}, fmt.Errorf("token: %w", errs.ErrNotFound)
	}
	if err != nil {
		return account.Principal{}, time.Time{}, translate(err, "token")
	}
	p.Role, p.SelectCenterID = account.Role(role), deref(center)
	return p, expires, nil
}

func (a *Accounts) RevokeToken(ctx context.Context, tokenHash []byte, now time.Time) error {
	res := a.db.WithContext(ctx).Model(&tokenRecord{}).
		Where("token_hash = ? AND revoked_at IS NULL", tokenHash).Update("revoked_at", now)
	if res.Error != nil {
		return translate(res.Error, "revoke token")
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("revoke token: %w", errs.ErrNotFound)
	}
	return nil
}

// ReserveAttempts records an attempt under every limit, each limit's key
// locked (a transaction-scoped advisory lock) while it is counted, so that
// attempts made at the same moment are counted one after the other.
func (a *Accounts) ReserveAttempts(ctx context.Context, limits []account.Limit, now time.Time) ([]int64, time.Duration, error) {
	limits = slices.Clone(limits)
	slices.SortFunc(limits, func(x, y account.Limit) int { return strings.Compare(x.Scope+":"+x.Key, y.Scope+":"+y.Key) })
	var (
		ids   []int64
		retry time.Duration
	)
	err := a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, l := range limits {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 7))", l.Scope+":"+l.Key).Error; err != nil {
				return translate(err, "lock attempt limit")
			}
		}
		for _, l := range limits {
			var row struct {
				Count  int
				Oldest *time.Time
			}
			err := tx.Raw("SELECT count(*) AS count, min(failed_at) AS oldest FROM login_failures WHERE scope = ? AND key = ? AND failed_at > ?",
				l.Scope, l.Key, now.Add(-l.Window)).Scan(&row).Error
			if err != nil {
				return translate(err, "count attempts")
			}
			if row.Count >= l.Max && row.Oldest != nil {
				retry = max(retry, row.Oldest.Add(l.Window).Sub(now), time.Second)
			}
		}
		if retry > 0 {
			return nil
		}
		for _, l := range limits {
			var id int64
			err := tx.Raw("INSERT INTO login_failures (scope, key, failed_at) VALUES (?, ?, ?) RETURNING id", l.Scope, l.Key, now).Row().Scan(&id)
			if err != nil {
				return translate(err, "record attempt")
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return ids, retry, nil
}

// ReleaseAttempts deletes reserved attempts.
func (a *Accounts) ReleaseAttempts(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return translate(a.db.WithContext(ctx).Exec("DELETE FROM login_failures WHERE id IN ?", ids).Error, "release attempts")
}

func (a *Accounts) ClearLoginFailures(ctx context.Context, scope, key string) error {
	return translate(a.db.WithContext(ctx).Exec(
		"DELETE FROM login_failures WHERE scope = ? AND key = ?", scope, key).Error, "clear login failures")
}

// Purge deletes what no longer counts: login failures recorded before
// before, and tokens that expired or were revoked before before. It returns
// how many rows of each it deleted.
func (a *Accounts) Purge(ctx context.Context, before time.Time) (tokens, failures int, err error) {
	res := a.db.WithContext(ctx).Exec("DELETE FROM auth_tokens WHERE expires_at < ? OR revoked_at < ?", before, before)
	if res.Error != nil {
		return 0, 0, translate(res.Error, "purge tokens")
	}
	tokens = int(res.RowsAffected)
	res = a.db.WithContext(ctx).Exec("DELETE FROM login_failures WHERE failed_at < ?", before)
	if res.Error != nil {
		return tokens, 0, translate(res.Error, "purge login failures")
	}
	return tokens, int(res.RowsAffected), nil
}
