package embedded

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// Thai words with typos: the package documentation says what is forgiven,
// how it is found and why this way. In short, a Thai word's automaton
// (newThaiAutomaton) walks the term dictionary of a Thai field of
// substrings (every substring of up to subLen characters of its texts);
// the terms it accepts are texts within the word's typos, and longer texts
// are followed as chains of overlapping terms (thaiChains). Each text found
// is weighed by thaiTypoCost.

// Thai typo tolerance, in characters (code points, as Meilisearch counts
// them): words of thaiOneTypo characters or more allow one typo, of
// thaiTwoTypos or more two. Shorter Thai words never do: most of them are
// a syllable, and one typo away from too many others.
const (
	thaiOneTypo  = 4
	thaiTwoTypos = 8
)

// Bounds of the chain search of one word in one field, so that a word's
// extra work stays small whatever the dictionary holds. Beyond them the
// search keeps what it has found.
const (
	// chainOverlap is how many characters a chain's term shares with the
	// term before it: enough that the terms are almost always one text.
	chainOverlap = 3
	// maxChainWalks is the most dictionary walks of one word in one field:
	// texts of up to subLen + (maxChainWalks-1)*(subLen-chainOverlap)
	// characters.
	maxChainWalks = 16
	// maxUnfinished is the most unfinished texts one walk continues, the
	// nearest to the word first.
	maxUnfinished = 32
	// maxChains is the most texts kept.
	maxChains = 64
)

// thaiTypos is the typos a Thai word allows.
func thaiTypos(w string) int {
	n := utf8.RuneCountInString(w)
	switch {
	case hasDigit(w) || n > maxWordRunes:
		return 0
	case n >= thaiTwoTypos:
		return 2
	case n >= thaiOneTypo:
		return 1
	}
	return 0
}

// thaiWordQuery matches s (Thai, no white space) in a Thai field of
// substrings: as a substring (substringQuery), and when s is long enough,
// with typos too, which weigh less.
func thaiWordQuery(s, field string, boost float64) query.Query {
	s = strings.ToLower(s)
	typos := thaiTypos(s)
	if typos == 0 {
		return substringQuery(s, field, boost)
	}
	return &thaiTyposQuery{word: s, field: field, boost: boost, typos: typos}
}

// thaiTyposQuery is a Thai word with typos in one field of substrings. Only
// the planner runs it (planThaiTypos); Bleve's searchers never see it.
type thaiTyposQuery struct {
	word  string
	field string
	boost float64
	typos int
}

var errPlannedOnly = errors.New("embedded: a Thai typo query runs through the planner only")

// Searcher makes thaiTyposQuery a query.Query.
func (q *thaiTyposQuery) Searcher(context.Context, index.IndexReader, mapping.IndexMapping, search.SearcherOptions) (search.Searcher, error) {
	return nil, errPlannedOnly
}

// planThaiTypos plans q: the word as a substring first, then the texts
// within its typos, each document weighed by the best of them.
func (pl *planner) planThaiTypos(q *thaiTyposQuery) (*plan, error) {
	exact, err := pl.plan(substringQuery(q.word, q.field, q.boost))
	if err != nil {
		return nil, err
	}
	chains, _, err := pl.thaiChains(q.field, pl.thaiDFA(q.word, q.typos))
	if err != nil {
		return nil, err
	}
	word := []rune(q.word)
	best := &plan{op: opBest, kids: []*plan{exact}}
	type branch struct {
		p      *plan
		weight float64
	}
	var branches []branch
	single := map[float64][]string{} // one-term texts by weight
	seen := map[string]bool{}
	for _, c := range chains {
		if strings.Contains(c.text, q.word) || seen[c.text] {
			continue // the exact plan has it
		}
		seen[c.text] = true
		weight := q.boost / (1 + thaiTypoCost(word, []rune(c.text)))
		best.texts = append(best.texts, c.text)
		if len(c.terms) == 1 {
			single[weight] = append(single[weight], c.terms[0])
			continue
		}
		and := &plan{op: opAnd}
		for i, t := range c.terms {
			w := 0.0 // the chain weighs once
			if i == 0 {
				w = weight
			}
			and.kids = append(and.kids, &plan{op: opTerms, field: q.field, terms: []planTerm{{[]byte(t), w}}})
		}
		branches = append(branches, branch{and, weight})
	}
	for weight, terms := range single {
		branches = append(branches, branch{weighed(q.field, slices.Compact(slices.Sorted(slices.Values(terms))),
			func(string) float64 { return weight }), weight})
	}
	// Best first; equal weights in a fixed order.
	slices.SortStableFunc(branches, func(a, b branch) int {
		if c := cmp.Compare(b.weight, a.weight); c != 0 {
			return c
		}
		return cmp.Compare(string(a.p.firstTerm()), string(b.p.firstTerm()))
	})
	if len(branches) == 0 {
		return exact, nil
	}
	for _, b := range branches {
		best.kids = append(best.kids, b.p)
	}
	return best, nil
}

