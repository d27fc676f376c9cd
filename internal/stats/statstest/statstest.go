// Package statstest makes catalogues with trade for the tests of the stats
// routes, and computes what their figures must be with plain GROUP BY
// queries over the catalogue's and the trade's own tables, so that a test
// compares the counters the routes read with the rows they count.
package statstest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/stats"
	"github.com/otopmarket/otop/internal/taxonomy"
	"github.com/otopmarket/otop/internal/trade"
)

// countries are the destination countries of the generated trade.
func countries() []string { return []string{"JP", "US", "CN", "DE", "SG", "AU"} }

// Sizes of a generated catalogue.
type Sizes struct {
	Producers int // besides one in Bangkok and two without products
	Products  int
	Inquiries int
	Orders    int
}

// Seed inserts, with SQL as another process would, users, producers (one in
// Bangkok, two without products), products in every status (some moved to
// another Select center, some TOPOTOP, with OTOP stars verified or not),
// certificates verified or not that expire around now or never, and
// inquiries and orders (some cancelled) in every currency and several
// countries over the 30 months before now. The same seed makes the same
// catalogue.
func Seed(t testing.TB, db *gorm.DB, tax *taxonomy.Taxonomy, now time.Time, seed uint64, n Sizes) {
	t.Helper()
	g := generator{t: t, db: db, tax: tax, now: now.UTC(), r: rand.New(rand.NewPCG(seed, seed^0x5eed))}
	provinces, err := tax.Provinces(taxonomy.ProvinceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	codes := []string{"TH-10"}
	for len(codes) < n.Producers+3 {
		codes = append(codes, provinces[g.r.IntN(len(provinces))].Code)
	}
	producers := g.producers(codes)
	importers := g.importers()
	products := g.products(producers[:len(producers)-2], n.Products)
	g.certificates(products)
	g.inquiries(importers, products, n.Inquiries)
	g.orders(importers, producers[:len(producers)-2], n.Orders)
}

type generator struct {
	t   testing.TB
	db  *gorm.DB
	tax *taxonomy.Taxonomy
	now time.Time
	r   *rand.Rand
}

type producer struct {
	id       uuid.UUID
	province taxonomy.Province
}

type product struct {
	id       uuid.UUID
	producer producer
	center   string
}

func (g *generator) exec(sql string, args ...any) {
	g.t.Helper()
	if err := g.db.Exec(sql, args...).Error; err != nil {
		g.t.Fatalf("statstest: %v\n%s", err, sql)
	}
}

// insert runs one multi-row INSERT: the counters' statement triggers see
// many rows at once, as in an import.
func (g *generator) insert(table, columns string, rows [][]any) {
	g.t.Helper()
	if len(rows) == 0 {
		return
	}
	var sb strings.Builder
	var args []any
	fmt.Fprintf(&sb, "INSERT INTO %s (%s) VALUES ", table, columns)
	for i, row := range rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(" + strings.TrimSuffix(strings.Repeat("?, ", len(row)), ", ") + ")")
		args = append(args, row...)
	}
	g.exec(sb.String(), args...)
}

func (g *generator) pick(list []string) string { return list[g.r.IntN(len(list))] }

// past is a time in the 30 months before now.
func (g *generator) past() time.Time {
	return g.now.Add(-time.Duration(g.r.Int64N(int64(30 * 30 * 24 * time.Hour))))
}

func (g *generator) producers(codes []string) []producer {
	kinds := []string{"community_enterprise", "village_group", "sme", "individual"}
	var users, rows [][]any
	out := make([]producer, len(codes))
	for i, code := range codes {
		p, _ := g.tax.Province(code)
		user := uuid.New()
		out[i] = producer{id: uuid.New(), province: p}
		users = append(users, []any{user, "stats-" + user.String() + "@example.com", "x", "producer"})
		rows = append(rows, []any{out[i].id, user, "กลุ่มผู้ผลิต " + p.NameTH, "Producers of " + p.NameEN, g.pick(kinds),
			p.Code, p.ClusterID, p.Region, "อำเภอเมือง", "ตำบลในเมือง", 1 + g.r.IntN(4)})
	}
	g.insert("users", "id, email, password_hash, role", users)
	g.insert("producers", "id, user_id, name_th, name_en, kind, province_code, cluster_id, region, amphoe, tambon, enterprise_level", rows)
	return out
}

