package api

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/stats"
)

// ---------------------------------------------------------------------------
// Replies

type statsReply struct {
	AsOf           string   `json:"as_of"`
	Scope          string   `json:"scope"`
	SelectCenterID *string  `json:"select_center_id"`
	Months         []string `json:"months"`
	Items          any      `json:"items"`
}

// statsFiguresJSON are the figures every item has.
type statsFiguresJSON struct {
	Producers            int64            `json:"producers"`
	ProducersByKind      map[string]int64 `json:"producers_by_kind"`
	ProducersByLevel     map[string]int64 `json:"producers_by_level"`
	Products             int64            `json:"products"`
	ProductsByStatus     map[string]int64 `json:"products_by_status"`
	ProductsPublished    int64            `json:"products_published"`
	ProductsTopotop      int64            `json:"products_topotop"`
	ByCategory           map[string]int64 `json:"by_category"`
	ByCreativeIndustry   map[string]int64 `json:"by_creative_industry"`
	ByCreativeGroup      map[string]int64 `json:"by_creative_group"`
	ProductsCertified    int64            `json:"products_certified"`
	CertifiedShare       *float64         `json:"certified_share"`
	StarsVerified        int64            `json:"stars_verified"`
	AverageVerifiedStars *float64         `json:"average_verified_stars"`
	Trade                *statsTradeJSON  `json:"trade"`
	Monthly              statsSeriesJSON  `json:"monthly"`
}

type statsTradeJSON struct {
	Inquiries   int64                       `json:"inquiries"`
	Orders      int64                       `json:"orders"`
	OrdersValue map[string]int64            `json:"orders_value"`
	ByCountry   map[string]statsCountryJSON `json:"by_country"`
}

type statsCountryJSON struct {
	Inquiries   int64            `json:"inquiries"`
	Orders      int64            `json:"orders"`
	OrdersValue map[string]int64 `json:"orders_value"`
}

// statsSeriesJSON is the monthly series: one number per month of the
// reply's months, in their order (columns, as charts take them). The trade
// is null for the public; orders_value has the currencies with orders.
type statsSeriesJSON struct {
	ProductsPublished []int64            `json:"products_published"`
	Inquiries         []int64            `json:"inquiries"`
	Orders            []int64            `json:"orders"`
	OrdersValue       map[string][]int64 `json:"orders_value"`
}

type statsRegionJSON struct {
	ID             string `json:"id"`
	NameEN         string `json:"name_en"`
	NameTH         string `json:"name_th"`
	SelectCenterID string `json:"select_center_id"`
	statsFiguresJSON
}

type statsClusterJSON struct {
	ID     string `json:"id"`
	NameEN string `json:"name_en"`
	NameTH string `json:"name_th"`
	Region string `json:"region"`
	statsFiguresJSON
}

type statsProvinceJSON struct {
	Code           string  `json:"code"`
	NameEN         string  `json:"name_en"`
	NameTH         string  `json:"name_th"`
	Region         string  `json:"region"`
	ClusterID      *string `json:"cluster_id"`
	SelectCenterID string  `json:"select_center_id"`
	statsFiguresJSON
}

type statsCenterJSON struct {
	ID           string `json:"id"`
	NameEN       string `json:"name_en"`
	NameTH       string `json:"name_th"`
	Region       string `json:"region"`
	ProvinceCode string `json:"province_code"`
	statsFiguresJSON
}

func newStatsFiguresJSON(it stats.Item) statsFiguresJSON {
	out := statsFiguresJSON{Producers: it.Producers, ProducersByKind: it.ProducersByKind,
		ProducersByLevel: make(map[string]int64, len(it.ProducersByLevel)), Products: it.Products,
		ProductsByStatus: it.ProductsByStatus, ProductsPublished: it.Published, ProductsTopotop: it.Topotop,
		ByCategory: it.ByCategory, ByCreativeIndustry: it.ByCreativeIndustry, ByCreativeGroup: it.ByCreativeGroup,
		ProductsCertified: it.Certified, CertifiedShare: it.CertifiedShare(), StarsVerified: it.StarsVerified,
		AverageVerifiedStars: it.AverageVerifiedStars()}
	for level, n := range it.ProducersByLevel {
		out.ProducersByLevel[strconv.Itoa(level)] = n
	}
	if t := it.Trade; t != nil {
		out.Trade = &statsTradeJSON{Inquiries: t.Inquiries, Orders: t.Orders, OrdersValue: t.OrdersValue,
			ByCountry: make(map[string]statsCountryJSON, len(t.ByCountry))}
		for cc, c := range t.ByCountry {
			out.Trade.ByCountry[cc] = statsCountryJSON{Inquiries: c.Inquiries, Orders: c.Orders, OrdersValue: c.OrdersValue}
		}
	}
	series := &out.Monthly
	series.ProductsPublished = make([]int64, len(it.Monthly))
	if it.Trade != nil {
		series.Inquiries, series.Orders = make([]int64, len(it.Monthly)), make([]int64, len(it.Monthly))
		series.OrdersValue = map[string][]int64{}
	}
	for i, m := range it.Monthly {
		series.ProductsPublished[i] = m.Published
		if it.Trade == nil {
			continue
		}
		series.Inquiries[i], series.Orders[i] = m.Inquiries, m.Orders
		for cur, v := range m.OrdersValue {
			if series.OrdersValue[cur] == nil {
				series.OrdersValue[cur] = make([]int64, len(it.Monthly))
			}
			series.OrdersValue[cur][i] = v
		}
	}
	return out
}

