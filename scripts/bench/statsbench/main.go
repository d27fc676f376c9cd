// Command statsbench measures the stats routes (make bench, BENCH_ONLY=stats)
// against a running `otop serve` on loopback, on the seeded catalogue:
//
//  1. prepare: adds -inquiries inquiries and -orders orders in SQL, spread
//     over the last 30 months, eight destination countries, every currency
//     and a few states (cancelled ones too), through the counters' triggers
//     as the trade's own writes go; then folds the counters as serve does
//     every 30 s;
//  2. each stats route in JSON for -duration at -concurrency, its requests
//     shared between anonymous callers, a curator and an admin (-login);
//     then the four routes as CSV;
//  3. checks one admin reply against GROUP BY over the database.
//
// Results print as a Markdown table on stdout, progress on stderr.
//
//	statsbench -api http://127.0.0.1:18080 -database-url postgres://… \
//	    -login admin@example.com:secret,curator@example.com:secret
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/scripts/bench/internal/load"
)

// The target for every stats route, without a cache.
const targetP99 = 50 * time.Millisecond

var routes = []string{"/v1/stats/regions", "/v1/stats/clusters", "/v1/stats/provinces", "/v1/stats/select-centers"}

type options struct {
	api, databaseURL, logins string
	inquiries, orders        int
	concurrency              int
	duration, timeout        time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.api, "api", "http://127.0.0.1:18080", "base URL of the API (loopback only)")
	flag.StringVar(&o.databaseURL, "database-url", os.Getenv("DATABASE_URL"), "the API's database, to prepare and check")
	flag.StringVar(&o.logins, "login", "", "comma-separated email:password pairs of staff (an admin, a curator) to ask as")
	flag.IntVar(&o.inquiries, "inquiries", 50000, "inquiries to add before measuring")
	flag.IntVar(&o.orders, "orders", 20000, "orders to add before measuring")
	flag.IntVar(&o.concurrency, "concurrency", 4, "requests in flight (a few staff and visitors looking at statistics at once)")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "length of each run")
	flag.DurationVar(&o.timeout, "timeout", 15*time.Minute, "bound of the whole run")
	flag.Parse()
	if err := runFor(o); err != nil {
		fmt.Fprintln(os.Stderr, "statsbench:", err)
		os.Exit(1)
	}
}

// runFor runs the benchmark within its time bound, stopped by a signal.
func runFor(o options) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	return run(ctx, o)
}

func run(ctx context.Context, o options) error {
	u, err := url.Parse(o.api)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-api %s: the load stays on loopback (give 127.0.0.1)", o.api)
	}
	tokens, err := staff(ctx, o)
	if err != nil {
		return err
	}
	if err := prepare(ctx, o); err != nil {
		return err
	}
	fmt.Printf("| stats at 100k products (concurrency %d, %s each) | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | target |\n",
		o.concurrency, o.duration)
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
	callers := append([]string{""}, tokens...) // anonymous, then each staff member
	for _, route := range routes {
		res := hammer(ctx, o, func(r *rand.Rand) (string, string) { return route, callers[r.IntN(len(callers))] })
		res.row(fmt.Sprintf("GET %s (anonymous, curator, admin)", route))
	}
	csv := hammer(ctx, o, func(r *rand.Rand) (string, string) {
		return routes[r.IntN(len(routes))] + "?format=csv", callers[r.IntN(len(callers))]
	})
	csv.row("GET /v1/stats/* ?format=csv (the four routes, anonymous, curator, admin)")
	return check(ctx, o, tokens)
}

// staff logs the -login accounts in and returns their tokens.
func staff(ctx context.Context, o options) ([]string, error) {
	var out []string
	for l := range strings.SplitSeq(o.logins, ",") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		email, password, ok := strings.Cut(l, ":")
		if !ok {
			return nil, fmt.Errorf("-login %q: want email:password", l)
		}
		body, _ := json.Marshal(map[string]string{"email": email, "password": password})
		var reply struct {
			Token string `json:"token"`
		}
		if err := call(ctx, http.MethodPost, o.api+"/v1/auth/login", "", body, &reply); err != nil {
			return nil, fmt.Errorf("login %s: %w", email, err)
		}
		out = append(out, reply.Token)
	}
	return out, nil
}

