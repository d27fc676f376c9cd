// Package readcache keeps encoded public replies in memory (a published
// product, a page of the public list, a search result), and other values
// read from the database (the principals of signed-in tokens), and drops
// them as soon as the data they show may have changed.
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

type item[V any] struct {
	value   V
	expires time.Time // zero: no time to live
}

// EntryOverhead approximates what an entry costs besides its value (key,
// list element, item).
const EntryOverhead = 128

// Ticket is the invalidation count a reader saw before reading.
type Ticket uint64

// Store is a least-recently-used cache of values bounded in bytes (as its
// size function counts them), safe for concurrent use, with the rules of
// the package: tickets, liveness, an optional time to live. A nil *Store,
// or one of 0 bytes, never hits.
type Store[K comparable, V any] struct {
	mu       sync.Mutex
	lru      *simplelru.LRU[K, item[V]]
	size     func(V) int64
	maxBytes int64
	bytes    int64 // held, as itemSize counts
	ttl      time.Duration
	now      func() time.Time
	epoch    uint64
	live     bool

	hits, misses atomic.Uint64
}

// Cache holds encoded replies.
type Cache[K comparable] = Store[K, Entry]

// New returns a cache of replies holding at most maxBytes of entries, each
// kept at most ttl (0: until evicted or invalidated). An entry larger than
// an eighth of maxBytes is not stored: it would push out too many others.
// The cache starts live when startLive, otherwise it waits for
// SetLive(true) (for instance until notices are followed).
func New[K comparable](maxBytes int64, ttl time.Duration, startLive bool) *Cache[K] {
	return NewStore[K](maxBytes, ttl, startLive, func(e Entry) int64 { return int64(len(e.Body) + len(e.ETag)) })
}

// NewStore is New for values of any kind, size telling how many bytes a
// value holds besides the entry's own overhead.
func NewStore[K comparable, V any](maxBytes int64, ttl time.Duration, startLive bool, size func(V) int64) *Store[K, V] {
	c := &Store[K, V]{size: size, maxBytes: maxBytes, ttl: ttl, now: time.Now, live: startLive}
	if maxBytes > 0 {
		l, err := simplelru.NewLRU[K, item[V]](int(max(maxBytes/EntryOverhead, 1)), func(_ K, it item[V]) { c.bytes -= c.itemSize(it) })
		if err != nil { // only for a size <= 0, excluded above
			panic(err)
		}
		c.lru = l
	}
	return c
}

func (c *Store[K, V]) itemSize(it item[V]) int64 { return c.size(it.value) + EntryOverhead }

// Enabled reports whether the cache can ever hit.
func (c *Store[K, V]) Enabled() bool { return c != nil && c.lru != nil }

// Get returns the value stored for k, if any, live and not expired.
func (c *Store[K, V]) Get(k K) (V, bool) {
	var zero V
	if !c.Enabled() {
		return zero, false
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
		return it.value, true
	}
	c.misses.Add(1)
	return zero, false
}

// Ticket is taken before reading the data a Put will store.
func (c *Store[K, V]) Ticket() Ticket {
	if !c.Enabled() {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return Ticket(c.epoch)
}

// Put stores v for k unless something was invalidated since t was taken or
// the cache is not live. It reports whether it stored.
func (c *Store[K, V]) Put(t Ticket, k K, v V) bool { return c.PutUntil(t, k, v, time.Time{}) }

// PutUntil is Put for a value that is no longer true from until on (zero:
// no such time); the cache's time to live applies too.
func (c *Store[K, V]) PutUntil(t Ticket, k K, v V, until time.Time) bool {
	if !c.Enabled() {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	it := item[V]{value: v, expires: until}
	if !c.live || uint64(t) != c.epoch || c.itemSize(it) > c.maxBytes/8 {
		return false
	}
	if c.ttl > 0 {
		if byTTL := c.now().Add(c.ttl); it.expires.IsZero() || byTTL.Before(it.expires) {
			it.expires = byTTL
		}
	}
	if old, ok := c.lru.Peek(k); ok { // replaced without an eviction
		c.bytes -= c.itemSize(old)
	}
	c.lru.Add(k, it)
	c.bytes += c.itemSize(it)
	for c.bytes > c.maxBytes {
		c.lru.RemoveOldest()
	}
	return true
}

// Remove invalidates k.
func (c *Store[K, V]) Remove(k K) {
	if !c.Enabled() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.lru.Remove(k)
}

// Purge invalidates everything.
func (c *Store[K, V]) Purge() { c.purge(nil) }

// SetLive empties the cache and makes it answer and store (true) or not.
func (c *Store[K, V]) SetLive(live bool) { c.purge(&live) }

func (c *Store[K, V]) purge(live *bool) {
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
func (c *Store[K, V]) Stats() (hits, misses uint64) {
	if c == nil {
		return 0, 0
	}
	return c.hits.Load(), c.misses.Load()
}

// Bytes is the size of the entries held, as the cache counts it.
func (c *Store[K, V]) Bytes() int64 {
	if !c.Enabled() {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// Len is the number of entries held.
func (c *Store[K, V]) Len() int {
	if !c.Enabled() {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
