package cli

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/taxonomy"
	"github.com/otopmarket/otop/internal/testenv"
	"github.com/otopmarket/otop/search/embedded"
)

// TestANewIndexIsBuiltBehindAGate: while serve builds a missing index,
// search and readiness fail with errBuilding; then they answer from the
// built index, and the outbox is drained from then on.
func TestANewIndexIsBuiltBehindAGate(t *testing.T) {
	t.Parallel()
	db, outbox := demoOutbox(t)
	ix, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	// The source blocks until released, so the building state can be seen.
	release := make(chan struct{})
	source := blockingSource{DocumentSource: outbox, release: release}
	indexer := catalog.NewIndexer(outbox, source, ix, slog.New(slog.DiscardHandler), time.Now)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	gate := startIndexing(ctx, &searchEngine{index: ix, name: "embedded", fresh: true}, indexer, slog.New(slog.DiscardHandler), time.Second)
	if _, err := gate.Search(ctx, catalog.SearchQuery{}); !errors.Is(err, errBuilding) {
		t.Fatalf("Search while building = %v, want errBuilding", err)
	}
	if _, err := gate.Suggest(ctx, "silk", 5); !errors.Is(err, errBuilding) {
		t.Fatalf("Suggest while building = %v, want errBuilding", err)
	}
	if err := gate.Ping(ctx); !errors.Is(err, errBuilding) || !errors.Is(err, errs.ErrStarting) {
		t.Fatalf("Ping while building = %v, want errBuilding", err)
	}
	close(release)
	deadline := time.Now().Add(30 * time.Second)
	for gate.Ping(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatal("the index was not built within 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The demo catalogue also has products in review: only the published ones are indexed.
	var published int
	if err := db.Raw("SELECT count(*) FROM products WHERE status = 'published'").Scan(&published).Error; err != nil {
		t.Fatal(err)
	}
	res, err := gate.Search(ctx, catalog.SearchQuery{})
	if err != nil || res.Total != published || published < 10 {
		t.Fatalf("after the build: %d documents, %v; want the %d published products", res.Total, err, published)
	}
	// The outbox is drained afterwards: an archived product leaves.
	if err := db.Exec("UPDATE products SET status = 'archived', topotop = false WHERE id = (SELECT id FROM products WHERE status = 'published' LIMIT 1)").Error; err != nil {
		t.Fatal(err)
	}
	for {
		res, err := gate.Search(ctx, catalog.SearchQuery{})
		if err == nil && res.Total == published-1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("archived product still indexed: %d, %v", res.Total, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// demoOutbox seeds a demo catalogue of 20 products into a database of its
// own and returns the database and its search outbox.
func demoOutbox(t *testing.T) (*gorm.DB, *postgres.Outbox) {
	t.Helper()
	env := serviceEnv(t, testenv.DatabaseURL(t))
	if code := runWith([]string{"otop", "seed", "--demo", "--products", "20", "--images", "0"}, env, io.Discard); code != 0 {
		t.Fatal("seed failed")
	}
	db, err := postgres.Open(context.Background(), env["DATABASE_URL"], postgres.Options{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = postgres.Close(db) })
	tax, err := taxonomy.Load()
	if err != nil {
		t.Fatal(err)
	}
	return db, postgres.NewOutbox(db, func(code string) (string, string) {
		p, _ := tax.Province(code)
		return p.NameTH, p.NameEN
	}, func(key string) string { return "http://img.example/" + key })
}

type blockingSource struct {
	catalog.DocumentSource
	release chan struct{}
}

func (b blockingSource) PublishedDocuments(ctx context.Context, now time.Time, batch int, fn func([]catalog.SearchDocument) error) error {
	select {
	case <-b.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return b.DocumentSource.PublishedDocuments(ctx, now, batch, fn)
}

// TestAnIndexOpenedAgainIsReconciledBehindTheGate: a product approved after
// it was staged is shown without an index write, so an index opened again
// holds it hidden; serve keeps search and readiness behind the gate, saying
// so, until Reconcile has read PostgreSQL, and then finds it.
func TestAnIndexOpenedAgainIsReconciledBehindTheGate(t *testing.T) {
	t.Parallel()
	db, outbox := demoOutbox(t)
	ctx := context.Background()
	dir := t.TempDir()
	ix, err := embedded.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	indexer := catalog.NewIndexer(outbox, outbox, ix, slog.New(slog.DiscardHandler), time.Now)
	indexer.Stage(ix, outbox)
	if err := indexer.Rebuild(ctx, 1000, nil); err != nil {
		t.Fatal(err)
	}
	var id string
	if err := db.Raw("SELECT id::text FROM products WHERE status = 'pending_review' ORDER BY id LIMIT 1").Scan(&id).Error; err != nil || id == "" {
		t.Fatalf("the demo catalogue has no product in review (%v)", err)
	}
	if err := db.Exec("UPDATE products SET status = 'published', published_at = now(), version = version + 1 WHERE id = ?", id).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := indexer.Drain(ctx, 100); err != nil {
		t.Fatal(err)
	}
	var published int
	if err := db.Raw("SELECT count(*) FROM products WHERE status = 'published'").Scan(&published).Error; err != nil {
		t.Fatal(err)
	}
	if res, err := ix.Search(ctx, catalog.SearchQuery{}); err != nil || res.Total != published {
		t.Fatalf("before the reopen: %d found (%v), want the %d published", res.Total, err, published)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}

	if ix, err = embedded.Open(dir); err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	release := make(chan struct{})
	again := catalog.NewIndexer(outbox, blockingReads{DocumentSource: outbox, release: release}, ix, slog.New(slog.DiscardHandler), time.Now)
	again.Stage(ix, outbox)
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	gate := startIndexing(rctx, &searchEngine{index: ix, name: "embedded", stager: ix}, again, slog.New(slog.DiscardHandler), time.Second)
	if _, err := gate.Search(rctx, catalog.SearchQuery{}); !errors.Is(err, errBuilding) {
		t.Fatalf("Search while reconciling = %v, want errBuilding", err)
	}
	if err := gate.Ping(rctx); !errors.Is(err, errs.ErrStarting) || !strings.Contains(err.Error(), "under review") {
		t.Fatalf("Ping while reconciling = %v, want a starting error about the products under review", err)
	}
	close(release)
	deadline := time.Now().Add(30 * time.Second)
	for gate.Ping(rctx) != nil {
		if time.Now().After(deadline) {
			t.Fatal("not reconciled within 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	res, err := gate.Search(rctx, catalog.SearchQuery{Filters: catalog.SearchFilters{}, PerPage: 100})
	if err != nil || res.Total != published {
		t.Fatalf("after Reconcile: %d found (%v), want the %d published", res.Total, err, published)
	}
}

// blockingReads holds the indexer's reads of documents until released.
type blockingReads struct {
	catalog.DocumentSource
	release chan struct{}
}

func (b blockingReads) SearchDocuments(ctx context.Context, ids []string, now time.Time) ([]catalog.SearchDocument, error) {
	select {
	case <-b.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return b.DocumentSource.SearchDocuments(ctx, ids, now)
}
