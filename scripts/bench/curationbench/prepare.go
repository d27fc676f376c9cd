package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// centers are the four Select centers.
var centers = []string{"bangkok", "chiang-mai", "khon-kaen", "songkhla"}

// prepare brings every center's queue to o.pending/4 products: it moves
// that many published products, less those the seed already put in the
// queue (chosen by a hash of their id), to pending_review, as if their
// producers had submitted them over the past 30 days, each tagged
// benchq<n>; the
// table bench_curation keeps n and id. The outbox triggers enqueue every
// one of them, and serve's indexer deletes them from the index: prepare
// waits until search_outbox is empty, then checks that search does not
// find them.
func prepare(ctx context.Context, db *pgx.Conn, o options) error {
	var exists bool
	if err := db.QueryRow(ctx, "SELECT to_regclass('bench_curation') IS NOT NULL").Scan(&exists); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	if exists {
		return errors.New("prepare: this database was prepared already (table bench_curation); run with -prepare=false, or on a freshly seeded database")
	}
	perCenter := o.pending / len(centers)
	before, err := pendingByCenter(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "curationbench: bringing each center's queue to %d products (pending before: %v)\n", perCenter, before)
	start := time.Now()
	tx, err := db.Begin(ctx)
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit, a no-op
	for _, stmt := range []struct {
		sql  string
		args []any
	}{
		{`CREATE TABLE bench_curation (n integer PRIMARY KEY, id uuid NOT NULL UNIQUE, select_center_id text NOT NULL,
			resubmitted boolean NOT NULL DEFAULT false)`, nil},
		{`INSERT INTO bench_curation (n, id, select_center_id)
			SELECT row_number() OVER (ORDER BY k, select_center_id), id, select_center_id FROM (
				SELECT id, select_center_id,
				       row_number() OVER (PARTITION BY select_center_id ORDER BY md5(id::text || 'curationbench')) AS k
				FROM products WHERE status = 'published') p
			LEFT JOIN (SELECT select_center_id, count(*) AS pending FROM products
				WHERE status = 'pending_review' GROUP BY 1) q USING (select_center_id)
			WHERE k <= $1 - coalesce(q.pending, 0)`, []any{perCenter}},
		// o.resubmitted % of them are resubmissions of the published
		// product (its published version stays, for the queue's changes);
		// the others first submissions (never reviewed nor published).
		{`UPDATE bench_curation SET resubmitted = (n::bigint * 37) % 100 < $1`, []any{o.resubmitted}},
		{`DELETE FROM product_published_versions v USING bench_curation b WHERE v.product_id = b.id AND NOT b.resubmitted`, nil},
		// Submitted over the past 30 days (n * a prime modulo 30 days, in
		// seconds; a resubmission after its publication), with the tag
		// search will find once it is published again, and a new version.
		{`UPDATE products p SET status = 'pending_review',
				submitted_at = CASE WHEN b.resubmitted THEN greatest(s.at, p.published_at + interval '1 hour') ELSE s.at END,
				published_at = CASE WHEN b.resubmitted THEN p.published_at END,
				reviewed_at = CASE WHEN b.resubmitted THEN p.reviewed_at END,
				reviewed_by = CASE WHEN b.resubmitted THEN p.reviewed_by END,
				topotop = b.resubmitted AND p.topotop,
				tags = p.tags[1:19] || ('benchq' || b.n), updated_at = now(), version = p.version + 1
			FROM bench_curation b,
				LATERAL (SELECT now() - make_interval(secs => ((b.n::bigint * 7919) % (30 * 86400))::double precision) AS at) s
			WHERE p.id = b.id`, nil},
	} {
		if _, err := tx.Exec(ctx, stmt.sql, stmt.args...); err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	updated := time.Since(start)
	waited, err := waitOutbox(ctx, db, o.outboxTimeout)
	if err != nil {
		return err
	}
	if _, err := db.Exec(ctx, "ANALYZE products"); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	counts, err := pendingByCenter(ctx, db)
	if err != nil {
		return err
	}
	total, seeded, parts := 0, 0, make([]string, 0, len(counts))
	for _, c := range centers {
		total += counts[c]
		seeded += before[c]
		parts = append(parts, fmt.Sprintf("%s %d", c, counts[c]))
	}
	var moved, resubmitted int
	if err := db.QueryRow(ctx, "SELECT count(*), count(*) FILTER (WHERE resubmitted) FROM bench_curation").Scan(&moved, &resubmitted); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	// Search finds the published products only: none of those moved.
	var published int
	if err := db.QueryRow(ctx, "SELECT count(*) FROM products WHERE status = 'published'").Scan(&published); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	var reply struct {
		Total int `json:"total"`
	}
	client := &http.Client{Timeout: 30 * time.Second}
	if err := callJSON(ctx, client, http.MethodGet, o.api+"/v1/search?per_page=1", "", nil, &reply); err != nil {
		return fmt.Errorf("prepare: search: %w", err)
	}
	check := fmt.Sprintf("search then finds exactly the %d published products", published)
	if reply.Total != published {
		check = fmt.Sprintf("**but search then finds %d products where PostgreSQL has %d published**", reply.Total, published)
		fmt.Fprintln(os.Stderr, "curationbench: warning:", check)
	}
	fmt.Printf("Prepared: %d products pending review (%s): the seed's %d plus %d published ones moved to `pending_review` in SQL "+
		"(%d of them as resubmissions, with their published version for the queue's changes; the others as first submissions), "+
		"submitted over the past 30 days, each tagged `benchq<n>`, committed in %.1f s; serve's indexer took those out of search "+
		"(search_outbox empty) %.2f s later; %s.\n\n",
		total, strings.Join(parts, ", "), seeded, moved, resubmitted, updated.Seconds(), waited.Seconds(), check)
	return nil
}

// pendingByCenter counts the products pending review of each center.
func pendingByCenter(ctx context.Context, db *pgx.Conn) (map[string]int, error) {
	rows, err := db.Query(ctx, "SELECT select_center_id, count(*) FROM products WHERE status = 'pending_review' GROUP BY 1")
	if err != nil {
		return nil, fmt.Errorf("count pending: %w", err)
	}
	out := map[string]int{}
	for rows.Next() {
		var c string
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return nil, err
		}
		out[c] = n
	}
	return out, rows.Err()
}

