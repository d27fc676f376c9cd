package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/audit"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/notify"
)

// writeEffects writes the audit rows, notifications and published version
// of a product change in the change's transaction.
func writeEffects(tx *gorm.DB, productID uuid.UUID, fx catalog.Effects) error {
	return writeChangeEffects(tx, fx.Audit, fx.Notifications, nil, productID, fx.Published)
}

func insertAudit(tx *gorm.DB, entries []audit.Entry) error {
	for _, e := range entries {
		before, err := json.Marshal(nonNilMap(e.Before))
		if err != nil {
			return fmt.Errorf("audit before: %w", err)
		}
		after, err := json.Marshal(nonNilMap(e.After))
		if err != nil {
			return fmt.Errorf("audit after: %w", err)
		}
		err = tx.Exec(`INSERT INTO audit_log (entity_type, entity_id, select_center_id, action, actor_id, actor_role,
				before, after, reason, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.EntityType, e.EntityID, nullable(e.SelectCenterID), e.Action, nullableID(e.ActorID), e.ActorRole,
			string(before), string(after), e.Reason, e.RequestID).Error
		if err != nil {
			return translate(err, "write audit row")
		}
	}
	return nil
}

func insertNotifications(tx *gorm.DB, ns []notify.Notification) error {
	for _, n := range ns {
		data, err := json.Marshal(nonNilMap(n.Data))
		if err != nil {
			return fmt.Errorf("notification data: %w", err)
		}
		err = tx.Exec(`INSERT INTO notifications (user_id, kind, subject_type, subject_id, data, dedupe_key)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, dedupe_key) DO NOTHING`,
			n.UserID, n.Kind, n.SubjectType, n.SubjectID, string(data), nullable(n.DedupeKey)).Error
		if err != nil {
			return translate(err, "write notification")
		}
	}
	return nil
}

func nonNilMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// Notifications stores the notifications feed; it implements notify.Store.
type Notifications struct{ db *gorm.DB }

// NewNotifications returns the notifications store.
func NewNotifications(db *gorm.DB) *Notifications { return &Notifications{db: db} }

var _ notify.Store = (*Notifications)(nil)

type notificationRecord struct {
	ID          uuid.UUID
	UserID      uuid.UUID
	Kind        string
	SubjectType string
	SubjectID   uuid.UUID
	Data        []byte
	ReadAt      *time.Time
	CreatedAt   time.Time
}

// Notifications returns a page of a user's feed, newest first.
func (n *Notifications) Notifications(ctx context.Context, q notify.Query) ([]notify.Notification, error) {
	db := n.db.WithContext(ctx).Table("notifications").
		Select("id, user_id, kind, subject_type, subject_id, data, read_at, created_at").Where("user_id = ?", q.UserID)
	if q.UnreadOnly {
		db = db.Where("read_at IS NULL")
	}
	if q.After != nil {
		db = db.Where("(created_at, id) < (?, ?)", q.After.At, q.After.ID)
	}
	var rs []notificationRecord
	if err := db.Order("created_at DESC, id DESC").Limit(q.Limit).Scan(&rs).Error; err != nil {
		return nil, translate(err, "list notifications")
	}
	out := make([]notify.Notification, len(rs))
	for i, r := range rs {
		out[i] = notify.Notification{ID: r.ID, UserID: r.UserID, Kind: r.Kind, SubjectType: r.SubjectType,
			SubjectID: r.SubjectID, Read: r.ReadAt != nil, CreatedAt: r.CreatedAt.UTC()}
		if err := json.Unmarshal(r.Data, &out[i].Data); err != nil {
			return nil, fmt.Errorf("notification %s data: %w", r.ID, err)
		}
	}
	return out, nil
}

// MarkRead marks a user's notifications read: those of ids, or all when ids is nil.
func (n *Notifications) MarkRead(ctx context.Context, userID uuid.UUID, ids []uuid.UUID) (int, error) {
	db := n.db.WithContext(ctx).Table("notifications").Where("user_id = ? AND read_at IS NULL", userID)
	if ids != nil {
		db = db.Where("id IN ?", ids)
	}
	res := db.Update("read_at", gorm.Expr("now()"))
	return int(res.RowsAffected), translate(res.Error, "mark notifications read")
}
