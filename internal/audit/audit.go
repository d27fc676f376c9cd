// Package audit holds the audit log: one entry for every state change of a
// product, a producer, a certificate or an account role, written by the
// store in the same transaction as the change and never changed after
// (PostgreSQL refuses it). The package also reads the log for staff.
package audit

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Entity types of the log.
const (
	EntityProduct       = "product"
	EntityProducer      = "producer"
	EntityCertification = "certification" // entity_id is the product's
	EntityUser          = "user"
	EntityInquiry       = "inquiry"
	EntityQuote         = "quote"
	EntityRFQ           = "rfq"
	EntityOrder         = "order"
)

// Actions of the log.
const (
	ActionSubmit         = "submit"
	ActionApprove        = "approve"
	ActionReject         = "reject"
	ActionReassign       = "reassign"
	ActionTopotop        = "topotop"
	ActionTopotopDropped = "topotop_dropped"
	ActionVerify         = "verify"
	ActionDispute        = "dispute"
	ActionArchive        = "archive"
	ActionCreateStaff    = "create_staff"
	ActionUpdateProfile  = "update_profile"
	// The trade's actions.
	ActionInquire = "inquire"
	ActionQuote   = "quote"
	ActionAccept  = "accept"
	ActionDecline = "decline"
	ActionClose   = "close"
	ActionPlace   = "place"
	ActionConfirm = "confirm"
	ActionShip    = "ship"
	ActionDeliver = "deliver"
	ActionCancel  = "cancel"
)

// RoleSystem is the actor role of changes made by the service itself (a
// daily job, the command line).
const RoleSystem = "system"

// Entry is one row of the log. Before and After hold only the fields that
// changed, by their API names.
type Entry struct {
	ID             int64
	EntityType     string
	EntityID       uuid.UUID
	SelectCenterID string // "" when the entity belongs to no center
	Action         string
	ActorID        uuid.UUID // uuid.Nil for the system
	ActorRole      string
	Before         map[string]any
	After          map[string]any
	Reason         string
	RequestID      string
	CreatedAt      time.Time
}

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request's ID, which entries written
// on its behalf record.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID is the request ID carried by ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// Actor is who makes a change, as the log records it.
type Actor struct {
	ID   uuid.UUID // uuid.Nil for the system
	Role string
}

// New returns an entry of the given change made by actor on behalf of the
// request in ctx.
func New(ctx context.Context, actor Actor, entityType string, entityID uuid.UUID, center, action string) Entry {
	role := actor.Role
	if actor.ID == uuid.Nil {
		role = RoleSystem
	}
	return Entry{EntityType: entityType, EntityID: entityID, SelectCenterID: center, Action: action,
		ActorID: actor.ID, ActorRole: role, Before: map[string]any{}, After: map[string]any{}, RequestID: RequestID(ctx)}
}

// System is the service itself as an actor (a daily job, the command line).
func System() Actor { return Actor{Role: RoleSystem} }
