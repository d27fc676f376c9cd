package readcache

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func entry(s string) Entry { return Entry{Body: []byte(s), ETag: `"1"`} }

func mustGet(t *testing.T, c *Cache[string], k, want string) {
	t.Helper()
	e, ok := c.Get(k)
	if !ok || string(e.Body) != want {
		t.Fatalf("Get(%q) = %q, %v; want %q", k, e.Body, ok, want)
	}
}

func mustMiss(t *testing.T, c *Cache[string], k string) {
	t.Helper()
	if e, ok := c.Get(k); ok {
		t.Fatalf("Get(%q) = %q; want a miss", k, e.Body)
	}
}

func TestPutThenGet(t *testing.T) {
	c := New[string](1<<20, 0, true)
	mustMiss(t, c, "a")
	if !c.Put(c.Ticket(), "a", entry("A")) {
		t.Fatal("Put refused on a live cache with a current ticket")
	}
	mustGet(t, c, "a", "A")
	if hits, misses := c.Stats(); hits != 1 || misses != 1 {
		t.Errorf("Stats = %d hits, %d misses; want 1, 1", hits, misses)
	}
}

// A reply read before an invalidation is never stored, whatever key the
// invalidation named: the reader cannot know what its read depended on.
func TestPutAfterAnInvalidationIsRefused(t *testing.T) {
	for name, invalidate := range map[string]func(c *Cache[string]){
		"remove of the key":     func(c *Cache[string]) { c.Remove("a") },
		"remove of another key": func(c *Cache[string]) { c.Remove("b") },
		"purge":                 func(c *Cache[string]) { c.Purge() },
		"live again":            func(c *Cache[string]) { c.SetLive(true) },
	} {
		t.Run(name, func(t *testing.T) {
			c := New[string](1<<20, 0, true)
			ticket := c.Ticket()
			invalidate(c)
			if c.Put(ticket, "a", entry("stale")) {
				t.Fatal("Put stored a reply read before an invalidation")
			}
			mustMiss(t, c, "a")
			if !c.Put(c.Ticket(), "a", entry("fresh")) {
				t.Fatal("Put refused with a ticket taken after the invalidation")
			}
			mustGet(t, c, "a", "fresh")
		})
	}
}

func TestRemoveAndPurgeDropEntries(t *testing.T) {
	c := New[string](1<<20, 0, true)
	for _, k := range []string{"a", "b", "c"} {
		c.Put(c.Ticket(), k, entry(k))
	}
	c.Remove("a")
	mustMiss(t, c, "a")
	mustGet(t, c, "b", "b")
	c.Purge()
	mustMiss(t, c, "b")
	mustMiss(t, c, "c")
	if c.Len() != 0 {
		t.Errorf("Len = %d after Purge", c.Len())
	}
}

func TestNotLiveAnswersAndStoresNothing(t *testing.T) {
	c := New[string](1<<20, 0, false)
	if c.Put(c.Ticket(), "a", entry("A")) {
		t.Fatal("a cache that is not live stored an entry")
	}
	c.SetLive(true)
	c.Put(c.Ticket(), "a", entry("A"))
	mustGet(t, c, "a", "A")
	ticket := c.Ticket()
	c.SetLive(false)
	mustMiss(t, c, "a")
	if c.Put(ticket, "a", entry("A")) || c.Put(c.Ticket(), "a", entry("A")) {
		t.Fatal("a cache that is not live stored an entry")
	}
	c.SetLive(true)
	mustMiss(t, c, "a") // what was held before going dark is gone
}

func TestEntriesExpire(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	c := New[string](1<<20, 10*time.Second, true)
	c.now = func() time.Time { return now }
	c.Put(c.Ticket(), "a", entry("A"))
	now = now.Add(9 * time.Second)
	mustGet(t, c, "a", "A")
	now = now.Add(time.Second)
	mustMiss(t, c, "a")
	if c.Len() != 0 {
		t.Errorf("an expired entry is still held (Len %d)", c.Len())
	}
}

func TestEntriesExpireAtTheirOwnTime(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	c := New[string](1<<20, 0, true)
	c.now = func() time.Time { return now }
	c.PutUntil(c.Ticket(), "a", entry("A"), now.Add(5*time.Second))
	c.PutUntil(c.Ticket(), "b", entry("B"), time.Time{})
	now = now.Add(4 * time.Second)
	mustGet(t, c, "a", "A")
	now = now.Add(time.Second)
	mustMiss(t, c, "a")
	mustGet(t, c, "b", "B")

	// With a time to live too, the earlier of the two holds.
	c = New[string](1<<20, 10*time.Second, true)
	c.now = func() time.Time { return now }
	c.PutUntil(c.Ticket(), "soon", entry("S"), now.Add(2*time.Second))
	c.PutUntil(c.Ticket(), "late", entry("L"), now.Add(time.Hour))
	now = now.Add(2 * time.Second)
	mustMiss(t, c, "soon")
	mustGet(t, c, "late", "L")
	now = now.Add(8 * time.Second)
	mustMiss(t, c, "late")
}

