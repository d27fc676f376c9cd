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

// entryOverhead approximates what an entry costs besides its body and ETag
// (key, list element, item).
const entryOverhead = 128

func (it item) size() int64 { return int64(len(it.entry.Body)+len(it.entry.ETag)) + entryOverhead }

// Ticket is the invalidation count a reader saw before reading.
type Ticket uint64

// Cache is a least-recently-used cache of entries bounded in bytes, safe
// for concurrent use. A nil *Cache, or one of 0 bytes, is a cache that
// never hits.
type Cache[K comparable] struct {
	mu       sync.Mutex
	lru      *simplelru.LRU[K, item]
	maxBytes int64
	bytes    int64 // held, as item.size counts
	ttl      time.Duration
	now      func() time.Time
	epoch    uint64
	live     bool

	hits, misses atomic.Uint64
}

// New returns a cache holding at most maxBytes of entries, each kept at
// most ttl (0: until evicted or invalidated). An entry larger than an
// eighth of maxBytes is not stored: it would push out too many others. The
// cache starts live when startLive, otherwise it waits for SetLive(true)
// (for instance until notices are followed).
func New[K comparable](maxBytes int64, ttl time.Duration, startLive bool) *Cache[K] {
	c := &Cache[K]{maxBytes: maxBytes, ttl: ttl, now: time.Now, live: startLive}
	if maxBytes > 0 {
		l, err := simplelru.NewLRU[K, item](int(max(maxBytes/entryOverhead, 1)), func(_ K, it item) { c.bytes -= it.size() })
		if err != nil { // only for a size <= 0, excluded above
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
	it := item{entry: e}
	if !c.live || uint64(t) != c.epoch || it.size() > c.maxBytes/8 {
		return false
	}
	if c.ttl > 0 {
		it.expires = c.now().Add(c.ttl)
	}
	if old, ok := c.lru.Peek(k); ok { // replaced without an eviction
		c.bytes -= old.size()
	}
	c.lru.Add(k, it)
	c.bytes += it.size()
	for c.bytes > c.maxBytes {
		c.lru.RemoveOldest()
	}
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
func (c *Cache[K]) Purge() { c.purge(nil) }

// SetLive empties the cache and makes it answer and store (true) or not.
func (c *Cache[K]) SetLive(live bool) { c.purge(&live) }

func (c *Cache[K]) purge(live *bool) {
	if !c.Enabled() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.lru.Purge()
	if live != nil {
		c.live = *live
	}
}

// Stats returns the number of hits and misses so far.
func (c *Cache[K]) Stats() (hits, misses uint64) {
	if c == nil {
		return 0, 0
	}
	return c.hits.Load(), c.misses.Load()
}

// Bytes is the size of the entries held, as the cache counts it.
func (c *Cache[K]) Bytes() int64 {
	if !c.Enabled() {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
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