func (g *generator) importers() []uuid.UUID {
	var ids []uuid.UUID
	var rows [][]any
	for _, cc := range countries() {
		id := uuid.New()
		ids = append(ids, id)
		rows = append(rows, []any{id, "stats-importer-" + id.String() + "@example.com", "x", "importer", cc})
	}
	g.insert("users", "id, email, password_hash, role, country", rows)
	return ids
}

func (g *generator) products(producers []producer, n int) []product {
	statuses := []string{"draft", "pending_review", "published", "published", "published", "rejected", "archived"}
	categories := g.tax.Categories()
	industries := g.tax.CreativeIndustries()
	centers := g.tax.SelectCenters()
	var rows [][]any
	out := make([]product, n)
	for i := range out {
		pr := producers[g.r.IntN(len(producers))]
		status := g.pick(statuses)
		center := pr.province.SelectCenterID
		if g.r.IntN(10) == 0 { // moved to another center by an admin
			center = centers[g.r.IntN(len(centers))].ID
		}
		out[i] = product{id: uuid.New(), producer: pr, center: center}
		var industry, stars, starsYear, rejection, publishedAt any
		if g.r.IntN(3) > 0 {
			industry = industries[g.r.IntN(len(industries))].ID
		}
		verification := "unverified"
		var verifiedAt any
		if g.r.IntN(5) > 1 {
			stars, starsYear = 1+g.r.IntN(5), 2020+g.r.IntN(6)
			verification = g.pick([]string{"unverified", "verified", "verified", "disputed"})
			if verification != "unverified" {
				verifiedAt = g.now
			}
		}
		if status == "rejected" {
			rejection = "The photos are blurred."
		}
		if status == "published" || status == "archived" || g.r.IntN(4) == 0 {
			publishedAt = g.past()
		}
		if status == "published" && publishedAt == nil {
			publishedAt = g.past()
		}
		topotop := (status == "published" || status == "pending_review") && g.r.IntN(6) == 0
		rows = append(rows, []any{out[i].id, pr.id, status, fmt.Sprintf("สินค้า %d \"พิเศษ\", ชุด %d", i, i%7),
			fmt.Sprintf("Product %d", i), "Made by hand.", categories[g.r.IntN(len(categories))].ID, industry, stars,
			starsYear, verification, verifiedAt, 10000 + g.r.IntN(90000), 1 + g.r.IntN(20), "piece", pr.province.Code,
			pr.province.ClusterID, pr.province.Region, center, topotop, rejection, publishedAt})
	}
	for chunk := range slices.Chunk(rows, 100) {
		g.insert("products", `id, producer_id, status, name_th, name_en, description_en, category, creative_industry,
			otop_stars, otop_stars_year, stars_verification, stars_verified_at, price_minor, moq, unit, province_code,
			cluster_id, region, select_center_id, topotop, rejection_reason, published_at`, chunk)
	}
	return out
}

// certificates gives products up to three certificates that expire around
// today (the day certificates are counted on) or never.
func (g *generator) certificates(products []product) {
	kinds := []string{"thai_fda", "mor_phor_chor", "tis", "gmp", "halal", "organic", "gi"}
	today := time.Date(g.now.Year(), g.now.Month(), g.now.Day(), 0, 0, 0, 0, time.UTC)
	monthEnd := time.Date(g.now.Year(), g.now.Month()+1, 0, 0, 0, 0, 0, time.UTC)
	expiries := []any{nil, nil, today.AddDate(0, 0, -1), today, today.AddDate(0, 0, 1), monthEnd,
		monthEnd.AddDate(0, 0, 1), today.AddDate(0, -2, 0), today.AddDate(1, 0, 0)}
	var rows [][]any
	for _, p := range products {
		for pos, kind := range g.r.Perm(len(kinds))[:g.r.IntN(4)] {
			verification := g.pick([]string{"unverified", "verified", "verified", "disputed"})
			var verifiedAt any
			if verification != "unverified" {
				verifiedAt = g.now
			}
			rows = append(rows, []any{p.id, pos, kinds[kind], fmt.Sprintf("N-%d-%s", pos, p.id.String()[:8]),
				expiries[g.r.IntN(len(expiries))], verification, verifiedAt})
		}
	}
	for chunk := range slices.Chunk(rows, 200) {
		g.insert("product_certifications", "product_id, position, kind, number, expires_on, verification, verified_at", chunk)
	}
}