// firstTerm is the first term p looks up, to order plans.
func (p *plan) firstTerm() []byte {
	if len(p.terms) > 0 {
		return p.terms[0].term
	}
	for _, k := range p.kids {
		if t := k.firstTerm(); t != nil {
			return t
		}
	}
	return nil
}

// thaiDFA returns the automaton of a Thai word, one per search, shared by
// the fields it is looked up in.
func (pl *planner) thaiDFA(word string, typos int) *levAutomaton {
	key := dfaKey{term: word, fuzzy: typos, thai: true}
	if a, ok := pl.dfas[key]; ok {
		return a
	}
	a := newThaiAutomaton(word, typos)
	pl.dfas[key] = a
	return a
}

// A chain is a text within the typos of a word, as the terms that spell it.
type chain struct {
	terms []string
	text  string
	typos int
}

// unfinished is a text a walk has not finished with: a term of subLen
// characters that the word's automaton may read on from. The next walk
// reads the terms that start with its last chainOverlap characters.
type unfinished struct {
	overlap string
	state   int      // the automaton's state after the text
	least   int      // the least distance a longer text may come to
	heads   []*chain // the texts so far that end in overlap in that state
}

// thaiChains returns the texts of field's dictionaries within a's typos,
// at most maxChains of them, and how many walks it made. The first walk
// reads the terms that start with the word's first character; each further
// walk reads on, at once, every unfinished text of the walk before (the
// nearest maxUnfinished of them), so a word costs a walk per
// subLen-chainOverlap characters of its length, whatever the dictionary
// holds.
func (pl *planner) thaiChains(field string, a *levAutomaton) ([]chain, int, error) {
	if len(a.word) == 0 {
		return nil, 0, nil
	}
	var out []chain
	level := []*unfinished{{state: a.Start(), heads: []*chain{{}}}}
	walks := 0
	// The texts of one level all have read as many characters; none within
	// the typos is longer than the word and its typos.
	read, longest := 0, len(a.word)+a.maxTypos
	for len(level) > 0 && read < longest && len(out) < maxChains {
		next := map[chainStep]*unfinished{}
		for _, batch := range distinctOverlaps(level) {
			if walks == maxChainWalks {
				return out, walks, nil
			}
			walks++
			w := newChainWalk(a, batch)
			prefix := w.prefix()
			if read == 0 {
				// The first character is never a typo (Meilisearch counts
				// one there as two): the text starts with the word's.
				prefix = []byte(string(a.word[0]))
			}
			terms, err := pl.automatonTerms(field, w, prefix)
			if err != nil {
				return nil, walks, err
			}
			for _, t := range terms {
				out = w.follow(t, out, next)
			}
		}
		read += subLen - utf8.RuneCountInString(level[0].overlap)
		level = level[:0]
		for _, n := range next {
			level = append(level, n)
		}
		// The nearest first, then in the terms' order, and no more than
		// maxUnfinished of them.
		slices.SortFunc(level, func(x, y *unfinished) int {
			return cmp.Or(cmp.Compare(x.least, y.least), strings.Compare(x.overlap, y.overlap), cmp.Compare(x.state, y.state))
		})
		level = level[:min(len(level), maxUnfinished)]
	}
	return out, walks, nil
}

// follow adds to out the texts that term t, found by walk w, finishes, and
// to next the unfinished texts it continues; it returns out.
func (w *chainWalk) follow(t string, out []chain, next map[chainStep]*unfinished) []chain {
	a := w.a
	u, inner, chars, ok := w.read(t)
	if !ok || chars == 0 {
		return out
	}
	rest := t[len(u.overlap):]
	d, done := a.typos(inner)
	if done {
		for _, h := range u.heads {
			if len(out) < maxChains {
				out = append(out, chain{terms: append(slices.Clip(h.terms), t), text: h.text + rest, typos: d})
			}
		}
	}
	// A term of subLen characters may be the start of a longer text,
	// nearer the word than the one it ends.
	least := a.least(inner)
	if chars < w.max(u) || least > a.maxTypos || done && least >= d {
		return out
	}
	r := []rune(t)
	key := chainStep{overlap: string(r[len(r)-chainOverlap:]), from: inner}
	n := next[key]
	if n == nil {
		n = &unfinished{overlap: key.overlap, state: inner, least: least}
		next[key] = n
	}
	for _, h := range u.heads {
		if len(n.heads) < maxChains {
			n.heads = append(n.heads, &chain{terms: append(slices.Clip(h.terms), t), text: h.text + rest})
		}
	}
	return out
}