// queueFilters lists, for each center, one-filter query strings of its
// queue: every category, province, cluster, creative industry and
// resubmitted value among its pending products.
func queueFilters(ctx context.Context, db *pgx.Conn) (map[string][]string, error) {
	rows, err := db.Query(ctx, `
		SELECT DISTINCT select_center_id, 'category=' || category FROM products WHERE status = 'pending_review'
		UNION SELECT DISTINCT select_center_id, 'province=' || province_code FROM products WHERE status = 'pending_review'
		UNION SELECT DISTINCT select_center_id, 'cluster=' || cluster_id FROM products WHERE status = 'pending_review' AND cluster_id IS NOT NULL
		UNION SELECT DISTINCT select_center_id, 'creative_industry=' || creative_industry FROM products
			WHERE status = 'pending_review' AND creative_industry IS NOT NULL
		UNION SELECT DISTINCT select_center_id, 'resubmitted=' || (reviewed_at IS NOT NULL) FROM products WHERE status = 'pending_review'
		ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("queue filters: %w", err)
	}
	out := map[string][]string{}
	for rows.Next() {
		var c, f string
		if err := rows.Scan(&c, &f); err != nil {
			return nil, err
		}
		out[c] = append(out[c], f)
	}
	return out, rows.Err()
}

// waitOutbox waits until search_outbox is empty (serve's indexer applied
// every change) and returns how long that took.
func waitOutbox(ctx context.Context, db *pgx.Conn, timeout time.Duration) (time.Duration, error) {
	start := time.Now()
	var told time.Time
	for {
		var n int
		if err := db.QueryRow(ctx, "SELECT count(*) FROM search_outbox").Scan(&n); err != nil {
			return 0, fmt.Errorf("search_outbox: %w", err)
		}
		if n == 0 {
			return time.Since(start), nil
		}
		if time.Since(told) > 5*time.Second {
			fmt.Fprintf(os.Stderr, "curationbench: waiting for serve's indexer: %d rows in search_outbox\n", n)
			told = time.Now()
		}
		if time.Since(start) > timeout {
			return 0, fmt.Errorf("search_outbox still holds %d rows after %s: is serve's indexer running?", n, timeout)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
