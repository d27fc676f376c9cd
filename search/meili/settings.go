package meili

import (
	"github.com/meilisearch/meilisearch-go"

	"github.com/otopmarket/otop/internal/catalog"
)

// searchableAttributes in order of importance: Meilisearch's "attribute"
// ranking rule prefers a match in an earlier attribute. Names first, then
// tags (curated keywords), who makes it and where, the long descriptions,
// and last the codes, which are matched without typos.
var searchableAttributes = []string{
	"name_en", "name_th",
	"tags",
	"producer_name_en", "producer_name_th",
	"province_name_en", "province_name_th",
	"description_en", "description_th",
	"hs_code", "certificate_numbers",
}

// filterableAttributes are the fields catalog.SearchFilters and
// catalog.SearchFacets use.
var filterableAttributes = []string{
	"category", "province_code", "cluster_id", "region", "select_center_id",
	"creative_industry", "topotop", "otop_stars", "producer_id", "price_minor",
	"certifications",
}

// sortableAttributes back the catalog.SearchSort* orders; id breaks ties.
var sortableAttributes = []string{"published_at_unix_ms", "price_minor", "name_en", "id"}

// rankingRules are Meilisearch's defaults, spelled out so that a change of
// default in a server upgrade does not silently change our ranking. "sort"
// after "attribute" keeps relevance first for text queries with a sort.
var rankingRules = []string{"words", "typo", "proximity", "attribute", "sort", "exactness"}

// noTypoAttributes are codes: an HS code or a certificate number one digit
// off is another product.
var noTypoAttributes = []string{"hs_code", "certificate_numbers"}

// maxValuesPerFacet is above the number of values of any facet (77
// provinces, a few dozen categories) so that counts are never truncated.
const maxValuesPerFacet = 1000

// synonyms turns catalog.SearchSynonyms into Meilisearch's map, where a key's list
// holds the words a query for the key also matches; listing every other
// member of the group under each member makes the relation mutual.
func synonyms() map[string][]string {
	out := make(map[string][]string)
	for _, g := range catalog.SearchSynonyms() {
		for _, w := range g {
			for _, o := range g {
				if o != w {
					out[w] = append(out[w], o)
				}
			}
		}
	}
	return out
}

// localizedAttributes tells Meilisearch which language each field is in, so
// that it segments Thai fields with its Thai segmenter (Thai is written
// without spaces) instead of guessing the language per value. Meilisearch
// supports the setting from v1.10.
var localizedAttributes = []*meilisearch.LocalizedAttributes{
	{Locales: []string{"tha"}, AttributePatterns: []string{"*_th"}},
	{Locales: []string{"eng"}, AttributePatterns: []string{"*_en"}},
}

// indexSettings is the whole configuration of a catalogue index. It is sent
// as one PATCH /indexes/{uid}/settings, so it is applied in one task.
func indexSettings(maxTotalHits int64) *meilisearch.Settings {
	return &meilisearch.Settings{
		RankingRules:         rankingRules,
		SearchableAttributes: searchableAttributes,
		FilterableAttributes: filterableAttributes,
		SortableAttributes:   sortableAttributes,
		Synonyms:             synonyms(),
		LocalizedAttributes:  localizedAttributes,
		TypoTolerance: &meilisearch.TypoTolerance{
			Enabled: true,
			// Meilisearch's defaults; the struct has no "unset", and 0
			// would allow typos in one-letter words.
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: 5, TwoTypos: 9},
			DisableOnWords:      []string{},
			DisableOnAttributes: noTypoAttributes,
		},
		Pagination: &meilisearch.Pagination{MaxTotalHits: maxTotalHits},
		Faceting: &meilisearch.Faceting{
			MaxValuesPerFacet: maxValuesPerFacet,
			SortFacetValuesBy: map[string]meilisearch.SortFacetType{"*": meilisearch.SortFacetTypeAlpha},
		},
	}
}