func (g *generator) inquiries(importers []uuid.UUID, products []product, n int) {
	var rows [][]any
	for range n {
		p := products[g.r.IntN(len(products))]
		rows = append(rows, []any{importers[g.r.IntN(len(importers))], p.id, p.producer.id, p.center,
			g.pick([]string{"open", "quoted", "closed"}), 1 + g.r.IntN(500), "piece", "FOB", g.pick(countries()), g.past()})
	}
	g.insert("inquiries", "importer_id, product_id, producer_id, select_center_id, status, quantity, unit, incoterm, destination_country, created_at", rows)
}

func (g *generator) orders(importers []uuid.UUID, producers []producer, n int) {
	var rows [][]any
	for range n {
		pr := producers[g.r.IntN(len(producers))]
		status := g.pick([]string{"placed", "confirmed", "shipped", "delivered", "cancelled"})
		var carrier, tracking, cancelledAt, cancelReason any
		switch status {
		case "shipped", "delivered":
			carrier, tracking = "Thailand Post EMS", "EE123456789TH"
		case "cancelled":
			cancelledAt, cancelReason = g.now, "Out of stock."
		}
		rows = append(rows, []any{uuid.New(), importers[g.r.IntN(len(importers))], pr.id, pr.province.SelectCenterID, status,
			g.pick(trade.Currencies()), g.r.Int64N(5_000_000), g.pick(countries()), "FOB", g.past(), carrier, tracking, cancelledAt, cancelReason})
	}
	g.insert("orders", `group_id, importer_id, producer_id, select_center_id, status, currency, total_minor,
		destination_country, incoterm, placed_at, carrier, tracking_number, cancelled_at, cancel_reason`, rows)
}

// Mutate changes random rows as the catalogue, the curators and the trade
// do, statement by statement: products change status, center, category and
// TOPOTOP; certificates and stars are verified, expire or go; producers
// change kind and level; orders are cancelled or corrected; some products
// are deleted.
func Mutate(t testing.TB, db *gorm.DB, now time.Time, seed uint64) {
	t.Helper()
	g := generator{t: t, db: db, now: now.UTC(), r: rand.New(rand.NewPCG(seed, seed^0xc0ffee))}
	pick := func(table, where string, k int) string {
		return fmt.Sprintf("id IN (SELECT id FROM %s WHERE %s ORDER BY md5(id::text || '%d') LIMIT %d)", table, where, g.r.Int(), k)
	}
	g.exec("UPDATE products SET status = 'archived', topotop = false WHERE " + pick("products", "status = 'published'", 5))
	g.exec("UPDATE products SET status = 'published', published_at = ? WHERE "+pick("products", "status = 'pending_review'", 5), g.now.AddDate(0, 0, -3))
	g.exec("UPDATE products SET status = 'pending_review', topotop = false WHERE " + pick("products", "status = 'draft'", 3))
	g.exec("UPDATE products SET topotop = NOT topotop WHERE " + pick("products", "status = 'published'", 6))
	g.exec("UPDATE products SET select_center_id = 'songkhla' WHERE " + pick("products", "true", 4))
	g.exec("UPDATE products SET category = 'herbal', creative_industry = 'thai_traditional_medicine' WHERE " + pick("products", "true", 6))
	g.exec("UPDATE products SET stars_verification = 'verified', stars_verified_at = now() WHERE " + pick("products", "otop_stars IS NOT NULL", 6))
	g.exec("UPDATE products SET otop_stars = 5 WHERE " + pick("products", "otop_stars IS NOT NULL", 4))
	g.exec("UPDATE products SET stock = 7, version = version + 1 WHERE " + pick("products", "true", 10))
	g.exec(`UPDATE product_certifications SET verification = 'verified', verified_at = now()
		WHERE verification = 'unverified' AND product_id IN (SELECT id FROM products ORDER BY md5(id::text || ?) LIMIT 10)`, strconv.Itoa(g.r.Int()))
	g.exec(`UPDATE product_certifications SET expires_on = ?
		WHERE product_id IN (SELECT id FROM products ORDER BY md5(id::text || ?) LIMIT 6)`, g.now.AddDate(0, 0, -1), strconv.Itoa(g.r.Int()))
	g.exec(`DELETE FROM product_certifications WHERE product_id IN (SELECT id FROM products ORDER BY md5(id::text || ?) LIMIT 5)`, strconv.Itoa(g.r.Int()))
	g.exec("UPDATE producers SET kind = 'sme', enterprise_level = 4 WHERE " + pick("producers", "true", 3))
	g.exec("UPDATE orders SET status = 'cancelled', cancelled_at = now(), cancel_reason = 'Changed plans.', carrier = NULL, tracking_number = NULL WHERE " +
		pick("orders", "status <> 'cancelled'", 3))
	g.exec("UPDATE orders SET total_minor = total_minor + 1000 WHERE " + pick("orders", "true", 3))
	g.exec("UPDATE inquiries SET destination_country = 'SG' WHERE " + pick("inquiries", "true", 3))
	g.exec("DELETE FROM products WHERE " + pick("products", `status IN ('draft', 'rejected')
		AND id NOT IN (SELECT product_id FROM inquiries) AND id NOT IN (SELECT product_id FROM order_lines)`, 3))
}

