package embedded_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/search/embedded"
	"github.com/otopmarket/otop/search/searchtest"
)

// found reports the ids a search for q finds, its total and the count of
// d's category in the category facet, by every way a search reads the
// index: text (English and Thai), browsing with a filter, and suggestions.
type sighting struct {
	text, thai, browse, suggest bool
	total, facet                int
}

func seen(t *testing.T, ix *embedded.Index, d catalog.SearchDocument) sighting {
	t.Helper()
	ctx := context.Background()
	var s sighting
	has := func(r catalog.SearchResult) bool {
		return slices.ContainsFunc(r.Hits, func(h catalog.SearchHit) bool { return h.Document.ID == d.ID })
	}
	r, err := ix.Search(ctx, catalog.SearchQuery{Text: d.NameEN, PerPage: 100})
	if err != nil {
		t.Fatalf("Search %q: %v", d.NameEN, err)
	}
	s.text = has(r)
	r, err = ix.Search(ctx, catalog.SearchQuery{Text: d.NameTH, PerPage: 100})
	if err != nil {
		t.Fatalf("Search %q: %v", d.NameTH, err)
	}
	s.thai = has(r)
	r, err = ix.Search(ctx, catalog.SearchQuery{Filters: catalog.SearchFilters{Producer: d.ProducerID},
		Facets: []string{"category"}, PerPage: 100})
	if err != nil {
		t.Fatalf("Search by producer: %v", err)
	}
	s.browse, s.total, s.facet = has(r), r.Total, r.Facets["category"][d.Category]
	names, err := ix.Suggest(ctx, d.NameEN, 10)
	if err != nil {
		t.Fatalf("Suggest: %v", err)
	}
	s.suggest = slices.Contains(names, d.NameEN)
	return s
}

func hitOf(t *testing.T, ix *embedded.Index, id string, q catalog.SearchQuery) catalog.SearchDocument {
	t.Helper()
	q.PerPage = 100
	r, err := ix.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range r.Hits {
		if h.Document.ID == id {
			return h.Document
		}
	}
	t.Fatalf("%s not found by %+v", id, q)
	return catalog.SearchDocument{}
}

// reopen closes ix and opens its directory again.
func reopen(t *testing.T, ix *embedded.Index, dir string) *embedded.Index {
	t.Helper()
	if err := ix.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return open(t, dir)
}

// A staged document (a product under review) is in the index but
// no search finds or counts it; upserting the same document, now with its
// publication time, shows it without writing it again, so that the index
// opened again holds it staged until it is shown once more.
func TestStagedDocumentsAreHiddenUntilShown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	ix := open(t, dir)
	docs := searchtest.Documents()
	// One with verified stars and certificates when shown, which it had
	// not yet when staged: the review verified them.
	at := slices.IndexFunc(docs, func(d catalog.SearchDocument) bool { return d.OTOPStars > 0 && len(d.Certifications) > 0 })
	if at < 0 {
		t.Fatal("the test documents lack one with stars and certificates")
	}
	d := docs[at]
	docs = slices.Delete(docs, at, at+1)
	var others []catalog.SearchDocument
	for _, o := range docs {
		if o.ProducerID == d.ProducerID {
			others = append(others, o)
		}
	}
	if err := ix.Upsert(ctx, docs); err != nil {
		t.Fatal(err)
	}
	before := seen(t, ix, d)

	staged := d
	staged.PublishedAt, staged.OTOPStars, staged.Certifications = time.Time{}, 0, nil
	if err := ix.Stage(ctx, []catalog.SearchDocument{staged}); err != nil {
		t.Fatalf("Stage: %v", err)
	}
	if got := ix.Staged(); !slices.Equal(got, []string{d.ID}) {
		t.Fatalf("Staged() = %v, want [%s]", got, d.ID)
	}
	if got := seen(t, ix, d); got != before {
		t.Errorf("a staged document changed what searches see: %+v, before staging %+v", got, before)
	}
	if before.text || before.thai || before.browse || before.suggest || before.total != len(others) {
		t.Fatalf("the document is found before it is shown: %+v (%d others of its producer)", before, len(others))
	}

	// Shown: found everywhere, counted, with its publication time.
	if err := ix.Upsert(ctx, []catalog.SearchDocument{d}); err != nil {
		t.Fatal(err)
	}
	want := sighting{text: true, thai: true, browse: true, suggest: true, total: before.total + 1, facet: before.facet + 1}
	if got := seen(t, ix, d); got != want {
		t.Errorf("after showing: %+v, want %+v", got, want)
	}
	if got := ix.Staged(); len(got) != 0 {
		t.Errorf("Staged() after showing = %v", got)
	}
	for _, q := range []catalog.SearchQuery{{Text: d.NameEN}, {Filters: catalog.SearchFilters{Producer: d.ProducerID}}} {
		h := hitOf(t, ix, d.ID, q)
		if !h.PublishedAt.Equal(d.PublishedAt) || h.Staged || h.OTOPStars != d.OTOPStars || !slices.Equal(h.Certifications, d.Certifications) {
			t.Errorf("hit of %+v: published_at %v, stars %d, certificates %v (staged %v); want %v, %d, %v",
				q, h.PublishedAt, h.OTOPStars, h.Certifications, h.Staged, d.PublishedAt, d.OTOPStars, d.Certifications)
		}
	}

	// Shown without being written: the index opened again holds it staged,
	// and the same upsert (the indexer's reconciliation) shows it again.
	ix = reopen(t, ix, dir)
	if got := ix.Staged(); !slices.Equal(got, []string{d.ID}) {
		t.Fatalf("Staged() after reopening = %v, want [%s]", got, d.ID)
	}
	if got := seen(t, ix, d); got != before {
		t.Errorf("reopened, before reconciling: %+v, want %+v", got, before)
	}
	if err := ix.Upsert(ctx, []catalog.SearchDocument{d}); err != nil {
		t.Fatal(err)
	}
	if got := seen(t, ix, d); got != want {
		t.Errorf("reopened and shown: %+v, want %+v", got, want)
	}

	// A document that differs from the staged one is written: after a
	// reopen it is visible without any upsert.
	ix = reopen(t, ix, dir)
	renamed := d
	renamed.NameEN += " Deluxe"
	if err := ix.Upsert(ctx, []catalog.SearchDocument{renamed}); err != nil {
		t.Fatal(err)
	}
	ix = reopen(t, ix, dir)
	if got := ix.Staged(); len(got) != 0 {
		t.Errorf("Staged() after a changed document was written = %v", got)
	}
	if h := hitOf(t, ix, d.ID, catalog.SearchQuery{Text: renamed.NameEN}); h.NameEN != renamed.NameEN || !h.PublishedAt.Equal(d.PublishedAt) {
		t.Errorf("written document read back as %q published %v", h.NameEN, h.PublishedAt)
	}

	// Staging a visible document (PostgreSQL says the product is under
	// review) hides it, also after a reopen.
	if err := ix.Stage(ctx, []catalog.SearchDocument{staged}); err != nil {
		t.Fatal(err)
	}
	if got := ix.Staged(); !slices.Equal(got, []string{d.ID}) {
		t.Errorf("Staged() after staging a visible document = %v, want [%s]", got, d.ID)
	}
	if got := seen(t, ix, d); got != before {
		t.Errorf("a visible document staged: %+v, want %+v", got, before)
	}
	ix = reopen(t, ix, dir)
	if got := seen(t, ix, d); got != before {
		t.Errorf("a visible document staged, reopened: %+v, want %+v", got, before)
	}
}

