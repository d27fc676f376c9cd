package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/stats/statstest"
	"github.com/otopmarket/otop/internal/taxonomy"
	"github.com/otopmarket/otop/internal/testenv"
)

// statsTradeEvents are the inquiries and the orders not cancelled, each
// with its month, province (its producer's), center, destination and what
// it counts for.
const statsTradeEvents = `
	SELECT date_trunc('month', o.placed_at AT TIME ZONE 'UTC')::date AS month, pr.province_code, o.select_center_id,
	       o.destination_country::text AS destination_country, 0 AS inquiries, 1 AS orders,
	       CASE WHEN o.currency = 'THB' THEN o.total_minor ELSE 0 END AS thb_minor,
	       CASE WHEN o.currency = 'USD' THEN o.total_minor ELSE 0 END AS usd_minor,
	       CASE WHEN o.currency = 'EUR' THEN o.total_minor ELSE 0 END AS eur_minor,
	       CASE WHEN o.currency = 'CNY' THEN o.total_minor ELSE 0 END AS cny_minor,
	       CASE WHEN o.currency = 'JPY' THEN o.total_minor ELSE 0 END AS jpy_minor
	FROM orders o JOIN producers pr ON pr.id = o.producer_id WHERE o.status <> 'cancelled'
	UNION ALL
	SELECT date_trunc('month', i.created_at AT TIME ZONE 'UTC')::date, pr.province_code, i.select_center_id,
	       i.destination_country::text, 1, 0, 0, 0, 0, 0, 0
	FROM inquiries i JOIN producers pr ON pr.id = i.producer_id`

const statsTradeSums = `sum(inquiries)::bigint AS i, sum(orders)::bigint AS o, sum(thb_minor)::bigint AS thb,
	sum(usd_minor)::bigint AS usd, sum(eur_minor)::bigint AS eur, sum(cny_minor)::bigint AS cny, sum(jpy_minor)::bigint AS jpy`

// statsRecounts count, for each counter table, the keys whose sum differs
// from a count made from scratch over the catalogue and the trade.
var statsRecounts = map[string]string{
	"stats_products": `
		WITH recount AS (
			SELECT f.facet, f.value, (s.fact).province_code, (s.fact).select_center_id, (s.fact).status, count(*)::bigint AS n,
			       sum(f.stars)::bigint AS stars_sum
			FROM (SELECT stats_product_fact(p, CASE WHEN p.status = 'published' THEN stats_certified_until(p.id) END) AS fact
			      FROM products p) s
			CROSS JOIN LATERAL stats_product_facets(s.fact) f
			GROUP BY 1, 2, 3, 4, 5),
		counted AS (
			SELECT facet, value, province_code, select_center_id, status, sum(n)::bigint, sum(stars_sum)::bigint FROM stats_products
			GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 OR sum(stars_sum) <> 0)
		SELECT count(*) FROM ((SELECT * FROM recount EXCEPT SELECT * FROM counted)
			UNION ALL (SELECT * FROM counted EXCEPT SELECT * FROM recount)) x`,
	"stats_producers": `
		WITH recount AS (
			SELECT pr.province_code, pr.kind, pr.enterprise_level,
			       EXISTS (SELECT 1 FROM products p WHERE p.producer_id = pr.id AND p.status = 'published') AS published,
			       count(*)::bigint AS n
			FROM producers pr GROUP BY 1, 2, 3, 4),
		counted AS (
			SELECT province_code, kind, enterprise_level, published, sum(n)::bigint FROM stats_producers
			GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0)
		SELECT count(*) FROM ((SELECT * FROM recount EXCEPT SELECT * FROM counted)
			UNION ALL (SELECT * FROM counted EXCEPT SELECT * FROM recount)) x`,
	"stats_trade": `
		WITH events AS (` + statsTradeEvents + `),
		recount AS (
			SELECT month, province_code, select_center_id, ` + statsTradeSums + `
			FROM events GROUP BY 1, 2, 3),
		counted AS (
			SELECT month, province_code, select_center_id, ` + statsTradeSums + `
			FROM stats_trade GROUP BY 1, 2, 3)
		SELECT count(*) FROM ((SELECT * FROM recount EXCEPT SELECT * FROM counted WHERE (i, o, thb, usd, eur, cny, jpy) <> (0, 0, 0, 0, 0, 0, 0))
			UNION ALL (SELECT * FROM counted WHERE (i, o, thb, usd, eur, cny, jpy) <> (0, 0, 0, 0, 0, 0, 0) EXCEPT SELECT * FROM recount)) x`,
	// By country, what a request reads: every month less those before the
	// series, for series starting at each of the months compaction keeps
	// apart (the 24 of the series and one more), and ever.
	"stats_trade_countries": `
		WITH since AS (
			SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') - k * interval '1 month')::date AS first FROM generate_series(0, 24) k
			UNION ALL SELECT '-infinity'::date),
		events AS (` + statsTradeEvents + `),
		recount AS (
			SELECT since.first, province_code, select_center_id, destination_country, ` + statsTradeSums + `
			FROM since JOIN events e ON e.month >= since.first GROUP BY 1, 2, 3, 4),
		signed AS (
			SELECT since.first, t.province_code, t.select_center_id, t.destination_country, x.sign * t.inquiries AS inquiries,
			       x.sign * t.orders AS orders, x.sign * t.thb_minor AS thb_minor, x.sign * t.usd_minor AS usd_minor,
			       x.sign * t.eur_minor AS eur_minor, x.sign * t.cny_minor AS cny_minor, x.sign * t.jpy_minor AS jpy_minor
			FROM since JOIN stats_trade_countries t ON t.month IS NULL OR t.month < since.first
			CROSS JOIN LATERAL (SELECT CASE WHEN t.month IS NULL THEN 1 ELSE -1 END AS sign) x),
		counted AS (
			SELECT first, province_code, select_center_id, destination_country, ` + statsTradeSums + `
			FROM signed GROUP BY 1, 2, 3, 4)
		SELECT count(*) FROM ((SELECT * FROM recount EXCEPT SELECT * FROM counted WHERE (i, o, thb, usd, eur, cny, jpy) <> (0, 0, 0, 0, 0, 0, 0))
			UNION ALL (SELECT * FROM counted WHERE (i, o, thb, usd, eur, cny, jpy) <> (0, 0, 0, 0, 0, 0, 0) EXCEPT SELECT * FROM recount)) x`,
}

