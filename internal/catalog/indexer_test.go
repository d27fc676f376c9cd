package catalog_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/search/embedded"
)

// flakyIndex is a real embedded index whose writes fail while down is set,
// as an unreachable engine's would.
type flakyIndex struct {
	catalog.SearchIndex
	down     atomic.Bool
	failures atomic.Int64
}

var errEngineDown = errors.New("search engine unreachable")

func (f *flakyIndex) Upsert(ctx context.Context, docs []catalog.SearchDocument) error {
	if f.down.Load() {
		f.failures.Add(1)
		return errEngineDown
	}
	return f.SearchIndex.Upsert(ctx, docs)
}

func (f *flakyIndex) Delete(ctx context.Context, ids []string) error {
	if f.down.Load() {
		f.failures.Add(1)
		return errEngineDown
	}
	return f.SearchIndex.Delete(ctx, ids)
}

type indexFixture struct {
	*fixture
	outbox  *postgres.Outbox
	index   *flakyIndex
	indexer *catalog.Indexer
}

func newIndexFixture(t *testing.T) *indexFixture {
	t.Helper()
	f := newFixture(t, time.Millisecond)
	ix, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatalf("open the embedded index: %v", err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	outbox := postgres.NewOutbox(f.db, func(string) (string, string) { return "ขอนแก่น", "Khon Kaen" },
		func(key string) string { return "http://img.example/" + key })
	flaky := &flakyIndex{SearchIndex: ix}
	return &indexFixture{fixture: f, outbox: outbox, index: flaky,
		indexer: catalog.NewIndexer(outbox, outbox, flaky, slog.New(slog.DiscardHandler), time.Now)}
}

func (f *indexFixture) pending(t *testing.T) int {
	t.Helper()
	n, err := f.outbox.Pending(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// published reads what PostgreSQL says is public: id → English name.
func (f *indexFixture) published(t *testing.T) map[string]string {
	t.Helper()
	var rows []struct {
		ID     string
		NameEN string
	}
	if err := f.db.Raw("SELECT id::text AS id, name_en FROM products WHERE status = 'published'").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.ID] = r.NameEN
	}
	return out
}

// indexed reads the whole index: id → English name.
func (f *indexFixture) indexed(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for page := 1; ; page++ {
		res, err := f.index.Search(f.ctx, catalog.SearchQuery{Page: page, PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			out[h.Document.ID] = h.Document.NameEN
		}
		if len(res.Hits) < 100 {
			return out
		}
	}
}

// TestIndexConvergesAfterAnEngineOutage stops the engine while products are
// published, edited and archived: the outbox keeps every change, retries
// with backoff, and once the engine is back the index equals PostgreSQL.
func TestIndexConvergesAfterAnEngineOutage(t *testing.T) {
	t.Parallel()
	f := newIndexFixture(t)
	owner, _ := f.producer(t, "TH-40")
	ctx, cancel := context.WithCancel(f.ctx)
	var wg sync.WaitGroup
	wg.Go(func() { f.indexer.Run(ctx, 50*time.Millisecond) })
	defer func() { cancel(); wg.Wait() }()

	var products []catalog.Product
	for i := range 6 {
		products = append(products, f.publish(t, owner, func(in *catalog.ProductInput) { in.NameEN = ptr(fmt.Sprintf("Before %d", i)) }))
	}
	waitFor(t, "the first products indexed", func() bool { return f.pending(t) == 0 && len(f.indexed(t)) == 6 })

	// The engine goes away; writing goes on.
	f.index.down.Store(true)
	for i := range 6 {
		products = append(products, f.publish(t, owner, func(in *catalog.ProductInput) { in.NameEN = ptr(fmt.Sprintf("During %d", i)) }))
	}
	rename := func(p catalog.Product, name string) {
		if err := f.db.Exec("UPDATE products SET name_en = ?, version = version + 1 WHERE id = ?", name, p.ID).Error; err != nil {
			t.Fatal(err)
		}
	}
	rename(products[0], "Renamed while down")
	rename(products[7], "Published and renamed while down")
	f.setStatus(t, products[1].ID, catalog.StatusArchived)
	f.setStatus(t, products[8].ID, catalog.StatusArchived)
	draft := f.product(t, owner, nil) // never public

	waitFor(t, "failed attempts recorded on the outbox rows", func() bool {
		var retried int64
		if err := f.db.Raw("SELECT count(*) FROM search_outbox WHERE attempts > 0 AND last_error LIKE '%unreachable%'").Scan(&retried).Error; err != nil {
			t.Fatal(err)
		}
		return retried > 0 && f.index.failures.Load() >= 2
	})
	if n := f.pending(t); n < 10 {
		t.Fatalf("%d outbox rows while the engine is down, want every change (at least 10) kept", n)
	}
	if got := f.indexed(t); len(got) != 6 || got[products[0].ID.String()] != "Before 0" {
		t.Fatalf("index changed while the engine was down: %v", got)
	}
	// Backoff: a failed row is not retried at once.
	var due int64
	if err := f.db.Raw("SELECT count(*) FROM search_outbox WHERE attempts > 0 AND next_attempt_at <= clock_timestamp()").Scan(&due).Error; err != nil {
		t.Fatal(err)
	}
	var later int64
	if err := f.db.Raw("SELECT count(*) FROM search_outbox WHERE attempts > 0 AND next_attempt_at > clock_timestamp()").Scan(&later).Error; err != nil {
		t.Fatal(err)
	}
	if later == 0 {
		t.Errorf("no failed row is scheduled later (%d due now): no backoff", due)
	}

	// The engine comes back: the index converges to PostgreSQL.
	f.index.down.Store(false)
	waitFor(t, "the outbox drained after recovery", func() bool { return f.pending(t) == 0 })
	want := f.published(t)
	if got := f.indexed(t); !maps.Equal(got, want) {
		t.Errorf("after recovery the index holds %v, PostgreSQL publishes %v", got, want)
	}
	if len(want) != 10 || want[products[0].ID.String()] != "Renamed while down" {
		t.Errorf("PostgreSQL publishes %v; the test expected 10 products with the renames", want)
	}
	if _, ok := f.indexed(t)[draft.ID.String()]; ok {
		t.Error("a draft reached the index")
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestFacetCountsEqualPostgreSQL publishes products across provinces,
// categories and stars and compares every facet the engine counts with
// what PostgreSQL counts over the published products.
func TestFacetCountsEqualPostgreSQL(t *testing.T) {
	t.Parallel()
	f := newIndexFixture(t)
	provinces := []string{"TH-40", "TH-50", "TH-90", "TH-10", "TH-40"}
	categories := []string{"textile", "food", "herbal", "household"}
	for i, prov := range provinces {
		owner, _ := f.producer(t, prov)
		for j := range 3 {
			edit := func(in *catalog.ProductInput) {
				in.Category = ptr(categories[(i+j)%len(categories)])
				in.OTOPStars = catalog.Set(1 + (i*3+j)%5)
				if j == 2 {
					in.CreativeIndustry = catalog.Clear[string]()
					in.Certifications = &[]catalog.CertificationInput{{Kind: "halal", Number: "H-1"},
						{Kind: "thai_fda", Number: "F-1", ExpiresOn: "2020-01-01"}} // expired: not counted
				}
			}
			if j == 1 && i%2 == 0 {
				f.product(t, owner, edit) // a draft: not counted
				continue
			}
			f.publish(t, owner, edit)
		}
	}
	if _, err := f.indexer.Drain(f.ctx, 100); err != nil {
		t.Fatalf("Drain: %v", err)
	}
	res, err := f.index.Search(f.ctx, catalog.SearchQuery{Facets: catalog.SearchFacets(), PerPage: 1})
	if err != nil {
		t.Fatal(err)
	}
	sql := map[string]string{
		"category":          "SELECT category, count(*) FROM products WHERE status = 'published' GROUP BY 1",
		"province_code":     "SELECT province_code, count(*) FROM products WHERE status = 'published' GROUP BY 1",
		"cluster_id":        "SELECT cluster_id, count(*) FROM products WHERE status = 'published' AND cluster_id IS NOT NULL GROUP BY 1",
		"region":            "SELECT region, count(*) FROM products WHERE status = 'published' GROUP BY 1",
		"select_center_id":  "SELECT select_center_id, count(*) FROM products WHERE status = 'published' GROUP BY 1",
		"creative_industry": "SELECT creative_industry, count(*) FROM products WHERE status = 'published' AND creative_industry IS NOT NULL GROUP BY 1",
		"otop_stars":        "SELECT otop_stars::text, count(*) FROM products WHERE status = 'published' AND otop_stars IS NOT NULL GROUP BY 1",
		"topotop":           "SELECT topotop::text, count(*) FROM products WHERE status = 'published' GROUP BY 1",
		"certifications": `SELECT c.kind, count(DISTINCT p.id) FROM products p JOIN product_certifications c ON c.product_id = p.id
			WHERE p.status = 'published' AND (c.expires_on IS NULL OR c.expires_on >= current_date) GROUP BY 1`,
	}
	for _, facet := range catalog.SearchFacets() {
		q, ok := sql[facet]
		if !ok {
			t.Fatalf("no PostgreSQL count for facet %s", facet)
		}
		var rows []struct {
			Value string
			Count int
		}
		if err := f.db.Raw("SELECT v AS value, n AS count FROM (" + q + ") AS t(v, n)").Scan(&rows).Error; err != nil {
			t.Fatalf("%s: %v", facet, err)
		}
		want := map[string]int{}
		for _, r := range rows {
			want[r.Value] = r.Count
		}
		if len(want) == 0 {
			t.Fatalf("facet %s: PostgreSQL counts nothing; the test proves nothing", facet)
		}
		if !maps.Equal(res.Facets[facet], want) {
			t.Errorf("facet %s: engine %v, PostgreSQL %v", facet, res.Facets[facet], want)
		}
	}
	if total := len(f.published(t)); res.Total != total || total != 12 {
		t.Errorf("engine total %d, PostgreSQL %d published, want 12", res.Total, total)
	}
}

// TestRebuildForgetsTheOutboxEntriesItCovers: after a rebuild, the entries
// committed before it are gone (the rebuild read their products), so the
// indexer does not apply the whole catalogue a second time.
func TestRebuildForgetsTheOutboxEntriesItCovers(t *testing.T) {
	t.Parallel()
	f := newIndexFixture(t)
	owner, _ := f.producer(t, "TH-40")
	for range 5 {
		f.publish(t, owner, nil)
	}
	if n := f.pending(t); n < 5 {
		t.Fatalf("%d outbox rows after publishing 5 products", n)
	}
	if err := f.indexer.Rebuild(f.ctx, 2, nil); err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	if n := f.pending(t); n != 0 {
		t.Errorf("%d outbox rows left after a rebuild that covered them", n)
	}
	if got, want := f.indexed(t), f.published(t); !maps.Equal(got, want) || len(want) != 5 {
		t.Errorf("index after rebuild %v, PostgreSQL %v", got, want)
	}
	// A change after the rebuild is still queued and applied.
	f.publish(t, owner, nil)
	if n := f.pending(t); n != 1 {
		t.Fatalf("%d outbox rows after one more product, want 1", n)
	}
	if _, err := f.indexer.Drain(f.ctx, 10); err != nil {
		t.Fatal(err)
	}
	if got := f.indexed(t); len(got) != 6 {
		t.Errorf("index holds %d products, want 6", len(got))
	}
}

// TestSubmittedProductsAreStagedAndShownOnApproval follows products through
// an indexer that stages (the embedded engine): a submitted product is in
// the engine but no search finds it; approving it shows it with its
// publication time; an engine opened again shows it after Reconcile; a
// rejected one is removed; a published product edited goes out of search
// and is staged until approved again; a rebuild stages the products under
// review.
func TestSubmittedProductsAreStagedAndShownOnApproval(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Millisecond)
	dir := t.TempDir()
	ix, err := embedded.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ix.Close() }()
	outbox := postgres.NewOutbox(f.db, func(string) (string, string) { return "ขอนแก่น", "Khon Kaen" },
		func(key string) string { return "http://img.example/" + key })
	indexer := func(ix *embedded.Index) *catalog.Indexer {
		in := catalog.NewIndexer(outbox, outbox, ix, slog.New(slog.DiscardHandler), time.Now)
		in.Stage(ix, outbox)
		return in
	}
	in := indexer(ix)
	drain := func() {
		t.Helper()
		if _, err := in.Drain(f.ctx, 100); err != nil {
			t.Fatalf("Drain: %v", err)
		}
	}
	found := func(ix *embedded.Index, name string) []catalog.SearchDocument {
		t.Helper()
		res, err := ix.Search(f.ctx, catalog.SearchQuery{Text: name, PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		var out []catalog.SearchDocument
		for _, h := range res.Hits {
			if h.Document.NameEN == name {
				out = append(out, h.Document)
			}
		}
		return out
	}
	owner, _ := f.producer(t, "TH-40")
	submit := func(name string) catalog.Product {
		t.Helper()
		p := f.product(t, owner, func(in *catalog.ProductInput) { in.NameEN = ptr(name) })
		p, err := f.svc.SubmitProduct(f.ctx, owner, p.ID)
		if err != nil {
			t.Fatalf("SubmitProduct: %v", err)
		}
		return p
	}

	kept, dropped := submit("Staged Indigo Shawl"), submit("Staged Bamboo Tray")
	published := f.publish(t, owner, func(in *catalog.ProductInput) { in.NameEN = ptr("Published Clay Pot") })
	drain()
	if got, want := ix.Staged(), stagedIDs(kept, dropped); !slices.Equal(got, want) {
		t.Fatalf("Staged() = %v, want the submitted products %v", got, want)
	}
	if got := found(ix, "Staged Indigo Shawl"); len(got) != 0 {
		t.Fatalf("a product under review is found: %+v", got)
	}

	// Approved (claims verified first, as curators do): shown, with the
	// publication time PostgreSQL has.
	f.setStatus(t, kept.ID, catalog.StatusPublished)
	f.setStatus(t, dropped.ID, catalog.StatusRejected)
	drain()
	var at time.Time
	if err := f.db.Raw("SELECT published_at FROM products WHERE id = ?", kept.ID).Scan(&at).Error; err != nil {
		t.Fatal(err)
	}
	got := found(ix, "Staged Indigo Shawl")
	if len(got) != 1 || !got[0].PublishedAt.Equal(at) {
		t.Fatalf("approved product found as %+v, want it once, published at %v", got, at)
	}
	if got := ix.Staged(); len(got) != 0 {
		t.Errorf("Staged() after the approval and the rejection = %v, want none", got)
	}

	// A published product edited goes back to review, out of search (its
	// new version staged) until approved again.
	in2 := completeInput()
	in2.NameEN = ptr("Published Clay Pot, Glazed")
	var version int
	if err := f.db.Raw("SELECT version FROM products WHERE id = ?", published.ID).Scan(&version).Error; err != nil {
		t.Fatal(err)
	}
	edited, err := f.svc.UpdateProduct(f.ctx, owner, published.ID, catalog.MatchVersion(version), in2)
	if err != nil {
		t.Fatalf("UpdateProduct: %v", err)
	}
	if edited.Status != catalog.StatusPendingReview {
		t.Fatalf("edited published product is %s, the test needs it under review", edited.Status)
	}
	drain()
	if got := found(ix, "Published Clay Pot"); len(got) != 0 {
		t.Errorf("a published product under review again is found %d times", len(got))
	}
	if got, want := ix.Staged(), stagedIDs(published); !slices.Equal(got, want) {
		t.Errorf("Staged() = %v, want the edited product %v", got, want)
	}

	// Opened again, the engine holds the approved product staged (showing
	// it wrote nothing) until Reconcile reads it from PostgreSQL.
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if ix, err = embedded.Open(dir); err != nil {
		t.Fatal(err)
	}
	in = indexer(ix)
	if got, want := ix.Staged(), stagedIDs(kept, published); !slices.Equal(got, want) {
		t.Fatalf("Staged() after reopening = %v, want %v", got, want)
	}
	if err := in.Reconcile(f.ctx); err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	if got := found(ix, "Staged Indigo Shawl"); len(got) != 1 || !got[0].PublishedAt.Equal(at) {
		t.Errorf("after Reconcile the approved product is found as %+v", got)
	}
	if got, want := ix.Staged(), stagedIDs(published); !slices.Equal(got, want) {
		t.Errorf("Staged() after Reconcile = %v, want the product still under review %v", got, want)
	}
	f.setStatus(t, published.ID, catalog.StatusPublished)
	drain()
	if got := found(ix, "Published Clay Pot, Glazed"); len(got) != 1 {
		t.Errorf("the edited product approved again is found %d times, want once", len(got))
	}

	// A rebuild stages the products under review.
	again := submit("Staged Rattan Basket")
	if err := in.Rebuild(f.ctx, 1000, nil); err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	if got := ix.Staged(); !slices.Equal(got, stagedIDs(again)) {
		t.Errorf("Staged() after a rebuild = %v, want %v", got, stagedIDs(again))
	}
	if got := found(ix, "Staged Rattan Basket"); len(got) != 0 {
		t.Errorf("a rebuild made a product under review searchable: %+v", got)
	}
	if got := found(ix, "Staged Indigo Shawl"); len(got) != 1 {
		t.Errorf("after the rebuild the approved product is found %d times", len(got))
	}
}

func stagedIDs(ps ...catalog.Product) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID.String()
	}
	slices.Sort(out)
	return out
}
