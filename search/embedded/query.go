package embedded

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/otopmarket/otop/internal/catalog"
)

// Limits on what a query can make the engine do. The API bounds queries
// much more tightly; these keep the engine safe on its own.
const (
	maxTextRunes  = 1000  // longer text is cut at a word boundary
	maxClauses    = 64    // more distinct words match nothing
	maxWordRunes  = 64    // longer words get neither typos nor prefix
	maxWindow     = 10000 // hits beyond from+size = maxWindow are not returned
	defPerPage    = 20
	maxPerPage    = 100
	maxSuggest    = 100
	snippetRunes  = 240
	snippetBefore = 80
)

// Field boosts: names > other short texts (tags, producer and province
// names) > descriptions.
const (
	boostName     = 4
	boostOther    = 2
	boostDesc     = 1
	boostExact    = 10
	boostCode     = 10
	boostPrefix   = 2
	boostNameHead = 5
)

type weighted struct {
	name  string
	boost float64
}

var (
	englishFields = []weighted{{fNameEN, boostName}, {fOtherEN, boostOther}, {fDescEN, boostDesc}}
	thaiFields    = []weighted{{fNameTH, boostName}, {fOtherTH, boostOther}}
)

// parsedText is a query's text split into words, each word a clause that a
// hit must match somewhere.
type parsedText struct {
	clauses  []query.Query
	thai     []string // Thai runs, for highlighting
	synEN    []string // English terms of the synonym groups matched, highlighted in Go
	english  bool     // some clause searches the English fields
	blank    bool     // nothing searchable: behaves like an empty query
	tooMany  bool     // more distinct words than maxClauses: matches nothing
	whole    string   // trimmed text, for exact-name and code matches
	keyWhole string
}

