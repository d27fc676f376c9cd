package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/webhook"
)

// webhookLock is the advisory lock class that serialises one user's
// endpoint registrations, so that two at once cannot pass the limit.
const webhookLock = 727_011

// Webhooks stores webhook endpoints and the outbox of their deliveries
// (migration 00011); it implements webhook.Store and webhook.Queue.
type Webhooks struct{ db *gorm.DB }

// NewWebhooks returns the webhook store.
func NewWebhooks(db *gorm.DB) *Webhooks { return &Webhooks{db: db} }

var (
	_ webhook.Store = (*Webhooks)(nil)
	_ webhook.Queue = (*Webhooks)(nil)
)

// webhookEventRow is one event as insertWebhookEvents hands it to
// PostgreSQL, all of them in one statement.
type webhookEventRow struct {
	EventID    uuid.UUID   `json:"event_id"`
	EventType  string      `json:"event_type"`
	Body       string      `json:"body"`
	Recipients []uuid.UUID `json:"recipients"`
}

// insertWebhookEvents queues one delivery of each event per subscribed
// endpoint of its recipients, in one statement: a change whose parties
// have no endpoints (most) costs one index lookup.
func insertWebhookEvents(tx *gorm.DB, events []webhook.Event) error {
	batch, err := webhookEventBatch(events)
	if err != nil || batch == "" {
		return err
	}
	return translate(tx.Exec(deliveriesSQL("?::jsonb"), batch).Error, "queue webhook deliveries")
}

// deliveriesSQL inserts the deliveries of a batch of events (the JSON of
// webhookEventBatch), read through batch (see changeEffects.ctes).
func deliveriesSQL(batch string) string {
	return `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, body)
	SELECT w.id, e.event_id, e.event_type, e.body
	FROM jsonb_to_recordset(` + batch + `) AS e(event_id uuid, event_type text, body text, recipients uuid[])
	JOIN webhooks w ON w.user_id = ANY (e.recipients) AND (cardinality(w.events) = 0 OR e.event_type = ANY (w.events))
	ON CONFLICT (webhook_id, event_id) WHERE status = 'pending' DO NOTHING`
}

// webhookEventBatch encodes the events that have recipients as the JSON
// array deliveriesSQL reads, or "" when there are none.
func webhookEventBatch(events []webhook.Event) (string, error) {
	rows := make([]webhookEventRow, 0, len(events))
	now := time.Now().UTC().Truncate(time.Microsecond)
	for _, e := range events {
		if len(e.Recipients) == 0 {
			continue
		}
		if e.ID == uuid.Nil {
			e.ID = uuid.New()
		}
		if e.At.IsZero() {
			e.At = now
		}
		body, err := webhook.Body(e)
		if err != nil {
			return "", err
		}
		rows = append(rows, webhookEventRow{EventID: e.ID, EventType: e.Type, Body: string(body), Recipients: e.Recipients})
	}
	if len(rows) == 0 {
		return "", nil
	}
	batch, err := json.Marshal(rows)
	if err != nil {
		return "", fmt.Errorf("webhook events: %w", err)
	}
	return string(batch), nil
}

// Enqueue queues the deliveries of events in a transaction of their own,
// for events that are not part of a trade change (and for tests).
func (s *Webhooks) Enqueue(ctx context.Context, events []webhook.Event) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return insertWebhookEvents(tx, events) })
}

type webhookRecord struct {
	ID          uuid.UUID
	UserID      uuid.UUID
	URL         string    `gorm:"column:url"`
	Events      textArray `gorm:"type:text[]"`
	Description string
	Secret      string
	CreatedAt   time.Time
}

func (r webhookRecord) endpoint() webhook.Endpoint {
	return webhook.Endpoint{ID: r.ID, UserID: r.UserID, URL: r.URL, Events: nonNil(r.Events), Description: r.Description,
		Secret: r.Secret, CreatedAt: r.CreatedAt.UTC()}
}

// CreateEndpoint stores e unless its owner has max endpoints already or one
// with its URL.
func (s *Webhooks) CreateEndpoint(ctx context.Context, e webhook.Endpoint, max int) (webhook.Endpoint, error) {
	rec := webhookRecord{ID: e.ID, UserID: e.UserID, URL: e.URL, Events: textArray(e.Events), Description: e.Description,
		Secret: e.Secret, CreatedAt: e.CreatedAt}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?, hashtext(?))", webhookLock, e.UserID.String()).Error; err != nil {
			return err
		}
		var n int64
		if err := tx.Table("webhooks").Where("user_id = ?", e.UserID).Count(&n).Error; err != nil {
			return err
		}
		if n >= int64(max) {
			return errs.Newf(errs.ErrConflict, "you have %d webhook endpoints, the most allowed; delete one first", n)
		}
		err := tx.Table("webhooks").Create(&rec).Error
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return errs.New(errs.ErrConflict, "you have registered this URL already")
		}
		return err
	})
	if err != nil {
		return webhook.Endpoint{}, translate(err, "create webhook")
	}
	return rec.endpoint(), nil
}

