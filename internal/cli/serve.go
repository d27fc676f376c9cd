package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/urfave/cli/v3"

	"github.com/otopmarket/otop/api"
	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/config"
	"github.com/otopmarket/otop/internal/curation"
	"github.com/otopmarket/otop/internal/media"
	"github.com/otopmarket/otop/internal/notify"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/readcache"
	"github.com/otopmarket/otop/internal/stats"
	"github.com/otopmarket/otop/internal/taxonomy"
	"github.com/otopmarket/otop/internal/trade"
	"github.com/otopmarket/otop/internal/webhook"
	"github.com/otopmarket/otop/storage"
)

func (e process) serveCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "serve the HTTP API",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "migrate", Usage: "apply pending migrations before serving (same as MIGRATE_ON_START=true)"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			return e.serve(ctx, cmd.Bool("migrate"))
		},
	}
}

// defaultGCRebuilds rebuilds the search index at Go's default garbage
// collection target: a rebuild allocates heavily, and at serveGCPercent its
// peak memory doubles (BENCHMARKS.md, "Why the code is as it is").
// Searches meanwhile run at the default target too.
type defaultGCRebuilds struct{ catalog.SearchIndex }

func (ix defaultGCRebuilds) Rebuild(ctx context.Context, fill func(add func([]catalog.SearchDocument) error) error) error {
	previous := debug.SetGCPercent(100)
	defer debug.SetGCPercent(previous)
	return ix.SearchIndex.Rebuild(ctx, fill)
}

// serveGCPercent is serve's garbage collection target unless GOGC is set.
// Its live heap is small while every request allocates, so Go's default
// collects often under load and each collection shows in the tail latency;
// at 400 collections are four times rarer for a heap up to five times the
// live data (figures in BENCHMARKS.md). Rebuilds of the search index run
// at the default (defaultGCRebuilds). GOMEMLIMIT caps the heap if needed.
const serveGCPercent = 400

// serveBaseMemory is what serve holds besides decoding photos: the search
// index's caches and the read caches under load (BENCHMARKS.md), with room.
const serveBaseMemory = 1536 << 20

