package embedded

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/blevesearch/vellum"
	"github.com/blevesearch/vellum/levenshtein"
)

// osaDistance is the optimal string alignment distance of a and b, by the
// textbook table.
func osaDistance(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// randomWords are words over a small alphabet of one-, two- and three-byte
// characters, so that typos of every kind happen often.
func randomWords(r *rand.Rand, n, maxLen int) []string {
	alphabet := []rune("abcsé่ผ้า")
	words := make([]string, n)
	for i := range words {
		w := make([]rune, r.IntN(maxLen+1))
		for k := range w {
			w[k] = alphabet[r.IntN(len(alphabet))]
		}
		words[i] = string(w)
	}
	return words
}

// The automaton accepts exactly the terms within its typos, with their
// distance, as the textbook table and bleve's own automata count them,
// whether read whole or walked through a dictionary.
func TestLevAutomatonIsBlevesLevenshtein(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	terms := randomWords(r, 3000, 7)
	slices.Sort(terms)
	terms = slices.Compact(terms)
	var fst bytes.Buffer
	b, err := vellum.New(&fst, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, term := range terms {
		if err := b.Insert([]byte(term), uint64(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	dict, err := vellum.Load(fst.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	matched := 0
	for _, word := range randomWords(r, 150, 6) {
		for typos := 1; typos <= 2; typos++ {
			builder, err := levenshtein.NewLevenshteinAutomatonBuilder(uint8(typos), true)
			if err != nil {
				t.Fatal(err)
			}
			theirs, err := builder.BuildDfa(word, uint8(typos))
			if err != nil {
				t.Fatal(err)
			}
			a := newLevAutomaton(word, typos)
			var want []string
			for _, term := range terms {
				osa := osaDistance([]rune(word), []rune(term))
				d, ok := a.distance(term)
				vOK, vd := theirs.MatchAndDistance(term)
				if ok != (osa <= typos) || ok && d != osa {
					t.Fatalf("%q~%d: %q at (%d, %v), the table says %d", word, typos, term, d, ok, osa)
				}
				if ok != vOK || ok && d != int(vd) {
					t.Fatalf("%q~%d: %q at (%d, %v), bleve's automaton (%d, %v)", word, typos, term, d, ok, vd, vOK)
				}
				if ok {
					want = append(want, term)
				}
			}
			var got []string
			it, err := dict.Search(a, nil, nil)
			for err == nil {
				k, _ := it.Current()
				got = append(got, string(k))
				err = it.Next()
			}
			if !errors.Is(err, vellum.ErrIteratorDone) {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%q~%d: the walk finds %q, want %q", word, typos, got, want)
			}
			matched += len(want)
		}
	}
	if matched < 1000 {
		t.Fatalf("only %d matches over every word: the test covers too little", matched)
	}
}
