package postgres

import (
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/audit"
	"github.com/otopmarket/otop/internal/notify"

	"github.com/otopmarket/otop/internal/trade"
	"github.com/otopmarket/otop/internal/webhook"
)

// Trade is the store of inquiries, quotes, RFQs and orders.
type Trade struct{ db *gorm.DB }

// NewTrade returns the trade store.
func NewTrade(db *gorm.DB) *Trade { return &Trade{db: db} }

// writeTradeEffects writes a trade change's audit rows, notifications and
// webhook deliveries in the change's transaction.
func writeTradeEffects(tx *gorm.DB, fx trade.Effects) error {
	return writeChangeEffects(tx, fx.Audit, fx.Notifications, fx.Events, uuid.Nil, nil)
}

// writeChangeEffects writes what a change causes besides itself, in one
// statement (data-modifying CTEs over JSON batches): its audit rows,
// notifications, webhook deliveries and, when published is set, the
// published version of product productID. A change writes a few of each,
// and on the order and approval paths every round trip counts.
func writeChangeEffects(tx *gorm.DB, entries []audit.Entry, ns []notify.Notification, evs []webhook.Event,
	productID uuid.UUID, published map[string]any) error {
	fx, err := encodeChangeEffects(entries, ns, evs, productID, published)
	if err != nil {
		return err
	}
	ctes, args := fx.ctes("?::jsonb")
	return translate(tx.Exec("WITH "+ctes+" SELECT 1", args...).Error, "write the effects of a change")
}

// changeEffects is what a change causes besides itself, encoded as the
// JSON batches its statement's data-modifying CTEs read.
type changeEffects struct {
	audits, notes, events string
	productID             uuid.UUID
	published             *string // the product's published version, or nil
}

func encodeChangeEffects(entries []audit.Entry, ns []notify.Notification, evs []webhook.Event,
	productID uuid.UUID, published map[string]any) (changeEffects, error) {
	fx := changeEffects{productID: productID}
	var err error
	if fx.audits, err = auditBatch(entries); err != nil {
		return fx, err
	}
	if fx.notes, err = notificationBatch(ns); err != nil {
		return fx, err
	}
	if fx.events, err = webhookEventBatch(evs); err != nil {
		return fx, err
	}
	if fx.events == "" {
		fx.events = "[]"
	}
	if published != nil {
		b, err := json.Marshal(published)
		if err != nil {
			return fx, fmt.Errorf("published version of %s: %w", productID, err)
		}
		f := string(b)
		fx.published = &f
	}
	return fx, nil
}

// ctes returns the effects as data-modifying CTEs (audit, notes, published,
// deliveries) and their arguments. Each reads its JSON batch through batch,
// an SQL expression of one parameter: "?::jsonb", or one that yields NULL
// (no rows) unless the statement's own change happened.
func (fx changeEffects) ctes(batch string) (string, []any) {
	return `audit AS (
			INSERT INTO audit_log (entity_type, entity_id, select_center_id, action, actor_id, actor_role, before, after, reason, request_id)
			SELECT entity_type, entity_id, nullif(select_center_id, ''), action, actor_id, actor_role, before, after, reason, request_id
			FROM jsonb_to_recordset(` + batch + `) AS a(entity_type text, entity_id uuid, select_center_id text, action text,
				actor_id uuid, actor_role text, before jsonb, after jsonb, reason text, request_id text)
		), notes AS (
			INSERT INTO notifications (user_id, kind, subject_type, subject_id, data, dedupe_key)
			SELECT user_id, kind, subject_type, subject_id, data, nullif(dedupe_key, '')
			FROM jsonb_to_recordset(` + batch + `) AS n(user_id uuid, kind text, subject_type text, subject_id uuid, data jsonb, dedupe_key text)
			ON CONFLICT (user_id, dedupe_key) DO NOTHING
		), published AS (
			INSERT INTO product_published_versions (product_id, fields, published_at)
			SELECT ?::uuid, f, now() FROM (SELECT ` + batch + ` AS f) v WHERE f IS NOT NULL
			ON CONFLICT (product_id) DO UPDATE SET fields = EXCLUDED.fields, published_at = EXCLUDED.published_at
		), deliveries AS (` + deliveriesSQL(batch) + `)`,
		[]any{fx.audits, fx.notes, fx.productID, fx.published, fx.events}
}

type auditRow struct {
	EntityType     string         `json:"entity_type"`
	EntityID       uuid.UUID      `json:"entity_id"`
	SelectCenterID string         `json:"select_center_id"`
	Action         string         `json:"action"`
	ActorID        *uuid.UUID     `json:"actor_id"`
	ActorRole      string         `json:"actor_role"`
	Before         map[string]any `json:"before"`
	After          map[string]any `json:"after"`
	Reason         string         `json:"reason"`
	RequestID      string         `json:"request_id"`
}

func auditBatch(entries []audit.Entry) (string, error) {
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		rows[i] = auditRow{EntityType: e.EntityType, EntityID: e.EntityID, SelectCenterID: e.SelectCenterID, Action: e.Action,
			ActorID: nullableID(e.ActorID), ActorRole: e.ActorRole, Before: nonNilMap(e.Before), After: nonNilMap(e.After),
			Reason: e.Reason, RequestID: e.RequestID}
	}
	b, err := json.Marshal(rows)
	if err != nil {
		return "", fmt.Errorf("audit rows: %w", err)
	}
	return string(b), nil
}

type notificationRow struct {
	UserID      uuid.UUID      `json:"user_id"`
	Kind        string         `json:"kind"`
	SubjectType string         `json:"subject_type"`
	SubjectID   uuid.UUID      `json:"subject_id"`
	Data        map[string]any `json:"data"`
	DedupeKey   string         `json:"dedupe_key"`
}

func notificationBatch(ns []notify.Notification) (string, error) {
	rows := make([]notificationRow, len(ns))
	for i, n := range ns {
		rows[i] = notificationRow{UserID: n.UserID, Kind: n.Kind, SubjectType: n.SubjectType, SubjectID: n.SubjectID,
			Data: nonNilMap(n.Data), DedupeKey: n.DedupeKey}
	}
	b, err := json.Marshal(rows)
	if err != nil {
		return "", fmt.Errorf("notifications: %w", err)
	}
	return string(b), nil
}
