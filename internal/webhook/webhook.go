// Package webhook delivers events of the trade (inquiries, quotes, orders)
// to HTTPS endpoints that producers and importers register. Events are
// written to an outbox in the transaction of the change they report, then
// delivered, signed, with retries.
package webhook

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Event types.
const (
	EventInquiryCreated = "inquiry.created"
	EventInquiryMessage = "inquiry.message"
	EventInquiryClosed  = "inquiry.closed"
	EventQuoteCreated   = "quote.created"
	EventQuoteAccepted  = "quote.accepted"
	EventQuoteDeclined  = "quote.declined"
	EventRFQCreated     = "rfq.created"
	EventOrderPlaced    = "order.placed"
	EventOrderConfirmed = "order.confirmed"
	EventOrderShipped   = "order.shipped"
	EventOrderDelivered = "order.delivered"
	EventOrderCancelled = "order.cancelled"
)

// EventTypes lists every event type an endpoint may subscribe to.
func EventTypes() []string {
	return []string{EventInquiryCreated, EventInquiryMessage, EventInquiryClosed, EventQuoteCreated,
		EventQuoteAccepted, EventQuoteDeclined, EventRFQCreated, EventOrderPlaced, EventOrderConfirmed,
		EventOrderShipped, EventOrderDelivered, EventOrderCancelled}
}

// ValidEventType reports whether s is one of EventTypes.
func ValidEventType(s string) bool { return slices.Contains(EventTypes(), s) }

// Event is something that happened in the trade, for the users in
// Recipients: each of their active endpoints subscribed to Type gets one
// delivery. Data is the event's payload (the object as the API shows it to
// that party), marshalled to JSON.
type Event struct {
	ID          uuid.UUID
	Type        string
	SubjectType string // "inquiry", "quote", "rfq", "order"
	SubjectID   uuid.UUID
	Recipients  []uuid.UUID
	Data        map[string]any
	// At is when it happened; zero: when it is written to the outbox.
	At time.Time
}

// Payload is the JSON body of every delivery of an event. ID is the
// event's, the same in every delivery and redelivery of it, so receivers
// can drop repeats.
type Payload struct {
	ID        uuid.UUID      `json:"id"`
	Type      string         `json:"type"`
	CreatedAt time.Time      `json:"created_at"`
	Subject   Subject        `json:"subject"`
	Data      map[string]any `json:"data"`
}

// Subject names what an event is about.
type Subject struct {
	Type string    `json:"type"`
	ID   uuid.UUID `json:"id"`
}

// Body is the JSON body of e's deliveries. e.ID and e.At must be set.
func Body(e Event) ([]byte, error) {
	data := e.Data
	if data == nil {
		data = map[string]any{}
	}
	b, err := json.Marshal(Payload{ID: e.ID, Type: e.Type, CreatedAt: e.At.UTC(),
		Subject: Subject{Type: e.SubjectType, ID: e.SubjectID}, Data: data})
	if err != nil {
		return nil, fmt.Errorf("webhook event %s body: %w", e.Type, err)
	}
	return b, nil
}

// Statuses of a delivery.
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusFailed    = "failed"
)

// Endpoint is a URL a user receives events at. Secret is the key of the
// signatures, known to the service and shown to its owner once.
type Endpoint struct {
	ID          uuid.UUID
	UserID      uuid.UUID
	URL         string
	Events      []string // empty: every event
	Description string
	Secret      string
	CreatedAt   time.Time
}

// Wants reports whether the endpoint subscribes to events of type t.
func (e Endpoint) Wants(t string) bool { return len(e.Events) == 0 || slices.Contains(e.Events, t) }

// Delivery is one event sent (or to be sent) to one endpoint: a line of its
// owner's delivery log.
type Delivery struct {
	ID        uuid.UUID
	WebhookID uuid.UUID
	EventID   uuid.UUID
	EventType string
	Status    string
	Attempts  int
	// LastStatusCode is the HTTP status of the last answer, 0 when there
	// was none (no attempt yet, or no answer).
	LastStatusCode int
	// LastError says in a few words why the last attempt failed ("" when
	// it did not), without the details of the network.
	LastError string
	// NextAttemptAt is when a pending delivery is tried next; nil for
	// the others.
	NextAttemptAt *time.Time
	CreatedAt     time.Time
	DeliveredAt   *time.Time
	// RedeliveryOf is the delivery this one repeats, when it was asked for
	// with Redeliver.
	RedeliveryOf *uuid.UUID
}