// Endpoints returns a user's endpoints, oldest first, without their secrets.
func (s *Webhooks) Endpoints(ctx context.Context, userID uuid.UUID) ([]webhook.Endpoint, error) {
	var recs []webhookRecord
	err := s.db.WithContext(ctx).Table("webhooks").Select("id, user_id, url, events, description, created_at").
		Where("user_id = ?", userID).Order("created_at, id").Scan(&recs).Error
	if err != nil {
		return nil, translate(err, "list webhooks")
	}
	out := make([]webhook.Endpoint, len(recs))
	for i, r := range recs {
		out[i] = r.endpoint()
	}
	return out, nil
}

// DeleteEndpoint deletes one of a user's endpoints; its deliveries go with
// it (ON DELETE CASCADE), pending ones included.
func (s *Webhooks) DeleteEndpoint(ctx context.Context, userID, id uuid.UUID) error {
	res := s.db.WithContext(ctx).Exec("DELETE FROM webhooks WHERE id = ? AND user_id = ?", id, userID)
	if res.Error != nil {
		return translate(res.Error, "delete webhook")
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("webhook %s: %w", id, errs.ErrNotFound)
	}
	return nil
}

const deliveryColumns = `d.id, d.webhook_id, d.event_id, d.event_type, d.status, d.attempts, d.last_status_code,
	d.last_error, d.next_attempt_at, d.created_at, d.delivered_at, d.redelivery_of`

type deliveryRecord struct {
	ID             uuid.UUID
	WebhookID      uuid.UUID
	EventID        uuid.UUID
	EventType      string
	Status         string
	Attempts       int
	LastStatusCode *int
	LastError      string
	NextAttemptAt  time.Time
	CreatedAt      time.Time
	DeliveredAt    *time.Time
	RedeliveryOf   *uuid.UUID
}

func (r deliveryRecord) delivery() webhook.Delivery {
	d := webhook.Delivery{ID: r.ID, WebhookID: r.WebhookID, EventID: r.EventID, EventType: r.EventType, Status: r.Status,
		Attempts: r.Attempts, LastError: r.LastError, CreatedAt: r.CreatedAt.UTC(), RedeliveryOf: r.RedeliveryOf}
	if r.LastStatusCode != nil {
		d.LastStatusCode = *r.LastStatusCode
	}
	if r.Status == webhook.StatusPending {
		next := r.NextAttemptAt.UTC()
		d.NextAttemptAt = &next
	}
	if r.DeliveredAt != nil {
		at := r.DeliveredAt.UTC()
		d.DeliveredAt = &at
	}
	return d
}

// Deliveries returns a page of the log of one of a user's endpoints,
// newest first (webhook_deliveries_log_idx).
func (s *Webhooks) Deliveries(ctx context.Context, q webhook.DeliveryQuery) ([]webhook.Delivery, error) {
	db := s.db.WithContext(ctx)
	var owned bool
	err := db.Raw("SELECT EXISTS (SELECT 1 FROM webhooks WHERE id = ? AND user_id = ?)", q.WebhookID, q.UserID).Row().Scan(&owned)
	if err != nil {
		return nil, translate(err, "find webhook")
	}
	if !owned {
		return nil, fmt.Errorf("webhook %s: %w", q.WebhookID, errs.ErrNotFound)
	}
	list := db.Table("webhook_deliveries d").Select(deliveryColumns).Where("d.webhook_id = ?", q.WebhookID)
	if q.Status != "" {
		list = list.Where("d.status = ?", q.Status)
	}
	if q.After != nil {
		id, err := uuid.Parse(q.After.ID)
		if err != nil {
			return nil, fmt.Errorf("deliveries cursor id: %w", err)
		}
		list = list.Where("(d.created_at, d.id) < (?, ?)", q.After.At, id)
	}
	var recs []deliveryRecord
	if err := list.Order("d.created_at DESC, d.id DESC").Limit(q.Limit).Scan(&recs).Error; err != nil {
		return nil, translate(err, "list webhook deliveries")
	}
	out := make([]webhook.Delivery, len(recs))
	for i, r := range recs {
		out[i] = r.delivery()
	}
	return out, nil
}