func (e process) serve(ctx context.Context, migrate bool) error {
	cfg, _, err := e.load()
	if err != nil {
		return err
	}
	a, err := e.open(ctx, migrate || cfg.MigrateOnStart, cfg.DBStatementTimeout)
	if err != nil {
		return err
	}
	defer a.close()
	if cfg.Production {
		// Demo accounts share a published password: a production database
		// holding them is open to anyone who read the README.
		demo, err := postgres.NewSeeder(a.db).AnyUserWithEmailSuffix(ctx, demoEmailDomain)
		if err != nil {
			return err
		}
		if demo {
			return fmt.Errorf("APP_ENV=production: the database holds demo accounts (*%s); remove them before serving", demoEmailDomain)
		}
	}
	ownGC := e.getenv("GOGC") == ""
	if ownGC {
		debug.SetGCPercent(serveGCPercent)
	}
	if e.getenv("GOMEMLIMIT") == "" {
		// At GOGC 400 the garbage of decoded photos could grow the heap to
		// five times what the image budget admits; a soft limit of that
		// budget plus what serving takes makes the collector run before.
		debug.SetMemoryLimit(int64(cfg.ImageMemoryMB)<<20 + serveBaseMemory)
	}
	runtime.GOMAXPROCS(config.ServeProcs(e.getenv("GOMAXPROCS"), runtime.GOMAXPROCS(0), runtime.NumCPU()))
	gin.SetMode(gin.ReleaseMode)
	logger, tax, db := a.logger, a.tax, a.db
	store, err := a.objectStore(ctx)
	if err != nil {
		return err
	}

	accountStore := postgres.NewAccounts(db)
	accounts, err := account.NewService(accountStore, tax.SelectCenterExists, account.DefaultPolicy(), time.Now)
	if err != nil {
		return err
	}

	engine, err := a.openSearch(ctx)
	if err != nil {
		return err
	}
	defer engine.close() //nolint:errcheck // closing at exit
	cache := readcache.NewCatalog(readcache.Sizes{
		Products: mib(cfg.Cache.ProductsMB), Lists: mib(cfg.Cache.ListsMB), Searches: mib(cfg.Cache.SearchesMB),
		SearchTTL: cfg.Cache.SearchTTL, Queues: mib(cfg.Cache.QueuesMB), QueueTTL: cfg.Cache.QueueTTL,
		Orders: mib(cfg.Cache.OrdersMB),
	})
	engine.index = catalog.WatchIndex(engine.index, cache.IndexChanged)
	if engine.stager != nil {
		engine.stager = catalog.WatchStager(engine.stager, cache.IndexChanged)
	}
	if ownGC {
		engine.index = defaultGCRebuilds{engine.index}
	}
	indexer := a.indexer(engine, store.URL)
	// The catalogue's change notices drop cached replies and wake the
	// indexer, so that an approved product is searchable as it commits.
	sessions := account.NewSessions(cfg.Cache.Sessions)
	accounts.CacheSessions(sessions)
	go postgres.ListenCatalog(ctx, cfg.DatabaseURL,
		notices{indexWaker: indexWaker{CatalogWatcher: cache, wake: indexer.Wake}, sessions: sessions, cache: cache}, logger)
	if engine.local {
		indexer.ServeRebuilds(postgres.NewRebuilds(db)) // `otop reindex` asks this process, which holds the index
	}
	searchIndex := startIndexing(ctx, engine, indexer, logger, 30*time.Second)

	catalogSvc := catalog.NewService(postgres.NewCatalog(db), tax, time.Now)
	curationSvc := curation.NewService(postgres.NewCuration(db, centerIDs(tax)), tax, time.Now)
	go runDaily(ctx, curationSvc, logger)
	tradeStore := postgres.NewTrade(db)
	tradeSvc, err := trade.NewService(tradeStore, tradeStore, tax, time.Now)
	if err != nil {
		return err
	}
	webhookStore := postgres.NewWebhooks(db)
	webhooks := webhook.NewService(webhookStore, webhook.Options{AllowPrivate: cfg.WebhookAllowPrivate}, time.Now)
	images := media.NewImages(postgres.NewImages(db), store, catalogSvc, imageLimits(cfg), runtime.NumCPU(), time.Now)
	go sweepImages(ctx, images, store, logger)
	go purgeAccounts(ctx, accountStore, logger)
	imports, err := a.importService(catalogSvc, store, images)
	if err != nil {
		return err
	}
	go imports.Run(ctx, 5*time.Second)
	statsStore := postgres.NewStats(db)
	go compactStats(ctx, statsStore, logger)

	metrics := api.NewMetrics()
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	metrics.Registry.MustRegister(collectors.NewDBStatsCollector(sqlDB, "otop"), indexingLag(a.outbox(store.URL)))
	metrics.Registry.MustRegister(cacheCounters(cache, sessions)...)
	stopDeliveries := startDeliveries(ctx, webhookStore, cfg.WebhookAllowPrivate, logger, metrics.Registry)
	defer stopDeliveries()
	router, err := api.NewRouter(api.Deps{
		Logger:         logger,
		Taxonomy:       tax,
		Accounts:       accounts,
		Catalog:        catalogSvc,
		Curation:       curationSvc,
		Notify:         notify.NewService(postgres.NewNotifications(db)),
		Trade:          tradeSvc,
		Webhooks:       webhooks,
		Stats:          stats.NewService(statsStore, tax, time.Now),
		Imports:        imports,
		Search:         catalog.NewSearch(searchIndex, tax),
		Images:         images,
		URLs:           store,
		Metrics:        metrics,
		MaxBodyBytes:   cfg.MaxBodyBytes,
		RequestTimeout: cfg.WriteTimeout,
		CORSOrigins:    cfg.CORSOrigins,
		TrustedProxies: cfg.TrustedProxies,
		MetricsAside:   cfg.MetricsAddr != "",
		Cache:          cache,
		Checks: []api.Check{
			{Name: "postgres", Ping: func(ctx context.Context) error { return postgres.Ping(ctx, db) }},
			{Name: "minio", Ping: store.Ping},
			{Name: "search", Ping: searchIndex.Ping},
		},
	})
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           router,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	if cfg.PprofAddr != "" {
		if _, err := servePprof(ctx, cfg.PprofAddr, logger); err != nil {
			return err
		}
	}
	if cfg.MetricsAddr != "" {
		if _, err := serveMetrics(ctx, cfg.MetricsAddr, metrics.Handler(), logger); err != nil {
			return err
		}
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
	}
	logger.InfoContext(ctx, "serving", "addr", ln.Addr().String(), "gomaxprocs", runtime.GOMAXPROCS(0), "cpus", runtime.NumCPU())
	return serveUntilDone(ctx, srv, ln, cfg.ShutdownTimeout, logger)
}