func TestMemoryIsBounded(t *testing.T) {
	c := New[string](4000, 0, true)
	body := strings.Repeat("x", 300) // 300 + 3 (ETag) + 128 = 431 bytes as counted
	for i := range 12 {
		if !c.Put(c.Ticket(), fmt.Sprint(i), entry(body)) {
			t.Fatalf("Put %d refused", i)
		}
	}
	if c.Len() != 9 || c.Bytes() != 9*431 {
		t.Fatalf("holds %d entries, %d bytes; want 9 entries, %d bytes", c.Len(), c.Bytes(), 9*431)
	}
	mustMiss(t, c, "0")
	mustMiss(t, c, "2")
	mustGet(t, c, "11", body)

	// Replacing an entry counts it once.
	c.Put(c.Ticket(), "11", entry("short"))
	if c.Bytes() != 8*431+5+3+128 {
		t.Errorf("Bytes = %d after replacing an entry", c.Bytes())
	}
	// An entry over an eighth of the budget would push out too many others.
	if c.Put(c.Ticket(), "big", entry(strings.Repeat("x", 500))) {
		t.Error("an entry of more than an eighth of the budget was stored")
	}
	c.Purge()
	if c.Len() != 0 || c.Bytes() != 0 {
		t.Errorf("after Purge: %d entries, %d bytes", c.Len(), c.Bytes())
	}
}

func TestDisabledCacheNeverHits(t *testing.T) {
	for name, c := range map[string]*Cache[string]{"size 0": New[string](0, 0, true), "nil": nil} {
		t.Run(name, func(t *testing.T) {
			if c.Enabled() || c.Put(c.Ticket(), "a", entry("A")) {
				t.Fatal("a disabled cache stored an entry")
			}
			mustMiss(t, c, "a")
			c.Remove("a")
			c.Purge()
			c.SetLive(true)
			if c.Len() != 0 {
				t.Fatal("a disabled cache holds entries")
			}
		})
	}
}

func TestCatalogDropsTheProductAndEveryList(t *testing.T) {
	c := NewCatalog(Sizes{Products: 1 << 20, Lists: 1 << 20, Searches: 1 << 20, SearchTTL: time.Minute})
	a, b := uuid.New(), uuid.New()
	c.SetLive(true)
	c.Products.Put(c.Products.Ticket(), a, entry("a"))
	c.Products.Put(c.Products.Ticket(), b, entry("b"))
	c.Lists.Put(c.Lists.Ticket(), "products?province=TH-50", entry("list"))
	c.Searches.Put(c.Searches.Ticket(), "search?q=silk", entry("silk"))

	c.ProductChanged(a)
	if _, ok := c.Products.Get(a); ok {
		t.Error("the changed product is still cached")
	}
	if _, ok := c.Products.Get(b); !ok {
		t.Error("another product was dropped")
	}
	if c.Lists.Len() != 0 {
		t.Error("a list survived a product change")
	}
	if c.Searches.Len() != 1 {
		t.Error("a search reply was dropped by a database change: it follows the index, not the database")
	}
	c.IndexChanged()
	if c.Searches.Len() != 0 {
		t.Error("a search reply survived an index change")
	}
}

func TestCatalogSearchCacheNeedsATimeToLive(t *testing.T) {
	c := NewCatalog(Sizes{Products: 1 << 20, Lists: 1 << 20, Searches: 1 << 20})
	if c.Searches.Enabled() {
		t.Fatal("search replies are cached without a time to live")
	}
	if c.Products.Put(c.Products.Ticket(), uuid.New(), entry("a")) {
		t.Fatal("products are cached before the change notices are followed")
	}
}

// The review queues' and the orders' pages each follow notices of their
// own: the other notices leave them, and like the other caches they answer
// only while the notices are followed.
func TestCatalogQueuesAndOrdersFollowTheirOwnNotices(t *testing.T) {
	notices := map[string]func(c *Catalog){
		"product": func(c *Catalog) { c.ProductChanged(uuid.New()) },
		"queues":  (*Catalog).QueuesChanged,
		"orders":  (*Catalog).OrdersChanged,
	}
	for name, pages := range map[string]func(c *Catalog) *Cache[string]{
		"queues": func(c *Catalog) *Cache[string] { return c.Queues },
		"orders": func(c *Catalog) *Cache[string] { return c.Orders },
	} {
		t.Run(name, func(t *testing.T) {
			c := NewCatalog(Sizes{Products: 1 << 20, Lists: 1 << 20, Queues: 1 << 20, QueueTTL: time.Hour, Orders: 1 << 20})
			cache := pages(c)
			const page = "page?limit=20"
			if cache.Put(cache.Ticket(), page, entry("p")) {
				t.Fatal("a page was cached before the change notices are followed")
			}
			c.SetLive(true)
			if !cache.Put(cache.Ticket(), page, entry("p")) {
				t.Fatal("a page was not cached while live")
			}
			for other, notice := range notices {
				if other == name {
					continue
				}
				if notice(c); cache.Len() != 1 {
					t.Errorf("a %s notice dropped the %s pages", other, name)
				}
			}
			if notices[name](c); cache.Len() != 0 {
				t.Errorf("a page survived a %s notice", name)
			}
			cache.Put(cache.Ticket(), page, entry("p"))
			c.SetLive(false)
			if _, ok := cache.Get(page); ok {
				t.Error("a page answered while the notices are not followed")
			}
		})
	}
}
