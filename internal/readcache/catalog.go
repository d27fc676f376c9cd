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
	// Queues holds pages of the curators' review queues, by scope and query.
	Queues *Cache[string]
}

// Sizes are the capacities of a Catalog's caches in bytes; 0 disables one.
type Sizes struct {
	Products, Lists, Searches int64
	// SearchTTL bounds how long a search reply is kept: search results
	// follow the index, which another process may change (a shared
	// Meilisearch), so they are also kept for a bounded time only.
	SearchTTL time.Duration
	// Queues and QueueTTL size the review queues' cache. A queue page is
	// dropped by this process's changes of products, and by the notices of
	// publications; submissions and edits made by other processes reach it
	// only when it expires, so QueueTTL is short.
	Queues   int64
	QueueTTL time.Duration
}

// NewCatalog returns the caches. Products and lists start not live: they
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
		Queues:   New[string](queues, s.QueueTTL, true),
	}
}

// ProductChanged drops what may show product id: the product and every list.
func (c *Catalog) ProductChanged(id uuid.UUID) {
	c.Products.Remove(id)
	c.Lists.Purge()
	c.Queues.Purge()
}

// SetLive empties the product and list caches and turns them on or off.
func (c *Catalog) SetLive(live bool) {
	c.Products.SetLive(live)
	c.Lists.SetLive(live)
}

// IndexChanged drops every search reply: the search index changed.
func (c *Catalog) IndexChanged() {
	c.Searches.Purge()
}