// startDeliveries runs the webhook delivery worker until serve returns;
// stop waits for the attempts under way to be recorded (at most
// webhook.Timeout), before the database closes. Its attempts and backlog
// are counted in /metrics.
func startDeliveries(ctx context.Context, store *postgres.Webhooks, allowPrivate bool, logger *slog.Logger,
	reg prometheus.Registerer) (stop func()) {
	attempts := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "otop", Subsystem: "webhook", Name: "attempts_total",
		Help: "Webhook delivery attempts by result: delivered, retry (tried again later) or failed (given up after 24 h).",
	}, []string{"result"})
	pending := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: "otop", Subsystem: "webhook", Name: "pending_deliveries",
		Help: "Webhook deliveries not yet delivered nor given up (-1 when they cannot be counted).",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := store.Pending(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	})
	reg.MustRegister(attempts, pending)
	if allowPrivate {
		logger.WarnContext(ctx, "WEBHOOK_ALLOW_PRIVATE=true: webhooks may reach loopback, private and link-local addresses; never in production")
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	w := webhook.NewWorker(store, webhook.WorkerOptions{AllowPrivate: allowPrivate, Logger: logger,
		OnAttempt: func(o webhook.Outcome) {
			result := o.Status
			if result == webhook.StatusPending {
				result = "retry"
			}
			attempts.WithLabelValues(result).Inc()
		}})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// indexWaker passes the catalogue's change notices on and wakes the indexer.
type indexWaker struct {
	postgres.CatalogWatcher
	wake func()
}

func (w indexWaker) ProductChanged(id uuid.UUID) {
	w.CatalogWatcher.ProductChanged(id)
	w.wake()
}

func (w indexWaker) SetLive(live bool) {
	w.CatalogWatcher.SetLive(live)
	w.wake() // "*" (many changed) arrives as SetLive(true)
}

// notices also passes the accounts' change notices to the principals kept
// of signed-in tokens, which are live together with the catalogue's caches,
// and the queues' and orders' notices to their caches.
type notices struct {
	indexWaker
	sessions *account.Sessions
	cache    *readcache.Catalog
}

func (n notices) QueuesChanged() { n.cache.QueuesChanged() }
func (n notices) OrdersChanged() { n.cache.OrdersChanged() }

func (n notices) SetLive(live bool) {
	n.sessions.SetLive(live)
	n.indexWaker.SetLive(live)
}

func (n notices) AccountsChanged() { n.sessions.Purge() }

func centerIDs(tax *taxonomy.Taxonomy) []string {
	centers := tax.SelectCenters()
	ids := make([]string, len(centers))
	for i, c := range centers {
		ids[i] = c.ID
	}
	return ids
}

// runDaily runs the curation's daily job (certificates about to expire,
// TOPOTOP products an expiry made unready) at start and every day after.
// Several replicas may run it: its notices are once-only and its changes
// are conditional on the version they read.
func runDaily(ctx context.Context, svc *curation.Service, logger *slog.Logger) {
	ticker := time.NewTicker(24 * time.Hour)
	defer ticker.Stop()
	for {
		warned, dropped, err := svc.Daily(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.WarnContext(ctx, "daily curation job failed; will retry tomorrow", "error", err.Error())
		case err == nil:
			logger.InfoContext(ctx, "daily curation job", "expiry_notices", warned, "topotop_dropped", dropped)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// indexingLag reports the age of the oldest change not yet in the search index.
func indexingLag(outbox *postgres.Outbox) prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: "otop", Subsystem: "search", Name: "indexing_lag_seconds",
		Help: "Age of the oldest search outbox entry not yet applied to the search index (0 when none).",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		age, err := outbox.OldestAge(ctx)
		if err != nil {
			return -1
		}
		return age.Seconds()
	})
}

func mib(n int) int64 { return int64(n) << 20 }

// cacheCounters exposes the hits, misses and memory of the read caches.
func cacheCounters(c *readcache.Catalog, sessions *account.Sessions) []prometheus.Collector {
	var out []prometheus.Collector
	add := func(name string, stats func() (uint64, uint64), bytes func() int64) {
		out = append(out, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: "otop", Subsystem: "cache", Name: "bytes",
			Help:        "Memory held by the in-memory caches (public replies, signed-in sessions), by cache.",
			ConstLabels: prometheus.Labels{"cache": name},
		}, func() float64 { return float64(bytes()) }))
		for i, result := range []string{"hit", "miss"} {
			out = append(out, prometheus.NewCounterFunc(prometheus.CounterOpts{
				Namespace: "otop", Subsystem: "cache", Name: "lookups_total",
				Help:        "Lookups in the in-memory caches (public replies, signed-in sessions), by cache and result.",
				ConstLabels: prometheus.Labels{"cache": name, "result": result},
			}, func() float64 {
				hits, misses := stats()
				return float64([]uint64{hits, misses}[i])
			}))
		}
	}
	add("products", c.Products.Stats, c.Products.Bytes)
	add("lists", c.Lists.Stats, c.Lists.Bytes)
	add("searches", c.Searches.Stats, c.Searches.Bytes)
	add("queues", c.Queues.Stats, c.Queues.Bytes)
	add("orders", c.Orders.Stats, c.Orders.Bytes)
	add("sessions", sessions.Stats, sessions.Bytes)
	return out
}