// cutText bounds text to maxTextRunes, dropping a word cut in the middle.
// The second result reports whether the text ended inside a word (so its
// last word may be a prefix being typed).
func cutText(text string) (string, bool) {
	if utf8.RuneCountInString(text) <= maxTextRunes {
		return text, text != "" && !unicode.IsSpace(lastRune(text))
	}
	n := 0
	for i := range text {
		if n == maxTextRunes {
			cut := text[:i]
			if r, _ := utf8.DecodeRuneInString(text[i:]); !unicode.IsSpace(r) {
				// Drop the word cut in two, unless it is the only one: a
				// single overlong word is searched cut (and matches nothing).
				if j := strings.LastIndexFunc(cut, unicode.IsSpace); j >= 0 {
					cut = cut[:j]
				}
			}
			return cut, false
		}
		n++
	}
	return text, false
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// parseText builds the per-word clauses of text. Nothing in text is ever
// parsed as query syntax: words become analysed match, fuzzy, prefix, term
// and phrase queries. A run of words that is a synonym (see
// catalog.SearchSynonyms) becomes one clause matching any of its group.
func (x *Index) parseText(text string) parsedText {
	text, typing := cutText(text)
	p := parsedText{whole: strings.TrimSpace(text), keyWhole: normalize(text)}
	chunks := strings.Fields(strings.ToLower(text))
	seen := map[string]bool{}
	add := func(key string, c query.Query) {
		if c == nil || seen[key] {
			return
		}
		seen[key] = true
		p.clauses = append(p.clauses, c)
	}
	for ci := 0; ci < len(chunks); {
		if group, n := synonymAt(chunks[ci:]); n > 0 {
			key := strings.Join(chunks[ci:ci+n], " ")
			add(key, x.synonymClause(group, key, &p))
			ci += n
			continue
		}
		chunk := chunks[ci]
		runs, thai := scriptRuns(chunk)
		for ri, r := range runs {
			last := typing && ci == len(chunks)-1 && ri == len(runs)-1
			switch group, ok := synonymIndex[r]; {
			case ok && thai[ri]:
				add(r, x.synonymClause(group, r, &p))
			case thai[ri]:
				p.thai = append(p.thai, r)
				add(r, thaiClause(r))
			default:
				c := x.englishClause(r, last)
				if c != nil {
					p.english = true
				}
				if last {
					// The word being typed also matches as a prefix; keep
					// it distinct from the same finished word.
					r += "\x00"
				}
				add(r, c)
			}
		}
		ci++
	}
	if len(p.clauses) > maxClauses {
		p.tooMany = true
	}
	p.blank = len(p.clauses) == 0
	if p.blank && strings.IndexFunc(text, isWordRune) >= 0 {
		// Only stop words ("or", "the"): match nothing rather than the
		// whole catalogue. Text without letters or digits is an empty query.
		p.blank, p.tooMany = false, true
	}
	return p
}

// maxSynonymWords is the most words in a synonym term.
const maxSynonymWords = 3

// synonymAt reports the group of the longest synonym term that chunks
// start with (Thai words are handled with the script runs), and how many
// chunks it spans (0 when none).
func synonymAt(chunks []string) (int, int) {
	for n := min(maxSynonymWords, len(chunks)); n >= 1; n-- {
		term := strings.Join(chunks[:n], " ")
		if g, ok := synonymIndex[term]; ok && !hasThai(term) {
			return g, n
		}
	}
	return 0, 0
}

// synonymClause matches the typed term of group g as any other word would
// (for typos, ranking and highlighting) or any document holding a term of
// the group (indexed with it; see documentSynonyms).
func (x *Index) synonymClause(g int, typed string, p *parsedText) query.Query {
	for _, term := range synonymGroups[g] {
		if hasThai(term) {
			p.thai = append(p.thai, term) // highlighted in Go
		} else {
			p.synEN = append(p.synEN, term)
		}
	}
	syn := bleve.NewTermQuery(synonymKey(g))
	syn.SetField(fSynonyms)
	syn.SetBoost(boostDesc)
	alts := []query.Query{syn}
	if hasThai(typed) {
		alts = append(alts, thaiClause(typed))
	} else {
		var words []query.Query
		for _, w := range strings.Fields(typed) {
			if c := x.englishClause(w, false); c != nil {
				words = append(words, c)
			}
		}
		if len(words) > 0 {
			p.english = true
			alts = append(alts, bleve.NewConjunctionQuery(words...))
		}
	}
	return bleve.NewDisjunctionQuery(alts...)
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// thaiClause matches s as a substring of any Thai field, and with typos
// in the fields of substrings (thaitypos.go).
func thaiClause(s string) query.Query {
	qs := make([]query.Query, 0, len(thaiFields)+1)
	for _, f := range thaiFields {
		qs = append(qs, thaiWordQuery(s, f.name, f.boost))
	}
	qs = append(qs, trigramQuery(s, fDescTH, boostDesc))
	return bleve.NewDisjunctionQuery(qs...)
}

// trigramQuery matches s (Thai, no white space) in a field of character
// trigrams (see trigrams): a prefix of a trigram when s is shorter, else
// every trigram of s. Trigram positions are not indexed, so a long s may
// match a text holding its trigrams apart; in running Thai text that is
// rare, and it only concerns descriptions, the least weighted field.
func trigramQuery(s, field string, boost float64) query.Query {
	r := []rune(strings.ToLower(s))
	if len(r) < 3 {
		q := bleve.NewPrefixQuery(string(r))
		q.SetField(field)
		q.SetBoost(boost)
		return q
	}
	parts := make([]query.Query, 0, len(r)-2)
	for i := 0; i+3 <= len(r); i++ {
		q := bleve.NewTermQuery(string(r[i : i+3]))
		q.SetField(field)
		q.SetBoost(boost)
		parts = append(parts, q)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return bleve.NewConjunctionQuery(parts...)
}

// substringQuery matches s (Thai, no white space) as a substring of a Thai
// field (see substrings).
func substringQuery(s, field string, boost float64) query.Query {
	r := []rune(strings.ToLower(s))
	term := func(t string) *query.TermQuery {
		q := bleve.NewTermQuery(t)
		q.SetField(field)
		q.SetBoost(boost)
		return q
	}
	if len(r) <= subLen {
		return term(string(r))
	}
	var parts []query.Query
	for i := 0; ; i += subLen - 1 {
		if i+subLen >= len(r) {
			parts = append(parts, term(string(r[len(r)-subLen:])))
			break
		}
		parts = append(parts, term(string(r[i:i+subLen])))
	}
	return bleve.NewConjunctionQuery(parts...)
}

// fuzziness is the number of typos tolerated in a word: like Meilisearch's
// defaults, one from 5 letters, two from 9, none in words with digits (codes,
// sizes, years).
func fuzziness(w string) int {
	n := utf8.RuneCountInString(w)
	switch {
	case hasDigit(w) || n > maxWordRunes:
		return 0
	case n >= 9:
		return 2
	case n >= 5:
		return 1
	}
	return 0
}

// englishClause matches a non-Thai word in the English fields (stemmed, with
// typos), as a prefix of a name word when it is the word being typed, and
// exactly as an HS code or certificate number. It is nil when the word has
// nothing searchable (punctuation, English stop words).
func (x *Index) englishClause(w string, last bool) query.Query {
	if len(x.analyzer(en.AnalyzerName).Analyze([]byte(w))) == 0 && !hasDigit(w) {
		return nil
	}
	var qs []query.Query
	fuzz := fuzziness(w)
	for _, f := range englishFields {
		m := bleve.NewMatchQuery(w)
		m.SetField(f.name)
		m.SetFuzziness(fuzz)
		m.SetOperator(query.MatchQueryOperatorAnd)
		m.SetBoost(f.boost)
		qs = append(qs, m)
	}
	if raw := x.analyzer(rawAnalyzer).Analyze([]byte(w)); last && len(raw) == 1 &&
		utf8.RuneCount(raw[0].Term) >= 2 && utf8.RuneCount(raw[0].Term) <= maxWordRunes {
		pq := bleve.NewPrefixQuery(string(raw[0].Term))
		pq.SetField(fNameENRaw)
		pq.SetBoost(boostPrefix)
		qs = append(qs, pq)
	}
	if hasDigit(w) {
		qs = append(qs, codeQueries(w)...)
	}
	return bleve.NewDisjunctionQuery(qs...)
}

// codeQueries match s exactly (no analysis, no typos) as an HS code or a
// certificate number.
func codeQueries(s string) []query.Query {
	var qs []query.Query
	for _, f := range []string{fHSCode, fCertNumbers} {
		t := bleve.NewTermQuery(s)
		t.SetField(f)
		t.SetBoost(boostCode)
		qs = append(qs, t)
	}
	return qs
}

func (x *Index) analyzer(name string) analysis.Analyzer {
	return x.mapping.AnalyzerNamed(name)
}

// Search implements catalog.SearchIndex.
func (x *Index) Search(ctx context.Context, q catalog.SearchQuery) (catalog.SearchResult, error) {
	if err := ctx.Err(); err != nil {
		return catalog.SearchResult{}, err // the caller has gone or given up: nobody would read the answer
	}
	page, perPage := max(q.Page, 1), q.PerPage
	if perPage < 1 {
		perPage = defPerPage
	}
	perPage = min(perPage, maxPerPage)
	for _, f := range q.Facets {
		if !knownFacet(f) {
			return catalog.SearchResult{}, fmt.Errorf("embedded: unknown facet %q", f)
		}
	}
	pt := x.parseText(q.Text)
	sort := cmp.Or(q.Sort, catalog.SearchSortRelevance)
	if _, ok := orderOf[sort]; !ok {
		return catalog.SearchResult{}, fmt.Errorf("embedded: unknown sort %q", q.Sort)
	}
	if pt.blank {
		return x.browse(ctx, q, page, perPage)
	}
	// tq is the text's query; the filters apply on the columns.
	var tq query.Query = bleve.NewMatchNoneQuery()
	if !pt.tooMany {
		alts := []query.Query{bleve.NewConjunctionQuery(pt.clauses...)}
		alts = append(alts, codeQueries(pt.whole)...)
		exact := bleve.NewTermQuery(pt.keyWhole)
		exact.SetField(fNameKey)
		exact.SetBoost(boostExact)
		alts = append(alts, exact)
		tq = bleve.NewDisjunctionQuery(alts...)
	}

	from := (page - 1) * perPage
	size := perPage
	if from+size > maxWindow {
		from, size = 0, 0
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return catalog.SearchResult{}, ErrClosed
	}
	cols := x.cols
	counters := newFacetCounters(cols, q.Facets)
	out := catalog.SearchResult{Page: page, PerPage: perPage, Hits: []catalog.SearchHit{}}
	rf, known := cols.compile(q.Filters)
	if !known { // a filter names a value no document has
		out.Facets = counters.result()
		return out, nil
	}
	snap, err := x.snapshot()
	if err != nil {
		return catalog.SearchResult{}, err
	}
	defer func() { _ = snap.Close() }()
	tplan, err := x.planQuery(snap, tq)
	if err != nil {
		return catalog.SearchResult{}, err
	}
	tables, err := x.segSlots.tables(snap, cols)
	if err != nil {
		return catalog.SearchResult{}, err
	}
	top := newTopK(from + size)
	out.Total, err = pass(snap, tables, tplan, cols, &rf, counters, top, orderOf[sort], sort == catalog.SearchSortRelevance)
	if err != nil {
		return catalog.SearchResult{}, err
	}
	out.Facets = counters.result()

	// The page's documents and their highlights.
	hits := top.page(from)
	docs, err := storedDocs(snap, hits)
	if err != nil {
		return catalog.SearchResult{}, err
	}
	for i := range docs {
		cols.unstage(&docs[i], hits[i].slot)
	}
	var hl *highlighter
	if pt.english && q.Lang != "th" {
		hl = x.newHighlighter(tplan)
	}
	pt.thai = append(pt.thai, tplan.thaiTexts()...) // what Thai words with typos matched
	out.Hits = make([]catalog.SearchHit, len(docs))
	for i := range docs {
		out.Hits[i] = textHit(docs[i], &pt, hl, q.Lang)
	}
	return out, nil
}

// textHit is a hit of a text search: its document and highlights.
func textHit(d catalog.SearchDocument, pt *parsedText, hl *highlighter, lang string) catalog.SearchHit {
	hit := catalog.SearchHit{Document: d, Highlights: map[string]string{}}
	if hl != nil {
		if s, ok := hl.mark(d.NameEN, false, hl.name, hl.nameRaw); ok {
			hit.Highlights[fNameEN] = s
		}
		if s, ok := hl.mark(d.DescriptionEN, true, hl.desc, nil); ok {
			hit.Highlights[fDescEN] = s
		}
	}
	if len(pt.synEN) > 0 && lang != "th" {
		// Synonyms match through their group's keyword, which is
		// not in the text: mark their English terms.
		for f, text := range map[string]string{fNameEN: d.NameEN, fDescEN: d.DescriptionEN} {
			if _, done := hit.Highlights[f]; !done {
				if s, ok := highlightWords(text, pt.synEN, f == fDescEN); ok {
					hit.Highlights[f] = s
				}
			}
		}
	}
	if len(pt.thai) > 0 && lang != "en" {
		if s, ok := highlightThai(d.NameTH, pt.thai, false); ok {
			hit.Highlights["name_th"] = s
		}
		if s, ok := highlightThai(d.DescriptionTH, pt.thai, true); ok {
			hit.Highlights["description_th"] = s
		}
	}
	return hit
}

// browse answers a search without text from the columns, then reads the
// page's documents from bleve.
func (x *Index) browse(ctx context.Context, q catalog.SearchQuery, page, perPage int) (catalog.SearchResult, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return catalog.SearchResult{}, ErrClosed
	}
	ids, total, facets := x.cols.browse(q.Filters, q.Sort, q.Facets, (page-1)*perPage, perPage)
	out := catalog.SearchResult{Total: total, Page: page, PerPage: perPage, Hits: []catalog.SearchHit{}, Facets: facets}
	if len(ids) == 0 {
		return out, nil
	}
	snap, err := x.snapshot()
	if err != nil {
		return catalog.SearchResult{}, err
	}
	defer func() { _ = snap.Close() }()
	byID, err := docsByID(snap, ids)
	if err != nil {
		return catalog.SearchResult{}, err
	}
	for _, id := range ids {
		d, ok := byID[id]
		if !ok {
			return catalog.SearchResult{}, fmt.Errorf("embedded: document %s is in the columns but not in the index", id)
		}
		x.cols.unstage(&d, x.cols.byID[id])
		out.Hits = append(out.Hits, catalog.SearchHit{Document: d, Highlights: map[string]string{}})
	}
	return out, nil
}

// Suggest implements catalog.SearchIndex: names in the language of the
// prefix (Thai when it has Thai script) that contain the prefix, names that
// start with it first.
func (x *Index) Suggest(ctx context.Context, prefix string, limit int) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := []string{}
	prefix, _ = cutText(prefix)
	key := normalize(prefix)
	if limit <= 0 || key == "" {
		return out, nil
	}
	limit = min(limit, maxSuggest)
	thai := hasThai(prefix)
	var must []query.Query
	if thai {
		for _, chunk := range strings.Fields(key) {
			must = append(must, thaiWordQuery(chunk, fNameTH, 1))
		}
	} else {
		toks := x.analyzer(rawAnalyzer).Analyze([]byte(prefix))
		if len(toks) == 0 {
			return out, nil
		}
		typing := !unicode.IsSpace(lastRune(prefix))
		for i, t := range toks {
			term := string(t.Term)
			if i == len(toks)-1 && typing {
				if utf8.RuneCountInString(term) > maxWordRunes {
					return out, nil
				}
				p := bleve.NewPrefixQuery(term)
				p.SetField(fNameENRaw)
				must = append(must, p)
				continue
			}
			tq := bleve.NewTermQuery(term)
			tq.SetField(fNameENRaw)
			must = append(must, tq)
		}
	}
	if len(must) > maxClauses {
		return out, nil
	}
	head := bleve.NewPrefixQuery(key)
	head.SetField(fNameKey)
	head.SetBoost(boostNameHead)
	q := bleve.NewDisjunctionQuery(bleve.NewConjunctionQuery(must...), head)

	return x.suggestNames(q, thai, limit)
}

// suggestCandidates bounds the matches a suggestion reads: names repeat
// (products of one name in several colours, sizes, packs), and each match
// read costs a stored document.
const suggestCandidates = 500

// suggestNames runs q as text searches run (a plan evaluated on the
// segments' bitmaps, not bleve's searchers, which are slow for a short
// prefix over a large catalogue) and returns the
// first limit distinct names of its best suggestCandidates matches, by
// score, then newest first.
func (x *Index) suggestNames(q query.Query, thai bool, limit int) ([]string, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return nil, ErrClosed
	}
	snap, err := x.snapshot()
	if err != nil {
		return nil, err
	}
	defer func() { _ = snap.Close() }()
	p, err := x.planQuery(snap, q)
	if err != nil {
		return nil, err
	}
	cols := x.cols
	tables, err := x.segSlots.tables(snap, cols)
	if err != nil {
		return nil, err
	}
	var all rowFilter // no filter
	top := newTopK(suggestCandidates)
	if _, err := pass(snap, tables, p, cols, &all, newFacetCounters(cols, nil), top, orderOf[catalog.SearchSortRelevance], true); err != nil {
		return nil, err
	}
	out := []string{}
	seen := map[string]bool{}
	segs := snap.Segments()
	for _, e := range top.page(0) {
		d, err := storedDoc(segs[e.seg], uint64(e.doc))
		if err != nil {
			return nil, err
		}
		name := d.NameEN
		if thai {
			name = d.NameTH
		}
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, name)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}