func assertStatsExact(t *testing.T, db *gorm.DB, when string) {
	t.Helper()
	for table, q := range statsRecounts {
		var wrong int64
		if err := db.Raw(q).Row().Scan(&wrong); err != nil {
			t.Fatalf("recount %s: %v", table, err)
		}
		if wrong != 0 {
			t.Errorf("%s: %d keys of %s differ from a recount", when, wrong, table)
		}
	}
}

// statsTotals is every sum the counters hold, to compare before and after.
func statsTotals(t *testing.T, db *gorm.DB) [6]int64 {
	t.Helper()
	var out [6]int64
	err := db.Raw(`SELECT (SELECT coalesce(sum(n), 0) FROM stats_products), (SELECT coalesce(sum(stars_sum), 0) FROM stats_products),
		(SELECT coalesce(sum(n), 0) FROM stats_producers), (SELECT coalesce(sum(inquiries + orders), 0) FROM stats_trade),
		(SELECT coalesce(sum(thb_minor + usd_minor + eur_minor + cny_minor + jpy_minor), 0) FROM stats_trade),
		(SELECT count(*) FROM stats_products) + (SELECT count(*) FROM stats_producers) + (SELECT count(*) FROM stats_trade)
		+ (SELECT count(*) FROM stats_trade_countries)`).
		Row().Scan(&out[0], &out[1], &out[2], &out[3], &out[4], &out[5])
	if err != nil {
		t.Fatalf("stats totals: %v", err)
	}
	return out
}

func seededStats(t *testing.T) (*gorm.DB, time.Time) {
	t.Helper()
	tax, err := taxonomy.Load()
	if err != nil {
		t.Fatal(err)
	}
	db := testenv.DB(t)
	now := time.Date(2026, 12, 15, 10, 30, 0, 0, time.UTC)
	statstest.Seed(t, db, tax, now, 11, statstest.Sizes{Producers: 12, Products: 150, Inquiries: 60, Orders: 60})
	return db, now
}

