package embedded

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/otopmarket/otop/internal/catalog"
)

// Analyzers defined in the index mapping (not in bleve's global registry).
const (
	// rawAnalyzer splits on Unicode word boundaries and lowercases, without
	// stemming: used for prefix matching of English names.
	rawAnalyzer = "otop_raw"
	// gramAnalyzer splits on whitespace only: the Thai fields are turned into
	// space-separated character grams in Go (see grams) before indexing.
	gramAnalyzer = "otop_grams"
)

// Index field names. The SearchDocument JSON names are kept where a field
// maps one to one. Text is indexed in three fields per language, by weight:
// the name, the other short texts (tags, producer and province names) and
// the description.
const (
	fDoc         = "doc" // the whole document (see encodeDoc), stored only
	fNameEN      = "name_en"
	fDescEN      = "description_en"
	fOtherEN     = "other_en"    // tags, producer and province names, and non-Thai words of Thai texts
	fNameENRaw   = "name_en_raw" // unstemmed, for prefix matching
	fNameTH      = "name_th_sub" // Thai fields: every substring of up to subLen characters (see substrings)
	fOtherTH     = "other_th_sub"
	fDescTH      = "description_th_tri" // Thai description: character trigrams (see trigrams)
	fSynonyms    = "synonyms"           // keywords of the synonym groups the document has a term of
	fNameKey     = "name_key"           // lowercased whole names (en and th), for exact-name and name-prefix boosts
	fHSCode      = "hs_code"
	fCertNumbers = "certificate_numbers"
)

// newMapping returns the index mapping. Nothing is indexed dynamically: every
// field has an explicit mapping and _all is not built.
func newMapping() (*mapping.IndexMappingImpl, error) {
	im := mapping.NewIndexMapping()
	if err := im.AddCustomAnalyzer(rawAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicodetok.Name,
		"token_filters": []any{lowercase.Name},
	}); err != nil {
		return nil, fmt.Errorf("raw analyzer: %w", err)
	}
	if err := im.AddCustomAnalyzer(gramAnalyzer, map[string]any{
		"type":      custom.Name,
		"tokenizer": whitespace.Name,
	}); err != nil {
		return nil, fmt.Errorf("gram analyzer: %w", err)
	}
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false
	im.DefaultAnalyzer = keyword.Name

	// Text fields keep neither their text nor term vectors: the stored
	// document has the text, and highlights are computed from it (see
	// highlighter).
	text := func(analyzer string) *mapping.FieldMapping {
		fm := mapping.NewTextFieldMapping()
		fm.Analyzer = analyzer
		fm.Store = false
		fm.IncludeTermVectors = false
		fm.IncludeInAll = false
		fm.DocValues = false
		return fm
	}
	// Keyword fields match codes and whole names. Filters, facets, sorts
	// and pages come from the in-memory columns: no field keeps doc values,
	// and the filtered values are not indexed at all.
	kw := func() *mapping.FieldMapping {
		fm := mapping.NewKeywordFieldMapping()
		fm.Store = false
		fm.IncludeTermVectors = false
		fm.IncludeInAll = false
		fm.DocValues = false
		return fm
	}
	dm := mapping.NewDocumentStaticMapping()
	stored := mapping.NewTextFieldMapping()
	stored.Index = false
	stored.Store = true
	stored.IncludeInAll = false
	stored.IncludeTermVectors = false
	stored.DocValues = false
	dm.AddFieldMappingsAt(fDoc, stored)

	dm.AddFieldMappingsAt(fNameEN, text(en.AnalyzerName))
	dm.AddFieldMappingsAt(fDescEN, text(en.AnalyzerName))
	dm.AddFieldMappingsAt(fOtherEN, text(en.AnalyzerName))
	dm.AddFieldMappingsAt(fNameENRaw, text(rawAnalyzer))
	for _, f := range []string{fNameTH, fOtherTH, fDescTH} {
		dm.AddFieldMappingsAt(f, text(gramAnalyzer))
	}
	for _, f := range []string{fSynonyms, fNameKey, fHSCode, fCertNumbers} {
		dm.AddFieldMappingsAt(f, kw())
	}

	im.DefaultMapping = dm
	return im, nil
}

