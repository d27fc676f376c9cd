package catalog

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/errs"
)

// Limits on what a search may ask.
const (
	MaxSearchTextRunes = 200
	MaxSearchPage      = 1000
	MaxSearchPerPage   = 100
	MaxSuggestPrefix   = 50
	MaxSuggestions     = 10
)

// Search answers catalogue searches from the search index. It validates
// every parameter against the reference data, so engines only ever see
// known values.
type Search struct {
	index  SearchIndex
	places Places
}

// NewSearch builds the search service.
func NewSearch(index SearchIndex, places Places) *Search {
	return &Search{index: index, places: places}
}

// Search runs a validated query. Only published products are in the index.
func (s *Search) Search(ctx context.Context, q SearchQuery) (SearchResult, error) {
	q, err := s.check(q)
	if err != nil {
		return SearchResult{}, err
	}
	res, err := s.index.Search(ctx, q)
	if err != nil {
		return SearchResult{}, engineError(ctx, err)
	}
	return res, nil
}

// engineError marks a failure of the engine as unavailability (the caller
// may retry), unless the caller itself went away.
func engineError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return err
	}
	return fmt.Errorf("search engine: %w: %w", errs.ErrUnavailable, err)
}

// Suggest returns at most MaxSuggestions completions of prefix.
func (s *Search) Suggest(ctx context.Context, prefix string, limit int) ([]string, error) {
	prefix = strings.TrimSpace(prefix)
	var v errs.ValidationError
	switch n := utf8.RuneCountInString(prefix); {
	case n == 0:
		v.Add("q", "is required")
	case n > MaxSuggestPrefix:
		v.Add("q", "must be at most 50 characters")
	case !utf8.ValidString(prefix):
		v.Add("q", "must be valid UTF-8")
	}
	if limit == 0 {
		limit = MaxSuggestions
	}
	if limit < 1 || limit > MaxSuggestions {
		v.Add("limit", "must be an integer from 1 to 10")
	}
	if err := v.Err(); err != nil {
		return nil, errs.AsQuery(err)
	}
	out, err := s.index.Suggest(ctx, prefix, limit)
	if err != nil {
		return nil, engineError(ctx, err)
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// Ping checks the engine.
func (s *Search) Ping(ctx context.Context) error { return s.index.Ping(ctx) }

func (s *Search) check(q SearchQuery) (SearchQuery, error) {
	var v errs.ValidationError
	q.Text = strings.TrimSpace(q.Text)
	if !utf8.ValidString(q.Text) {
		v.Add("q", "must be valid UTF-8")
	} else if utf8.RuneCountInString(q.Text) > MaxSearchTextRunes {
		v.Add("q", "must be at most 200 characters")
	}
	if q.Lang != "" && q.Lang != "th" && q.Lang != "en" {
		v.Add("lang", "must be th or en")
	}
	f := q.Filters
	CheckFilterValues(s.places, ProductFilter{
		Province: f.Province, Cluster: f.Cluster, Region: f.Region, Category: f.Category,
		SelectCenter: f.SelectCenter, CreativeIndustry: f.CreativeIndustry, MinStars: f.MinStars,
	}, &v)
	if f.Producer != "" {
		if _, err := uuid.Parse(f.Producer); err != nil {
			v.Add("producer", "must be a producer id (a UUID)")
		}
	}
	for _, p := range []struct {
		field string
		value *int64
	}{{"min_price", f.MinPrice}, {"max_price", f.MaxPrice}} {
		if p.value != nil && (*p.value < 0 || *p.value > 1_000_000_000_000) {
			v.Add(p.field, "must be an amount in minor units (satang) from 0 to 10^12")
		}
	}
	if f.MinPrice != nil && f.MaxPrice != nil && *f.MinPrice > *f.MaxPrice {
		v.Add("max_price", "must not be below min_price")
	}
	if f.Certification != "" {
		if k, ok := s.places.CertificationKind(f.Certification); !ok || k.Rated {
			v.Add("certification", "must be a certification kind such as thai_fda, halal or organic (see GET /v1/certification-kinds); use min_stars for OTOP stars")
		}
	}
	known := SearchFacets()
	for _, facet := range q.Facets {
		if !slices.Contains(known, facet) {
			v.Add("facets", "each facet must be one of "+strings.Join(known, ", "))
			break
		}
	}
	q.Facets = slices.Compact(slices.Sorted(slices.Values(q.Facets)))
	switch q.Sort {
	case "":
		q.Sort = SearchSortNewest
		if q.Text != "" {
			q.Sort = SearchSortRelevance
		}
	case SearchSortRelevance, SearchSortNewest, SearchSortPriceAsc, SearchSortPriceDesc, SearchSortName:
	default:
		v.Add("sort", "must be one of relevance, newest, price_asc, price_desc, name")
	}
	if q.Page == 0 {
		q.Page = 1
	}
	if q.Page < 1 || q.Page > MaxSearchPage {
		v.Add("page", "must be an integer from 1 to 1000")
	}
	if q.PerPage == 0 {
		q.PerPage = 20
	}
	if q.PerPage < 1 || q.PerPage > MaxSearchPerPage {
		v.Add("per_page", "must be an integer from 1 to 100")
	}
	return q, errs.AsQuery(v.Err())
}