func TestStatsCountersMatchARecountAfterEveryKindOfChange(t *testing.T) {
	t.Parallel()
	db, now := seededStats(t)
	assertStatsExact(t, db, "after the inserts")
	some := func(table, where string) string {
		return fmt.Sprintf("id IN (SELECT id FROM %s WHERE %s ORDER BY id LIMIT 4)", table, where)
	}
	changes := []struct {
		name, sql string
		args      []any
	}{
		{"approvals", "UPDATE products SET status = 'published', published_at = now() WHERE " + some("products", "status = 'pending_review'"), nil},
		{"archiving", "UPDATE products SET status = 'archived', topotop = false WHERE " + some("products", "status = 'published'"), nil},
		{"a republication in another month", "UPDATE products SET published_at = published_at - interval '40 days' WHERE " + some("products", "status = 'published'"), nil},
		{"TOPOTOP", "UPDATE products SET topotop = NOT topotop WHERE " + some("products", "status = 'published'"), nil},
		{"a move to another center", "UPDATE products SET select_center_id = 'khon-kaen' WHERE " + some("products", "select_center_id <> 'khon-kaen'"), nil},
		{"a new category and industry", "UPDATE products SET category = 'beverage', creative_industry = NULL WHERE " + some("products", "true"), nil},
		{"stars verified", "UPDATE products SET stars_verification = 'verified', stars_verified_at = now() WHERE " + some("products", "otop_stars IS NOT NULL AND stars_verification <> 'verified'"), nil},
		{"stars changed", "UPDATE products SET otop_stars = 1 WHERE " + some("products", "otop_stars IS NOT NULL"), nil},
		{"stock only", "UPDATE products SET stock = 3, version = version + 1 WHERE " + some("products", "true"), nil},
		{"certificates verified", `UPDATE product_certifications SET verification = 'verified', verified_at = now()
			WHERE (product_id, position) IN (SELECT product_id, position FROM product_certifications WHERE verification <> 'verified' LIMIT 6)`, nil},
		{"certificates expiring", `UPDATE product_certifications SET expires_on = ?
			WHERE product_id IN (SELECT product_id FROM product_certifications ORDER BY product_id LIMIT 6)`, []any{now.AddDate(0, 0, -2)}},
		{"certificates removed", `DELETE FROM product_certifications WHERE product_id IN (SELECT product_id FROM product_certifications ORDER BY product_id DESC LIMIT 3)`, nil},
		{"a certificate added", `INSERT INTO product_certifications (product_id, position, kind, number, verification, verified_at)
			SELECT id, 19, 'gi', 'GI-' || left(id::text, 6), 'verified', now() FROM products WHERE status = 'published' LIMIT 3`, nil},
		{"producers' kind and level", "UPDATE producers SET kind = 'individual', enterprise_level = 1 WHERE " + some("producers", "true"), nil},
		{"orders cancelled", "UPDATE orders SET status = 'cancelled', cancelled_at = now(), cancel_reason = 'x', carrier = NULL, tracking_number = NULL WHERE " + some("orders", "status <> 'cancelled'"), nil},
		{"order totals corrected", "UPDATE orders SET total_minor = total_minor + 99 WHERE " + some("orders", "true"), nil},
		{"orders deleted", "DELETE FROM orders WHERE " + some("orders", "true"), nil},
		{"inquiries moved", "UPDATE inquiries SET destination_country = 'FR', created_at = created_at - interval '31 days' WHERE " + some("inquiries", "true"), nil},
		{"inquiries deleted", "DELETE FROM inquiries WHERE " + some("inquiries", "true"), nil},
		{"products deleted", "DELETE FROM products WHERE " + some("products", "id NOT IN (SELECT product_id FROM inquiries)"), nil},
		{"a producer and its products deleted", `WITH gone AS (DELETE FROM products WHERE producer_id = (SELECT id FROM producers pr
			WHERE NOT EXISTS (SELECT 1 FROM inquiries i WHERE i.producer_id = pr.id) AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.producer_id = pr.id)
			ORDER BY id LIMIT 1) RETURNING producer_id) SELECT 1`, nil},
		{"producers without products deleted", `DELETE FROM producers pr WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.producer_id = pr.id)
			AND NOT EXISTS (SELECT 1 FROM inquiries i WHERE i.producer_id = pr.id) AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.producer_id = pr.id)`, nil},
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			if err := db.Exec(c.sql, c.args...).Error; err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			assertStatsExact(t, db, "after "+c.name)
		})
	}
}

// An import writes with COPY: its rows are counted like any other insert.
func TestStatsCountRowsWrittenWithCopy(t *testing.T) {
	t.Parallel()
	db, _ := seededStats(t)
	var producer uuid.UUID
	var province, region, center string
	var cluster *string
	if err := db.Raw(`SELECT id, province_code, cluster_id, region FROM producers ORDER BY id LIMIT 1`).Row().Scan(&producer, &province, &cluster, &region); err != nil {
		t.Fatal(err)
	}
	center = "bangkok"
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := sqlDB.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close() //nolint:errcheck // a test's connection
	rows := make([][]any, 500)
	for i := range rows {
		rows[i] = []any{uuid.NewString(), producer.String(), "published", "สินค้า", "Product", "Hand-made.", "food", int64(1000), int32(1), "piece",
			province, cluster, region, center, time.Now()}
	}
	err = conn.Raw(func(c any) error {
		pc := c.(*stdlib.Conn).Conn()
		_, err := pc.CopyFrom(context.Background(), pgx.Identifier{"products"}, []string{"id", "producer_id", "status", "name_th", "name_en",
			"description_en", "category", "price_minor", "moq", "unit", "province_code", "cluster_id", "region", "select_center_id", "published_at"},
			pgx.CopyFromRows(rows))
		return err
	})
	if err != nil {
		t.Fatalf("COPY: %v", err)
	}
	assertStatsExact(t, db, "after a COPY")
}

