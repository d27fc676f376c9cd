package stats

import (
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/trade"
)

// column is one column of the CSV form of a report.
type column struct {
	name  string
	value func(Item) string
}

// WriteCSV writes r as CSV (RFC 4180, UTF-8): a header, then one row per
// item. The columns are the same for every caller of a route; cells the
// caller may not see (trade for the public, statuses other than published)
// are empty. Money is in minor units, one column per currency; the trade by
// country is in compact cells such as "JP:3;US:1" and "JP:THB:120000".
func WriteCSV(w io.Writer, r Report, ref Reference) error {
	cols := csvColumns(r, ref)
	out := csv.NewWriter(w)
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.name
	}
	if err := out.Write(header); err != nil {
		return fmt.Errorf("stats csv: %w", err)
	}
	row := make([]string, len(cols))
	for _, it := range r.Items {
		for i, c := range cols {
			row[i] = c.value(it)
		}
		if err := out.Write(row); err != nil {
			return fmt.Errorf("stats csv: %w", err)
		}
	}
	out.Flush()
	if err := out.Error(); err != nil {
		return fmt.Errorf("stats csv: %w", err)
	}
	return nil
}

func csvColumns(r Report, ref Reference) []column {
	text := func(name string, f func(Item) string) column { return column{name, f} }
	count := func(name string, f func(Item) int64) column {
		return column{name, func(it Item) string { return strconv.FormatInt(f(it), 10) }}
	}
	// tradeCount is empty where the caller sees no trade.
	tradeCount := func(name string, f func(Item) int64) column {
		return column{name, func(it Item) string {
			if it.Trade == nil {
				return ""
			}
			return strconv.FormatInt(f(it), 10)
		}}
	}
	decimal := func(name string, f func(Item) *float64) column {
		return column{name, func(it Item) string {
			if v := f(it); v != nil {
				return strconv.FormatFloat(*v, 'f', -1, 64)
			}
			return ""
		}}
	}

	var cols []column
	key := "id"
	if r.Dimension == ByProvince {
		key = "code"
	}
	cols = append(cols, text(key, func(it Item) string { return it.ID }),
		text("name_en", func(it Item) string { return it.NameEN }),
		text("name_th", func(it Item) string { return it.NameTH }))
	switch r.Dimension {
	case ByRegion:
		cols = append(cols, text("select_center_id", func(it Item) string { return it.SelectCenterID }))
	case ByCluster:
		cols = append(cols, text("region", func(it Item) string { return it.Region }))
	case ByProvince:
		cols = append(cols, text("region", func(it Item) string { return it.Region }),
			text("cluster_id", func(it Item) string {
				if it.ClusterID == nil {
					return ""
				}
				return *it.ClusterID
			}),
			text("select_center_id", func(it Item) string { return it.SelectCenterID }))
	case BySelectCenter:
		cols = append(cols, text("region", func(it Item) string { return it.Region }),
			text("province_code", func(it Item) string { return it.ProvinceCode }))
	}

	cols = append(cols, count("producers", func(it Item) int64 { return it.Producers }))
	for _, k := range []catalog.ProducerKind{catalog.KindCommunityEnterprise, catalog.KindVillageGroup, catalog.KindSME, catalog.KindIndividual} {
		cols = append(cols, count("producers_"+string(k), func(it Item) int64 { return it.ProducersByKind[string(k)] }))
	}
	for level := 1; level <= 4; level++ {
		cols = append(cols, count(fmt.Sprintf("producers_level_%d", level), func(it Item) int64 { return it.ProducersByLevel[level] }))
	}
	cols = append(cols, count("products", func(it Item) int64 { return it.Products }))
	for _, st := range catalog.Statuses() {
		cols = append(cols, text("products_"+string(st), func(it Item) string {
			n, ok := it.ProductsByStatus[string(st)]
			if !ok {
				return ""
			}
			return strconv.FormatInt(n, 10)
		}))
	}
	cols = append(cols, count("products_topotop", func(it Item) int64 { return it.Topotop }))
	for _, c := range ref.Categories() {
		cols = append(cols, count("category_"+c.ID, func(it Item) int64 { return it.ByCategory[c.ID] }))
	}
	for _, c := range ref.CreativeIndustries() {
		cols = append(cols, count("creative_industry_"+c.ID, func(it Item) int64 { return it.ByCreativeIndustry[c.ID] }))
	}
	for _, g := range ref.CreativeGroups() {
		cols = append(cols, count("creative_group_"+g.ID, func(it Item) int64 { return it.ByCreativeGroup[g.ID] }))
	}
	cols = append(cols,
		count("products_certified", func(it Item) int64 { return it.Certified }),
		decimal("certified_share", Item.CertifiedShare),
		count("stars_verified", func(it Item) int64 { return it.StarsVerified }),
		decimal("average_verified_stars", Item.AverageVerifiedStars),
		tradeCount("inquiries", func(it Item) int64 { return it.Trade.Inquiries }),
		tradeCount("orders", func(it Item) int64 { return it.Trade.Orders }))
	currencies := csvCurrencies(r)
	for _, cur := range currencies {
		cols = append(cols, tradeCount("orders_value_"+cur+"_minor", func(it Item) int64 { return it.Trade.OrdersValue[cur] }))
	}
	cols = append(cols,
		text("inquiries_by_country", byCountry(func(c *CountryTrade) []string { return countPart(c.Inquiries) })),
		text("orders_by_country", byCountry(func(c *CountryTrade) []string { return countPart(c.Orders) })),
		text("orders_value_by_country", byCountry(func(c *CountryTrade) []string {
			var parts []string
			for _, cur := range slices.Sorted(maps.Keys(c.OrdersValue)) {
				parts = append(parts, cur+":"+strconv.FormatInt(c.OrdersValue[cur], 10))
			}
			return parts
		})))

	for i, m := range r.Months {
		cols = append(cols, count("products_published_"+m, func(it Item) int64 { return it.Monthly[i].Published }),
			tradeCount("inquiries_"+m, func(it Item) int64 { return it.Monthly[i].Inquiries }),
			tradeCount("orders_"+m, func(it Item) int64 { return it.Monthly[i].Orders }))
		for _, cur := range currencies {
			cols = append(cols, tradeCount("orders_value_"+cur+"_minor_"+m, func(it Item) int64 { return it.Monthly[i].OrdersValue[cur] }))
		}
	}
	return cols
}

// csvCurrencies are the currencies orders may be in, then any other a
// report holds, so that a route's columns do not depend on its data.
func csvCurrencies(r Report) []string {
	out := trade.Currencies()
	for _, cur := range r.Currencies() {
		if !slices.Contains(out, cur) {
			out = append(out, cur)
		}
	}
	return out
}

func countPart(n int64) []string {
	if n == 0 {
		return nil
	}
	return []string{strconv.FormatInt(n, 10)}
}

// byCountry writes "CC:part;CC:part" for the countries of an item's trade,
// sorted, leaving out countries without a part.
func byCountry(parts func(*CountryTrade) []string) func(Item) string {
	return func(it Item) string {
		if it.Trade == nil {
			return ""
		}
		var out []string
		for _, cc := range slices.Sorted(maps.Keys(it.Trade.ByCountry)) {
			for _, p := range parts(it.Trade.ByCountry[cc]) {
				out = append(out, cc+":"+p)
			}
		}
		return strings.Join(out, ";")
	}
}
