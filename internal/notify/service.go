package notify

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/keyset"
)

// MaxMarkRead bounds the ids of one "mark read" request.
const MaxMarkRead = 500

const listName = "notifications"

// Query selects a page of one user's feed, newest first.
type Query struct {
	UserID     uuid.UUID
	UnreadOnly bool
	Limit      int
	After      *keyset.Position
}

// Store keeps the feed.
type Store interface {
	Notifications(ctx context.Context, q Query) ([]Notification, error)
	// MarkRead marks the user's notifications read (all of them when ids is
	// nil) and returns how many changed.
	MarkRead(ctx context.Context, userID uuid.UUID, ids []uuid.UUID) (int, error)
}

// Service reads and acknowledges a user's own feed.
type Service struct{ store Store }

// NewService returns the notifications service.
func NewService(store Store) *Service { return &Service{store: store} }

// Filter is a request for a page of the caller's feed.
type Filter struct {
	UnreadOnly bool
	Limit      int
	Cursor     string
}

// Page is one page of the feed; NextCursor is "" on the last.
type Page struct {
	Items      []Notification
	NextCursor string
}

// List returns a page of the caller's feed, newest first.
func (s *Service) List(ctx context.Context, p account.Principal, f Filter) (Page, error) {
	if p.Anonymous() {
		return Page{}, errs.New(errs.ErrUnauthenticated, "sign in first")
	}
	var v errs.ValidationError
	limit := keyset.Limit(f.Limit, &v)
	q := Query{UserID: p.UserID, UnreadOnly: f.UnreadOnly, Limit: limit + 1, After: keyset.After(listName, f.Cursor, &v)}
	if err := v.Err(); err != nil {
		return Page{}, errs.AsQuery(err)
	}
	items, err := s.store.Notifications(ctx, q)
	if err != nil {
		return Page{}, err
	}
	var page Page
	page.Items, page.NextCursor = keyset.Trim(listName, items, limit, func(n Notification) keyset.Position {
		return keyset.Position{At: n.CreatedAt, ID: n.ID.String()}
	})
	return page, nil
}

// MarkRead marks some of the caller's notifications read, or all of them.
// Ids of other users' notifications are ignored, as unknown ids are: the
// answer never tells whether they exist.
func (s *Service) MarkRead(ctx context.Context, p account.Principal, ids []uuid.UUID, all bool) (int, error) {
	if p.Anonymous() {
		return 0, errs.New(errs.ErrUnauthenticated, "sign in first")
	}
	switch {
	case all && len(ids) > 0:
		return 0, errs.Invalid("all", "give either ids or all, not both")
	case !all && len(ids) == 0:
		return 0, errs.Invalid("ids", "give the ids to mark read, or \"all\": true")
	case len(ids) > MaxMarkRead:
		return 0, errs.Invalid("ids", fmt.Sprintf("at most %d ids at once", MaxMarkRead))
	}
	if all {
		ids = nil
	}
	return s.store.MarkRead(ctx, p.UserID, ids)
}
