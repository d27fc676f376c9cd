package meili

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/meilisearch/meilisearch-go"

	"github.com/otopmarket/otop/internal/catalog"
)

const (
	defaultPerPage = 20
	maxPerPage     = 100
	// descriptionCropWords is the snippet length of highlighted descriptions.
	descriptionCropWords = 40
	// suggestOverfetch: Suggest asks for this many times limit hits, since
	// several products may share a name.
	suggestOverfetch = 4

	// Meilisearch wraps matches in these private-use characters, not in
	// <em>…</em> directly: the contract wants the rest of the text
	// HTML-escaped, and a product name may itself contain "<em>". The
	// snippet is escaped first and the markers then become the tags.
	hlPre  = "\uE000"
	hlPost = "\uE001"
)

// Search runs one query: text, typed filters, facets, sort and page.
func (ix *Index) Search(ctx context.Context, q catalog.SearchQuery) (catalog.SearchResult, error) {
	if err := ctx.Err(); err != nil {
		return catalog.SearchResult{}, err // as itself: the client's errors may not unwrap to it
	}
	page, perPage := q.Page, q.PerPage
	if page < 1 {
		page = 1
	}
	if perPage < 1 {
		perPage = defaultPerPage
	}
	perPage = min(perPage, maxPerPage)
	sort, err := sortFor(q.Sort, q.Text)
	if err != nil {
		return catalog.SearchResult{}, err
	}
	for _, f := range q.Facets {
		if !slices.Contains(catalog.SearchFacets(), f) {
			return catalog.SearchResult{}, fmt.Errorf("meili: unknown facet %q", f)
		}
	}
	hl, crop := highlightFields(q.Lang)
	req := &meilisearch.SearchRequest{
		Query:       q.Text,
		Page:        int64(page),
		HitsPerPage: meilisearch.Int64Ptr(int64(perPage)),
		// Every query word must match (the embedded engine's semantics);
		// Meilisearch's default "last" would drop words until something
		// matches.
		MatchingStrategy:      meilisearch.All,
		Sort:                  sort,
		Facets:                q.Facets,
		AttributesToHighlight: hl,
		HighlightPreTag:       hlPre,
		HighlightPostTag:      hlPost,
		AttributesToCrop:      crop,
		CropLength:            descriptionCropWords,
		CropMarker:            "…",
	}
	if filter := buildFilter(q.Filters); len(filter) > 0 {
		req.Filter = filter
	}
	resp, err := ix.client.Index(ix.uid).SearchWithContext(ctx, q.Text, req)
	if err != nil {
		return catalog.SearchResult{}, fmt.Errorf("meili: search: %w", err)
	}

	out := catalog.SearchResult{
		Hits:    make([]catalog.SearchHit, 0, len(resp.Hits)),
		Total:   int(resp.TotalHits),
		Page:    page,
		PerPage: perPage,
	}
	for _, h := range resp.Hits {
		var doc catalog.SearchDocument
		if err := h.DecodeInto(&doc); err != nil {
			return catalog.SearchResult{}, fmt.Errorf("meili: decode hit: %w", err)
		}
		highlights, err := decodeHighlights(h["_formatted"], hl)
		if err != nil {
			return catalog.SearchResult{}, fmt.Errorf("meili: decode highlights of %s: %w", doc.ID, err)
		}
		out.Hits = append(out.Hits, catalog.SearchHit{Document: doc, Highlights: highlights})
	}
	if len(q.Facets) > 0 {
		if out.Facets, err = decodeFacets(resp.FacetDistribution, q.Facets); err != nil {
			return catalog.SearchResult{}, fmt.Errorf("meili: decode facets: %w", err)
		}
	}
	return out, nil
}

// Suggest returns at most limit distinct product names for search-as-you-
// type: Thai names when the prefix has Thai letters, English ones
// otherwise. Meilisearch treats the query's last word as a prefix.
func (ix *Index) Suggest(ctx context.Context, prefix string, limit int) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	prefix = strings.TrimSpace(prefix)
	if prefix == "" || limit < 1 {
		return nil, nil
	}
	field := "name_en"
	if hasThai(prefix) {
		field = "name_th"
	}
	req := &meilisearch.SearchRequest{
		Query:                prefix,
		Limit:                int64(min(limit*suggestOverfetch, 100)),
		AttributesToRetrieve: []string{field},
		AttributesToSearchOn: []string{field},
		MatchingStrategy:     meilisearch.All,
	}
	resp, err := ix.client.Index(ix.uid).SearchWithContext(ctx, prefix, req)
	if err != nil {
		return nil, fmt.Errorf("meili: suggest: %w", err)
	}
	out := make([]string, 0, limit)
	seen := make(map[string]bool)
	for _, h := range resp.Hits {
		var name string
		if raw, ok := h[field]; ok {
			if err := json.Unmarshal(raw, &name); err != nil {
				return nil, fmt.Errorf("meili: suggest: decode %s: %w", field, err)
			}
		}
		key := strings.ToLower(strings.TrimSpace(name))
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, name)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// buildFilter turns typed filters into Meilisearch's array form, whose
// elements are ANDed. Each element is one comparison; string values are
// always quoted with quoteValue, numbers and booleans come from Go values,
// so no value can add an operator, a parenthesis or another element.
func buildFilter(f catalog.SearchFilters) []string {
	var out []string
	eq := func(attr, v string) {
		if v != "" {
			out = append(out, attr+" = "+quoteValue(v))
		}
	}
	eq("province_code", f.Province)
	eq("cluster_id", f.Cluster)
	eq("region", f.Region)
	eq("category", f.Category)
	eq("select_center_id", f.SelectCenter)
	eq("creative_industry", f.CreativeIndustry)
	eq("producer_id", f.Producer)
	eq("certifications", f.Certification) // matches any element of the array
	if f.Topotop != nil {
		out = append(out, "topotop = "+strconv.FormatBool(*f.Topotop))
	}
	if f.MinStars > 0 {
		out = append(out, "otop_stars >= "+strconv.Itoa(f.MinStars))
	}
	if f.MinPrice != nil {
		out = append(out, "price_minor >= "+strconv.FormatInt(*f.MinPrice, 10))
	}
	if f.MaxPrice != nil {
		out = append(out, "price_minor <= "+strconv.FormatInt(*f.MaxPrice, 10))
	}
	return out
}

