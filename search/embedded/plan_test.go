package embedded

import (
	"context"
	"maps"
	"testing"

	"github.com/blevesearch/vellum/levenshtein"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/search/searchtest"
)

// A fuzzy leaf expands to the terms bleve's own fuzzy dictionary lists,
// over every segment, each weighed by its typos.
func TestFuzzyTermsAreBlevesOverEverySegment(t *testing.T) {
	ctx := context.Background()
	x := openIndex(t)
	for _, d := range searchtest.Documents() { // a segment each
		if err := x.Upsert(ctx, []catalog.SearchDocument{d}); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := x.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = snap.Close() }()
	if len(snap.Segments()) < 2 {
		t.Fatalf("%d segments: the test needs several", len(snap.Segments()))
	}
	pl := &planner{x: x, snap: snap, dfas: map[dfaKey]*levenshtein.DFA{}}
	for _, c := range []struct {
		field, term string
		fuzzy       int
	}{{fNameEN, "silck", 1}, {fNameEN, "umbrelle", 1}, {fDescEN, "baskt", 2}, {fOtherEN, "chaing", 2}, {fDescEN, "cotton", 1}} {
		p, err := pl.fuzzy(c.field, c.term, c.fuzzy, nil, 4)
		if err != nil {
			t.Fatal(err)
		}
		fd, fa, err := snap.FieldDictFuzzyAutomaton(c.field, c.term, c.fuzzy, "")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]float64{}
		for {
			e, err := fd.Next()
			if err != nil {
				t.Fatal(err)
			}
			if e == nil {
				break
			}
			_, typos := fa.MatchAndDistance(e.Term)
			want[e.Term] = 4 / float64(1+typos)
		}
		_ = fd.Close()
		got := map[string]float64{}
		for _, pt := range p.terms {
			got[string(pt.term)] = pt.weight
		}
		if len(want) == 0 {
			t.Errorf("%s~%d in %s: bleve finds no term; the case tests nothing", c.term, c.fuzzy, c.field)
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s~%d in %s: terms %v, bleve's %v", c.term, c.fuzzy, c.field, got, want)
		}
	}
}
