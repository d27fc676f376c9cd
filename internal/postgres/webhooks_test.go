package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/testenv"
	"github.com/otopmarket/otop/internal/webhook"
)

func webhookUser(t *testing.T, db *gorm.DB) uuid.UUID {
	t.Helper()
	id := uuid.New()
	if err := db.Exec(`INSERT INTO users (id, email, password_hash, role) VALUES (?, ?, 'x', 'producer')`, id, id.String()+"@example.com").Error; err != nil {
		t.Fatal(err)
	}
	return id
}

func webhookEndpoint(t *testing.T, s *postgres.Webhooks, user uuid.UUID, url string, events ...string) uuid.UUID {
	t.Helper()
	ep, err := s.CreateEndpoint(context.Background(), webhook.Endpoint{ID: uuid.New(), UserID: user, URL: url, Events: events,
		Secret: "whsec_0123456789abcdef0123456789abcdef", CreatedAt: time.Now()}, 10)
	if err != nil {
		t.Fatalf("create endpoint: %v", err)
	}
	return ep.ID
}

func TestWebhookEventsFanOutToTheSubscribedEndpointsOfTheirRecipients(t *testing.T) {
	t.Parallel()
	db := testenv.DB(t)
	s := postgres.NewWebhooks(db)
	a, b, c := webhookUser(t, db), webhookUser(t, db), webhookUser(t, db)
	aAll := webhookEndpoint(t, s, a, "https://a.example.com/all")
	aShipped := webhookEndpoint(t, s, a, "https://a.example.com/shipped", webhook.EventOrderShipped)
	bPlaced := webhookEndpoint(t, s, b, "https://b.example.com/placed", webhook.EventOrderPlaced, webhook.EventOrderCancelled)
	webhookEndpoint(t, s, c, "https://c.example.com/all")
	order := uuid.New()
	at := time.Date(2026, 5, 1, 3, 4, 5, 0, time.UTC)
	err := s.Enqueue(context.Background(), []webhook.Event{
		{Type: webhook.EventOrderPlaced, SubjectType: "order", SubjectID: order, Recipients: []uuid.UUID{a, b, a},
			Data: map[string]any{"status": "placed", "note": "ส่งทางเรือ"}, At: at},
		{Type: webhook.EventOrderShipped, SubjectType: "order", SubjectID: order, Recipients: []uuid.UUID{a}},
		{Type: webhook.EventOrderConfirmed, SubjectType: "order", SubjectID: order}, // nobody's
	})
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	var rows []struct {
		WebhookID uuid.UUID
		EventID   uuid.UUID
		EventType string
		Body      string
		Status    string
	}
	if err := db.Raw("SELECT webhook_id, event_id, event_type, body, status FROM webhook_deliveries").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	got := map[[2]string]bool{}
	placedIDs := map[uuid.UUID]bool{}
	for _, r := range rows {
		got[[2]string{r.WebhookID.String(), r.EventType}] = true
		if r.Status != webhook.StatusPending || r.EventID == uuid.Nil {
			t.Errorf("delivery %+v", r)
		}
		var p webhook.Payload
		if err := json.Unmarshal([]byte(r.Body), &p); err != nil || p.ID != r.EventID || p.Type != r.EventType || p.Subject.ID != order ||
			p.Subject.Type != "order" || p.CreatedAt.IsZero() {
			t.Errorf("body %s (%v)", r.Body, err)
		}
		if r.EventType == webhook.EventOrderPlaced {
			placedIDs[r.EventID] = true
			if p.Data["note"] != "ส่งทางเรือ" || !p.CreatedAt.Equal(at) {
				t.Errorf("order.placed body %s", r.Body)
			}
		}
	}
	want := map[[2]string]bool{
		{aAll.String(), webhook.EventOrderPlaced}:      true,
		{aAll.String(), webhook.EventOrderShipped}:     true,
		{aShipped.String(), webhook.EventOrderShipped}: true,
		{bPlaced.String(), webhook.EventOrderPlaced}:   true,
	}
	if len(rows) != len(want) {
		t.Errorf("%d deliveries, want %d: %+v", len(rows), len(want), rows)
	}
	for k := range want {
		if !got[k] {
			t.Errorf("no delivery of %s to endpoint %s", k[1], k[0])
		}
	}
	if len(placedIDs) != 1 {
		t.Errorf("the deliveries of one event carry %d event ids, want one generated id", len(placedIDs))
	}
}

func TestWebhookDeliveriesRollBackWithTheirTransaction(t *testing.T) {
	t.Parallel()
	db := testenv.DB(t)
	s := postgres.NewWebhooks(db)
	a := webhookUser(t, db)
	webhookEndpoint(t, s, a, "https://a.example.com/all")
	boom := errors.New("the order failed")
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := postgres.InsertWebhookEvents(tx, []webhook.Event{{Type: webhook.EventOrderPlaced, SubjectType: "order",
			SubjectID: uuid.New(), Recipients: []uuid.UUID{a}}}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("transaction = %v", err)
	}
	var n int64
	if err := db.Table("webhook_deliveries").Count(&n).Error; err != nil || n != 0 {
		t.Errorf("%d deliveries after a rollback (%v)", n, err)
	}
	// The same event queued twice while pending is delivered once.
	ev := webhook.Event{ID: uuid.New(), Type: webhook.EventOrderPlaced, SubjectType: "order", SubjectID: uuid.New(), Recipients: []uuid.UUID{a}}
	for range 2 {
		if err := s.Enqueue(context.Background(), []webhook.Event{ev}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Table("webhook_deliveries").Count(&n).Error; err != nil || n != 1 {
		t.Errorf("%d deliveries of one event queued twice, want 1 (%v)", n, err)
	}
}