func TestStatsCountersRollBackWithTheirTransaction(t *testing.T) {
	t.Parallel()
	db, _ := seededStats(t)
	before := statsTotals(t, db)
	errRollback := errors.New("roll back")
	err := db.Transaction(func(tx *gorm.DB) error {
		for _, q := range []string{
			"UPDATE products SET status = 'published', published_at = now() WHERE status = 'pending_review'",
			"UPDATE product_certifications SET verification = 'verified', verified_at = now()",
			"UPDATE orders SET status = 'cancelled', cancelled_at = now(), cancel_reason = 'x', carrier = NULL, tracking_number = NULL",
			"DELETE FROM inquiries",
		} {
			if err := tx.Exec(q).Error; err != nil {
				return err
			}
		}
		if after := statsTotals(t, tx); after == before {
			t.Errorf("the changes counted nothing inside their transaction")
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("transaction: %v", err)
	}
	if after := statsTotals(t, db); after != before {
		t.Errorf("counters after a rollback %v, before %v", after, before)
	}
	assertStatsExact(t, db, "after a rollback")
}

// Counters are only ever inserted: two transactions changing products of
// the same province, center and status (of two producers: a producer's
// number of published products is one row), or placing orders of the same
// month and country, do not wait for each other.
func TestStatsWritersDoNotWaitForEachOther(t *testing.T) {
	t.Parallel()
	db, _ := seededStats(t)
	var a, b uuid.UUID
	if err := db.Raw(`SELECT p.id, q.id FROM products p JOIN products q ON q.province_code = p.province_code
		AND q.select_center_id = p.select_center_id AND q.status = p.status AND q.producer_id <> p.producer_id
		WHERE p.status = 'pending_review' ORDER BY p.id LIMIT 1`).Row().Scan(&a, &b); err != nil {
		t.Fatalf("two products alike: %v", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback() //nolint:errcheck // committed below
	publish := "UPDATE products SET status = 'published', published_at = now() WHERE id = $1"
	order := `INSERT INTO orders (group_id, importer_id, producer_id, select_center_id, currency, total_minor, destination_country, incoterm)
		SELECT gen_random_uuid(), (SELECT id FROM users WHERE role = 'importer' LIMIT 1), producer_id, select_center_id, 'THB', 5000, 'JP', 'FOB'
		FROM products WHERE id = $1`
	for _, q := range []string{publish, order} {
		if _, err := first.ExecContext(ctx, q, a); err != nil {
			t.Fatalf("first: %v", err)
		}
	}
	second, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Rollback() //nolint:errcheck // committed below
	if _, err := second.ExecContext(ctx, "SET LOCAL lock_timeout = '2s'"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{publish, order} {
		if _, err := second.ExecContext(ctx, q, b); err != nil {
			t.Fatalf("the second writer waited for the first: %v", err)
		}
	}
	for _, tx := range []*sql.Tx{second, first} {
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	assertStatsExact(t, db, "after two writers")
}

func TestStatsCompactKeepsEverySumWhileWritersGoOn(t *testing.T) {
	t.Parallel()
	db, now := seededStats(t)
	store := postgres.NewStats(db)
	statstest.Mutate(t, db, now, 3)
	before := statsTotals(t, db)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() { // a curator flipping TOPOTOP meanwhile
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := db.Exec(`UPDATE products SET topotop = NOT topotop WHERE id = (SELECT id FROM products WHERE status = 'published'
				ORDER BY random() LIMIT 1)`).Error; err != nil {
				t.Errorf("writer: %v", err)
				return
			}
		}
	}()
	var removed int64
	for range 5 {
		n, err := store.Compact(context.Background(), time.Now())
		if err != nil {
			t.Errorf("Compact: %v", err)
		}
		removed += n
	}
	close(stop)
	wg.Wait()
	if removed == 0 {
		t.Errorf("Compact removed nothing")
	}
	assertStatsExact(t, db, "after compacting")
	// Without writers, compacting leaves one row per key, and the same sums.
	if _, err := store.Compact(context.Background(), time.Now()); err != nil {
		t.Fatal(err)
	}
	after := statsTotals(t, db)
	if after[5] >= before[5] {
		t.Errorf("%d counter rows after compacting, %d before", after[5], before[5])
	}
	if n, err := store.Compact(context.Background(), time.Now()); n != 0 || err != nil {
		t.Errorf("compacting again removed %d rows (%v)", n, err)
	}
	assertStatsExact(t, db, "after compacting twice")
}