// Staging again replaces the staged document (a product edited during its
// review); only the latest shows without a write, and a deleted staged
// document is gone, also after a reopen.
func TestStagedDocumentsFollowEditsAndDeletes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	ix := open(t, dir)
	docs := searchtest.Documents()
	a, b := docs[0], docs[1]
	edited := a
	edited.DescriptionEN = "Edited while under review."
	for _, s := range [][]catalog.SearchDocument{{a, b}, {edited}} {
		if err := ix.Stage(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	// The first version is not what is staged: it is written when shown.
	if err := ix.Upsert(ctx, []catalog.SearchDocument{a}); err != nil {
		t.Fatal(err)
	}
	if err := ix.Delete(ctx, []string{b.ID}); err != nil {
		t.Fatal(err)
	}
	if got := ix.Staged(); len(got) != 0 {
		t.Errorf("Staged() = %v, want none", got)
	}
	ix = reopen(t, ix, dir)
	if got := ix.Staged(); len(got) != 0 {
		t.Errorf("Staged() after reopening = %v, want none", got)
	}
	if h := hitOf(t, ix, a.ID, catalog.SearchQuery{Text: a.NameEN}); h.DescriptionEN != a.DescriptionEN {
		t.Errorf("shown document has description %q, want %q", h.DescriptionEN, a.DescriptionEN)
	}
	if got := seen(t, ix, b); got.text || got.browse {
		t.Errorf("deleted staged document found: %+v", got)
	}
}

// A rebuild's staged documents (Staged set by the fill) are hidden in the
// new generation and listed by Staged; writes during the rebuild are
// replayed with their kind.
func TestRebuildKeepsStagedDocumentsHidden(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ix := open(t, t.TempDir())
	docs := searchtest.Documents()
	a, b := docs[0], docs[1]
	a.Staged, a.PublishedAt = true, time.Time{}
	err := ix.Rebuild(ctx, func(add func([]catalog.SearchDocument) error) error {
		if err := add(append([]catalog.SearchDocument{a}, docs[2:]...)); err != nil {
			return err
		}
		return ix.Stage(ctx, []catalog.SearchDocument{b})
	})
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	if got := ix.Staged(); !slices.Equal(got, []string{a.ID, b.ID}) {
		t.Errorf("Staged() = %v, want [%s %s]", got, a.ID, b.ID)
	}
	r, err := ix.Search(ctx, catalog.SearchQuery{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != len(docs)-2 {
		t.Errorf("total %d, want %d (staged documents hidden)", r.Total, len(docs)-2)
	}
	if err := ix.Upsert(ctx, docs[:2]); err != nil {
		t.Fatal(err)
	}
	if r, err = ix.Search(ctx, catalog.SearchQuery{PerPage: 100}); err != nil || r.Total != len(docs) {
		t.Errorf("after showing both: total %d (%v), want %d", r.Total, err, len(docs))
	}
}