// quoteValue writes s as a double-quoted Meilisearch filter value. The
// filter parser ends a quoted value at the first '"' not preceded by a
// backslash escape, turns \" into ", and then unescapes \\ into \. So
// backslashes are doubled first and quotes escaped second; nothing else
// inside quotes is syntax (spaces, parentheses, AND/OR, emoji are literal).
func quoteValue(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// sortFor maps a catalog sort to Meilisearch sort rules; id breaks ties so
// that pages never overlap.
func sortFor(sort, text string) ([]string, error) {
	if sort == "" {
		sort = catalog.SearchSortNewest
		if strings.TrimSpace(text) != "" {
			sort = catalog.SearchSortRelevance
		}
	}
	switch sort {
	case catalog.SearchSortRelevance:
		return nil, nil
	case catalog.SearchSortNewest:
		return []string{"published_at_unix_ms:desc", "id:asc"}, nil
	case catalog.SearchSortPriceAsc:
		return []string{"price_minor:asc", "id:asc"}, nil
	case catalog.SearchSortPriceDesc:
		return []string{"price_minor:desc", "id:asc"}, nil
	case catalog.SearchSortName:
		return []string{"name_en:asc", "id:asc"}, nil
	default:
		return nil, fmt.Errorf("meili: unknown sort %q", sort)
	}
}

// highlightFields are the fields highlighted for a language ("" = both) and
// the subset of them cropped to a snippet (the descriptions).
func highlightFields(lang string) (highlight, crop []string) {
	switch lang {
	case "th":
		return []string{"name_th", "description_th"}, []string{"description_th"}
	case "en":
		return []string{"name_en", "description_en"}, []string{"description_en"}
	default:
		return []string{"name_en", "name_th", "description_en", "description_th"},
			[]string{"description_en", "description_th"}
	}
}

// decodeHighlights reads the requested fields of a hit's _formatted object.
func decodeHighlights(raw json.RawMessage, fields []string) (map[string]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return map[string]string{}, nil
	}
	var formatted map[string]json.RawMessage
	if err := json.Unmarshal(raw, &formatted); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(fields))
	for _, f := range fields {
		v, ok := formatted[f]
		if !ok || string(v) == "null" {
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if s != "" {
			out[f] = renderHighlight(s)
		}
	}
	return out, nil
}

// renderHighlight HTML-escapes a snippet marked with hlPre/hlPost and turns
// the markers into <em>…</em>, always balanced, even if the indexed text
// itself contained a marker character.
func renderHighlight(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 16)
	open := false
	for len(s) > 0 {
		i := strings.IndexAny(s, hlPre+hlPost)
		if i < 0 {
			b.WriteString(html.EscapeString(s))
			break
		}
		b.WriteString(html.EscapeString(s[:i]))
		marker := s[i : i+len(hlPre)] // both markers are 3 bytes in UTF-8
		switch {
		case marker == hlPre && !open:
			b.WriteString("<em>")
			open = true
		case marker == hlPost && open:
			b.WriteString("</em>")
			open = false
		}
		s = s[i+len(marker):]
	}
	if open {
		b.WriteString("</em>")
	}
	return b.String()
}

// decodeFacets converts facetDistribution (facet → value → count) into the
// contract's form: every requested facet present, values as strings, and
// products without a value not counted ("" for a missing creative industry
// or cluster, 0 for unrated stars).
func decodeFacets(raw json.RawMessage, facets []string) (map[string]map[string]int, error) {
	var dist map[string]map[string]int
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &dist); err != nil {
			return nil, err
		}
	}
	out := make(map[string]map[string]int, len(facets))
	for _, f := range facets {
		counts := make(map[string]int, len(dist[f]))
		for v, n := range dist[f] {
			if v == "" || (f == "otop_stars" && v == "0") || n == 0 {
				continue
			}
			counts[v] = n
		}
		out[f] = counts
	}
	return out, nil
}

func hasThai(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Thai, r) {
			return true
		}
	}
	return false
}
