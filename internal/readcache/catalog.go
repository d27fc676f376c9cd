package readcache

import (
	"time"

	"github.com/google/uuid"
)

// Catalog is the caches of the public catalogue's replies.
type Catalog struct {
	// Products holds GET /v1/products/{id} of published products, by id.
	Products *Cache[uuid.UUID]
	// Lists holds pages of the public GET /v1/products, by query.
	Lists *Cache[string]
	// Searches holds GET /v1/search and /v1/search/suggest replies, by query.
	Searches *Cache[string]
	// Queues holds pages of the curators' review queues, by scope and query;
	// each page also expires when a waiting time or a readiness it shows
	// moves on (PutUntil).
	Queues *Cache[string]
	// Orders holds pages of GET /v1/orders, by reader and query.
	Orders *Cache[string]
}

// Sizes are the capacities of a Catalog's caches in bytes; 0 disables one.
type Sizes struct {
	Products, Lists, Searches int64
	// SearchTTL bounds how long a search reply is kept: search results
	// follow the index, which another process may change (a shared
	// Meilisearch), so they are also kept for a bounded time only.
	SearchTTL time.Duration
	// Queues and QueueTTL size the review queues' cache: QueueTTL bounds
	// how long a page is kept, although every change of a product in a
	// queue, or of a producer, is notified and drops the pages at once.
	Queues   int64
	QueueTTL time.Duration
	// Orders sizes the cache of order list pages, which every change of an
	// order anywhere drops.
	Orders int64
}

// NewCatalog returns the caches. All but the searches' start not live: they
// wait for SetLive(true), given when the change notices are followed.
func NewCatalog(s Sizes) *Catalog {
	searches := s.Searches
	if s.SearchTTL <= 0 {
		searches = 0
	}
	queues := s.Queues
	if s.QueueTTL <= 0 {
		queues = 0
	}
	return &Catalog{
		Products: New[uuid.UUID](s.Products, 0, false),
		Lists:    New[string](s.Lists, 0, false),
		Searches: New[string](searches, s.SearchTTL, true),
		Queues:   New[string](queues, s.QueueTTL, false),
		Orders:   New[string](s.Orders, 0, false),
	}
}

// ProductChanged drops what may show product id: the product and every
// public list. The review queues have notices of their own (QueuesChanged).
func (c *Catalog) ProductChanged(id uuid.UUID) {
	c.Products.Remove(id)
	c.Lists.Purge()
}

// QueuesChanged drops every review queue page: a product in a queue, or a
// producer, changed.
func (c *Catalog) QueuesChanged() {
	c.Queues.Purge()
}

// OrdersChanged drops every order list page: an order changed.
func (c *Catalog) OrdersChanged() {
	c.Orders.Purge()
}

// ChangedHere drops what a change of product id made by this process may
// have changed, public replies and queue pages, before the notices of the
// change arrive: its author reads it back at once.
func (c *Catalog) ChangedHere(id uuid.UUID) {
	c.ProductChanged(id)
	c.QueuesChanged()
}

// SetLive empties the caches that follow PostgreSQL's notices (all but the
// searches') and turns them on or off.
func (c *Catalog) SetLive(live bool) {
	c.Products.SetLive(live)
	c.Lists.SetLive(live)
	c.Queues.SetLive(live)
	c.Orders.SetLive(live)
}

// IndexChanged drops every search reply: the search index changed.
func (c *Catalog) IndexChanged() {
	c.Searches.Purge()
}
