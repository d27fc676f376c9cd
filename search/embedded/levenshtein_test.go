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

// thaiTable is the distance of a Thai word and a term by the rules of
// newThaiAutomaton, by the textbook table: the word's last character read
// as the term's last (itself, one that sounds alike, or swapped with the
// one before), a character of the word missing only if it is a sign or
// doubled, and with two typos at most one in the word's first half. It
// reports false when the term is not within the typos.
func thaiTable(word, term []rune, typos int) (int, bool) {
	const inf = 1 << 20
	n, m := len(word), len(term)
	if n == 0 || m == 0 {
		return 0, false
	}
	drops := func(j int) bool {
		r := word[j]
		return isThaiMark(r) || j > 0 && word[j-1] == r || j+1 < n && word[j+1] == r
	}
	head := 0
	if typos > 1 {
		head = thaiHead(n)
	}
	limit := func(j, v int) int {
		if head > 0 && j <= head && v > 1 {
			return inf
		}
		return v
	}
	d := make([][]int, m+1)
	for i := range d {
		d[i] = make([]int, n+1)
	}
	for j := 1; j <= n; j++ {
		d[0][j] = inf
		if drops(j - 1) {
			d[0][j] = limit(j, d[0][j-1]+1)
		}
	}
	for i := 1; i <= m; i++ {
		d[i][0] = limit(0, d[i-1][0]+1)
		for j := 1; j <= n; j++ {
			cost := 1
			if word[j-1] == term[i-1] {
				cost = 0
			}
			v := min(d[i-1][j-1]+cost, d[i-1][j]+1)
			if drops(j - 1) {
				v = min(v, d[i][j-1]+1)
			}
			if i > 1 && j > 1 && term[i-1] == word[j-2] && term[i-2] == word[j-1] {
				v = min(v, limit(j-1, d[i-2][j-2]+1)) // a swap touching the head counts there
			}
			d[i][j] = limit(j, v)
		}
	}
	last := inf
	switch w, t := word[n-1], term[m-1]; {
	case w == t:
		last = d[m-1][n-1]
	case soundsAlike(w, t):
		last = d[m-1][n-1] + 1
	}
	if m > 1 && n > 1 && term[m-1] == word[n-2] && term[m-2] == word[n-1] {
		last = min(last, d[m-2][n-2]+1)
	}
	return last, last <= typos
}

// thaiWords are words over a few Thai characters: consonants that sound
// alike and others, vowels, tone marks and a sign, so that every rule of
// the Thai automaton is met often.
func thaiWords(r *rand.Rand, n, minLen, maxLen int) []string {
	alphabet := []rune("กดตรลม่้ิีาเ")
	words := make([]string, n)
	for i := range words {
		w := make([]rune, minLen+r.IntN(maxLen-minLen+1))
		for k := range w {
			w[k] = alphabet[r.IntN(len(alphabet))]
		}
		words[i] = string(w)
	}
	return words
}

// The Thai automaton accepts exactly the terms its rules allow, with their
// distance, read whole or walked through a dictionary, though it drops a
// text as soon as it has gone past the word's end.
func TestThaiAutomatonFollowsItsRules(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	terms := thaiWords(r, 3000, 1, 8)
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
	// Words: terms of four characters or more, as they are or with one or
	// two random edits.
	alphabet := []rune("กดตรลม่้ิีาเ")
	var words []string
	for len(words) < 150 {
		w := []rune(terms[r.IntN(len(terms))])
		if len(w) < 4 {
			continue
		}
		for range r.IntN(3) {
			i := r.IntN(len(w))
			switch r.IntN(4) {
			case 0:
				w = slices.Insert(w, i, alphabet[r.IntN(len(alphabet))])
			case 1:
				w = slices.Delete(w, i, i+1)
			case 2:
				w[i] = alphabet[r.IntN(len(alphabet))]
			case 3:
				if i+1 < len(w) {
					w[i], w[i+1] = w[i+1], w[i]
				}
			}
		}
		if len(w) >= 4 {
			words = append(words, string(w))
		}
	}
	matched := map[int]int{}
	for _, word := range words {
		for typos := 1; typos <= 2; typos++ {
			a := newThaiAutomaton(word, typos)
			var want []string
			for _, term := range terms {
				td, tok := thaiTable([]rune(word), []rune(term), typos)
				d, ok := a.distance(term)
				if ok != tok || ok && d != td {
					t.Fatalf("%q~%d: %q at (%d, %v), the table says (%d, %v)", word, typos, term, d, ok, td, tok)
				}
				if ok {
					want = append(want, term)
					matched[d]++
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
		}
	}
	for d := range 3 {
		if matched[d] < 50 {
			t.Fatalf("only %d matches at distance %d (%v): the test covers too little", matched[d], d, matched)
		}
	}
}