// prepare adds the trade in SQL and folds the counters.
func prepare(ctx context.Context, o options) error {
	db, err := pgx.Connect(ctx, o.databaseURL)
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	defer db.Close(context.Background()) //nolint:errcheck // the run is over
	start := time.Now()
	var importers []string
	rows, err := db.Query(ctx, `INSERT INTO users (email, password_hash, role, country)
		SELECT 'statsbench-' || lower(c) || '-' || gen_random_uuid() || '@example.com', 'x', 'importer', c
		FROM unnest(ARRAY['JP', 'US', 'CN', 'DE', 'SG', 'AU', 'FR', 'KR']) c RETURNING id::text`)
	if err != nil {
		return fmt.Errorf("prepare importers: %w", err)
	}
	if importers, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return fmt.Errorf("prepare importers: %w", err)
	}
	var published int64
	if err := db.QueryRow(ctx, `SELECT count(*) FROM products WHERE status = 'published'`).Scan(&published); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	if published == 0 {
		return errors.New("prepare: no published product; seed the catalogue first")
	}
	// Every 97th (89th) published product in turn is asked about (ordered),
	// by each importer and to each country in turn.
	if _, err := db.Exec(ctx, `
		WITH pub AS (SELECT id, producer_id, select_center_id, row_number() OVER (ORDER BY id) AS n
		             FROM products WHERE status = 'published')
		INSERT INTO inquiries (importer_id, product_id, producer_id, select_center_id, quantity, unit, incoterm,
		                       destination_country, created_at)
		SELECT ($2::uuid[])[1 + g % 8], p.id, p.producer_id, p.select_center_id, 1 + g % 500, 'piece', 'FOB',
		       (ARRAY['JP', 'US', 'CN', 'DE', 'SG', 'AU', 'FR', 'KR'])[1 + g % 8], now() - (g % 900) * interval '1 day'
		FROM generate_series(1, $1) g JOIN pub p ON p.n = 1 + (g::bigint * 97) % $3`,
		o.inquiries, importers, published); err != nil {
		return fmt.Errorf("prepare inquiries: %w", err)
	}
	if _, err := db.Exec(ctx, `
		WITH pub AS (SELECT producer_id, select_center_id, row_number() OVER (ORDER BY id) AS n
		             FROM products WHERE status = 'published')
		INSERT INTO orders (group_id, importer_id, producer_id, select_center_id, status, currency, total_minor,
		                    destination_country, incoterm, placed_at, cancelled_at, cancel_reason)
		SELECT gen_random_uuid(), ($2::uuid[])[1 + g % 8], p.producer_id, p.select_center_id,
		       (ARRAY['placed', 'confirmed', 'cancelled'])[1 + g % 3],
		       (ARRAY['THB', 'USD', 'EUR', 'CNY', 'JPY'])[1 + g % 5], 1000 + (g::bigint * 7919) % 5000000,
		       (ARRAY['JP', 'US', 'CN', 'DE', 'SG', 'AU', 'FR', 'KR'])[1 + g % 8], 'FOB', now() - (g % 900) * interval '1 day',
		       CASE WHEN g % 3 = 2 THEN now() END, CASE WHEN g % 3 = 2 THEN 'statsbench' END
		FROM generate_series(1, $1) g JOIN pub p ON p.n = 1 + (g::bigint * 89) % $3`,
		o.orders, importers, published); err != nil {
		return fmt.Errorf("prepare orders: %w", err)
	}
	gdb, err := postgres.Open(ctx, o.databaseURL, postgres.Options{MaxOpenConns: 1})
	if err != nil {
		return err
	}
	defer postgres.Close(gdb) //nolint:errcheck // the run is over
	folded, err := postgres.NewStats(gdb).Compact(ctx, time.Now())
	if err != nil {
		return err
	}
	var counters int64
	if err := db.QueryRow(ctx, `SELECT (SELECT count(*) FROM stats_products) + (SELECT count(*) FROM stats_producers)
		+ (SELECT count(*) FROM stats_trade)`).Scan(&counters); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "statsbench: %d inquiries and %d orders added, %d counter rows folded, %d left, in %s\n",
		o.inquiries, o.orders, folded, counters, time.Since(start).Round(time.Millisecond))
	return nil
}

type result struct {
	all     load.Latencies
	errs    int
	elapsed time.Duration
}

