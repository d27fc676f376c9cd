package embedded

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/vellum"
)

// Text searches are evaluated here, not by bleve's searchers. Bleve scores
// a query by walking every posting of every term through a tree of
// searchers; here the same query tree becomes set operations on the
// postings bitmaps of each segment, orders of magnitude faster, and a
// score is added up only for the documents that match.
//
// Relevance is a sum of boosts, as a ranking by buckets is (Meilisearch's
// rules: which attribute matched, how many typos): every leaf of the tree a
// document matches adds its field's boost, divided by 1 + the typos of the
// term that matched; a disjunction adds what each matching branch adds, a
// conjunction what all its branches add. Term frequencies and field
// lengths, which make bleve's scores, do not count: product names are short
// and a word said twice is not a better product.

// A plan is a query tree with its prefix and fuzzy terms expanded against
// the dictionaries of one index snapshot.
type plan struct {
	op    planOp
	field string     // opTerms
	terms []planTerm // opTerms: any of them; by weight, highest first
	kids  []*plan    // opAnd, opOr, opBest
	texts []string   // opBest of a Thai word: the texts found within its typos, to highlight
}

type planOp int

const (
	opNone  planOp = iota // matches nothing
	opTerms               // documents holding any of terms in field
	opAnd
	opOr
	// opBest: documents of any kid, each weighed by the first kid it
	// matches (the kids are best first): a Thai word and its texts with
	// typos (thaitypos.go), where a document holding several of them is
	// not the better for it.
	opBest
)

type planTerm struct {
	term   []byte
	weight float64
}

// maxExpansions bounds the terms a prefix or fuzzy leaf expands to, as
// bleve's own searchers do: beyond it the leaf keeps its first terms.
const maxExpansions = 1024

// planner plans the queries of one search against one snapshot.
type planner struct {
	x    *Index
	snap *indexSnapshot
	// dfas holds the Levenshtein automata of this search: a word is
	// looked up with typos in several fields, and the states its
	// automaton computed in one serve the others.
	dfas map[dfaKey]*levAutomaton
}

type dfaKey struct {
	term  string
	fuzzy int
	thai  bool
}

// planQuery turns q, as parseText and Search build it, into a plan for
// snap. Filters are not part of it: the columns apply them.
func (x *Index) planQuery(snap *indexSnapshot, q query.Query) (*plan, error) {
	pl := &planner{x: x, snap: snap, dfas: map[dfaKey]*levAutomaton{}}
	return pl.plan(q)
}

func (pl *planner) plan(q query.Query) (*plan, error) {
	switch q := q.(type) {
	case *query.MatchNoneQuery:
		return &plan{op: opNone}, nil
	case *query.TermQuery:
		return &plan{op: opTerms, field: q.FieldVal, terms: []planTerm{{[]byte(q.Term), q.BoostVal.Value()}}}, nil
	case *query.PrefixQuery:
		// Not the snapshot's FieldDictPrefix: it reads each segment's
		// dictionary in a goroutine of its own and waits for them, and
		// under load a search then waits for a CPU several times over.
		terms, err := pl.automatonTerms(q.FieldVal, &vellum.AlwaysMatch{}, []byte(q.Prefix))
		if err != nil {
			return nil, err
		}
		boost := q.BoostVal.Value()
		return weighed(q.FieldVal, terms, func(string) float64 { return boost }), nil
	case *query.MatchQuery:
		return pl.planMatch(q)
	case *thaiTyposQuery:
		return pl.planThaiTypos(q)
	case *query.ConjunctionQuery:
		return pl.planKids(opAnd, q.Conjuncts)
	case *query.DisjunctionQuery:
		if q.Min > 1 {
			return nil, fmt.Errorf("embedded: no plan for a disjunction with min %v", q.Min)
		}
		return pl.planKids(opOr, q.Disjuncts)
	}
	return nil, fmt.Errorf("embedded: no plan for a %T", q)
}

