// Package stats counts the catalogue and its trade by region, provincial
// cluster, province and OTOP Select center: producers, products by status,
// the published catalogue by category and creative economy, certificates,
// verified OTOP stars, and inquiries and orders by destination country,
// with a monthly series over the last 24 months.
//
// Who asks decides which rows are counted (Scope): the public sees the
// published catalogue and no trade; a curator sees, besides, every product,
// producer and trade of their Select center; an admin sees everything. Every
// region, cluster, province and center is listed, with zeros when nothing
// is counted there.
package stats

import (
	"context"
	"math"
	"time"

	"github.com/otopmarket/otop/internal/taxonomy"
)

// Months is the length of the monthly series: this month and the 23 before.
const Months = 24

// Dimension is what the items of a report are.
type Dimension string

// The dimensions, named as their routes are.
const (
	ByRegion       Dimension = "regions"
	ByCluster      Dimension = "clusters"
	ByProvince     Dimension = "provinces"
	BySelectCenter Dimension = "select-centers"
)

// Dimensions lists the dimensions in the order of the routes.
func Dimensions() []Dimension { return []Dimension{ByRegion, ByCluster, ByProvince, BySelectCenter} }

// Scope is which rows a report counts.
type Scope string

// The scopes.
const (
	// ScopePublic counts published products, the producers that have one,
	// and no trade: inquiries and orders are private to their parties and
	// the staff, and a province's order value would be one producer's sales.
	ScopePublic Scope = "public"
	// ScopeCenter adds, for a curator, every product of their center in any
	// status, the producers of the provinces it serves (with or without a
	// published product), and the inquiries and orders of the center.
	ScopeCenter Scope = "center"
	// ScopeAll counts every row, for admins.
	ScopeAll Scope = "all"
)

// Facet is what a product count counts.
type Facet string

// The facets of ProductCell. Every facet but FacetStatus counts published
// products only.
const (
	FacetStatus           Facet = "status"            // every product, by Status
	FacetCategory         Facet = "category"          // Value: the category id
	FacetCreativeIndustry Facet = "creative_industry" // Value: the industry id
	FacetTopotop          Facet = "topotop"           // designated TOPOTOP
	FacetStars            Facet = "stars"             // OTOP stars verified by a curator; StarsSum: their total
	FacetPublishedMonth   Facet = "published_month"   // Value: YYYY-MM of the (last) publication, within the series
	FacetCertified        Facet = "certified"         // holds a verified certificate valid on Query.Today
)

// Query is what the store counts: the rows of Scope, certificates valid on
// Today and trade in the months from FirstMonth to LastMonth, summed by
// item.
type Query struct {
	Scope Scope
	// Center is the curator's Select center (ScopeCenter).
	Center string
	// HomeProvinces are the provinces Center serves: their producers count
	// even without a published product (ScopeCenter).
	HomeProvinces []string
	// Today is a UTC midnight.
	Today time.Time
	// FirstMonth and LastMonth are first days of months (UTC).
	FirstMonth, LastMonth time.Time
	// Items maps a province code to the item its producers, products and
	// trade count in; a province it leaves out counts in none (Bangkok
	// among the clusters).
	Items map[string]string
	// ByCenter counts products and trade in the item of their Select
	// center instead (the Select centers' report); producers still go by
	// Items.
	ByCenter bool
}

// ProductCell is a count of an item's products in one status.
type ProductCell struct {
	Item, Status string
	Facet        Facet
	Value        string
	N, StarsSum  int64
}

// ProducerCell is a count of an item's producers of one kind and
// enterprise level, with or without a published product.
type ProducerCell struct {
	Item, Kind string
	Level      int
	Published  bool
	N          int64
}

// TradeCell is an item's inquiries and orders (with their value by
// currency): of one month of the series (Month set), or of the whole series
// to one destination country (Country set).
type TradeCell struct {
	Item, Month, Country string
	Inquiries, Orders    int64
	OrdersValue          Money
}