// Expected is what a report by r.Dimension must say in r's scope, on r.AsOf
// and over r.Months, computed from the catalogue's and the trade's tables
// with one GROUP BY per figure, flattened as Flatten does.
func Expected(t testing.TB, db *gorm.DB, tax *taxonomy.Taxonomy, r stats.Report) map[string]string {
	t.Helper()
	first, err := time.Parse("2006-01", r.Months[0])
	if err != nil {
		t.Fatal(err)
	}
	last, _ := time.Parse("2006-01", r.Months[len(r.Months)-1])
	var home, groups []string
	for _, reg := range tax.Regions() {
		home = append(home, fmt.Sprintf("('%s', '%s')", reg.ID, reg.SelectCenterID))
	}
	for _, ind := range tax.CreativeIndustries() {
		groups = append(groups, fmt.Sprintf("('%s', '%s')", ind.ID, ind.Group))
	}
	// What each kind of row is grouped by, for this dimension.
	var product, producer, inquiry, order string
	switch r.Dimension {
	case stats.ByRegion:
		product, producer, inquiry, order = "p.region", "pr.region", "pr.region", "pr.region"
	case stats.ByCluster:
		product, producer, inquiry, order = "p.cluster_id", "pr.cluster_id", "pr.cluster_id", "pr.cluster_id"
	case stats.ByProvince:
		product, producer, inquiry, order = "p.province_code", "pr.province_code", "pr.province_code", "pr.province_code"
	case stats.BySelectCenter:
		product, producer, inquiry, order = "p.select_center_id", "h.center", "i.select_center_id", "o.select_center_id"
	}
	// Which rows the caller sees.
	visible := map[stats.Scope][3]string{
		stats.ScopePublic: {"p.status = 'published'", "EXISTS (SELECT 1 FROM products x WHERE x.producer_id = pr.id AND x.status = 'published')", "false"},
		stats.ScopeCenter: {"(p.status = 'published' OR p.select_center_id = @center)",
			"(EXISTS (SELECT 1 FROM products x WHERE x.producer_id = pr.id AND x.status = 'published') OR h.center = @center)",
			"%s.select_center_id = @center"},
		stats.ScopeAll: {"true", "true", "true"},
	}[r.Scope]
	certified := `EXISTS (SELECT 1 FROM product_certifications c WHERE c.product_id = p.id AND c.verification = 'verified'
		AND (c.expires_on IS NULL OR c.expires_on >= @today))`
	month := func(column string) string { return "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM')" }
	inWindow := func(column string) string { return column + " >= @first AND " + column + " < @end" }
	queries := []string{
		// Products in scope, by status.
		`SELECT ` + product + `, 'products', count(*) FROM products p WHERE ` + visible[0] + ` GROUP BY 1`,
		`SELECT ` + product + `, 'products_by_status.' || p.status, count(*) FROM products p WHERE ` + visible[0] + ` GROUP BY 1, 2`,
		// The published catalogue.
		`SELECT ` + product + `, 'products_published', count(*) FROM products p WHERE p.status = 'published' GROUP BY 1`,
		`SELECT ` + product + `, 'products_topotop', count(*) FROM products p WHERE p.status = 'published' AND p.topotop GROUP BY 1`,
		`SELECT ` + product + `, 'by_category.' || p.category, count(*) FROM products p WHERE p.status = 'published' GROUP BY 1, 2`,
		`SELECT ` + product + `, 'by_creative_industry.' || p.creative_industry, count(*) FROM products p
			WHERE p.status = 'published' AND p.creative_industry IS NOT NULL GROUP BY 1, 2`,
		`SELECT ` + product + `, 'by_creative_group.' || g.grp, count(*) FROM products p
			JOIN (VALUES ` + strings.Join(groups, ", ") + `) g (industry, grp) ON g.industry = p.creative_industry
			WHERE p.status = 'published' GROUP BY 1, 2`,
		`SELECT ` + product + `, 'products_certified', count(*) FROM products p WHERE p.status = 'published' AND ` + certified + ` GROUP BY 1`,
		`SELECT ` + product + `, 'certified_share', round(count(*) FILTER (WHERE ` + certified + `)::numeric / count(*), 4)
			FROM products p WHERE p.status = 'published' GROUP BY 1`,
		`SELECT ` + product + `, 'stars_verified', count(*) FROM products p
			WHERE p.status = 'published' AND p.stars_verification = 'verified' GROUP BY 1`,
		`SELECT ` + product + `, 'average_verified_stars', round(avg(p.otop_stars), 2) FROM products p
			WHERE p.status = 'published' AND p.stars_verification = 'verified' GROUP BY 1`,
		`SELECT ` + product + `, 'monthly.' || ` + month("p.published_at") + ` || '.products_published', count(*) FROM products p
			WHERE p.status = 'published' AND ` + inWindow("p.published_at") + ` GROUP BY 1, 2`,
		// Producers.
		`SELECT ` + producer + `, 'producers', count(*) FROM producers pr JOIN home h ON h.region = pr.region WHERE ` + visible[1] + ` GROUP BY 1`,
		`SELECT ` + producer + `, 'producers_by_kind.' || pr.kind, count(*) FROM producers pr JOIN home h ON h.region = pr.region
			WHERE ` + visible[1] + ` GROUP BY 1, 2`,
		`SELECT ` + producer + `, 'producers_by_level.' || pr.enterprise_level, count(*) FROM producers pr JOIN home h ON h.region = pr.region
			WHERE ` + visible[1] + ` GROUP BY 1, 2`,
	}
	if r.Scope != stats.ScopePublic {
		inq := `FROM inquiries i JOIN producers pr ON pr.id = i.producer_id WHERE ` + strings.ReplaceAll(visible[2], "%s", "i") + ` AND ` + inWindow("i.created_at")
		ord := `FROM orders o JOIN producers pr ON pr.id = o.producer_id WHERE o.status <> 'cancelled' AND ` +
			strings.ReplaceAll(visible[2], "%s", "o") + ` AND ` + inWindow("o.placed_at")
		queries = append(queries,
			`SELECT `+inquiry+`, 'trade.inquiries', count(*) `+inq+` GROUP BY 1`,
			`SELECT `+inquiry+`, 'trade.by_country.' || i.destination_country || '.inquiries', count(*) `+inq+` GROUP BY 1, 2`,
			`SELECT `+inquiry+`, 'monthly.' || `+month("i.created_at")+` || '.inquiries', count(*) `+inq+` GROUP BY 1, 2`,
			`SELECT `+order+`, 'trade.orders', count(*) `+ord+` GROUP BY 1`,
			`SELECT `+order+`, 'trade.orders_value.' || o.currency, sum(o.total_minor) `+ord+` GROUP BY 1, 2`,
			`SELECT `+order+`, 'trade.by_country.' || o.destination_country || '.orders', count(*) `+ord+` GROUP BY 1, 2`,
			`SELECT `+order+`, 'trade.by_country.' || o.destination_country || '.orders_value.' || o.currency, sum(o.total_minor) `+ord+` GROUP BY 1, 2`,
			`SELECT `+order+`, 'monthly.' || `+month("o.placed_at")+` || '.orders', count(*) `+ord+` GROUP BY 1, 2`,
			`SELECT `+order+`, 'monthly.' || `+month("o.placed_at")+` || '.orders_value.' || o.currency, sum(o.total_minor) `+ord+` GROUP BY 1, 2`)
	}
	args := map[string]any{"center": r.SelectCenterID, "today": r.AsOf.Format(time.DateOnly),
		"first": first, "end": last.AddDate(0, 1, 0)}
	out := map[string]string{}
	for _, q := range queries {
		var params []any
		if strings.Contains(q, "@") {
			params = append(params, args)
		}
		rows, err := db.Raw(`WITH home (region, center) AS (VALUES `+strings.Join(home, ", ")+`)
			SELECT * FROM (`+q+`) q`, params...).Rows()
		if err != nil {
			t.Fatalf("statstest: %v\n%s", err, q)
		}
		for rows.Next() {
			var (
				key    *string
				figure string
				value  float64
			)
			if err := rows.Scan(&key, &figure, &value); err != nil {
				t.Fatal(err)
			}
			if key != nil && value != 0 { // Bangkok's rows are in no cluster
				out[*key+" "+figure] = strconv.FormatFloat(value, 'f', -1, 64)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		_ = rows.Close()
	}
	return out
}

// Flatten lists the non-zero figures of a report as "<item> <figure>" →
// value, the way Expected does.
func Flatten(r stats.Report) map[string]string {
	out := map[string]string{}
	for _, it := range r.Items {
		put := func(figure string, v int64) {
			if v != 0 {
				out[it.ID+" "+figure] = strconv.FormatInt(v, 10)
			}
		}
		putMap := func(prefix string, m map[string]int64) {
			for k, v := range m {
				put(prefix+k, v)
			}
		}
		put("producers", it.Producers)
		putMap("producers_by_kind.", it.ProducersByKind)
		for level, v := range it.ProducersByLevel {
			put("producers_by_level."+strconv.Itoa(level), v)
		}
		put("products", it.Products)
		putMap("products_by_status.", it.ProductsByStatus)
		put("products_published", it.Published)
		put("products_topotop", it.Topotop)
		putMap("by_category.", it.ByCategory)
		putMap("by_creative_industry.", it.ByCreativeIndustry)
		putMap("by_creative_group.", it.ByCreativeGroup)
		put("products_certified", it.Certified)
		put("stars_verified", it.StarsVerified)
		for figure, v := range map[string]*float64{"certified_share": it.CertifiedShare(), "average_verified_stars": it.AverageVerifiedStars()} {
			if v != nil && *v != 0 {
				out[it.ID+" "+figure] = strconv.FormatFloat(*v, 'f', -1, 64)
			}
		}
		if tr := it.Trade; tr != nil {
			put("trade.inquiries", tr.Inquiries)
			put("trade.orders", tr.Orders)
			putMap("trade.orders_value.", tr.OrdersValue)
			for cc, c := range tr.ByCountry {
				put("trade.by_country."+cc+".inquiries", c.Inquiries)
				put("trade.by_country."+cc+".orders", c.Orders)
				putMap("trade.by_country."+cc+".orders_value.", c.OrdersValue)
			}
		}
		for _, m := range it.Monthly {
			put("monthly."+m.Month+".products_published", m.Published)
			put("monthly."+m.Month+".inquiries", m.Inquiries)
			put("monthly."+m.Month+".orders", m.Orders)
			putMap("monthly."+m.Month+".orders_value.", m.OrdersValue)
		}
	}
	return out
}

// Diff lists, sorted, the figures on which want and got differ.
func Diff(want, got map[string]string) []string {
	var out []string
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			out = append(out, fmt.Sprintf("%s: got %q, want %q", k, g, w))
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			out = append(out, fmt.Sprintf("%s: got %q, want none", k, g))
		}
	}
	slices.Sort(out)
	return out
}
