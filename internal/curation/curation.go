// Package curation is the work of the OTOP Select centers' staff: the
// review queues, approving and rejecting products, verifying what producers
// claim (certificates, OTOP stars), designating TOPOTOP products against an
// export-readiness checklist, and reading the audit log. Curators act within
// their own Select center; admins everywhere.
package curation

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/audit"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/keyset"
	"github.com/otopmarket/otop/internal/notify"
)

// Limits of the curators' requests.
const (
	MinReasonChars = 10
	MaxReasonChars = 2000
	// MaxDecisions bounds one batch of decisions.
	MaxDecisions = 100
	// ExpiryWarningDays is how long before a certificate expires its
	// producer is told.
	ExpiryWarningDays = 30
)

// Decision is what a curator decides about a product under review.
type Decision string

// The decisions.
const (
	Approve Decision = "approve"
	Reject  Decision = "reject"
)

// QueueFilter selects a review queue. SelectCenter is for admins; a
// curator's queue is always their own center's.
type QueueFilter struct {
	SelectCenter     string
	Province         string
	Cluster          string
	Category         string
	CreativeIndustry string
	Resubmitted      *bool
	Limit            int
	Cursor           string
}

// QueueQuery is a checked QueueFilter as the store runs it: oldest
// submission first, after the position of the cursor.
type QueueQuery struct {
	QueueFilter
	After *keyset.Position
}

// QueueRow is a product under review with its producer and, when it was
// published before, the public fields of that version.
type QueueRow struct {
	Product   catalog.Product
	Producer  catalog.Producer
	Published map[string]any // nil when never published
}

// Changes is what changed since the published version.
type Changes struct {
	Fields        []catalog.FieldChange
	PhotosAdded   []string
	PhotosRemoved []string
}

// QueueItem is one product of a review queue, with what a curator needs to
// decide: its producer (with contact), how long it has waited, its
// export-readiness and, for a resubmission of a published product, what changed.
type QueueItem struct {
	Product     catalog.Product
	Producer    catalog.Producer
	SubmittedAt time.Time
	WaitingDays int
	Readiness   catalog.Readiness
	Changes     *Changes // nil unless published before
}

// QueuePage is one page of a queue.
type QueuePage struct {
	Items      []QueueItem
	NextCursor string
	// Until is when the page stops being true without any change of the
	// data: an item's waiting days or its readiness (certificates expire at
	// midnight UTC) move on.
	Until time.Time
}

// CenterSummary is the state of one Select center's queue.
type CenterSummary struct {
	SelectCenterID    string
	Pending           int
	OldestSubmittedAt *time.Time
	Approved30d       int
	Rejected30d       int
	// MedianDecisionHours is the median time from submission to decision
	// over the last 30 days; nil when nothing was decided.
	MedianDecisionHours *float64
}

// AuditFilter selects audit rows. Empty fields do not filter.
type AuditFilter struct {
	EntityType string
	EntityID   uuid.UUID
	ActorID    uuid.UUID
	Action     string
	From, To   *time.Time
	Limit      int
	Cursor     string
}

// AuditQuery is a checked AuditFilter as the store runs it, newest first.
// SelectCenter narrows a curator's view to their center.
type AuditQuery struct {
	AuditFilter
	SelectCenter string
	After        *keyset.Position
}

// AuditPage is one page of the audit log.
type AuditPage struct {
	Items      []audit.Entry
	NextCursor string
}

// ExpiringCertificate is a certificate that expires soon, with what its
// producer's notification needs.
type ExpiringCertificate struct {
	ProductID uuid.UUID
	OwnerID   uuid.UUID
	NameEN    string
	NameTH    string
	Kind      string
	Number    string
	ExpiresOn time.Time
}

// Store is what the curation service reads and writes.
type Store interface {
	Product(ctx context.Context, id uuid.UUID) (catalog.Product, error)
	// UpdateProduct is catalog.Repository's.
	UpdateProduct(ctx context.Context, p, stored catalog.Product, fx catalog.Effects) (catalog.Product, error)
	// Queue returns up to q.Limit products pending review, oldest submission first.
	Queue(ctx context.Context, q QueueQuery) ([]QueueRow, error)
	// Summary counts every center's queue and the decisions since since.
	Summary(ctx context.Context, since time.Time) ([]CenterSummary, error)
	// AuditEntries returns up to q.Limit rows, newest first.
	AuditEntries(ctx context.Context, q AuditQuery) ([]audit.Entry, error)
	// ExpiringCertificates lists the certificates of products that are not
	// archived and that expire from from to to (dates, inclusive).
	ExpiringCertificates(ctx context.Context, from, to time.Time) ([]ExpiringCertificate, error)
	// TopotopProducts lists the ids of the products designated TOPOTOP.
	TopotopProducts(ctx context.Context) ([]uuid.UUID, error)
	// Notify writes notifications (a repeated DedupeKey is skipped).
	Notify(ctx context.Context, ns []notify.Notification) error
}

// Places is the reference data the service checks filters against.
type Places = catalog.Places