// distinctOverlaps splits texts into batches with no overlap twice, for
// one walk each: a walk knows a text by its overlap. Texts rarely share
// one (the same characters read in two states), so this is nearly always
// one batch.
func distinctOverlaps(texts []*unfinished) [][]*unfinished {
	var batches [][]*unfinished
	seen := map[string]int{} // overlap -> batches holding it
	for _, u := range texts {
		i := seen[u.overlap]
		seen[u.overlap]++
		if i == len(batches) {
			batches = append(batches, nil)
		}
		batches[i] = append(batches[i], u)
	}
	return batches
}

// chainStep names an unfinished text by what the next walk needs of it.
type chainStep struct {
	overlap string
	from    int
}

// chainWalk is the automaton of one walk: it reads a term's first
// characters, which must be one of the unfinished texts' overlaps (read
// already by the word's automaton), then the rest with the word's
// automaton from that text's state, counting the characters it reads. It
// matches a term when the word's automaton accepts it, or when the term
// has subLen characters and the automaton may read on (a longer text
// continues it). The first walk has one unfinished text, with no overlap.
//
// States: 0 is the sink; from 1 to base-1, part of an overlap read: 1 +
// i*overlapBytes + bytes, i the first overlap (in byte order) it is part
// of; from base on, base + ((text<<52 | inner) << 3 | characters read),
// text the unfinished text's index and inner the word's automaton's state
// (below 1<<52).
type chainWalk struct {
	a    *levAutomaton
	open []*unfinished // in the overlaps' byte order
	base int
}

const overlapBytes = chainOverlap * utf8.UTFMax

func newChainWalk(a *levAutomaton, level []*unfinished) *chainWalk {
	open := slices.Clone(level)
	slices.SortStableFunc(open, func(x, y *unfinished) int { return strings.Compare(x.overlap, y.overlap) })
	return &chainWalk{a: a, open: open, base: 1 + len(open)*overlapBytes}
}

// prefix is what every overlap starts with, to bound the walk's range.
func (w *chainWalk) prefix() []byte {
	if len(w.open) == 0 {
		return nil
	}
	first, last := w.open[0].overlap, w.open[len(w.open)-1].overlap
	n := 0
	for n < len(first) && n < len(last) && first[n] == last[n] {
		n++
	}
	return []byte(first[:n])
}

// max is how many characters a term reads past u's overlap.
func (w *chainWalk) max(u *unfinished) int {
	return subLen - utf8.RuneCountInString(u.overlap)
}

func (w *chainWalk) state(text, inner, chars int) int {
	return w.base + ((text<<52|inner)<<3 | chars)
}

func (w *chainWalk) split(s int) (text, inner, chars int) {
	v := s - w.base
	return v >> 55, v >> 3 & (1<<52 - 1), v & 7
}

func (w *chainWalk) Start() int {
	for i, u := range w.open {
		if u.overlap == "" {
			return w.state(i, u.state, 0)
		}
	}
	return 1
}

func (w *chainWalk) Accept(s int, b byte) int {
	switch {
	case s == 0:
		return 0
	case s < w.base:
		i, read := (s-1)/overlapBytes, (s-1)%overlapBytes
		have := w.open[i].overlap[:read]
		for ; i < len(w.open) && strings.HasPrefix(w.open[i].overlap, have); i++ {
			if o := w.open[i].overlap; o[read] == b {
				if read+1 == len(o) {
					return w.state(i, w.open[i].state, 0)
				}
				return 1 + i*overlapBytes + read + 1
			}
		}
		return 0
	}
	text, inner, chars := w.split(s)
	next := w.a.Accept(inner, b)
	if next == levSink {
		return 0
	}
	if w.a.boundary(next) {
		if chars++; chars > w.max(w.open[text]) {
			return 0
		}
	}
	return w.state(text, next, chars)
}

func (w *chainWalk) IsMatch(s int) bool {
	if s < w.base {
		return false
	}
	text, inner, chars := w.split(s)
	if chars == 0 || !w.a.boundary(inner) {
		return false
	}
	return chars == w.max(w.open[text]) || w.a.IsMatch(inner)
}

func (w *chainWalk) CanMatch(s int) bool { return s != 0 }

func (w *chainWalk) WillAlwaysMatch(int) bool { return false }

