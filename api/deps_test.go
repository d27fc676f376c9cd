package api

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/bulk"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/curation"
	"github.com/otopmarket/otop/internal/media"
	"github.com/otopmarket/otop/internal/notify"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/readcache"
	"github.com/otopmarket/otop/internal/stats"
	"github.com/otopmarket/otop/internal/taxonomy"
	"github.com/otopmarket/otop/internal/testenv"
	"github.com/otopmarket/otop/internal/trade"
	"github.com/otopmarket/otop/internal/webhook"
	"github.com/otopmarket/otop/search/embedded"
	"github.com/otopmarket/otop/storage"
)

// testPolicy is the production policy with a cheap password hash, so that
// tests which register many users stay fast.
func testPolicy() account.Policy {
	p := account.DefaultPolicy()
	p.Argon2 = &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	return p
}

// wiring is the real services on the test's own database and bucket.
type wiring struct {
	deps     Deps
	db       *gorm.DB
	accounts *account.Service
	store    *storage.Store // the bucket as the test sees it, without injected faults
	index    catalog.SearchIndex
	watcher  *noticeWatcher
}

// newWiring wires every service; adjust may change the object store's
// configuration the services use (tests inject faults with it).
func newWiring(t testing.TB, adjust ...func(*storage.Config)) wiring {
	t.Helper()
	gin.SetMode(gin.TestMode)
	tax, err := taxonomy.Load()
	if err != nil {
		t.Fatalf("load taxonomy: %v", err)
	}
	dbURL := testenv.DatabaseURL(t)
	db := testenv.OpenDB(t, dbURL)
	accounts, err := account.NewService(postgres.NewAccounts(db), tax.SelectCenterExists, testPolicy(), time.Now)
	if err != nil {
		t.Fatalf("account service: %v", err)
	}
	cfg := testenv.MinIOConfig(t)
	clean, err := storage.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range adjust {
		f(&cfg)
	}
	store, err := storage.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	catalogSvc := catalog.NewService(postgres.NewCatalog(db), tax, time.Now)
	index, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatalf("search index: %v", err)
	}
	t.Cleanup(func() { _ = index.Close() })
	// The read caches are on, fed by PostgreSQL's notices as in serve.
	cache := readcache.NewCatalog(readcache.Sizes{Products: 1 << 20, Lists: 1 << 20, Searches: 1 << 20, SearchTTL: time.Minute,
		Queues: 1 << 20, QueueTTL: time.Minute, Orders: 1 << 20})
	// So are the principals of signed-in tokens.
	sessions := account.NewSessions(1000)
	accounts.CacheSessions(sessions)
	watcher := watchNotices(t, dbURL, db, cache, sessions)
	tradeStore := postgres.NewTrade(db)
	tradeSvc, err := trade.NewService(tradeStore, tradeStore, tax, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	images := media.NewImages(postgres.NewImages(db), store, catalogSvc, media.Limits{}, 2, time.Now)
	logger := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelError}))
	imports, err := bulk.NewService(postgres.NewImports(db), store, images, catalogSvc, bulk.TemplateLists(tax), time.Now, logger)
	if err != nil {
		t.Fatal(err)
	}
	return wiring{
		deps: Deps{
			Logger:   logger,
			Taxonomy: tax,
			Accounts: accounts,
			Catalog:  catalogSvc,
			Curation: curation.NewService(postgres.NewCuration(db, []string{"chiang-mai", "khon-kaen", "songkhla", "bangkok"}), tax, time.Now),
			Notify:   notify.NewService(postgres.NewNotifications(db)),
			Trade:    tradeSvc,
			// Endpoints must be public, as in production; testHosts names
			// the hosts the tests register.
			Webhooks: webhook.NewService(postgres.NewWebhooks(db), webhook.Options{Resolver: testHosts()}, time.Now),
			Stats:    stats.NewService(postgres.NewStats(db), tax, time.Now),
			Imports:  imports,
			Images:   images,
			Search:   catalog.NewSearch(index, tax),
			URLs:     store,
			Metrics:  NewMetrics(),
			Cache:    cache,
		},
		db: db, accounts: accounts, store: clean, index: index, watcher: watcher,
	}
}

// noticeWatcher passes the catalogue's change notices to the caches and
// lets a test wait until a change it made behind the API's back (as
// another process would) has reached them.
type noticeWatcher struct {
	*readcache.Catalog
	sessions *account.Sessions
	accounts int // account notices seen
	db       *gorm.DB
	mu       sync.Mutex
	cond     *sync.Cond
	seen     map[uuid.UUID]bool
	live     bool
}

func watchNotices(t testing.TB, dbURL string, db *gorm.DB, cache *readcache.Catalog, sessions *account.Sessions) *noticeWatcher {
	t.Helper()
	w := &noticeWatcher{Catalog: cache, sessions: sessions, db: db, seen: map[uuid.UUID]bool{}}
	w.cond = sync.NewCond(&w.mu)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		postgres.ListenCatalog(ctx, dbURL, w, slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelError})))
	}()
	t.Cleanup(func() { cancel(); <-done })
	w.wait(t, func() bool { return w.live })
	return w
}

func (w *noticeWatcher) ProductChanged(id uuid.UUID) {
	w.Catalog.ProductChanged(id)
	w.mu.Lock()
	w.seen[id] = true
	w.mu.Unlock()
	w.cond.Broadcast()
}

func (w *noticeWatcher) AccountsChanged() {
	w.sessions.Purge()
	w.mu.Lock()
	w.accounts++
	w.mu.Unlock()
	w.cond.Broadcast()
}

func (w *noticeWatcher) SetLive(live bool) {
	w.sessions.SetLive(live)
	w.Catalog.SetLive(live)
	w.mu.Lock()
	w.live = live
	w.mu.Unlock()
	w.cond.Broadcast()
}

// accountNotices is how many account notices have arrived.
func (w *noticeWatcher) accountNotices() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.accounts
}

// wait waits, at most 10 s, until ok holds (checked under w.mu).
func (w *noticeWatcher) wait(t testing.TB, ok func() bool) {
	t.Helper()
	timer := time.AfterFunc(10*time.Second, w.cond.Broadcast)
	defer timer.Stop()
	deadline := time.Now().Add(10 * time.Second)
	w.mu.Lock()
	defer w.mu.Unlock()
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("no catalogue notice within 10 s")
		}
		w.cond.Wait()
	}
}

// settle returns once every change committed so far has reached the caches:
// notices arrive in commit order, so once a marker sent now is seen, so
// were they.
func (w *noticeWatcher) settle(t testing.TB) {
	t.Helper()
	marker := uuid.New()
	if err := w.db.Exec("SELECT pg_notify(?, ?)", postgres.CatalogChannel, marker.String()).Error; err != nil {
		t.Fatalf("notify: %v", err)
	}
	w.wait(t, func() bool { return w.seen[marker] })
}

// testLog shows the server's error logs (the causes of 500s) in the test's output.
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// testDeps wires the real services on the test's own database and bucket.
func testDeps(t *testing.T) Deps {
	t.Helper()
	return newWiring(t).deps
}

func newRouterFrom(t testing.TB, d Deps) *gin.Engine {
	t.Helper()
	r, err := NewRouter(d)
	if err != nil {
		t.Fatalf("NewRouter: %v", err)
	}
	return r
}
