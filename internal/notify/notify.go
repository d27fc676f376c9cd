// Package notify is the notifications feed: what a user should learn of
// (a product approved or rejected, TOPOTOP granted or dropped, a certificate
// about to expire; orders later). Notifications are written by the store in
// the transaction of the event they report.
package notify

import (
	"time"

	"github.com/google/uuid"
)

// Kinds of notification.
const (
	KindProductApproved     = "product_approved"
	KindProductRejected     = "product_rejected"
	KindTopotopGranted      = "topotop_granted"
	KindTopotopDropped      = "topotop_dropped"
	KindCertificateExpiring = "certificate_expiring"
	KindCertificateDisputed = "certificate_disputed"
	// The trade's: the other party of an inquiry, a quote or an order learns
	// of each step.
	KindInquiryReceived = "inquiry_received"
	KindInquiryMessage  = "inquiry_message"
	KindInquiryClosed   = "inquiry_closed"
	KindQuoteReceived   = "quote_received"
	KindQuoteAccepted   = "quote_accepted"
	KindQuoteDeclined   = "quote_declined"
	KindOrderPlaced     = "order_placed"
	KindOrderConfirmed  = "order_confirmed"
	KindOrderShipped    = "order_shipped"
	KindOrderDelivered  = "order_delivered"
	KindOrderCancelled  = "order_cancelled"
)

// Notification is one item of a user's feed. Subject names what it is about
// (SubjectType "product" and its id); Data holds what the reader needs to
// understand it without another request (a product's name, a reason).
type Notification struct {
	ID          uuid.UUID
	UserID      uuid.UUID
	Kind        string
	SubjectType string
	SubjectID   uuid.UUID
	Data        map[string]any
	// DedupeKey, when set, makes the notification once-only for its user.
	DedupeKey string
	Read      bool
	CreatedAt time.Time
}