func newStatsReply(r stats.Report) statsReply {
	out := statsReply{AsOf: r.AsOf.Format(time.DateOnly), Scope: string(r.Scope), SelectCenterID: optional(r.SelectCenterID),
		Months: r.Months}
	switch r.Dimension {
	case stats.ByRegion:
		items := make([]statsRegionJSON, len(r.Items))
		for i, it := range r.Items {
			items[i] = statsRegionJSON{ID: it.ID, NameEN: it.NameEN, NameTH: it.NameTH, SelectCenterID: it.SelectCenterID,
				statsFiguresJSON: newStatsFiguresJSON(it)}
		}
		out.Items = items
	case stats.ByCluster:
		items := make([]statsClusterJSON, len(r.Items))
		for i, it := range r.Items {
			items[i] = statsClusterJSON{ID: it.ID, NameEN: it.NameEN, NameTH: it.NameTH, Region: it.Region,
				statsFiguresJSON: newStatsFiguresJSON(it)}
		}
		out.Items = items
	case stats.ByProvince:
		items := make([]statsProvinceJSON, len(r.Items))
		for i, it := range r.Items {
			items[i] = statsProvinceJSON{Code: it.ID, NameEN: it.NameEN, NameTH: it.NameTH, Region: it.Region,
				ClusterID: it.ClusterID, SelectCenterID: it.SelectCenterID, statsFiguresJSON: newStatsFiguresJSON(it)}
		}
		out.Items = items
	case stats.BySelectCenter:
		items := make([]statsCenterJSON, len(r.Items))
		for i, it := range r.Items {
			items[i] = statsCenterJSON{ID: it.ID, NameEN: it.NameEN, NameTH: it.NameTH, Region: it.Region,
				ProvinceCode: it.ProvinceCode, statsFiguresJSON: newStatsFiguresJSON(it)}
		}
		out.Items = items
	}
	return out
}

// ---------------------------------------------------------------------------
// Routes

func (h *handlers) statsRegions(c *gin.Context)       { h.statsReport(c, stats.ByRegion) }
func (h *handlers) statsClusters(c *gin.Context)      { h.statsReport(c, stats.ByCluster) }
func (h *handlers) statsProvinces(c *gin.Context)     { h.statsReport(c, stats.ByProvince) }
func (h *handlers) statsSelectCenters(c *gin.Context) { h.statsReport(c, stats.BySelectCenter) }

// statsReport answers a stats route in JSON or, with ?format=csv, as a CSV
// file. Staff figures are private to them: never kept by a shared cache.
func (h *handlers) statsReport(c *gin.Context, d stats.Dimension) {
	q, v := queryParams(c, "format")
	format := q.Get("format")
	refused := slices.ContainsFunc(v.Fields, func(f errs.FieldError) bool { return f.Field == "format" })
	if format != "" && format != "json" && format != "csv" && !refused {
		v.Add("format", "must be json or csv")
	}
	if err := v.Err(); err != nil {
		respondError(c, errs.AsQuery(err))
		return
	}
	r, err := h.stats.Report(c.Request.Context(), principalFrom(c), d)
	if err != nil {
		respondError(c, err)
		return
	}
	if r.Scope != stats.ScopePublic {
		c.Header("Cache-Control", "private, no-store")
	}
	if format != "csv" {
		respondEncoded(c, newStatsReply(r))
		return
	}
	var buf bytes.Buffer
	if err := stats.WriteCSV(&buf, r, h.taxonomy); err != nil {
		respondError(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="otop-stats-`+string(d)+`.csv"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}
