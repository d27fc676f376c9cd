package api

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
)

type searchHitJSON struct {
	ID               string            `json:"id"`
	NameTH           string            `json:"name_th"`
	NameEN           string            `json:"name_en"`
	DescriptionTH    string            `json:"description_th"`
	DescriptionEN    string            `json:"description_en"`
	Category         string            `json:"category"`
	CreativeIndustry *string           `json:"creative_industry"`
	ProvinceCode     string            `json:"province_code"`
	ClusterID        *string           `json:"cluster_id"`
	Region           string            `json:"region"`
	SelectCenterID   string            `json:"select_center_id"`
	OTOPStars        *int              `json:"otop_stars"`
	Topotop          bool              `json:"topotop"`
	Price            moneyJSON         `json:"price"`
	Certifications   []string          `json:"certifications"`
	Tags             []string          `json:"tags"`
	ProducerID       string            `json:"producer_id"`
	ProducerNameTH   string            `json:"producer_name_th"`
	ProducerNameEN   string            `json:"producer_name_en"`
	ImageURL         *string           `json:"image_url"`
	PublishedAt      time.Time         `json:"published_at"`
	Highlights       map[string]string `json:"highlights"`
}

type searchReply struct {
	Hits    []searchHitJSON           `json:"hits"`
	Facets  map[string]map[string]int `json:"facets"`
	Total   int                       `json:"total"`
	Page    int                       `json:"page"`
	PerPage int                       `json:"per_page"`
}

func newSearchHit(h catalog.SearchHit) searchHitJSON {
	d := h.Document
	out := searchHitJSON{
		ID: d.ID, NameTH: d.NameTH, NameEN: d.NameEN, DescriptionTH: d.DescriptionTH, DescriptionEN: d.DescriptionEN,
		Category: d.Category, CreativeIndustry: optional(d.CreativeIndustry), ProvinceCode: d.ProvinceCode,
		ClusterID: optional(d.ClusterID), Region: d.Region, SelectCenterID: d.SelectCenterID, Topotop: d.Topotop,
		Price: moneyJSON{AmountMinor: d.PriceMinor, Currency: d.Currency}, Certifications: d.Certifications, Tags: d.Tags,
		ProducerID: d.ProducerID, ProducerNameTH: d.ProducerNameTH, ProducerNameEN: d.ProducerNameEN,
		ImageURL: optional(d.ImageURL), PublishedAt: d.PublishedAt.UTC(), Highlights: h.Highlights,
	}
	if d.OTOPStars > 0 {
		stars := d.OTOPStars
		out.OTOPStars = &stars
	}
	if out.Certifications == nil {
		out.Certifications = []string{}
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if out.Highlights == nil {
		out.Highlights = map[string]string{}
	}
	return out
}

// searchQueryFrom reads GET /v1/search's parameters. Each may appear once,
// so the number of filters is bounded by the parameters the route takes.
func searchQueryFrom(c *gin.Context) (catalog.SearchQuery, error) {
	q, v := queryParams(c, "q", "lang", "province", "cluster", "region", "category", "select_center",
		"creative_industry", "topotop", "min_stars", "producer", "min_price", "max_price", "certification",
		"facets", "sort", "page", "per_page")
	sq := catalog.SearchQuery{
		Text: q.Get("q"), Lang: q.Get("lang"), Sort: q.Get("sort"),
		Page:    intParam(q, "page", "must be an integer from 1 to 1000", v),
		PerPage: intParam(q, "per_page", "must be an integer from 1 to 100", v),
		Filters: catalog.SearchFilters{
			Province: q.Get("province"), Cluster: q.Get("cluster"), Region: q.Get("region"),
			Category: q.Get("category"), SelectCenter: q.Get("select_center"),
			CreativeIndustry: q.Get("creative_industry"), Producer: q.Get("producer"),
			Certification: q.Get("certification"),
			MinStars:      intParam(q, "min_stars", "must be an integer from 1 to 5", v),
			MinPrice:      priceParam(q, "min_price", v),
			MaxPrice:      priceParam(q, "max_price", v),
		},
	}
	sq.Filters.Topotop = boolParam(q.Get("topotop"), "topotop", v)
	if s := q.Get("facets"); s != "" {
		for _, f := range strings.Split(s, ",") {
			sq.Facets = append(sq.Facets, strings.TrimSpace(f))
		}
	}
	if err := v.Err(); err != nil {
		return sq, &errs.QueryError{ValidationError: *v}
	}
	return sq, nil
}

func priceParam(q url.Values, name string, v *errs.ValidationError) *int64 {
	s := q.Get(name)
	if s == "" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		v.Add(name, "must be an amount in minor units (satang), e.g. 50000 for 500 THB")
		return nil
	}
	return &n
}

// Search replies are cached by query for a short time (readcache.Sizes):
// the index they come from is dropped from the cache whenever this process
// changes it, and a shared engine's changes by other processes show within
// the time to live.
func (h *handlers) search(c *gin.Context) {
	q, err := searchQueryFrom(c)
	if err != nil {
		respondError(c, err)
		return
	}
	cachedReply(c, h.cache.Searches, queryKey("search", c), func() (any, string, bool, error) {
		start := time.Now()
		res, err := h.searcher.Search(c.Request.Context(), q)
		h.metrics.observeSearch("search", start, err)
		if err != nil {
			return nil, "", false, err
		}
		hits := make([]searchHitJSON, len(res.Hits))
		for i, hit := range res.Hits {
			hits[i] = newSearchHit(hit)
		}
		facets := res.Facets
		if facets == nil {
			facets = map[string]map[string]int{}
		}
		return searchReply{Hits: hits, Facets: facets, Total: res.Total, Page: res.Page, PerPage: res.PerPage}, "", true, nil
	})
}

func (h *handlers) suggest(c *gin.Context) {
	q, v := queryParams(c, "q", "limit")
	limit := intParam(q, "limit", "must be an integer from 1 to 10", v)
	if err := v.Err(); err != nil {
		respondError(c, &errs.QueryError{ValidationError: *v})
		return
	}
	cachedReply(c, h.cache.Searches, queryKey("suggest", c), func() (any, string, bool, error) {
		start := time.Now()
		out, err := h.searcher.Suggest(c.Request.Context(), q.Get("q"), limit)
		h.metrics.observeSearch("suggest", start, err)
		if err != nil {
			return nil, "", false, err
		}
		return gin.H{"suggestions": out}, "", true, nil
	})
}
