package embedded

import (
	"encoding/json"
	"fmt"
	"strconv"
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
// maps one to one.
const (
	fDoc          = "doc" // the whole document as JSON, stored only
	fNameEN       = "name_en"
	fDescEN       = "description_en"
	fTags         = "tags"
	fProducerEN   = "producer_name_en"
	fProvinceEN   = "province_name_en"
	fNameENRaw    = "name_en_raw"
	fNameTHGrams  = "name_th_ng"
	fDescTHGrams  = "description_th_ng"
	fProdTHGrams  = "producer_name_th_ng"
	fProvTHGrams  = "province_name_th_ng"
	fTagsGrams    = "tags_ng"
	fNameKey      = "name_key"  // lowercased whole names (en and th), for exact-name and name-prefix boosts
	fNameSort     = "name_sort" // lowercased name_en, for the name sort
	fCategory     = "category"
	fProvince     = "province_code"
	fCluster      = "cluster_id"
	fRegion       = "region"
	fSelectCenter = "select_center_id"
	fCreative     = "creative_industry"
	fCerts        = "certifications"
	fProducer     = "producer_id"
	fHSCode       = "hs_code"
	fCertNumbers  = "certificate_numbers"
	fStarsKey     = "otop_stars_kw" // "1".."5", absent when unrated: the facet
	fTopotopKey   = "topotop_kw"    // "true"/"false": the facet
	fStars        = "otop_stars"
	fTopotop      = "topotop"
	fPrice        = "price_minor"
	fPublished    = "published_ms"
)

// facetFields maps the contract's facet names to index fields.
var facetFields = map[string]string{
	"category":          fCategory,
	"province_code":     fProvince,
	"cluster_id":        fCluster,
	"region":            fRegion,
	"select_center_id":  fSelectCenter,
	"creative_industry": fCreative,
	"otop_stars":        fStarsKey,
	"topotop":           fTopotopKey,
	"certifications":    fCerts,
}

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

	text := func(analyzer string, store bool) *mapping.FieldMapping {
		fm := mapping.NewTextFieldMapping()
		fm.Analyzer = analyzer
		fm.Store = store
		fm.IncludeTermVectors = true // phrase queries and highlighting
		fm.IncludeInAll = false
		fm.DocValues = false
		return fm
	}
	kw := func() *mapping.FieldMapping {
		fm := mapping.NewKeywordFieldMapping()
		fm.Store = false
		fm.IncludeTermVectors = false
		fm.IncludeInAll = false
		fm.DocValues = true
		return fm
	}
	num := func() *mapping.FieldMapping {
		fm := mapping.NewNumericFieldMapping()
		fm.Store = false
		fm.IncludeInAll = false
		fm.DocValues = true
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

	dm.AddFieldMappingsAt(fNameEN, text(en.AnalyzerName, true))
	dm.AddFieldMappingsAt(fDescEN, text(en.AnalyzerName, true))
	for _, f := range []string{fTags, fProducerEN, fProvinceEN} {
		dm.AddFieldMappingsAt(f, text(en.AnalyzerName, false))
	}
	dm.AddFieldMappingsAt(fNameENRaw, text(rawAnalyzer, false))
	for _, f := range []string{fNameTHGrams, fDescTHGrams, fProdTHGrams, fProvTHGrams, fTagsGrams} {
		dm.AddFieldMappingsAt(f, text(gramAnalyzer, false))
	}
	for _, f := range []string{fNameKey, fNameSort, fCategory, fProvince, fCluster, fRegion, fSelectCenter,
		fCreative, fCerts, fProducer, fHSCode, fCertNumbers, fStarsKey, fTopotopKey} {
		dm.AddFieldMappingsAt(f, kw())
	}
	for _, f := range []string{fStars, fPrice, fPublished} {
		dm.AddFieldMappingsAt(f, num())
	}
	b := mapping.NewBooleanFieldMapping()
	b.Store = false
	b.IncludeInAll = false
	b.DocValues = true
	dm.AddFieldMappingsAt(fTopotop, b)

	im.DefaultMapping = dm
	return im, nil
}

// indexDoc is the flattened form bleve indexes for one document.
func indexDoc(d catalog.SearchDocument) (map[string]any, error) {
	raw, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encode document %s: %w", d.ID, err)
	}
	m := map[string]any{
		fDoc:        string(raw),
		fNameEN:     d.NameEN,
		fDescEN:     d.DescriptionEN,
		fTags:       d.Tags,
		fProducerEN: d.ProducerNameEN,
		fProvinceEN: d.ProvinceNameEN,
		fNameENRaw:  d.NameEN,
		fNameSort:   strings.ToLower(d.NameEN),
		fStars:      float64(d.OTOPStars),
		fTopotop:    d.Topotop,
		fTopotopKey: strconv.FormatBool(d.Topotop),
		fPrice:      float64(d.PriceMinor),
		fPublished:  float64(d.PublishedAt.UnixMilli()),
	}
	setGrams := func(field string, values ...string) {
		var parts []string
		for _, v := range values {
			if g := grams(v); g != "" {
				parts = append(parts, g)
			}
		}
		if len(parts) > 0 {
			m[field] = parts
		}
	}
	setGrams(fNameTHGrams, d.NameTH)
	setGrams(fDescTHGrams, d.DescriptionTH)
	setGrams(fProdTHGrams, d.ProducerNameTH)
	setGrams(fProvTHGrams, d.ProvinceNameTH)
	setGrams(fTagsGrams, d.Tags...)

	var keys []string
	for _, n := range []string{d.NameEN, d.NameTH} {
		if k := normalize(n); k != "" {
			keys = append(keys, k)
		}
	}
	m[fNameKey] = keys
	for f, v := range map[string]string{
		fCategory: d.Category, fProvince: d.ProvinceCode, fCluster: d.ClusterID, fRegion: d.Region,
		fSelectCenter: d.SelectCenterID, fCreative: d.CreativeIndustry, fProducer: d.ProducerID,
		fHSCode: strings.TrimSpace(d.HSCode),
	} {
		if v != "" {
			m[f] = v
		}
	}
	if d.OTOPStars > 0 {
		m[fStarsKey] = strconv.Itoa(d.OTOPStars)
	}
	m[fCerts] = distinct(d.Certifications)
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

// gramSize is the n of the character n-grams of Thai fields.
const gramSize = 3

// grams turns s into space-separated character grams: for every character
// of every whitespace-separated run, the gram of up to gramSize characters
// starting there. Every substring of a run of at most gramSize characters is
// then a prefix of some gram, and a longer substring is a sequence of full
// grams at consecutive positions, so substring search is exact: a prefix
// query for short substrings, a phrase query for longer ones.
func grams(s string) string {
	var b strings.Builder
	for _, run := range strings.Fields(strings.ToLower(s)) {
		r := []rune(run)
		for i := range r {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(string(r[i:min(i+gramSize, len(r))]))
		}
	}
	return b.String()
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