func (pl *planner) planKids(op planOp, qs []query.Query) (*plan, error) {
	if len(qs) == 0 {
		return &plan{op: opNone}, nil
	}
	p := &plan{op: op}
	for _, q := range qs {
		k, err := pl.plan(q)
		if err != nil {
			return nil, err
		}
		p.kids = append(p.kids, k)
	}
	return p, nil
}

// planMatch plans a match query as bleve runs it: the text analysed with
// the field's analyzer, each token a term (or its fuzzy expansions),
// joined by the query's operator; except that typos are counted as
// Meilisearch counts them (see typos).
func (pl *planner) planMatch(q *query.MatchQuery) (*plan, error) {
	m := pl.x.mapping
	a := m.AnalyzerNamed(cmp.Or(q.Analyzer, m.AnalyzerNameForPath(q.FieldVal)))
	if a == nil {
		return nil, fmt.Errorf("embedded: no analyzer for field %s", q.FieldVal)
	}
	tokens := a.Analyze([]byte(q.Match))
	if len(tokens) == 0 {
		return &plan{op: opNone}, nil
	}
	op := opAnd
	if q.Operator == query.MatchQueryOperatorOr {
		op = opOr
	}
	if q.Prefix > 0 {
		return nil, fmt.Errorf("embedded: no plan for a match query with a prefix length")
	}
	p := &plan{op: op}
	boost := q.BoostVal.Value()
	for _, t := range tokens {
		if q.Fuzziness == 0 {
			p.kids = append(p.kids, &plan{op: opTerms, field: q.FieldVal, terms: []planTerm{{t.Term, boost}}})
			continue
		}
		k, err := pl.typos(q.FieldVal, string(t.Term), q.Fuzziness, boost)
		if err != nil {
			return nil, err
		}
		p.kids = append(p.kids, k)
	}
	return p, nil
}

// typos is a leaf of the terms of field within n typos of term as
// Meilisearch counts them: a typo on the first letter counts as two. With
// one typo allowed the first letter must match; with two, a term whose
// first letter differs matches only when that is its one typo. Each term
// is weighed boost ÷ (1 + its typos). Keeping to the terms of one first
// letter also spares walking the rest of each dictionary.
func (pl *planner) typos(field, term string, n int, boost float64) (*plan, error) {
	_, size := utf8.DecodeRuneInString(term) // a byte when term is not UTF-8
	if size == 0 {
		return &plan{op: opNone}, nil
	}
	first := []byte(term[:size])
	dfa, err := pl.dfa(term, n)
	if err != nil {
		return nil, err
	}
	terms, err := pl.automatonTerms(field, dfa, first)
	if err != nil {
		return nil, err
	}
	weights := make(map[string]float64, len(terms))
	for _, t := range terms {
		d, _ := dfa.distance(t)
		weights[t] = boost / float64(1+d)
	}
	if n == 2 {
		one, err := pl.dfa(term, 1)
		if err != nil {
			return nil, err
		}
		others, err := pl.automatonTerms(field, one, nil)
		if err != nil {
			return nil, err
		}
		for _, t := range others {
			if !strings.HasPrefix(t, term[:size]) {
				terms = append(terms, t)
				weights[t] = boost / 3
			}
		}
	}
	return weighed(field, terms, func(t string) float64 { return weights[t] }), nil
}

// dfa returns the Levenshtein automaton of term with fuzzy typos, one per
// search.
func (pl *planner) dfa(term string, fuzzy int) (*levAutomaton, error) {
	key := dfaKey{term: term, fuzzy: fuzzy}
	if dfa, ok := pl.dfas[key]; ok {
		return dfa, nil
	}
	if fuzzy < 1 || fuzzy > 2 {
		return nil, fmt.Errorf("embedded: fuzziness %d out of range", fuzzy)
	}
	dfa := newLevAutomaton(term, fuzzy)
	pl.dfas[key] = dfa
	return dfa, nil
}

