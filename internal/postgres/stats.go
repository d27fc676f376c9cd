package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/stats"
)

// Stats reads the counters that migration 00014's triggers keep in the
// transactions of every change (stats_products, stats_producers,
// stats_trade, stats_trade_countries); it implements stats.Store.
type Stats struct {
	db *gorm.DB
}

// NewStats returns the stats store.
func NewStats(db *gorm.DB) *Stats { return &Stats{db: db} }

var _ stats.Store = (*Stats)(nil)

// The stats reads return counter rows as they are, with no GROUP BY: the
// counters hold few rows per key (compaction folds them), and summing
// thousands of bigint columns in PostgreSQL (as numeric) costs more than
// adding them up here.

// statsProducts reads the product counters in scope. A product is certified
// today when the last day it is certified on falls in a later year (or
// never), a later month of this year, or this month from today on: all
// three kinds of rows count as 'certified'.
const statsProducts = `
	SELECT province_code, select_center_id, status, facet, value, n, stars_sum
	FROM stats_products
	WHERE (@all OR status = 'published' OR select_center_id = @center)
	  AND (facet IN ('status', 'category', 'creative_industry', 'topotop', 'stars')
	       OR (facet = 'published_month' AND value BETWEEN @first_month AND @last_month)
	       OR (facet = 'certified_year' AND (value = 'never' OR value > @this_year))
	       OR (facet = 'certified_month' AND value > @last_month AND value <= @year_end)
	       OR (facet = 'certified_day' AND value >= @today AND value < @next_month))`

const statsProducers = `
	SELECT province_code, kind, enterprise_level, published, n
	FROM stats_producers
	WHERE @all OR published OR province_code = ANY (@home)`

const statsTrade = `
	SELECT province_code, select_center_id, month, 1, inquiries, orders,
	       thb_minor, usd_minor, eur_minor, cny_minor, jpy_minor
	FROM stats_trade
	WHERE month BETWEEN @first_day AND @last_day AND (@all OR select_center_id = @center)`

// statsTradeCountries reads the trade by destination over the months of the
// series: every month (the rows of month NULL) less the months before it.
const statsTradeCountries = `
	SELECT province_code, select_center_id, destination_country, CASE WHEN month IS NULL THEN 1 ELSE -1 END,
	       inquiries, orders, thb_minor, usd_minor, eur_minor, cny_minor, jpy_minor
	FROM stats_trade_countries
	WHERE (month IS NULL OR month < @first_day) AND (@all OR select_center_id = @center)`

// statsTradeColumns are the trade counters' sums, for compaction.
const statsTradeColumns = `sum(inquiries)::bigint, sum(orders)::bigint, sum(thb_minor)::bigint, sum(usd_minor)::bigint,
	sum(eur_minor)::bigint, sum(cny_minor)::bigint, sum(jpy_minor)::bigint`

// tradeCurrencies are the currencies of the trade counters' value columns,
// those orders.currency allows.
func tradeCurrencies() [5]string { return [5]string{"THB", "USD", "EUR", "CNY", "JPY"} }

// Cells reads the counters in q's scope, in one snapshot, and adds them up
// by item.
func (s *Stats) Cells(ctx context.Context, q stats.Query) (stats.Cells, error) {
	home := q.HomeProvinces
	if home == nil {
		home = []string{}
	}
	args := pgx.NamedArgs{
		"all":         q.Scope == stats.ScopeAll,
		"center":      q.Center, // "" for the public: no center has that id
		"home":        home,
		"today":       q.Today.Format(time.DateOnly),
		"next_month":  q.LastMonth.AddDate(0, 1, 0).Format(time.DateOnly),
		"first_month": q.FirstMonth.Format("2006-01"),
		"last_month":  q.LastMonth.Format("2006-01"),
		"this_year":   q.LastMonth.Format("2006"),
		"year_end":    q.LastMonth.Format("2006") + "-12",
		"first_day":   q.FirstMonth,
		"last_day":    q.LastMonth,
	}
	// item is where a row of a province and a center counts ("": nowhere).
	item := func(province, center string) string {
		if q.ByCenter && center != "" {
			return center
		}
		return q.Items[province]
	}
	var out stats.Cells
	err := s.readOnly(ctx, func(tx pgx.Tx) error {
		var (
			province, center string
			p                stats.ProductCell
		)
		err := forEach(ctx, tx, statsProducts, args, []any{&province, &center, &p.Status, &p.Facet, &p.Value, &p.N, &p.StarsSum}, func() {
			if p.Item = item(province, center); p.Item != "" {
				if strings.HasPrefix(string(p.Facet), "certified_") {
					p.Facet, p.Value = stats.FacetCertified, ""
				}
				out.Products = append(out.Products, p)
			}
		})
		if err != nil {
			return fmt.Errorf("stats: products: %w", err)
		}
		var pr stats.ProducerCell
		err = forEach(ctx, tx, statsProducers, args, []any{&province, &pr.Kind, &pr.Level, &pr.Published, &pr.N}, func() {
			if pr.Item = item(province, ""); pr.Item != "" {
				out.Producers = append(out.Producers, pr)
			}
		})
		if err != nil {
			return fmt.Errorf("stats: producers: %w", err)
		}
		if q.Scope == stats.ScopePublic {
			return nil
		}
		out.Trade, err = s.trade(ctx, tx, args, item)
		return err
	})
	return out, translate(err, "stats")
}

