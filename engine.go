package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/search/embedded"
	"github.com/otopmarket/otop/search/meili"
)

// searchEngine is the configured search engine: Meilisearch when MEILI_URL
// is set, otherwise the embedded engine with its index under DATA_DIR.
type searchEngine struct {
	index catalog.SearchIndex
	name  string
	// fresh is true when the embedded index did not exist before (or had
	// another format): it must be built from PostgreSQL.
	fresh bool
	close func() error
}

func (a *app) openSearch(ctx context.Context) (*searchEngine, error) {
	if a.cfg.MeiliURL != "" {
		ix, err := meili.New(ctx, meili.Config{URL: a.cfg.MeiliURL, APIKey: a.cfg.MeiliAPIKey, TaskTimeout: time.Minute})
		if err != nil {
			return nil, fmt.Errorf("meilisearch: %w", err)
		}
		return &searchEngine{index: ix, name: "meilisearch", close: func() error { return nil }}, nil
	}
	dir := filepath.Join(a.cfg.DataDir, "search")
	if err := os.MkdirAll(a.cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	ix, err := embedded.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("embedded search index %s: %w", dir, err)
	}
	return &searchEngine{index: ix, name: "embedded", fresh: ix.Fresh(), close: ix.Close}, nil
}

// indexer wires the outbox indexer for the engine.
func (a *app) indexer(engine *searchEngine, imageURL func(key string) string) *catalog.Indexer {
	outbox := a.outbox(imageURL)
	return catalog.NewIndexer(outbox, outbox, engine.index, a.logger, time.Now)
}
