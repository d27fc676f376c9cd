package embedded

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/search/searchtest"
)

// topK keeps the first k matches with a bounded heap; every page it gives
// must be exactly that page of the fully sorted matches.
func TestTopKEqualsTheFullySortedPage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	matches := make([]ranked, 300)
	ranks := rng.Perm(len(matches)) // distinct ranks, in no order
	for i := range matches {
		matches[i] = ranked{score: float64(rng.IntN(4)), rank: int32(ranks[i]), slot: int32(i)} // many equal scores
	}
	for _, rel := range []bool{true, false} {
		all := slices.Clone(matches)
		if !rel {
			for i := range all {
				all[i].score = 0
			}
		}
		want := slices.Clone(all)
		slices.SortFunc(want, func(a, b ranked) int {
			return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.rank, b.rank))
		})
		for _, w := range []struct{ from, size int }{{0, 0}, {0, 1}, {0, 20}, {20, 20}, {40, 10}, {0, 100}, {280, 50}, {0, 300}, {0, 400}, {400, 20}} {
			top := newTopK(w.from + w.size)
			for _, e := range all {
				top.offer(e)
			}
			got := top.page(w.from)
			end := min(w.from+w.size, len(want))
			var expect []ranked
			if w.from < end {
				expect = want[w.from:end]
			}
			if !slices.Equal(got, expect) {
				t.Errorf("relevance %v, from %d size %d: page differs from the fully sorted one", rel, w.from, w.size)
			}
		}
	}
}

// A write reaches the index before the columns: a search in between sees
// a document without a slot, and must find it once the columns have it,
// though the segment's table was read in between.
func TestADocumentIndexedBeforeItsColumnsIsFoundAfterwards(t *testing.T) {
	ctx := context.Background()
	x := openIndex(t)
	docs := searchtest.Documents()
	if err := x.Upsert(ctx, docs[:1]); err != nil {
		t.Fatal(err)
	}
	d := docs[0]
	d.ID = "late"
	o := op{upsert: []catalog.SearchDocument{d}}
	if err := apply(ctx, x.live, o); err != nil { // the index only, as write does first
		t.Fatal(err)
	}
	search := func() int {
		t.Helper()
		res, err := x.Search(ctx, catalog.SearchQuery{Text: d.NameEN})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	if n := search(); n != 1 {
		t.Fatalf("before the columns: total %d, want 1 (the first document only)", n)
	}
	x.mu.Lock()
	x.cols.apply(o)
	x.mu.Unlock()
	if n := search(); n != 2 {
		t.Fatalf("after the columns: total %d, want 2", n)
	}
}

// Deleted documents are scored with the rest, then passed over: their
// scores must not stay in the accumulator that the next segment uses.
func TestScoresOfDeletedDocumentsDoNotLeak(t *testing.T) {
	ctx := context.Background()
	x := openIndex(t)
	base := searchtest.Documents()[0]
	doc := func(id string, day int) catalog.SearchDocument {
		d := base
		d.ID, d.NameEN, d.PublishedAt = id, "Indigo wrap", base.PublishedAt.AddDate(0, 0, day)
		return d
	}
	// Two segments: [a, b] then [a again, c]; the first a is deleted,
	// at the same document number as the second.
	if err := x.Upsert(ctx, []catalog.SearchDocument{doc("a", 1), doc("b", 2)}); err != nil {
		t.Fatal(err)
	}
	if err := x.Upsert(ctx, []catalog.SearchDocument{doc("a", 1), doc("c", 3)}); err != nil {
		t.Fatal(err)
	}
	res, err := x.Search(ctx, catalog.SearchQuery{Text: "indigo"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Hits {
		got = append(got, h.Document.ID)
	}
	if want := []string{"c", "b", "a"}; !slices.Equal(got, want) {
		t.Errorf("equal scores ordered %v, want newest first %v", got, want)
	}
}

// openIndex opens an index in a fresh directory, closed when the test ends.
func openIndex(t *testing.T) *Index {
	t.Helper()
	x, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := x.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return x
}