func (r *result) row(label string) {
	verdict := "met"
	if r.all.Pct(99) > targetP99 || r.errs > 0 {
		verdict = "NOT met"
	}
	fmt.Printf("| %s | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %d | p99 ≤ %s: %s |\n", label, len(r.all),
		float64(len(r.all))/r.elapsed.Seconds(), r.all.PctMs(50), r.all.PctMs(90), r.all.PctMs(99), r.all.MaxMs(),
		r.errs, targetP99, verdict)
}

// hammer sends the requests next gives (a path and a token, "" for none)
// from -concurrency workers for -duration, and times each.
func hammer(ctx context.Context, o options, next func(*rand.Rand) (string, string)) *result {
	var (
		res  result
		mu   sync.Mutex
		wg   sync.WaitGroup
		stop = time.Now().Add(o.duration)
	)
	start := time.Now()
	for w := range o.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := load.NewConn(o.api)
			if err != nil {
				mu.Lock()
				res.errs++
				mu.Unlock()
				return
			}
			defer c.Close()
			r := rand.New(rand.NewPCG(uint64(w), 11))
			var (
				mine load.Latencies
				errs int
			)
			for time.Now().Before(stop) && ctx.Err() == nil {
				path, token := next(r)
				var headers []string
				if token != "" {
					headers = []string{"Authorization: Bearer " + token}
				}
				t0 := time.Now()
				status, err := c.Do(ctx, http.MethodGet, path, headers, nil)
				mine = append(mine, time.Since(t0))
				if (err != nil && !errors.Is(err, context.Canceled)) || (err == nil && status != http.StatusOK) {
					errs++
					if errs <= 3 {
						fmt.Fprintf(os.Stderr, "%s: %d %v %.200s\n", path, status, err, c.Body())
					}
				}
			}
			mu.Lock()
			res.all = append(res.all, mine...)
			res.errs += errs
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	slices.Sort(res.all)
	return &res
}

// check compares the regions an admin is answered with GROUP BY over the
// same rows: published products, and orders not cancelled in the series.
func check(ctx context.Context, o options, tokens []string) error {
	if len(tokens) == 0 {
		return nil
	}
	var reply struct {
		Months []string `json:"months"`
		Items  []struct {
			ID                string `json:"id"`
			ProductsPublished int64  `json:"products_published"`
			Trade             *struct {
				Orders int64 `json:"orders"`
			} `json:"trade"`
		} `json:"items"`
	}
	var checked bool
	for _, token := range tokens {
		if err := call(ctx, http.MethodGet, o.api+"/v1/stats/regions", token, nil, &reply); err != nil {
			return err
		}
		if reply.Items[0].Trade != nil && len(reply.Months) > 0 {
			checked = true
			break
		}
	}
	if !checked {
		return errors.New("check: no admin among -login (no reply with trade figures)")
	}
	db, err := pgx.Connect(ctx, o.databaseURL)
	if err != nil {
		return err
	}
	defer db.Close(context.Background()) //nolint:errcheck // the run is over
	want := map[string][2]int64{}
	rows, err := db.Query(ctx, `SELECT r.region,
			(SELECT count(*) FROM products p WHERE p.region = r.region AND p.status = 'published'),
			(SELECT count(*) FROM orders o JOIN producers pr ON pr.id = o.producer_id
			 WHERE pr.region = r.region AND o.status <> 'cancelled' AND o.placed_at >= $1::date)
		FROM unnest(ARRAY['north', 'northeast', 'central', 'south']) r (region)`, reply.Months[0]+"-01")
	if err != nil {
		return err
	}
	for rows.Next() {
		var region string
		var published, orders int64
		if err := rows.Scan(&region, &published, &orders); err != nil {
			return err
		}
		want[region] = [2]int64{published, orders}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, it := range reply.Items {
		if got := [2]int64{it.ProductsPublished, it.Trade.Orders}; got != want[it.ID] {
			return fmt.Errorf("check: %s answers %d published and %d orders, GROUP BY counts %v", it.ID, got[0], got[1], want[it.ID])
		}
	}
	fmt.Fprintln(os.Stderr, "statsbench: the regions' published products and orders equal GROUP BY over the database")
	return nil
}

func call(ctx context.Context, method, u, token string, body []byte, into any) error {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close() //nolint:errcheck // read-only body
	b, err := io.ReadAll(io.LimitReader(resp.Body, 10<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return load.ErrStatus{Status: resp.StatusCode, Body: string(b[:min(len(b), 300)])}
	}
	return json.Unmarshal(b, into)
}