// read runs term through w: the unfinished text it continues, the word's
// automaton's state after it and the characters read past the overlap.
func (w *chainWalk) read(term string) (u *unfinished, inner, chars int, ok bool) {
	s := w.Start()
	for i := 0; i < len(term) && s != 0; i++ {
		s = w.Accept(s, term[i])
	}
	if s < w.base {
		return nil, 0, 0, false
	}
	text, inner, chars := w.split(s)
	return w.open[text], inner, chars, true
}

// thaiTypoCost weighs the typos between word and text, a text within the
// word's typos by the rules of newThaiAutomaton, to rank the texts found:
// the typos people make typing Thai cost 1 each, other edits 1.5. The
// common ones are a tone mark or a vowel sign above or below missing,
// doubled or swapped for another, a short vowel for the long one, a
// consonant for one that sounds alike, a character dropped or doubled, two
// characters swapped; a substitution by a character that neither looks nor
// sounds alike is less likely.
func thaiTypoCost(word, text []rune) float64 {
	const likely, unlikely, never = 2, 3, 1 << 20 // halves
	n, m := len(word), len(text)
	if n == 0 || m == 0 {
		return float64(max(n, m))
	}
	drops := thaiDrops(word)
	sub := func(a, b rune) int {
		switch {
		case a == b:
			return 0
		case soundsAlike(a, b):
			return likely
		}
		return unlikely
	}
	// d[i][j]: text[:i] against word[:j], in halves.
	d := make([][]int, m+1)
	for i := range d {
		d[i] = make([]int, n+1)
	}
	for j := 1; j <= n; j++ {
		d[0][j] = never
		if drops[j-1] {
			d[0][j] = d[0][j-1] + likely
		}
	}
	for i := 1; i <= m; i++ {
		d[i][0] = d[i-1][0] + likely // a character the word dropped
		for j := 1; j <= n; j++ {
			v := min(d[i-1][j-1]+sub(word[j-1], text[i-1]), d[i-1][j]+likely)
			if drops[j-1] {
				v = min(v, d[i][j-1]+likely)
			}
			if i > 1 && j > 1 && text[i-1] == word[j-2] && text[i-2] == word[j-1] {
				v = min(v, d[i-2][j-2]+likely)
			}
			d[i][j] = v
		}
	}
	// The last characters read together (or swapped).
	last := never
	if c := sub(word[n-1], text[m-1]); c < unlikely {
		last = d[m-1][n-1] + c
	}
	if m > 1 && n > 1 && text[m-1] == word[n-2] && text[m-2] == word[n-1] {
		last = min(last, d[m-2][n-2]+likely)
	}
	return float64(last) / 2
}

// isThaiMark reports whether r is a Thai sign written above or below a
// consonant (a vowel sign or a tone mark): the characters most often
// missed, doubled or typed in the wrong order.
func isThaiMark(r rune) bool {
	return r == 0x0E31 || r >= 0x0E34 && r <= 0x0E3A || r >= 0x0E47 && r <= 0x0E4E
}

// soundsAlike reports whether a and b are two Thai characters typed for
// one another most often: two tone marks, a short vowel and its long one,
// the two forms of ai, or consonants of one sound, as initials or as
// finals (น ร ล ญ ณ ฬ all end a syllable in n).
func soundsAlike(a, b rune) bool {
	return a != b && soundGroups(a)&soundGroups(b) != 0
}

// soundGroups returns the groups of soundsAlike r is in, one bit each.
func soundGroups(r rune) uint32 {
	switch r {
	case '่', '้', '๊', '๋':
		return 1 << 0
	case 'ิ', 'ี':
		return 1 << 1
	case 'ึ', 'ื':
		return 1 << 2
	case 'ุ', 'ู':
		return 1 << 3
	case 'ะ', 'ั', 'า':
		return 1 << 4
	case 'ใ', 'ไ':
		return 1 << 5
	case 'ข', 'ฃ', 'ค', 'ฅ', 'ฆ':
		return 1 << 6
	case 'ฉ', 'ช', 'ฌ':
		return 1 << 7
	case 'ซ', 'ศ', 'ษ', 'ส':
		return 1 << 8
	case 'ด', 'ต', 'ฎ', 'ฏ':
		return 1 << 9
	case 'ถ', 'ฐ', 'ท', 'ฑ', 'ฒ', 'ธ':
		return 1 << 10
	case 'น', 'ณ', 'ร', 'ล', 'ฬ':
		return 1 << 11
	case 'ญ':
		return 1<<11 | 1<<12 // a final n, an initial y
	case 'ย':
		return 1 << 12
	case 'ผ', 'พ', 'ภ':
		return 1 << 13
	case 'ฝ', 'ฟ':
		return 1 << 14
	case 'ห', 'ฮ':
		return 1 << 15
	}
	return 0
}
