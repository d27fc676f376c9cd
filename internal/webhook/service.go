package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/keyset"
)

// Limits of what clients send.
const (
	// MaxEndpoints bounds a user's endpoints: each event is delivered to
	// every one of them.
	MaxEndpoints        = 10
	MaxDescriptionChars = 200
)

const deliveriesList = "webhook_deliveries"

// Store keeps endpoints and their delivery logs. Every method is scoped to
// the owner: another user's endpoint is errs.ErrNotFound.
type Store interface {
	// CreateEndpoint stores e unless its owner has max endpoints already
	// or one with the same URL (errs.ErrConflict).
	CreateEndpoint(ctx context.Context, e Endpoint, max int) (Endpoint, error)
	Endpoints(ctx context.Context, userID uuid.UUID) ([]Endpoint, error)
	// DeleteEndpoint deletes an endpoint with its deliveries.
	DeleteEndpoint(ctx context.Context, userID, id uuid.UUID) error
	Deliveries(ctx context.Context, q DeliveryQuery) ([]Delivery, error)
	// Redeliver queues a new delivery of the event and body of delivery
	// deliveryID, due at; errs.ErrConflict while one of that event to that
	// endpoint is pending.
	Redeliver(ctx context.Context, userID, webhookID, deliveryID uuid.UUID, at time.Time) (Delivery, error)
}

// DeliveryQuery selects a page of one endpoint's log, newest first.
type DeliveryQuery struct {
	UserID    uuid.UUID
	WebhookID uuid.UUID
	Status    string // "": any
	Limit     int
	After     *keyset.Position
}

// Options configure the service.
type Options struct {
	// AllowPrivate accepts endpoints at loopback, private and link-local
	// addresses, and http:// URLs: for tests and development only.
	AllowPrivate bool
	// Resolver looks up endpoint hosts; nil: net.DefaultResolver.
	Resolver Resolver
}

// Service lets producers and importers manage their endpoints and read
// and replay their deliveries.
type Service struct {
	store Store
	guard guard
	now   func() time.Time
}

// NewService returns the webhook service. clock gives the current time.
func NewService(store Store, opts Options, clock func() time.Time) *Service {
	r := opts.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	return &Service{store: store, guard: guard{allowPrivate: opts.AllowPrivate, resolver: r}, now: clock}
}

// requireOwner lets producers and importers through: they are the parties
// of the trade that events are about.
func requireOwner(p account.Principal) error {
	switch {
	case p.Anonymous():
		return errs.New(errs.ErrUnauthenticated, "sign in first")
	case !p.Is(account.RoleProducer) && !p.Is(account.RoleImporter):
		return errs.New(errs.ErrForbidden, "only producers and importers register webhooks")
	}
	return nil
}

// CreateInput is a new endpoint.
type CreateInput struct {
	URL         string
	Events      []string
	Description string
}

