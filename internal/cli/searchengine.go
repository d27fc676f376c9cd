package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/search/embedded"
	"github.com/otopmarket/otop/search/meili"
)

// searchEngine is the configured search engine: Meilisearch when MEILI_URL
// is set, otherwise the embedded engine with its index under DATA_DIR.
type searchEngine struct {
	index catalog.SearchIndex
	name  string
	// fresh is true when the index did not exist before (or, embedded, had
	// another format): it must be built from PostgreSQL.
	fresh bool
	// local is true when only this process can write the index (the
	// embedded engine): `otop reindex` then asks the process through
	// PostgreSQL instead of rebuilding it itself.
	local bool
	// stager, when set, keeps the products under review staged
	// (see catalog.Stager).
	stager catalog.Stager
	close  func() error
}

func (a *app) openSearch(ctx context.Context) (*searchEngine, error) {
	if a.cfg.MeiliURL != "" {
		ix, err := meili.New(ctx, meili.Config{URL: a.cfg.MeiliURL, APIKey: a.cfg.MeiliAPIKey, TaskTimeout: time.Minute})
		if err != nil {
			return nil, fmt.Errorf("meilisearch: %w", err)
		}
		return &searchEngine{index: ix, name: "meilisearch", fresh: ix.Created(), close: func() error { return nil }}, nil
	}
	dir := filepath.Join(a.cfg.DataDir, "search")
	if err := os.MkdirAll(a.cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	ix, err := embedded.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("embedded search index %s: %w", dir, err)
	}
	return &searchEngine{index: ix, name: "embedded", fresh: ix.Fresh(), local: true, stager: ix, close: ix.Close}, nil
}

// indexer wires the outbox indexer for the engine.
func (a *app) indexer(engine *searchEngine, imageURL func(key string) string) *catalog.Indexer {
	outbox := a.outbox(imageURL)
	ix := catalog.NewIndexer(outbox, outbox, engine.index, a.logger, time.Now)
	if engine.stager != nil {
		ix.Stage(engine.stager, outbox)
	}
	return ix
}

// errBuilding is what search answers while serve builds a missing index.
var errBuilding = fmt.Errorf("the search index is being built (%w)", errs.ErrStarting)

// buildGate stands in front of an index that serve is building from
// PostgreSQL: searches and readiness fail (503) until the build is done,
// while the rest of the API already answers.
type buildGate struct {
	catalog.SearchIndex
	building    atomic.Bool
	reconciling atomic.Bool  // building, but the index exists: its staged documents are being read (Reconcile)
	done        atomic.Int64 // documents written so far
}

func (g *buildGate) Search(ctx context.Context, q catalog.SearchQuery) (catalog.SearchResult, error) {
	if g.building.Load() {
		return catalog.SearchResult{}, errBuilding
	}
	return g.SearchIndex.Search(ctx, q)
}

func (g *buildGate) Suggest(ctx context.Context, prefix string, limit int) ([]string, error) {
	if g.building.Load() {
		return nil, errBuilding
	}
	return g.SearchIndex.Suggest(ctx, prefix, limit)
}

func (g *buildGate) Ping(ctx context.Context) error {
	if g.building.Load() {
		if g.reconciling.Load() {
			return fmt.Errorf("%w: reading the state of the products under review from PostgreSQL", errBuilding)
		}
		return fmt.Errorf("%w: %d documents so far", errBuilding, g.done.Load())
	}
	return g.SearchIndex.Ping(ctx)
}

// startIndexing builds the index first when it is new (retrying every
// retry until it succeeds or ctx ends), then drains the outbox until ctx
// ends. It returns at once; searches go through the returned gate.
func startIndexing(ctx context.Context, engine *searchEngine, indexer *catalog.Indexer, logger *slog.Logger, retry time.Duration) *buildGate {
	gate := &buildGate{SearchIndex: engine.index}
	// An index opened again may hide documents shown since they were
	// staged until Reconcile has read them from PostgreSQL.
	gate.building.Store(engine.fresh || (engine.stager != nil && len(engine.stager.Staged()) > 0))
	gate.reconciling.Store(!engine.fresh)
	go func() {
		for engine.fresh {
			logger.InfoContext(ctx, "building the new search index from PostgreSQL; search answers 503 until done", "engine", engine.name)
			start := time.Now()
			err := indexer.Rebuild(ctx, 1000, func(done int) { gate.done.Store(int64(done)) })
			if err == nil {
				logger.InfoContext(ctx, "search index built", "documents", gate.done.Load(), "seconds", time.Since(start).Seconds())
				break
			}
			logger.ErrorContext(ctx, "building the search index failed; retrying", "error", err.Error(), "retry_in", retry.String())
			select {
			case <-ctx.Done():
				return
			case <-time.After(retry):
			}
		}
		for !engine.fresh {
			err := indexer.Reconcile(ctx)
			if err == nil {
				break
			}
			logger.ErrorContext(ctx, "reconciling the staged search documents failed; retrying", "error", err.Error(), "retry_in", retry.String())
			select {
			case <-ctx.Done():
				return
			case <-time.After(retry):
			}
		}
		gate.building.Store(false)
		indexer.Run(ctx, time.Second)
	}()
	return gate
}
