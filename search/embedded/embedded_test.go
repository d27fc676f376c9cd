package embedded_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/search/embedded"
	"github.com/otopmarket/otop/search/searchtest"
)

// open opens an index in a fresh directory, closed when the test ends.
func open(t *testing.T, dir string) *embedded.Index {
	t.Helper()
	ix, err := embedded.Open(dir)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() {
		if err := ix.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return ix
}

func TestConformance(t *testing.T) {
	t.Parallel()
	searchtest.RunWith(t, func(t *testing.T) catalog.SearchIndex { return open(t, t.TempDir()) },
		searchtest.Traits{ThaiTyposByCharacter: true})
}

func TestReopenKeepsTheIndexAndItsGeneration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	ix, err := embedded.Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	docs := searchtest.Documents()
	if err := ix.Upsert(ctx, docs[:5]); err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	// A rebuild swaps generations; the swapped-in one must survive a restart.
	if err := ix.Rebuild(ctx, func(add func([]catalog.SearchDocument) error) error { return add(docs[2:]) }); err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	if err := ix.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// Leftovers of a rebuild interrupted by a crash are removed on open.
	if err := os.MkdirAll(filepath.Join(dir, "idx-1"), 0o750); err != nil {
		t.Fatal(err)
	}

	again := open(t, dir)
	res, err := again.Search(ctx, catalog.SearchQuery{PerPage: 100})
	if err != nil {
		t.Fatalf("Search after reopen: %v", err)
	}
	if res.Total != len(docs)-2 {
		t.Errorf("after reopen total = %d, want %d", res.Total, len(docs)-2)
	}
	if _, err := os.Stat(filepath.Join(dir, "idx-1")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a stale generation survived Open: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	gens := 0
	for _, e := range entries {
		if e.IsDir() {
			gens++
		}
	}
	if gens != 1 {
		t.Errorf("%d generations on disk, want 1", gens)
	}
}

func TestASecondOpenIsRefusedWhileTheIndexIsOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first, err := embedded.Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, err := embedded.Open(dir); !errors.Is(err, embedded.ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	open(t, dir) // released by Close
}

func TestWritesDuringARebuildAreKept(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ix := open(t, t.TempDir())
	docs := searchtest.Documents()
	err := ix.Rebuild(ctx, func(add func([]catalog.SearchDocument) error) error {
		if err := add(docs[:10]); err != nil {
			return err
		}
		// The outbox worker writes while the rebuild fills: an upsert of a
		// document the fill never sees, and a delete of one it did.
		if err := ix.Upsert(ctx, docs[15:16]); err != nil {
			return err
		}
		return ix.Delete(ctx, []string{docs[0].ID})
	})
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	res, err := ix.Search(ctx, catalog.SearchQuery{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Hits {
		got = append(got, h.Document.ID)
	}
	slices.Sort(got)
	want := []string{"p02", "p03", "p04", "p05", "p06", "p07", "p08", "p09", "p10", "p16"}
	if !slices.Equal(got, want) {
		t.Errorf("after a rebuild with concurrent writes: %v, want %v", got, want)
	}
}

func TestClosedIndexRefusesWork(t *testing.T) {
	t.Parallel()
	ix, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := ix.Ping(ctx); !errors.Is(err, embedded.ErrClosed) {
		t.Errorf("Ping after Close = %v, want ErrClosed", err)
	}
	if _, err := ix.Search(ctx, catalog.SearchQuery{}); !errors.Is(err, embedded.ErrClosed) {
		t.Errorf("Search after Close = %v, want ErrClosed", err)
	}
	if err := ix.Upsert(ctx, searchtest.Documents()[:1]); !errors.Is(err, embedded.ErrClosed) {
		t.Errorf("Upsert after Close = %v, want ErrClosed", err)
	}
}

// BenchmarkSearch measures the engine alone on the suite catalogue
// repeated to 20k documents (so every query matches thousands), built by
// Rebuild as reindex does, query by query.
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	ix, err := embedded.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	base := searchtest.Documents()
	var docs []catalog.SearchDocument
	for i := range 20000 / len(base) {
		for _, d := range base {
			d.ID = fmt.Sprintf("%s-%d", d.ID, i)
			docs = append(docs, d)
		}
	}
	err = ix.Rebuild(ctx, func(add func([]catalog.SearchDocument) error) error {
		for start := 0; start < len(docs); start += 1000 {
			if err := add(docs[start:min(start+1000, len(docs))]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	queries := []catalog.SearchQuery{
		{Text: "silk"}, {Text: "silck scarf"}, {Text: "ผ้าไหม"}, {Text: "มัดหมี่"}, {Text: "ผาไหม"}, {Text: "umbr"},
		{Text: "coffee", Filters: catalog.SearchFilters{Region: "north"}},
		{Facets: catalog.SearchFacets()}, {Text: "cotton", Sort: catalog.SearchSortPriceAsc},
	}
	for _, q := range queries {
		b.Run(fmt.Sprintf("%s/%s/%d", q.Text, q.Sort, len(q.Facets)), func(b *testing.B) {
			for b.Loop() {
				if _, err := ix.Search(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestAnIndexOfAnotherFormatIsReplacedByAFreshOne(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	ix, err := embedded.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !ix.Fresh() {
		t.Error("a new index is not fresh")
	}
	if err := ix.Upsert(ctx, searchtest.Documents()); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if again := open(t, dir); again.Fresh() {
		t.Error("an index of this format reopened as fresh")
	} else if err := again.Close(); err != nil {
		t.Fatal(err)
	}

	// An older binary's index: its "current" names another format.
	current := filepath.Join(dir, "current")
	b, err := os.ReadFile(current)
	if err != nil {
		t.Fatal(err)
	}
	gen, _, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
	if err := os.WriteFile(current, []byte(gen+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	replaced := open(t, dir)
	if !replaced.Fresh() {
		t.Fatal("an index of another format was opened as it is")
	}
	res, err := replaced.Search(ctx, catalog.SearchQuery{})
	if err != nil || res.Total != 0 {
		t.Fatalf("the replacement holds %d documents (%v), want an empty index", res.Total, err)
	}
	if _, err := os.Stat(filepath.Join(dir, gen)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the old generation %s was left on disk: %v", gen, err)
	}
}

// TestRunningFacetTotalsMatchAScan: the whole catalogue's facets come from
// running totals; after random upserts and deletes they must equal what a
// scan counts (a price filter every document passes forces the scan).
func TestRunningFacetTotalsMatchAScan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ix := open(t, t.TempDir())
	base := searchtest.Documents()
	rnd := rand.New(rand.NewPCG(1, 2))
	for step := range 300 {
		d := base[rnd.IntN(len(base))]
		d.ID = fmt.Sprintf("d%d", rnd.IntN(40))
		if rnd.IntN(4) == 0 {
			if err := ix.Delete(ctx, []string{d.ID}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		d.OTOPStars = rnd.IntN(6)
		d.Topotop = rnd.IntN(2) == 0
		if err := ix.Upsert(ctx, []catalog.SearchDocument{d}); err != nil {
			t.Fatal(err)
		}
		if step%50 != 49 {
			continue
		}
		zero := int64(0)
		fast, err := ix.Search(ctx, catalog.SearchQuery{Facets: catalog.SearchFacets(), PerPage: 5, Page: 2})
		if err != nil {
			t.Fatal(err)
		}
		scan, err := ix.Search(ctx, catalog.SearchQuery{Facets: catalog.SearchFacets(), PerPage: 5, Page: 2,
			Filters: catalog.SearchFilters{MinPrice: &zero}})
		if err != nil {
			t.Fatal(err)
		}
		if fast.Total != scan.Total || !reflect.DeepEqual(fast.Facets, scan.Facets) {
			t.Fatalf("step %d: totals %d %v, scan %d %v", step, fast.Total, fast.Facets, scan.Total, scan.Facets)
		}
		var a, b []string
		for i := range fast.Hits {
			a = append(a, fast.Hits[i].Document.ID)
		}
		for i := range scan.Hits {
			b = append(b, scan.Hits[i].Document.ID)
		}
		if !slices.Equal(a, b) {
			t.Fatalf("step %d: page %v, scan page %v", step, a, b)
		}
	}
}

// TestSynonymsAreHighlightedInEnglish: a Thai query finds English names by
// its synonyms, and the English words are marked too.
func TestSynonymsAreHighlightedInEnglish(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ix := open(t, t.TempDir())
	if err := ix.Upsert(ctx, searchtest.Documents()); err != nil {
		t.Fatal(err)
	}
	res, err := ix.Search(ctx, catalog.SearchQuery{Text: "ผ้าไหม", Filters: catalog.SearchFilters{Producer: "pr-chonnabot"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, h := range res.Hits {
		got[h.Document.ID] = h.Highlights["name_en"]
	}
	want := map[string]string{"p01": "Mudmee <em>Silk</em> Scarf", "p02": "Praewa <em>Silk</em> Shawl"}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s name_en highlight = %q, want %q", id, got[id], w)
		}
	}
	if s := got["p16"]; s != "" {
		t.Errorf("p16's name has no synonym but got highlight %q", s)
	}
	// With lang=th only Thai is highlighted.
	res, err = ix.Search(ctx, catalog.SearchQuery{Text: "ผ้าไหม", Lang: "th"})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		if s, ok := h.Highlights["name_en"]; ok {
			t.Errorf("lang=th highlighted name_en of %s: %q", h.Document.ID, s)
		}
	}
}

// Text searches map bleve's internal document numbers to the in-memory
// columns segment by segment. Written in many small batches (many
// segments), then changed and partly deleted, the matches' totals, facets
// and orders must still be those of the documents.
func TestTextSearchesOverManySegmentsFollowTheDocuments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ix := open(t, t.TempDir())
	rng := rand.New(rand.NewPCG(7, 11))
	docs := map[string]catalog.SearchDocument{}
	base := searchtest.Documents()[0]
	write := func(batch []catalog.SearchDocument) {
		if err := ix.Upsert(ctx, batch); err != nil {
			t.Fatalf("Upsert: %v", err)
		}
		for _, d := range batch {
			docs[d.ID] = d
		}
	}
	region := func() string { return []string{"north", "northeast", "south"}[rng.IntN(3)] }
	for b := range 12 {
		var batch []catalog.SearchDocument
		for i := range 7 {
			d := base
			d.ID = fmt.Sprintf("seg-%02d-%d", b, i)
			d.NameEN, d.NameTH = "Indigo cotton wrap "+d.ID, "ผ้าฝ้ายย้อมคราม"
			d.PriceMinor, d.Region = int64(rng.IntN(50)*100+100), region()
			batch = append(batch, d)
		}
		write(batch)
	}
	check := func(stage string) {
		t.Helper()
		var ids []string
		regions := map[string]int{}
		for id, d := range docs {
			ids = append(ids, id)
			regions[d.Region]++
		}
		slices.SortFunc(ids, func(a, b string) int {
			if c := docs[a].PriceMinor - docs[b].PriceMinor; c != 0 {
				return int(c)
			}
			return strings.Compare(a, b)
		})
		res, err := ix.Search(ctx, catalog.SearchQuery{Text: "indigo", Sort: catalog.SearchSortPriceAsc, PerPage: 100, Facets: []string{"region"}})
		if err != nil {
			t.Fatalf("%s: Search: %v", stage, err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.Document.ID)
			if h.Document.PriceMinor != docs[h.Document.ID].PriceMinor {
				t.Errorf("%s: %s shows price %d, want %d", stage, h.Document.ID, h.Document.PriceMinor, docs[h.Document.ID].PriceMinor)
			}
		}
		if res.Total != len(docs) || !slices.Equal(got, ids) {
			t.Errorf("%s: total %d, order %v; want %d, %v", stage, res.Total, got, len(docs), ids)
		}
		if !reflect.DeepEqual(res.Facets["region"], regions) {
			t.Errorf("%s: region facet %v, want %v", stage, res.Facets["region"], regions)
		}
	}
	check("written")

	// Change the price and region of some, delete others, bring some of the
	// deleted back (their slots may have gone to others), a few at a time.
	deleted := map[string]catalog.SearchDocument{}
	for round := range 6 {
		var batch []catalog.SearchDocument
		var gone []string
		for id, d := range docs {
			switch rng.IntN(6) {
			case 0:
				d.PriceMinor, d.Region = int64(rng.IntN(50)*100+100), region()
				batch = append(batch, d)
			case 1:
				gone = append(gone, id)
				deleted[id] = d
			}
		}
		for id, d := range deleted {
			if rng.IntN(3) == 0 && !slices.Contains(gone, id) {
				d.PriceMinor = int64(rng.IntN(50)*100 + 100)
				batch = append(batch, d)
				delete(deleted, id)
			}
		}
		write(batch)
		if err := ix.Delete(ctx, gone); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		for _, id := range gone {
			delete(docs, id)
		}
		check(fmt.Sprintf("round %d", round))
	}
}