// indexDoc is the flattened form bleve indexes for one document.
func indexDoc(d catalog.SearchDocument) (map[string]any, error) {
	m := map[string]any{
		fDoc:       string(encodeDoc(&d)),
		fNameEN:    d.NameEN,
		fDescEN:    d.DescriptionEN,
		fNameENRaw: d.NameEN,
	}
	// Thai texts: Thai runs as substrings; their other words (codes, Latin
	// brand names) join the English short texts.
	other := append([]string{d.ProducerNameEN, d.ProvinceNameEN}, d.Tags...)
	thai := func(field string, tokens func(string) string, values ...string) {
		var subs []string
		for _, v := range values {
			th, rest := splitThai(v)
			if s := tokens(th); s != "" {
				subs = append(subs, s)
			}
			if rest != "" {
				other = append(other, rest)
			}
		}
		if len(subs) > 0 {
			m[field] = subs
		}
	}
	thai(fNameTH, substrings, d.NameTH)
	thai(fOtherTH, substrings, append([]string{d.ProducerNameTH, d.ProvinceNameTH}, d.Tags...)...)
	thai(fDescTH, trigrams, d.DescriptionTH) // long: trigrams, a sixth of the terms

	m[fOtherEN] = other
	m[fSynonyms] = documentSynonyms(append([]string{d.NameEN, d.DescriptionEN}, other...),
		append([]string{d.NameTH, d.DescriptionTH, d.ProducerNameTH, d.ProvinceNameTH}, d.Tags...))

	var keys []string
	for _, n := range []string{d.NameEN, d.NameTH} {
		if k := normalize(n); k != "" {
			keys = append(keys, k)
		}
	}
	m[fNameKey] = keys
	if hs := strings.TrimSpace(d.HSCode); hs != "" {
		m[fHSCode] = hs
	}
	var numbers []string
	for _, n := range d.CertificateNumbers {
		if n = strings.TrimSpace(n); n != "" {
			numbers = append(numbers, n)
		}
	}
	m[fCertNumbers] = distinct(numbers)
	return m, nil
}

func distinct(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// normalize lowercases s and collapses runs of white space, for whole-name
// keys.
func normalize(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// subLen is the longest Thai substring indexed as a term.
const subLen = 6

// substrings turns the Thai runs of s into space-separated terms: every
// substring of at most subLen characters. A Thai query of up to subLen
// characters is then one term, found wherever it occurs inside a word (Thai
// is written without spaces); a longer one is the conjunction of its
// overlapping subLen-character pieces.
func substrings(s string) string {
	return distinctTerms(s, func(r []rune, i int, add func(string)) {
		for n := 1; n <= subLen && i+n <= len(r); n++ {
			add(string(r[i : i+n]))
		}
	})
}

// trigrams turns the Thai runs of s into the space-separated distinct
// grams of up to three characters starting at each character: every
// substring of up to three characters is then a prefix of a gram.
func trigrams(s string) string {
	return distinctTerms(s, func(r []rune, i int, add func(string)) {
		add(string(r[i:min(i+3, len(r))]))
	})
}

// distinctTerms calls at for every character position of every
// whitespace-separated run of lowercased s, and joins the distinct terms it
// adds with spaces.
func distinctTerms(s string, at func(r []rune, i int, add func(string))) string {
	var b strings.Builder
	seen := map[string]bool{}
	add := func(t string) {
		if seen[t] {
			return
		}
		seen[t] = true
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t)
	}
	for _, run := range strings.Fields(strings.ToLower(s)) {
		r := []rune(run)
		for i := range r {
			at(r, i, add)
		}
	}
	return b.String()
}

// splitThai separates the Thai runs of s (joined by spaces) from its other
// words.
func splitThai(s string) (thai, rest string) {
	var th, other []string
	for _, chunk := range strings.Fields(s) {
		runs, isThai := scriptRuns(chunk)
		for i, r := range runs {
			if isThai[i] {
				th = append(th, r)
			} else {
				other = append(other, r)
			}
		}
	}
	return strings.Join(th, " "), strings.Join(other, " ")
}

// isThai reports whether r is in the Thai block.
func isThai(r rune) bool { return r >= 0x0E00 && r <= 0x0E7F }

// scriptRuns splits a whitespace-free chunk into maximal runs of Thai and
// of other characters.
func scriptRuns(chunk string) (runs []string, thai []bool) {
	start := 0
	var cur bool
	for i, r := range chunk {
		t := isThai(r)
		if i == 0 {
			cur = t
			continue
		}
		if t != cur {
			runs, thai = append(runs, chunk[start:i]), append(thai, cur)
			start, cur = i, t
		}
	}
	if start < len(chunk) {
		runs, thai = append(runs, chunk[start:]), append(thai, cur)
	}
	return runs, thai
}

// hasThai reports whether s contains Thai script.
func hasThai(s string) bool { return strings.IndexFunc(s, isThai) >= 0 }

// hasDigit reports whether s contains a digit.
func hasDigit(s string) bool { return strings.IndexFunc(s, unicode.IsDigit) >= 0 }