// automatonTerms lists the distinct terms of field, over every segment,
// that dfa accepts and that start with prefix: at least the first
// maxExpansions of them in byte order (each segment's dictionary is read
// in that order, and stops there: a one-letter prefix of whole names has
// thousands of terms).
func (pl *planner) automatonTerms(field string, dfa automaton, prefix []byte) ([]string, error) {
	var end []byte
	if len(prefix) > 0 {
		end = prefixEnd(prefix)
		dfa = newPrefixed(dfa, prefix)
	}
	seen := map[string]bool{}
	var terms []string
	for _, ss := range pl.snap.Segments() {
		d, err := ss.Segment().Dictionary(field)
		if err != nil {
			return nil, fmt.Errorf("embedded: dictionary of %s: %w", field, err)
		}
		it := d.AutomatonIterator(dfa, prefix, end)
		for n := 0; n < maxExpansions; n++ {
			e, err := it.Next()
			if err != nil {
				return nil, fmt.Errorf("embedded: terms of %s: %w", field, err)
			}
			if e == nil {
				break
			}
			if !seen[e.Term] {
				seen[e.Term] = true
				terms = append(terms, e.Term)
			}
		}
	}
	return terms, nil
}

// prefixed is an automaton that accepts what inner accepts among the terms
// that start with prefix. A dictionary's automaton iterator stops at the
// end of its key range only when it meets a match beyond it, and walks
// every path inner may still match past it until then (a word's typo
// automaton allows any first letter); this one drops a path as soon as it
// leaves the prefix.
//
// States: 0 is the sink; 1 to len(prefix) have read that many bytes less
// one of the prefix; then base + inner's state.
type prefixed struct {
	inner  automaton
	prefix []byte
	after  int // inner's state after the prefix, or -1 when it cannot match
	base   int
}

func newPrefixed(inner automaton, prefix []byte) *prefixed {
	s := inner.Start()
	for _, b := range prefix {
		if s = inner.Accept(s, b); !inner.CanMatch(s) {
			return &prefixed{inner: inner, prefix: prefix, after: -1, base: len(prefix) + 1}
		}
	}
	return &prefixed{inner: inner, prefix: prefix, after: s, base: len(prefix) + 1}
}

func (p *prefixed) Start() int {
	if p.after < 0 {
		return 0
	}
	return 1
}

func (p *prefixed) Accept(s int, b byte) int {
	switch {
	case s == 0:
		return 0
	case s < p.base:
		read := s - 1
		if p.prefix[read] != b {
			return 0
		}
		if read+1 < len(p.prefix) {
			return s + 1
		}
		return p.base + p.after
	}
	next := p.inner.Accept(s-p.base, b)
	if !p.inner.CanMatch(next) {
		return 0
	}
	return p.base + next
}

func (p *prefixed) IsMatch(s int) bool { return s >= p.base && p.inner.IsMatch(s-p.base) }

func (p *prefixed) CanMatch(s int) bool { return s != 0 }

func (p *prefixed) WillAlwaysMatch(s int) bool {
	return s >= p.base && p.inner.WillAlwaysMatch(s-p.base)
}

// weighed is a leaf of the first maxExpansions of terms in byte order, as
// bleve keeps them, each weighed; highest weight first.
func weighed(field string, terms []string, weigh func(string) float64) *plan {
	slices.Sort(terms)
	p := &plan{op: opTerms, field: field}
	for _, t := range terms[:min(len(terms), maxExpansions)] {
		p.terms = append(p.terms, planTerm{[]byte(t), weigh(t)})
	}
	slices.SortStableFunc(p.terms, func(a, b planTerm) int { return cmp.Compare(b.weight, a.weight) })
	return p
}

