package stats

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/taxonomy"
)

// Service answers the stats routes.
type Service struct {
	store Store
	ref   Reference
	now   func() time.Time
}

// NewService returns the stats service. clock gives the current time, which
// decides the months of the series and the day certificates are counted on.
func NewService(store Store, ref Reference, clock func() time.Time) *Service {
	return &Service{store: store, ref: ref, now: clock}
}

// Report counts the rows p may see by d: every region, cluster, province or
// Select center is an item, in the order of the reference data.
func (s *Service) Report(ctx context.Context, p account.Principal, d Dimension) (Report, error) {
	layout, err := s.layout(d)
	if err != nil {
		return Report{}, err
	}
	q := s.query(p)
	q.Items, q.ByCenter = layout.items, layout.centers
	cells, err := s.store.Cells(ctx, q)
	if err != nil {
		return Report{}, err
	}
	r := Report{Dimension: d, Scope: q.Scope, SelectCenterID: q.Center, AsOf: q.Today}
	for m := q.FirstMonth; !m.After(q.LastMonth); m = m.AddDate(0, 1, 0) {
		r.Months = append(r.Months, m.Format("2006-01"))
	}
	r.Items = layout.list
	for i := range r.Items {
		r.Items[i].init(q.Scope, r.Months, s.ref)
	}
	f := folder{report: &r, layout: layout, months: map[string]int{}, groups: map[string]string{}}
	for i, m := range r.Months {
		f.months[m] = i
	}
	for _, ind := range s.ref.CreativeIndustries() {
		f.groups[ind.ID] = ind.Group
	}
	for _, c := range cells.Products {
		f.product(c)
	}
	for _, c := range cells.Producers {
		f.producer(c)
	}
	for _, c := range cells.Trade {
		f.trade(c)
	}
	return r, nil
}

// query is what p may see, at the service's current time.
func (s *Service) query(p account.Principal) Query {
	now := s.now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	last := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	q := Query{Scope: ScopePublic, Today: today, LastMonth: last, FirstMonth: last.AddDate(0, -(Months - 1), 0)}
	switch {
	case p.Is(account.RoleAdmin):
		q.Scope = ScopeAll
	case p.Is(account.RoleCurator):
		q.Scope, q.Center = ScopeCenter, p.SelectCenterID
		q.HomeProvinces = s.provincesOf(p.SelectCenterID)
	}
	return q
}

func (s *Service) provincesOf(center string) []string {
	all, _ := s.ref.Provinces(taxonomy.ProvinceFilter{})
	var out []string
	for _, p := range all {
		if p.SelectCenterID == center {
			out = append(out, p.Code)
		}
	}
	return out
}

// layout is the items of a dimension and where each count goes: to the
// item of its province (none for Bangkok among the clusters) or, by Select
// center, products and trade to the item of their center and producers to
// the center of their province.
type layout struct {
	list    []Item
	index   map[string]int    // item id → position in list
	items   map[string]string // province code → item id
	centers bool
}

func (s *Service) layout(d Dimension) (layout, error) {
	provinces, err := s.ref.Provinces(taxonomy.ProvinceFilter{})
	if err != nil {
		return layout{}, err
	}
	l := layout{index: map[string]int{}, items: map[string]string{}}
	add := func(it Item) {
		l.index[it.ID] = len(l.list)
		l.list = append(l.list, it)
	}
	switch d {
	case ByRegion:
		for _, r := range s.ref.Regions() {
			add(Item{ID: r.ID, NameEN: r.NameEN, NameTH: r.NameTH, SelectCenterID: r.SelectCenterID})
		}
		for _, p := range provinces {
			l.items[p.Code] = p.Region
		}
	case ByCluster:
		for _, c := range s.ref.Clusters() {
			add(Item{ID: c.ID, NameEN: c.NameEN, NameTH: c.NameTH, Region: c.Region})
			for _, code := range c.ProvinceCodes {
				l.items[code] = c.ID
			}
		}
	case ByProvince:
		for _, p := range provinces {
			add(Item{ID: p.Code, NameEN: p.NameEN, NameTH: p.NameTH, Region: p.Region, ClusterID: p.ClusterID,
				SelectCenterID: p.SelectCenterID})
			l.items[p.Code] = p.Code
		}
	case BySelectCenter:
		l.centers = true
		for _, c := range s.ref.SelectCenters() {
			add(Item{ID: c.ID, NameEN: c.NameEN, NameTH: c.NameTH, Region: c.Region, ProvinceCode: c.ProvinceCode})
		}
		for _, p := range provinces {
			l.items[p.Code] = p.SelectCenterID
		}
	default:
		return layout{}, fmt.Errorf("stats: unknown dimension %q", d)
	}
	return l, nil
}