// Redeliver queues a copy of a delivery (same event, same body) due at.
func (s *Webhooks) Redeliver(ctx context.Context, userID, webhookID, deliveryID uuid.UUID, at time.Time) (webhook.Delivery, error) {
	var recs []deliveryRecord
	err := s.db.WithContext(ctx).Raw(`INSERT INTO webhook_deliveries AS d (webhook_id, event_id, event_type, body, next_attempt_at, redelivery_of)
		SELECT o.webhook_id, o.event_id, o.event_type, o.body, ?, o.id
		FROM webhook_deliveries o JOIN webhooks w ON w.id = o.webhook_id
		WHERE o.id = ? AND o.webhook_id = ? AND w.user_id = ?
		RETURNING `+deliveryColumns, at, deliveryID, webhookID, userID).Scan(&recs).Error
	switch {
	case isUniqueViolation(err):
		return webhook.Delivery{}, errs.New(errs.ErrConflict,
			"a delivery of this event to this endpoint is pending; it is retried on its schedule, or redeliver once it has finished")
	case err != nil:
		return webhook.Delivery{}, translate(err, "redeliver")
	case len(recs) == 0:
		return webhook.Delivery{}, fmt.Errorf("delivery %s: %w", deliveryID, errs.ErrNotFound)
	}
	return recs[0].delivery(), nil
}

type jobRecord struct {
	ID             uuid.UUID
	WebhookID      uuid.UUID
	EventID        uuid.UUID
	EventType      string
	Body           string
	Attempts       int
	FirstAttemptAt time.Time
	URL            string `gorm:"column:url"`
	Secret         string
}

// Claim leases up to limit due deliveries (webhook_deliveries_due_idx);
// rows another worker holds are skipped, not waited for.
func (s *Webhooks) Claim(ctx context.Context, now, leaseUntil time.Time, limit int) ([]webhook.Job, error) {
	var recs []jobRecord
	err := s.db.WithContext(ctx).Raw(`WITH due AS (
			SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= @now
			ORDER BY next_attempt_at LIMIT @limit FOR UPDATE SKIP LOCKED)
		UPDATE webhook_deliveries d SET next_attempt_at = @lease, first_attempt_at = coalesce(d.first_attempt_at, @now)
		FROM due, webhooks w WHERE d.id = due.id AND w.id = d.webhook_id
		RETURNING d.id, d.webhook_id, d.event_id, d.event_type, d.body, d.attempts, d.first_attempt_at, w.url, w.secret`,
		map[string]any{"now": now, "lease": leaseUntil, "limit": limit}).Scan(&recs).Error
	if err != nil {
		return nil, translate(err, "claim webhook deliveries")
	}
	jobs := make([]webhook.Job, len(recs))
	for i, r := range recs {
		jobs[i] = webhook.Job{DeliveryID: r.ID, WebhookID: r.WebhookID, EventID: r.EventID, EventType: r.EventType,
			URL: r.URL, Secret: r.Secret, Body: []byte(r.Body), Attempts: r.Attempts, FirstAttemptAt: r.FirstAttemptAt.UTC()}
	}
	return jobs, nil
}

// Finish records an attempt on a pending delivery.
func (s *Webhooks) Finish(ctx context.Context, o webhook.Outcome) error {
	var code *int
	if o.StatusCode != 0 {
		code = &o.StatusCode
	}
	var delivered *time.Time
	next := o.At
	switch o.Status {
	case webhook.StatusDelivered:
		delivered = &o.At
	case webhook.StatusPending:
		next = o.NextAttemptAt
	}
	msg := o.Error
	if len(msg) > 200 {
		msg = msg[:200]
	}
	err := s.db.WithContext(ctx).Exec(`UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status_code = ?,
		last_error = ?, next_attempt_at = ?, delivered_at = ? WHERE id = ? AND status = 'pending'`,
		o.Status, o.Attempts, code, msg, next, delivered, o.DeliveryID).Error
	return translate(err, "record webhook attempt")
}

// Purge deletes up to limit finished deliveries created before before
// (webhook_deliveries_finished_idx).
func (s *Webhooks) Purge(ctx context.Context, before time.Time, limit int) (int, error) {
	res := s.db.WithContext(ctx).Exec(`DELETE FROM webhook_deliveries WHERE id IN (
		SELECT id FROM webhook_deliveries WHERE status <> 'pending' AND created_at < ? ORDER BY created_at LIMIT ?)`, before, limit)
	return int(res.RowsAffected), translate(res.Error, "purge webhook deliveries")
}

// isUniqueViolation reports a unique index's refusal, which gorm translates
// for its own statements but not for Raw ones.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.Is(err, gorm.ErrDuplicatedKey) || (errors.As(err, &pgErr) && pgErr.Code == "23505")
}

// Pending counts the deliveries not yet delivered nor given up, for metrics
// (webhook_deliveries_due_idx).
func (s *Webhooks) Pending(ctx context.Context) (int, error) {
	var n int64
	err := s.db.WithContext(ctx).Table("webhook_deliveries").Where("status = 'pending'").Count(&n).Error
	return int(n), translate(err, "count pending webhook deliveries")
}
