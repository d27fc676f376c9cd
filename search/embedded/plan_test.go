package embedded

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/search/searchtest"
)

// plannerOverSegments indexes docs one upsert (one segment) each and
// returns a planner over the index's snapshot, closed with the test.
func plannerOverSegments(t *testing.T, docs []catalog.SearchDocument) (*planner, *indexSnapshot) {
	t.Helper()
	x := openIndex(t)
	for _, d := range docs {
		if err := x.Upsert(context.Background(), []catalog.SearchDocument{d}); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := x.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = snap.Close() })
	if len(snap.Segments()) < 2 {
		t.Fatalf("%d segments: the test needs several", len(snap.Segments()))
	}
	return &planner{x: x, snap: snap, dfas: map[dfaKey]*levAutomaton{}}, snap
}

// dictTerms lists the terms of fd, bleve's own reading of a dictionary
// (openErr: the error of opening it), and closes it.
func dictTerms(fd index.FieldDict, openErr error) ([]string, error) {
	if openErr != nil {
		return nil, openErr
	}
	defer func() { _ = fd.Close() }()
	var terms []string
	for {
		e, err := fd.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			return terms, nil
		}
		terms = append(terms, e.Term)
	}
}

// A word's Levenshtein automaton finds, over every segment, the terms
// bleve's own fuzzy dictionary lists, each once, with the same typos; a
// prefix the terms bleve's prefix dictionary lists.
func TestExpansionsAreBlevesOverEverySegment(t *testing.T) {
	pl, snap := plannerOverSegments(t, searchtest.Documents())
	for _, c := range []struct {
		field, term string
		fuzzy       int
	}{{fNameEN, "silck", 1}, {fNameEN, "umbrelle", 1}, {fDescEN, "baskt", 2}, {fOtherEN, "chaing", 2}, {fDescEN, "cotton", 1}} {
		dfa, err := pl.dfa(c.term, c.fuzzy)
		if err != nil {
			t.Fatal(err)
		}
		terms, err := pl.automatonTerms(c.field, dfa, nil)
		if err != nil {
			t.Fatal(err)
		}
		fd, fa, err := snap.FieldDictFuzzyAutomaton(c.field, c.term, c.fuzzy, "")
		theirs, err := dictTerms(fd, err)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]uint8{} // term -> typos
		for _, term := range theirs {
			_, want[term] = fa.MatchAndDistance(term)
		}
		got := map[string]uint8{}
		for _, term := range terms {
			if _, dup := got[term]; dup {
				t.Errorf("%s~%d in %s: %q listed twice", c.term, c.fuzzy, c.field, term)
			}
			d, ok := dfa.distance(term)
			if !ok {
				t.Errorf("%s~%d in %s: %q listed but not within the typos", c.term, c.fuzzy, c.field, term)
			}
			got[term] = uint8(d)
		}
		if len(want) == 0 {
			t.Errorf("%s~%d in %s: bleve finds no term; the case tests nothing", c.term, c.fuzzy, c.field)
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s~%d in %s: terms %v, bleve's %v", c.term, c.fuzzy, c.field, got, want)
		}
	}
	for _, c := range []struct{ field, prefix string }{{fNameENRaw, "b"}, {fNameENRaw, "c"}, {fDescEN, "h"}, {fNameTH, "ผ"}} {
		q := bleve.NewPrefixQuery(c.prefix)
		q.SetField(c.field)
		q.SetBoost(3)
		p, err := pl.plan(q)
		if err != nil {
			t.Fatal(err)
		}
		want, err := dictTerms(snap.FieldDictPrefix(c.field, []byte(c.prefix)))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, pt := range p.terms {
			got = append(got, string(pt.term))
			if pt.weight != 3 {
				t.Errorf("%s* in %s: %s weighs %v, want the boost 3", c.prefix, c.field, pt.term, pt.weight)
			}
		}
		if len(want) < 2 || !slices.Equal(got, want) {
			t.Errorf("%s* in %s: terms %v, bleve's %v (the case needs two or more)", c.prefix, c.field, got, want)
		}
	}
}