// prefixEnd returns the least key after every key starting with prefix
// (nil when there is none).
func prefixEnd(prefix []byte) []byte {
	end := slices.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// evaluated is a plan's result in one segment.
type evaluated struct {
	docs *roaring.Bitmap // matching documents; may be the segment's own: read only
	// opTerms with several weights: the documents of the terms of each
	// weight, highest first.
	groups []weightGroup
	kids   []*evaluated
}

type weightGroup struct {
	weight float64
	docs   *roaring.Bitmap
}

var emptyBitmap = roaring.New()

// segmentEval evaluates plans in one segment.
type segmentEval struct {
	seg   segmentData
	dicts map[string]termDictionary
}

// postings returns the documents holding term in field (read only).
func (e *segmentEval) postings(field string, term []byte) (*roaring.Bitmap, error) {
	d, ok := e.dicts[field]
	if !ok {
		var err error
		if d, err = e.seg.Dictionary(field); err != nil {
			return nil, fmt.Errorf("embedded: dictionary of %s: %w", field, err)
		}
		e.dicts[field] = d
	}
	pl, err := d.PostingsList(term, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("embedded: postings of %s:%s: %w", field, term, err)
	}
	it, ok := pl.Iterator(false, false, false, nil).(optimizablePostings)
	if !ok {
		return nil, fmt.Errorf("embedded: postings of %T cannot be read as a bitmap", e.seg)
	}
	if n, one := it.DocNum1Hit(); one {
		return roaring.BitmapOf(uint32(n)), nil
	}
	if bm := it.ActualBitmap(); bm != nil {
		return bm, nil
	}
	return emptyBitmap, nil
}

// eval computes the documents of p and its subtrees.
func (e *segmentEval) eval(p *plan) (*evaluated, error) {
	ev := &evaluated{docs: emptyBitmap}
	switch p.op {
	case opTerms:
		bms := make([]*roaring.Bitmap, len(p.terms))
		for i, t := range p.terms {
			bm, err := e.postings(p.field, t.term)
			if err != nil {
				return nil, err
			}
			bms[i] = bm
		}
		switch {
		case len(bms) == 1:
			ev.docs = bms[0]
		case len(bms) > 1:
			ev.docs = union(bms)
			if p.terms[0].weight == p.terms[len(p.terms)-1].weight {
				break
			}
			// The terms are by weight: one group per run of equal weights.
			for start := 0; start < len(bms); {
				end := start + 1
				for end < len(bms) && p.terms[end].weight == p.terms[start].weight {
					end++
				}
				g := weightGroup{weight: p.terms[start].weight, docs: union(bms[start:end])}
				ev.groups = append(ev.groups, g)
				start = end
			}
		}
	case opAnd, opOr, opBest:
		bms := make([]*roaring.Bitmap, len(p.kids))
		for i, k := range p.kids {
			kev, err := e.eval(k)
			if err != nil {
				return nil, err
			}
			ev.kids = append(ev.kids, kev)
			bms[i] = kev.docs
		}
		if p.op != opAnd {
			ev.docs = union(bms)
			break
		}
		slices.SortFunc(bms, func(a, b *roaring.Bitmap) int { return cmp.Compare(a.GetCardinality(), b.GetCardinality()) })
		if len(bms) == 1 {
			ev.docs = bms[0] // read only, as its kid's
			break
		}
		ev.docs = roaring.And(bms[0], bms[1])
		for _, bm := range bms[2:] {
			if ev.docs.IsEmpty() {
				break
			}
			ev.docs.And(bm)
		}
	}
	return ev, nil
}

// union returns the union of bms: one of them (read only) when the others
// are empty.
func union(bms []*roaring.Bitmap) *roaring.Bitmap {
	var some []*roaring.Bitmap
	for _, bm := range bms {
		if !bm.IsEmpty() {
			some = append(some, bm)
		}
	}
	switch len(some) {
	case 0:
		return emptyBitmap
	case 1:
		return some[0]
	}
	return roaring.FastOr(some...)
}

// score adds to acc, for each document of in (a subset of ev.docs), what
// p's leaves it matches weigh. whole says in is ev.docs: a disjunction's
// branches then need no intersection with it.
func score(p *plan, ev *evaluated, in *roaring.Bitmap, whole bool, acc []float64) {
	if in.IsEmpty() {
		return
	}
	switch p.op {
	case opTerms:
		if ev.groups == nil {
			addWeight(in, p.terms[0].weight, acc)
			return
		}
		// Each document weighs as the best of its terms.
		left := in
		for i, g := range ev.groups {
			if i == len(ev.groups)-1 {
				addWeight(left, g.weight, acc)
				return
			}
			hit := g.docs
			if !whole || i > 0 {
				hit = roaring.And(left, g.docs)
			}
			if hit.IsEmpty() {
				continue
			}
			addWeight(hit, g.weight, acc)
			left = roaring.AndNot(left, hit)
			if left.IsEmpty() {
				return
			}
		}
	case opAnd:
		for i, k := range p.kids {
			score(k, ev.kids[i], in, len(p.kids) == 1 && whole, acc)
		}
	case opOr:
		for i, k := range p.kids {
			if whole {
				score(k, ev.kids[i], ev.kids[i].docs, true, acc)
			} else {
				score(k, ev.kids[i], roaring.And(in, ev.kids[i].docs), false, acc)
			}
		}
	case opBest:
		some, last := 0, 0
		for i := range p.kids {
			if !ev.kids[i].docs.IsEmpty() {
				some, last = some+1, i
			}
		}
		if some == 1 { // in is within that kid's documents
			score(p.kids[last], ev.kids[last], in, whole, acc)
			return
		}
		left := in
		for i, k := range p.kids {
			kid := ev.kids[i].docs
			if kid.IsEmpty() {
				continue
			}
			hit := roaring.And(left, kid)
			if hit.IsEmpty() {
				continue
			}
			score(k, ev.kids[i], hit, false, acc)
			left = roaring.AndNot(left, hit)
			if left.IsEmpty() {
				return
			}
		}
	}
}

// addWeight adds w to acc[d] for every d in docs.
func addWeight(docs *roaring.Bitmap, w float64, acc []float64) {
	eachBatch(docs, func(batch []uint32) {
		for _, d := range batch {
			acc[d] += w
		}
	})
}

// eachBatch calls f with the members of bm in increasing order, a batch at
// a time: hot loops over thousands of members pay one call per batch, not
// one per member.
func eachBatch(bm *roaring.Bitmap, f func(batch []uint32)) {
	buf := batches.Get().(*[256]uint32) // the iterator keeps it on the heap
	it := bm.ManyIterator()
	for n := it.NextMany(buf[:]); n > 0; n = it.NextMany(buf[:]) {
		f(buf[:n])
	}
	batches.Put(buf)
}

var batches = sync.Pool{New: func() any { return new([256]uint32) }}

// scores is a pool of score accumulators, one slot per document of a
// segment.
var scores = sync.Pool{New: func() any { return new([]float64) }}

// snapshot returns the live index's current snapshot; the caller closes
// it.
func (x *Index) snapshot() (*indexSnapshot, error) {
	return snapshotOf(x.live)
}

// thaiTexts returns the texts p's Thai words found within their typos.
func (p *plan) thaiTexts() []string {
	var out []string
	var walk func(*plan)
	walk = func(p *plan) {
		out = append(out, p.texts...)
		for _, k := range p.kids {
			walk(k)
		}
	}
	walk(p)
	slices.Sort(out)
	return slices.Compact(out)
}

// termsOf returns the terms p looks for in field.
func (p *plan) termsOf(field string) map[string]bool {
	out := map[string]bool{}
	var walk func(*plan)
	walk = func(p *plan) {
		if p.op == opTerms && p.field == field {
			for _, t := range p.terms {
				out[string(t.term)] = true
			}
		}
		for _, k := range p.kids {
			walk(k)
		}
	}
	walk(p)
	return out
}
