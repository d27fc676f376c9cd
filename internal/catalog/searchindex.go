package catalog

// The contract between the catalogue and the search engines: the document
// an engine indexes, a query, its result, and the SearchIndex interface that
// search/meili and search/embedded implement.

import (
	"context"
	"time"
)

// SearchDocument is what the search engines index of a published product:
// its public fields, flattened. Only published products are ever indexed.
type SearchDocument struct {
	ID               string   `json:"id"`
	NameTH           string   `json:"name_th"`
	NameEN           string   `json:"name_en"`
	DescriptionTH    string   `json:"description_th"`
	DescriptionEN    string   `json:"description_en"`
	Tags             []string `json:"tags"`
	ProducerID       string   `json:"producer_id"`
	ProducerNameTH   string   `json:"producer_name_th"`
	ProducerNameEN   string   `json:"producer_name_en"`
	Category         string   `json:"category"`
	CreativeIndustry string   `json:"creative_industry"` // "" when none
	ProvinceCode     string   `json:"province_code"`
	ProvinceNameTH   string   `json:"province_name_th"`
	ProvinceNameEN   string   `json:"province_name_en"`
	ClusterID        string   `json:"cluster_id"` // "" for Bangkok
	Region           string   `json:"region"`
	SelectCenterID   string   `json:"select_center_id"`
	OTOPStars        int      `json:"otop_stars"` // 0 when unrated
	Topotop          bool     `json:"topotop"`
	PriceMinor       int64    `json:"price_minor"`
	Currency         string   `json:"currency"`
	// Certifications are the kinds of the product's certificates that have
	// not expired at indexing time (the indexer re-indexes on expiry).
	Certifications     []string  `json:"certifications"`
	CertificateNumbers []string  `json:"certificate_numbers"` // matched exactly, no typo tolerance
	HSCode             string    `json:"hs_code"`             // matched exactly, no typo tolerance
	ImageURL           string    `json:"image_url"`           // the cover's smallest variant, "" when none
	PublishedAt        time.Time `json:"published_at"`
	CreatedAt          time.Time `json:"created_at"`
	// Staged marks the document of a product under review, which only a
	// Stager holds, hidden from every search (PublishedAt is zero).
	Staged bool `json:"-"`
}

// SearchFilters narrow a search. Every value is checked against the
// reference data before it reaches an engine; engines must still treat them
// as data (escape or use typed filter builders), never as query syntax.
type SearchFilters struct {
	Province         string
	Cluster          string
	Region           string
	Category         string
	SelectCenter     string
	CreativeIndustry string
	Topotop          *bool
	MinStars         int    // 0 = any
	Producer         string // producer id, "" = any
	MinPrice         *int64 // minor units, inclusive
	MaxPrice         *int64 // minor units, inclusive
	Certification    string // a certification kind the product holds unexpired
}

// Search sorts.
const (
	SearchSortRelevance = "relevance" // default when there is a text query
	SearchSortNewest    = "newest"    // published_at desc; default without a text query
	SearchSortPriceAsc  = "price_asc"
	SearchSortPriceDesc = "price_desc"
	SearchSortName      = "name" // name_en asc
)

// SearchFacets are the fields a search can count values of.
func SearchFacets() []string {
	return []string{"category", "province_code", "cluster_id", "region", "select_center_id",
		"creative_industry", "otop_stars", "topotop", "certifications"}
}

// SearchQuery is one search. Text may be Thai, English or mixed; Lang
// ("th" or "en", "" = both) chooses which fields are highlighted.
type SearchQuery struct {
	Text    string
	Lang    string
	Filters SearchFilters
	Facets  []string // names from SearchFacets
	Sort    string
	Page    int // 1-based
	PerPage int // 1..100
}

// SearchHit is one matching product with highlighted snippets, keyed by
// field name (name_en, name_th, description_en, description_th), matched
// terms wrapped in <em>…</em> and the rest HTML-escaped.
type SearchHit struct {
	Document   SearchDocument
	Highlights map[string]string
}

// SearchResult is one page of hits, the total number of matches and, for
// each requested facet, the count of each value among all matches (not
// only this page). Boolean and numeric facet values are spelled "true",
// "false", "1".."5"; products without a value (no creative industry,
// unrated) are not counted.
type SearchResult struct {
	Hits    []SearchHit
	Facets  map[string]map[string]int
	Total   int
	Page    int
	PerPage int
}

// SearchIndex is a search engine holding the published catalogue.
type SearchIndex interface {
	// Upsert adds or replaces documents; it returns once the engine has
	// applied them (searchable).
	Upsert(ctx context.Context, docs []SearchDocument) error
	// Delete removes documents by id; unknown ids are not an error.
	Delete(ctx context.Context, ids []string) error
	Search(ctx context.Context, q SearchQuery) (SearchResult, error)
	// Suggest returns at most limit distinct completions (product names in
	// the language of the prefix) for search-as-you-type.
	Suggest(ctx context.Context, prefix string, limit int) ([]string, error)
	// Rebuild builds a fresh index aside from the live one, fills it
	// through fill (which calls add with batches of documents), then swaps
	// it in atomically: searches keep answering from the old index until
	// the swap, and a failed rebuild leaves the live index untouched.
	Rebuild(ctx context.Context, fill func(add func([]SearchDocument) error) error) error
	Ping(ctx context.Context) error
}

// Stager is a SearchIndex that can also hold the documents of products
// under review, hidden from every search: the Indexer stages a product
// when it is submitted, and its approval then publishes the staged
// document without indexing it again, so that curators deciding in a burst
// do not wait on the engine's indexing. The embedded engine is one;
// Meilisearch, whose indexing runs in its own process, is not.
type Stager interface {
	// Stage indexes docs hidden, replacing any document of the same id.
	// Upsert of a document equal to a hidden one but for the fields a
	// review sets (publication, verified claims, TOPOTOP) shows it without
	// indexing it again.
	Stage(ctx context.Context, docs []SearchDocument) error
	// Staged returns the ids of the hidden documents.
	Staged() []string
}

// WatchIndex returns ix calling changed after every write to it, failed or
// not (a failed batch may be partly applied): caches of its replies use it
// to drop what they hold.
func WatchIndex(ix SearchIndex, changed func()) SearchIndex {
	return watchedIndex{SearchIndex: ix, changed: changed}
}

// WatchStager returns st calling changed after every Stage, failed or not:
// staging hides a document that was visible when a published product goes
// back to review.
func WatchStager(st Stager, changed func()) Stager {
	return watchedStager{Stager: st, changed: changed}
}

type watchedStager struct {
	Stager
	changed func()
}

func (st watchedStager) Stage(ctx context.Context, docs []SearchDocument) error {
	defer st.changed()
	return st.Stager.Stage(ctx, docs)
}

type watchedIndex struct {
	SearchIndex
	changed func()
}

func (ix watchedIndex) Upsert(ctx context.Context, docs []SearchDocument) error {
	defer ix.changed()
	return ix.SearchIndex.Upsert(ctx, docs)
}

func (ix watchedIndex) Delete(ctx context.Context, ids []string) error {
	defer ix.changed()
	return ix.SearchIndex.Delete(ctx, ids)
}

func (ix watchedIndex) Rebuild(ctx context.Context, fill func(add func([]SearchDocument) error) error) error {
	defer ix.changed()
	return ix.SearchIndex.Rebuild(ctx, fill)
}