// A word with typos finds the terms Meilisearch's rule allows, checked
// against every term of the dictionaries: within the typos with the
// first letter right, or with the first letter wrong as the one typo of a
// word allowed two (a typo there counts as two).
func TestTyposCountTheFirstLetterTwice(t *testing.T) {
	docs := searchtest.Documents()
	docs[0].DescriptionEN += " Ailk, pilks, umbrellas, xandwoven, handwovan, handwxoven and aandwovxn."
	pl, snap := plannerOverSegments(t, docs)
	for _, c := range []struct {
		field, term string
		typos       int
		mustFind    []string
		mustNot     []string
	}{
		{fDescEN, "silkk", 1, []string{"silk"}, []string{"ailk"}},
		{fNameEN, "umbrela", 1, []string{"umbrella"}, nil}, //nolint:misspell // a typo, on purpose
		{fDescEN, "handwoven", 2, []string{"xandwoven", "handwovan", "handwxoven"}, []string{"aandwovxn"}},
		{fDescEN, "cotton", 1, []string{"cotton"}, nil},
	} {
		p, err := pl.typos(c.field, c.term, c.typos, 6)
		if err != nil {
			t.Fatal(err)
		}
		terms, err := dictTerms(snap.FieldDict(c.field))
		if err != nil {
			t.Fatal(err)
		}
		want, all := map[string]float64{}, map[string]bool{}
		for _, term := range terms {
			all[term] = true
			d := search.LevenshteinDistance(c.term, term)
			switch {
			case term[0] == c.term[0] && d <= c.typos:
				want[term] = 6 / float64(1+d)
			case term[0] != c.term[0] && d == 1 && c.typos == 2:
				want[term] = 6.0 / 3
			}
		}
		got := map[string]float64{}
		for _, pt := range p.terms {
			got[string(pt.term)] = pt.weight
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s with %d typos in %s: terms %v, want %v", c.term, c.typos, c.field, got, want)
		}
		for _, w := range c.mustFind {
			if _, ok := got[w]; !ok {
				t.Errorf("%s with %d typos in %s: %q not found (%v)", c.term, c.typos, c.field, w, got)
			}
		}
		for _, w := range c.mustNot {
			if _, ok := got[w]; ok || !all[w] {
				t.Errorf("%s with %d typos in %s: %q found, or not in the dictionary (%v)", c.term, c.typos, c.field, w, got)
			}
		}
	}
}

// A prefix with more terms than maxExpansions keeps the first of them in
// byte order over every segment, as bleve's prefix dictionary lists them,
// though each segment's dictionary is read only up to maxExpansions terms.
func TestExpansionsStopAtTheirBound(t *testing.T) {
	docs := searchtest.Documents()
	letters := "abcdefghijklmnopqrstuvwxyz"
	for i := range 2 * maxExpansions {
		w := "zq" + string(letters[i/676%26]) + string(letters[i/26%26]) + string(letters[i%26])
		// Three words in four in one document (one segment holds more
		// than the bound), the fourth in another.
		d := &docs[min(i%4, 1)]
		d.DescriptionEN += " " + w
	}
	pl, snap := plannerOverSegments(t, docs)
	q := bleve.NewPrefixQuery("zq")
	q.SetField(fDescEN)
	p, err := pl.plan(q)
	if err != nil {
		t.Fatal(err)
	}
	all, err := dictTerms(snap.FieldDictPrefix(fDescEN, []byte("zq")))
	if err != nil {
		t.Fatal(err)
	}
	if len(all) <= maxExpansions {
		t.Fatalf("%d terms: the test needs more than %d", len(all), maxExpansions)
	}
	var got []string
	for _, pt := range p.terms {
		got = append(got, string(pt.term))
	}
	if !slices.Equal(got, all[:maxExpansions]) {
		t.Errorf("%d terms from %q to %q, want bleve's first %d, %q to %q", len(got), got[0], got[len(got)-1],
			maxExpansions, all[0], all[maxExpansions-1])
	}
}