// Cells are the counts of a query, by item.
type Cells struct {
	Products  []ProductCell
	Producers []ProducerCell
	Trade     []TradeCell // none for ScopePublic
}

// Store counts.
type Store interface {
	Cells(ctx context.Context, q Query) (Cells, error)
}

// Reference is the reference data the items are listed from.
type Reference interface {
	Regions() []taxonomy.Region
	Clusters() []taxonomy.Cluster
	Provinces(f taxonomy.ProvinceFilter) ([]taxonomy.Province, error)
	Province(code string) (taxonomy.Province, bool)
	SelectCenters() []taxonomy.SelectCenter
	Categories() []taxonomy.Category
	CreativeIndustries() []taxonomy.CreativeIndustry
	CreativeGroups() []taxonomy.CreativeGroup
}

// Report is the answer of one stats route.
type Report struct {
	Dimension Dimension
	Scope     Scope
	// SelectCenterID is the curator's center (ScopeCenter).
	SelectCenterID string
	// AsOf is the day (UTC) certificates are counted on.
	AsOf time.Time
	// Months are the months of the series, YYYY-MM, oldest first.
	Months []string
	Items  []Item
}

// Money is amounts in minor units by currency: different currencies are
// never added up.
type Money map[string]int64

// Item is the figures of one region, cluster, province or Select center.
type Item struct {
	// ID is the region, cluster or center id, or the province code.
	ID, NameEN, NameTH string
	// Region is the region of a cluster, province or center.
	Region string
	// ClusterID is a province's cluster (nil for Bangkok).
	ClusterID *string
	// SelectCenterID is the center of a region or province (the default one).
	SelectCenterID string
	// ProvinceCode is where a Select center is.
	ProvinceCode string

	Producers        int64
	ProducersByKind  map[string]int64
	ProducersByLevel map[int]int64
	// Products counts every product in scope, ProductsByStatus by status
	// (the public sees only "published").
	Products         int64
	ProductsByStatus map[string]int64
	// The rest counts published products.
	Published          int64
	Topotop            int64
	ByCategory         map[string]int64
	ByCreativeIndustry map[string]int64
	ByCreativeGroup    map[string]int64
	Certified          int64
	StarsVerified      int64
	StarsSum           int64
	// Trade is nil for the public.
	Trade   *Trade
	Monthly []Month
}

// CertifiedShare is the share of published products holding a verified,
// unexpired certificate, to 4 decimals; nil when none is published.
func (it Item) CertifiedShare() *float64 {
	if it.Published == 0 {
		return nil
	}
	v := ratio(it.Certified, it.Published, 4)
	return &v
}

// AverageVerifiedStars is the mean of the verified OTOP stars of published
// products, to 2 decimals; nil when none has verified stars.
func (it Item) AverageVerifiedStars() *float64 {
	if it.StarsVerified == 0 {
		return nil
	}
	v := ratio(it.StarsSum, it.StarsVerified, 2)
	return &v
}

// ratio is num/den (both at least zero, den positive) rounded half up to
// decimals places in integers, as PostgreSQL rounds a numeric: the float
// of a division would round 2.675 down.
func ratio(num, den int64, decimals int) float64 {
	p := int64(math.Pow10(decimals))
	return float64((2*num*p+den)/(2*den)) / float64(p)
}

// Trade is the inquiries and orders of the series' months.
type Trade struct {
	Inquiries   int64
	Orders      int64
	OrdersValue Money
	// ByCountry is keyed by destination country (ISO 3166-1 alpha-2).
	ByCountry map[string]*CountryTrade
}

// CountryTrade is the trade to one destination country.
type CountryTrade struct {
	Inquiries   int64
	Orders      int64
	OrdersValue Money
}

// Month is one month of the series. Published counts the products
// published now whose (last) publication was in that month; the trade
// fields are zero for the public, who see no trade.
type Month struct {
	Month       string // YYYY-MM
	Published   int64
	Inquiries   int64
	Orders      int64
	OrdersValue Money
}
