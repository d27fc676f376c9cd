// Package webhook delivers events of the trade (inquiries, quotes, orders)
// to HTTPS endpoints that producers and importers register. Events are
// written to an outbox in the transaction of the change they report, then
// delivered, signed, with retries.
package webhook

import (
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
}
