package embedded

import (
	"html"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis/lang/en"
)

// The highlighter splits ASCII text itself and stems word by word; both
// must give exactly the words and terms of bleve's analyzers, which
// indexed the text.
func TestASCIIWordsAndTermsAreTheAnalyzers(t *testing.T) {
	x := &Index{}
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	x.mapping = m
	hl := x.newHighlighter(&plan{op: opNone})
	if hl.filters == nil {
		t.Fatal("the English analyzer's filters are not reachable: every text would take the slow path")
	}
	stem := x.analyzer(en.AnalyzerName)
	texts := []string{
		"Handwoven cotton scarves, dyed with indigo; 3.5 m long (1,200 g). Weaver's pride: it's Chiang Mai's.",
		"e.g. U.S.A. v2.0 10:30 a:b 1;2 1,a a,1 a.1 1.a a'1 1'2 don't x'' ''y ..a b.. 3..4 5,,6",
		"THE Running runners RUNS; the quickly-made tea-cups\tand\nsaucers\r\n", "", " ", "a", "1", "'s",
		"ies flies happy sky yyy ying eed relational conditional generalization hopefulness Ies Yes Ssses sses",
	}
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := "aAbeiorstTyz019 .,;:'\"-!?()/&\t\n"
	for range 3000 {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		texts = append(texts, string(b))
	}
	for _, text := range texts {
		words, ok := asciiWords(text, nil)
		if !ok {
			t.Fatalf("%q: not taken as ASCII", text)
		}
		var want []span
		for _, tok := range x.analyzer(rawAnalyzer).Analyze([]byte(text)) {
			want = append(want, span{tok.Start, tok.End})
		}
		if !slices.Equal(words, want) {
			t.Fatalf("%q: words %v, the tokenizer's %v", text, words, want)
		}
		var terms, wantTerms []string
		for _, w := range words {
			word := text[w.s:w.e]
			if term := hl.term(word); term != "" {
				terms = append(terms, term)
				if term[0] != lowerASCII(word[0]) {
					t.Fatalf("%q: the term %q of %q does not start with its first letter", text, term, word)
				}
			}
		}
		for _, tok := range stem.Analyze([]byte(text)) {
			wantTerms = append(wantTerms, string(tok.Term))
		}
		if !slices.Equal(terms, wantTerms) {
			t.Fatalf("%q: terms %q, the analyzer's %q", text, terms, wantTerms)
		}
	}
	for _, text := range []string{"café au lait", "snake_case", "ผ้าไหม silk"} {
		if _, ok := asciiWords(text, nil); ok {
			t.Errorf("%q was taken as plain ASCII", text)
		}
	}
}

// Text the fast path does not take is still highlighted, by the analyzers.
func TestHighlightsOfTextOutsideASCII(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	x := &Index{mapping: m}
	p := &plan{op: opTerms, field: fNameEN, terms: []planTerm{{term: []byte("silk"), weight: 1}}}
	hl := x.newHighlighter(p)
	for text, want := range map[string]string{
		"Café silks":          "Café <em>silks</em>",
		"silk_scarf and silk": "silk_scarf and <em>silk</em>",
		"Plain silks":         "Plain <em>silks</em>",
	} {
		got, ok := hl.mark(text, false, hl.name, nil)
		if !ok || got != want {
			t.Errorf("mark(%q) = %q, %v; want %q", text, got, ok, want)
		}
	}
}

// Highlights escape text as html.EscapeString does, and cut snippets only
// from texts of more than snippetRunes runes.
func TestEscapingAndRuneCountsAreTheLibrarys(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	alphabet := []rune("ab <>&'\"ผ้าไหม€😀\x00")
	for range 3000 {
		r := make([]rune, rng.IntN(300))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		s := string(r)
		var b strings.Builder
		escapeHTML(&b, s)
		if b.String() != html.EscapeString(s) {
			t.Fatalf("escapeHTML(%q) = %q, want %q", s, b.String(), html.EscapeString(s))
		}
		for _, n := range []int{0, 1, max(len(r)-1, 0), len(r), len(r) + 1, snippetRunes} {
			if got, want := moreRunesThan(s, n), utf8.RuneCountInString(s) > n; got != want {
				t.Fatalf("moreRunesThan(%d runes, %d) = %v", len(r), n, got)
			}
		}
	}
}