// trade adds the monthly trade counters up by item and month, and those by
// country by item and country.
func (s *Stats) trade(ctx context.Context, tx pgx.Tx, args pgx.NamedArgs, item func(province, center string) string) ([]stats.TradeCell, error) {
	type key struct{ item, month, country string }
	type sum struct {
		inquiries, orders int64
		value             [5]int64
	}
	sums := map[key]*sum{}
	var (
		province, center, country string
		month                     time.Time // formatted here: to_char costs PostgreSQL more
		sign                      int64
		row                       [7]int64 // inquiries, orders, then the value in each currency
	)
	add := func(monthly bool) func() {
		return func() {
			id := item(province, center)
			if id == "" {
				return
			}
			at := key{item: id, country: country}
			if monthly {
				at = key{item: id, month: month.Format("2006-01")}
			}
			t := sums[at]
			if t == nil {
				t = &sum{}
				sums[at] = t
			}
			t.inquiries += sign * row[0]
			t.orders += sign * row[1]
			for i := range t.value {
				t.value[i] += sign * row[2+i]
			}
		}
	}
	dest := func(k any) []any {
		return []any{&province, &center, k, &sign, &row[0], &row[1], &row[2], &row[3], &row[4], &row[5], &row[6]}
	}
	if err := forEach(ctx, tx, statsTrade, args, dest(&month), add(true)); err != nil {
		return nil, fmt.Errorf("stats: trade: %w", err)
	}
	if err := forEach(ctx, tx, statsTradeCountries, args, dest(&country), add(false)); err != nil {
		return nil, fmt.Errorf("stats: trade by country: %w", err)
	}
	out := make([]stats.TradeCell, 0, len(sums))
	for at, t := range sums {
		c := stats.TradeCell{Item: at.item, Month: at.month, Country: at.country, Inquiries: t.inquiries, Orders: t.orders,
			OrdersValue: stats.Money{}}
		for i, cur := range tradeCurrencies() {
			if t.value[i] != 0 {
				c.OrdersValue[cur] = t.value[i]
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// readOnly runs fn in a read-only, repeatable-read transaction on a
// connection of the pool, through pgx itself: its rows scan into Go values
// several times faster than through database/sql, and a stats request
// reads thousands.
func (s *Stats) readOnly(ctx context.Context, fn func(pgx.Tx) error) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close() //nolint:errcheck // back to the pool
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("stats: the pool's connections are %T, not pgx's", dc)
		}
		return pgx.BeginTxFunc(ctx, c.Conn(), pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
	})
}

// forEach runs query and calls fn after scanning each row into dest.
func forEach(ctx context.Context, tx pgx.Tx, query string, args pgx.NamedArgs, dest []any, fn func()) error {
	rows, err := tx.Query(ctx, query, args)
	if err != nil {
		return err
	}
	_, err = pgx.ForEachRow(rows, dest, func() error { fn(); return nil })
	return err
}

// statsCompactions fold the rows of each counter key into one row: the
// triggers only ever insert, so a counter table grows with every change
// until it is compacted. Rows that transactions this one cannot see insert
// meanwhile stay as they are; every sum is the same before and after.
func statsCompactions() []string {
	return []string{`
	WITH loose AS (
		SELECT facet, value, province_code, select_center_id, status FROM stats_products
		GROUP BY 1, 2, 3, 4, 5 HAVING count(*) > 1 OR (sum(n) = 0 AND sum(stars_sum) = 0)),
	gone AS (
		DELETE FROM stats_products t USING loose l
		WHERE (t.facet, t.value, t.province_code, t.select_center_id, t.status) = (l.facet, l.value, l.province_code, l.select_center_id, l.status)
		RETURNING t.*),
	kept AS (
		INSERT INTO stats_products (facet, value, province_code, select_center_id, status, n, stars_sum)
		SELECT facet, value, province_code, select_center_id, status, sum(n), sum(stars_sum) FROM gone
		GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 OR sum(stars_sum) <> 0
		RETURNING 1)
	SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM kept)`, `
	WITH loose AS (
		SELECT province_code, kind, enterprise_level, published FROM stats_producers
		GROUP BY 1, 2, 3, 4 HAVING count(*) > 1 OR sum(n) = 0),
	gone AS (
		DELETE FROM stats_producers t USING loose l
		WHERE (t.province_code, t.kind, t.enterprise_level, t.published) = (l.province_code, l.kind, l.enterprise_level, l.published)
		RETURNING t.*),
	kept AS (
		INSERT INTO stats_producers (province_code, kind, enterprise_level, published, n)
		SELECT province_code, kind, enterprise_level, published, sum(n) FROM gone
		GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0
		RETURNING 1)
	SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM kept)`, `
	WITH loose AS (
		SELECT month, province_code, select_center_id FROM stats_trade
		GROUP BY 1, 2, 3 HAVING count(*) > 1 OR (` + statsTradeColumns + `) = (0, 0, 0, 0, 0, 0, 0)),
	gone AS (
		DELETE FROM stats_trade t USING loose l
		WHERE (t.month, t.province_code, t.select_center_id) = (l.month, l.province_code, l.select_center_id)
		RETURNING t.*),
	kept AS (
		INSERT INTO stats_trade (month, province_code, select_center_id, inquiries, orders, thb_minor, usd_minor, eur_minor,
		                         cny_minor, jpy_minor)
		SELECT month, province_code, select_center_id, ` + statsTradeColumns + ` FROM gone
		GROUP BY 1, 2, 3 HAVING (` + statsTradeColumns + `) <> (0, 0, 0, 0, 0, 0, 0)
		RETURNING 1)
	SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM kept)`,
		// The months more than one before the oldest a series shows now (a
		// margin for clocks that disagree) are only ever read in a sum: one row
		// per key, labelled with the month before the earliest kept apart, holds
		// them. Then every key's rows fold into one, the month NULL (all
		// months) included.
		`
	WITH edge AS (SELECT (CAST(@month AS date) - interval '24 months')::date AS month),
	loose AS (
		SELECT t.province_code, t.select_center_id, t.destination_country
		FROM stats_trade_countries t WHERE t.month < (SELECT month FROM edge)
		GROUP BY 1, 2, 3 HAVING count(*) > 1 OR min(t.month) < (SELECT month FROM edge) - interval '1 month'),
	old AS (
		DELETE FROM stats_trade_countries t USING loose l
		WHERE t.month < (SELECT month FROM edge)
		  AND (t.province_code, t.select_center_id, t.destination_country) = (l.province_code, l.select_center_id, l.destination_country)
		RETURNING t.*),
	kept AS (
		INSERT INTO stats_trade_countries (month, province_code, select_center_id, destination_country, inquiries, orders,
		                                   thb_minor, usd_minor, eur_minor, cny_minor, jpy_minor)
		SELECT ((SELECT month FROM edge) - interval '1 month')::date, province_code, select_center_id, destination_country, ` +
			statsTradeColumns + `
		FROM old GROUP BY 2, 3, 4 HAVING (` + statsTradeColumns + `) <> (0, 0, 0, 0, 0, 0, 0)
		RETURNING 1)
	SELECT (SELECT count(*) FROM old) - (SELECT count(*) FROM kept)`, `
	WITH loose AS (
		SELECT month, province_code, select_center_id, destination_country FROM stats_trade_countries
		GROUP BY 1, 2, 3, 4 HAVING count(*) > 1 OR (` + statsTradeColumns + `) = (0, 0, 0, 0, 0, 0, 0)),
	gone AS (
		DELETE FROM stats_trade_countries t USING loose l
		WHERE t.month IS NOT DISTINCT FROM l.month
		  AND (t.province_code, t.select_center_id, t.destination_country) = (l.province_code, l.select_center_id, l.destination_country)
		RETURNING t.*),
	kept AS (
		INSERT INTO stats_trade_countries (month, province_code, select_center_id, destination_country, inquiries, orders,
		                                   thb_minor, usd_minor, eur_minor, cny_minor, jpy_minor)
		SELECT month, province_code, select_center_id, destination_country, ` + statsTradeColumns + ` FROM gone
		GROUP BY 1, 2, 3, 4 HAVING (` + statsTradeColumns + `) <> (0, 0, 0, 0, 0, 0, 0)
		RETURNING 1)
	SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM kept)`,
	}
}

// Compact folds the rows of every counter key with several rows (or a sum
// of zero) into one, and the trade by country of the months long before
// now's series, and returns how many rows it removed. Two processes
// compacting at once take turns: the second finds little left to do.
func (s *Stats) Compact(ctx context.Context, now time.Time) (int64, error) {
	now = now.UTC()
	args := map[string]any{"month": time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)}
	var removed int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtext('stats_compact'))").Error; err != nil {
			return translate(err, "stats: compact")
		}
		for _, q := range statsCompactions() {
			var n int64
			var params []any
			if strings.Contains(q, "@month") {
				params = append(params, args)
			}
			if err := tx.Raw(q, params...).Row().Scan(&n); err != nil {
				return translate(err, "stats: compact")
			}
			removed += n
		}
		return nil
	})
	return removed, err
}