// init gives an item every key its maps may have, at zero.
func (it *Item) init(scope Scope, months []string, ref Reference) {
	it.ProducersByKind = map[string]int64{}
	for _, k := range []catalog.ProducerKind{catalog.KindCommunityEnterprise, catalog.KindVillageGroup, catalog.KindSME, catalog.KindIndividual} {
		it.ProducersByKind[string(k)] = 0
	}
	it.ProducersByLevel = map[int]int64{1: 0, 2: 0, 3: 0, 4: 0}
	it.ProductsByStatus = map[string]int64{string(catalog.StatusPublished): 0}
	if scope != ScopePublic {
		for _, st := range catalog.Statuses() {
			it.ProductsByStatus[string(st)] = 0
		}
	}
	it.ByCategory = map[string]int64{}
	for _, c := range ref.Categories() {
		it.ByCategory[c.ID] = 0
	}
	it.ByCreativeIndustry = map[string]int64{}
	for _, c := range ref.CreativeIndustries() {
		it.ByCreativeIndustry[c.ID] = 0
	}
	it.ByCreativeGroup = map[string]int64{}
	for _, g := range ref.CreativeGroups() {
		it.ByCreativeGroup[g.ID] = 0
	}
	it.Monthly = make([]Month, len(months))
	for i, m := range months {
		it.Monthly[i] = Month{Month: m, OrdersValue: Money{}}
	}
	if scope != ScopePublic {
		it.Trade = &Trade{OrdersValue: Money{}, ByCountry: map[string]*CountryTrade{}}
	}
}

// folder adds cells up into a report's items.
type folder struct {
	report *Report
	layout layout
	months map[string]int    // YYYY-MM → index in the series
	groups map[string]string // creative industry → its group
}

func (f folder) item(id string) *Item {
	i, ok := f.layout.index[id]
	if !ok {
		return nil
	}
	return &f.report.Items[i]
}

func (f folder) product(c ProductCell) {
	it := f.item(c.Item)
	if it == nil {
		return
	}
	switch c.Facet {
	case FacetStatus:
		if _, ok := it.ProductsByStatus[c.Status]; !ok {
			return // not in scope
		}
		it.Products += c.N
		it.ProductsByStatus[c.Status] += c.N
		if c.Status == string(catalog.StatusPublished) {
			it.Published += c.N
		}
	case FacetCategory:
		it.ByCategory[c.Value] += c.N
	case FacetCreativeIndustry:
		it.ByCreativeIndustry[c.Value] += c.N
		if g, ok := f.groups[c.Value]; ok {
			it.ByCreativeGroup[g] += c.N
		}
	case FacetTopotop:
		it.Topotop += c.N
	case FacetStars:
		it.StarsVerified += c.N
		it.StarsSum += c.StarsSum
	case FacetPublishedMonth:
		if i, ok := f.months[c.Value]; ok {
			it.Monthly[i].Published += c.N
		}
	case FacetCertified:
		it.Certified += c.N
	}
}

func (f folder) producer(c ProducerCell) {
	if f.report.Scope == ScopePublic && !c.Published {
		return
	}
	it := f.item(c.Item)
	if it == nil {
		return
	}
	it.Producers += c.N
	it.ProducersByKind[c.Kind] += c.N
	it.ProducersByLevel[c.Level] += c.N
}

// trade adds a month's cell to the month and the totals, a country's cell
// to the country.
func (f folder) trade(c TradeCell) {
	it := f.item(c.Item)
	if it == nil || it.Trade == nil {
		return
	}
	if c.Country != "" {
		country := it.Trade.ByCountry[c.Country]
		if country == nil {
			country = &CountryTrade{OrdersValue: Money{}}
			it.Trade.ByCountry[c.Country] = country
		}
		country.Inquiries += c.Inquiries
		country.Orders += c.Orders
		addMoney(country.OrdersValue, c.OrdersValue)
		return
	}
	m, ok := f.months[c.Month]
	if !ok {
		return
	}
	month := &it.Monthly[m]
	month.Inquiries += c.Inquiries
	month.Orders += c.Orders
	addMoney(month.OrdersValue, c.OrdersValue)
	it.Trade.Inquiries += c.Inquiries
	it.Trade.Orders += c.Orders
	addMoney(it.Trade.OrdersValue, c.OrdersValue)
}

func addMoney(to, m Money) {
	for cur, v := range m {
		to[cur] += v
	}
}

// Currencies lists the currencies of a report's order values, sorted.
func (r Report) Currencies() []string {
	var out []string
	for _, it := range r.Items {
		if it.Trade == nil {
			continue
		}
		for cur := range it.Trade.OrdersValue {
			if !slices.Contains(out, cur) {
				out = append(out, cur)
			}
		}
	}
	slices.Sort(out)
	return out
}
