// Package readcache keeps encoded public replies in memory (a published
// product, a page of the public list, a search result) and drops them as
// soon as the data they show may have changed.
//
// Invalidation is exact, not timed, for what PostgreSQL tells: every change
// of a product's public state is notified (LISTEN/NOTIFY, see
// postgres.ListenCatalog) to every process, which removes the product and
// every cached list. Two rules keep a reader from caching stale data:
//
//   - A reader takes a Ticket before it reads the database and Put stores
//     its reply only if nothing was invalidated since. A reply read before
//     a change whose notice arrived meanwhile is never stored; a notice that
//     arrives after the Put removes the entry.
//   - While the notices cannot be followed (the listening connection is
//     down) the cache is not live: it answers nothing and stores nothing.
//
// A cache may also have a time to live, for data whose changes are not
// notified exactly (search results of an engine shared between processes).
package readcache

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// Entry is one stored reply.
type Entry struct {
	Body []byte
	ETag string // "" when the reply has none
}

type item struct {
	entry   Entry
	expires time.Time // zero: no time to live
}

// Ticket is the invalidation count a reader saw before reading.
type Ticket uint64

// Cache is a bounded least-recently-used cache of entries, safe for
// concurrent use. A nil *Cache, or one of size 0, is a cache that never hits.
type Cache[K comparable] struct {
	mu    sync.Mutex
	lru   *simplelru.LRU[K, item]
	ttl   time.Duration
	now   func() time.Time
	epoch uint64
	live  bool

	hits, misses atomic.Uint64
}

// New returns a cache of at most size entries, each kept at most ttl (0:
// until evicted or invalidated). It starts live when startLive, otherwise
// it waits for SetLive(true) (for instance until notices are followed).
func New[K comparable](size int, ttl time.Duration, startLive bool) *Cache[K] {
	c := &Cache[K]{ttl: ttl, now: time.Now, live: startLive}
	if size > 0 {
		l, err := simplelru.NewLRU[K, item](size, nil)
		if err != nil { // only for size <= 0, excluded above
			panic(err)
		}
		c.lru = l
	}
	return c
}

// Enabled reports whether the cache can ever hit.
func (c *Cache[K]) Enabled() bool { return c != nil && c.lru != nil }

// Get returns the entry stored for k, if any, live and not expired.
func (c *Cache[K]) Get(k K) (Entry, bool) {
	if !c.Enabled() {
		return Entry{}, false
	}
	c.mu.Lock()
	it, ok := c.lru.Get(k)
	if ok && !it.expires.IsZero() && !c.now().Before(it.expires) {
		c.lru.Remove(k)
		ok = false
	}
	ok = ok && c.live
	c.mu.Unlock()
	if ok {
		c.hits.Add(1)
		return it.entry, true
	}
	c.misses.Add(1)
	return Entry{}, false
}

// Ticket is taken before reading the data a Put will store.
func (c *Cache[K]) Ticket() Ticket {
	if !c.Enabled() {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return Ticket(c.epoch)
}

// Put stores e for k unless something was invalidated since t was taken or
// the cache is not live. It reports whether it stored.
func (c *Cache[K]) Put(t Ticket, k K, e Entry) bool {
	if !c.Enabled() {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live || uint64(t) != c.epoch {
		return false
	}
	it := item{entry: e}
	if c.ttl > 0 {
		it.expires = c.now().Add(c.ttl)
	}
	c.lru.Add(k, it)
	return true
}

// Remove invalidates k.
func (c *Cache[K]) Remove(k K) {
	if !c.Enabled() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.lru.Remove(k)
}

// Purge invalidates everything.
func (c *Cache[K]) Purge() {
	if !c.Enabled() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.lru.Purge()
}

// SetLive empties the cache and makes it answer and store (true) or not.
func (c *Cache[K]) SetLive(live bool) {
	if !c.Enabled() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.lru.Purge()
	c.live = live
}

// Stats returns the number of hits and misses so far.
func (c *Cache[K]) Stats() (hits, misses uint64) {
	if c == nil {
		return 0, 0
	}
	return c.hits.Load(), c.misses.Load()
}

// Len is the number of entries held.
func (c *Cache[K]) Len() int {
	if !c.Enabled() {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