// sweepImages removes, every half hour, the objects no image row references
// (left by uploads that failed midway or deletions whose cleanup failed).
// Objects younger than an hour are left alone: their upload may be running.
func sweepImages(ctx context.Context, images *media.Images, store *storage.Store, logger *slog.Logger) {
	every(ctx, 30*time.Minute, func() {
		report, err := images.Sweep(ctx, store, time.Hour)
		if err != nil {
			logger.WarnContext(ctx, "image sweep failed", "error", err.Error())
			return
		}
		logger.InfoContext(ctx, "image sweep", "scanned", report.Scanned, "removed", report.Removed, "tickets_purged", report.Tickets)
	})
}

// every calls fn each interval until ctx ends.
func every(ctx context.Context, interval time.Duration, fn func()) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			fn()
		}
	}
}

// compactStats folds the stats counters' rows into one per key at startup
// and every 30 seconds: every change of the catalogue or the trade inserts a
// few, and the stats routes sum all of them.
func compactStats(ctx context.Context, store *postgres.Stats, logger *slog.Logger) {
	compact := func() {
		if _, err := store.Compact(ctx, time.Now()); err != nil && ctx.Err() == nil {
			logger.WarnContext(ctx, "stats compaction failed", "error", err.Error())
		}
	}
	compact()
	every(ctx, 30*time.Second, compact)
}

// purgeAccounts deletes, every ten minutes, the login failures and the
// expired or revoked tokens older than a day: login limits count 15
// minutes back, and a dead token is never valid again.
func purgeAccounts(ctx context.Context, store *postgres.Accounts, logger *slog.Logger) {
	every(ctx, 10*time.Minute, func() {
		tokens, failures, err := store.Purge(ctx, time.Now().Add(-24*time.Hour))
		if err != nil {
			logger.WarnContext(ctx, "account purge failed", "error", err.Error())
			return
		}
		if tokens+failures > 0 {
			logger.InfoContext(ctx, "account purge", "tokens", tokens, "login_failures", failures)
		}
	})
}

// serveUntilDone serves on ln until ctx ends, then stops accepting and lets
// in-flight requests finish for at most grace.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener, grace time.Duration, logger *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", grace.String())
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// imageLimits are the photo limits with the configured memory budget.
func imageLimits(cfg config.Config) media.Limits {
	l := media.DefaultLimits()
	l.MemoryBytes = int64(cfg.ImageMemoryMB) << 20
	return l
}