// Create registers an endpoint of the caller and returns it with its
// secret, which is never shown again. The URL must be https:// and its host
// must resolve to public addresses only (unless Options.AllowPrivate).
func (s *Service) Create(ctx context.Context, p account.Principal, in CreateInput) (Endpoint, error) {
	if err := requireOwner(p); err != nil {
		return Endpoint{}, err
	}
	var v errs.ValidationError
	events := make([]string, 0, len(in.Events))
	for i, e := range in.Events {
		field := fmt.Sprintf("events[%d]", i)
		switch {
		case !ValidEventType(e):
			v.Add(field, "must be one of "+strings.Join(EventTypes(), ", "))
		case slices.Contains(events, e):
			v.Add(field, "is listed twice")
		default:
			events = append(events, e)
		}
	}
	desc := strings.TrimSpace(in.Description)
	switch {
	case !utf8.ValidString(desc) || strings.ContainsFunc(desc, unicode.IsControl):
		v.Add("description", "must be one line of text without control characters")
	case utf8.RuneCountInString(desc) > MaxDescriptionChars:
		v.Add("description", fmt.Sprintf("must be at most %d characters", MaxDescriptionChars))
	}
	// The host is looked up only once everything else is right: a lookup
	// is slow, and a request refused anyway should not cost one.
	u, msg, err := s.guard.check(ctx, strings.TrimSpace(in.URL), len(v.Fields) == 0)
	switch {
	case errors.Is(err, errResolve):
		return Endpoint{}, fmt.Errorf("%w: %w", errs.ErrUnavailable, err)
	case err != nil:
		return Endpoint{}, err
	case msg != "":
		v.Add("url", msg)
	}
	if err := v.Err(); err != nil {
		return Endpoint{}, err
	}
	secret, err := NewSecret()
	if err != nil {
		return Endpoint{}, err
	}
	slices.Sort(events)
	e := Endpoint{ID: uuid.New(), UserID: p.UserID, URL: u, Events: events, Description: desc, Secret: secret,
		CreatedAt: s.now().UTC().Truncate(time.Microsecond)}
	return s.store.CreateEndpoint(ctx, e, MaxEndpoints)
}

// List returns the caller's endpoints, oldest first, without their secrets.
func (s *Service) List(ctx context.Context, p account.Principal) ([]Endpoint, error) {
	if err := requireOwner(p); err != nil {
		return nil, err
	}
	return s.store.Endpoints(ctx, p.UserID)
}

// Delete removes one of the caller's endpoints, its pending deliveries and
// its delivery log.
func (s *Service) Delete(ctx context.Context, p account.Principal, id uuid.UUID) error {
	if err := requireOwner(p); err != nil {
		return err
	}
	return s.store.DeleteEndpoint(ctx, p.UserID, id)
}

// Filter is a request for a page of an endpoint's delivery log.
type Filter struct {
	Status string
	Limit  int
	Cursor string
}

// DeliveryPage is one page of a delivery log; NextCursor is "" on the last.
type DeliveryPage struct {
	Items      []Delivery
	NextCursor string
}

// Deliveries returns a page of the log of one of the caller's endpoints,
// newest first.
func (s *Service) Deliveries(ctx context.Context, p account.Principal, id uuid.UUID, f Filter) (DeliveryPage, error) {
	if err := requireOwner(p); err != nil {
		return DeliveryPage{}, err
	}
	var v errs.ValidationError
	limit := keyset.Limit(f.Limit, &v)
	if f.Status != "" && !slices.Contains([]string{StatusPending, StatusDelivered, StatusFailed}, f.Status) {
		v.Add("status", "must be pending, delivered or failed")
	}
	q := DeliveryQuery{UserID: p.UserID, WebhookID: id, Status: f.Status, Limit: limit + 1,
		After: keyset.After(deliveriesList, f.Cursor, &v)}
	if err := v.Err(); err != nil {
		return DeliveryPage{}, errs.AsQuery(err)
	}
	items, err := s.store.Deliveries(ctx, q)
	if err != nil {
		return DeliveryPage{}, err
	}
	var page DeliveryPage
	page.Items, page.NextCursor = keyset.Trim(deliveriesList, items, limit, func(d Delivery) keyset.Position {
		return keyset.Position{At: d.CreatedAt, ID: d.ID.String()}
	})
	return page, nil
}

// Redeliver queues the event of one of the caller's deliveries again, now,
// with the same body and event id (a new delivery id and signature).
// Refused (errs.ErrConflict) while a delivery of that event to that
// endpoint is pending: it is being tried already.
func (s *Service) Redeliver(ctx context.Context, p account.Principal, id, deliveryID uuid.UUID) (Delivery, error) {
	if err := requireOwner(p); err != nil {
		return Delivery{}, err
	}
	return s.store.Redeliver(ctx, p.UserID, id, deliveryID, s.now().UTC().Truncate(time.Microsecond))
}
