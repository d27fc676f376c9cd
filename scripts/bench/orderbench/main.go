// Command orderbench measures the trade's orders (make bench, BENCH_ONLY=orders)
// against a running `otop serve` on loopback, on the seeded catalogue:
//
//  1. prepare: registers -importers importers through the API, and in SQL
//     makes every published product made to order (stock NULL) except one
//     hot product, which gets -hot-stock units and an MOQ of 1;
//  2. distinct: POST /v1/orders at -concurrency for -duration, each order
//     one line of a product drawn from the published catalogue (its MOQ),
//     with a new Idempotency-Key;
//  3. hot: the same against the hot product only, one unit per order,
//     until its stock runs out or -duration ends; then checks in SQL that
//     stock + units on order lines = -hot-stock and stock >= 0 (no oversell);
//  4. list: GET /v1/orders pages (first pages and pages by cursor) by the
//     importers, who hold the orders placed above.
//
// Results print as a Markdown table on stdout, progress on stderr.
//
//	orderbench -api http://127.0.0.1:18080 -database-url postgres://…
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/otopmarket/otop/scripts/bench/internal/load"
)

// The targets.
const (
	targetDistinctRate = 1000.0
	targetDistinctP99  = 50 * time.Millisecond
	targetHotP99       = 100 * time.Millisecond
	targetListP99      = 20 * time.Millisecond
)

type options struct {
	api, databaseURL string
	importers        int
	hotStock         int
	concurrency      int
	duration         time.Duration
	timeout          time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.api, "api", "http://127.0.0.1:18080", "base URL of the API (loopback only)")
	flag.StringVar(&o.databaseURL, "database-url", os.Getenv("DATABASE_URL"), "the API's database, to prepare and check")
	flag.IntVar(&o.importers, "importers", 10, "importers placing orders (sign-ups are limited to 10 per address an hour)")
	flag.IntVar(&o.hotStock, "hot-stock", 5000, "stock of the hot product")
	flag.IntVar(&o.concurrency, "concurrency", 16, "requests in flight")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "length of each phase")
	flag.DurationVar(&o.timeout, "timeout", 15*time.Minute, "bound of the whole run")
	flag.Parse()
	if err := runFor(o); err != nil {
		fmt.Fprintln(os.Stderr, "orderbench:", err)
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

type product struct {
	id  string
	moq int
}

func run(ctx context.Context, o options) error {
	u, err := url.Parse(o.api)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-api %s: the load stays on loopback (give 127.0.0.1)", o.api)
	}
	db, err := pgx.Connect(ctx, o.databaseURL)
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	defer db.Close(context.Background()) //nolint:errcheck // the run is over
	products, hot, err := prepare(ctx, db, o.hotStock)
	if err != nil {
		return err
	}
	tokens, err := importers(ctx, o.api, o.importers)
	if err != nil {
		return err
	}
	fmt.Printf("| orders at 100k products (concurrency %d, %s) | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | target |\n",
		o.concurrency, o.duration)
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")

	distinct := hammer(ctx, o, func(r *rand.Rand, c *load.Conn, token string) (int, error) {
		p := products[r.IntN(len(products))]
		return placeOrder(ctx, c, token, p.id, p.moq)
	}, tokens, nil)
	distinct.row("POST /v1/orders, distinct products (made to order)",
		fmt.Sprintf("≥ %.0f/s, p99 ≤ %s", targetDistinctRate, targetDistinctP99),
		distinct.rate() >= targetDistinctRate && distinct.all.Pct(99) <= targetDistinctP99)

	var soldOut atomic.Bool
	hotRun := hammer(ctx, o, func(_ *rand.Rand, c *load.Conn, token string) (int, error) {
		status, err := placeOrder(ctx, c, token, hot, 1)
		if status == http.StatusConflict {
			soldOut.Store(true)
		}
		return status, err
	}, tokens, soldOut.Load)
	hotRun.row("POST /v1/orders, one hot product with stock (until sold out)",
		fmt.Sprintf("p99 ≤ %s, no oversell", targetHotP99), hotRun.all.Pct(99) <= targetHotP99)
	var stock, ordered int
	if err := db.QueryRow(ctx, `SELECT stock, (SELECT coalesce(sum(quantity), 0) FROM order_lines l
			JOIN orders o ON o.id = l.order_id WHERE l.product_id = p.id AND o.status <> 'cancelled')
		FROM products p WHERE id = $1`, hot).Scan(&stock, &ordered); err != nil {
		return fmt.Errorf("check the hot product: %w", err)
	}
	fmt.Fprintf(os.Stderr, "hot product: stock %d left, %d on order, %d at the start, %d placed, %d refused (409)\n",
		stock, ordered, o.hotStock, hotRun.ok.Load(), hotRun.conflicts.Load())
	if stock < 0 || stock+ordered != o.hotStock || int(hotRun.ok.Load()) != ordered {
		return fmt.Errorf("OVERSOLD or lost: stock %d + ordered %d != %d (placed %d)", stock, ordered, o.hotStock, hotRun.ok.Load())
	}

	cursors := sync.Map{} // token → next cursor
	list := hammer(ctx, o, func(r *rand.Rand, c *load.Conn, token string) (int, error) {
		path := "/v1/orders?limit=20"
		if v, ok := cursors.Load(token); ok && r.IntN(2) == 0 && v.(string) != "" {
			path += "&cursor=" + v.(string)
		}
		status, err := c.Do(ctx, http.MethodGet, path, []string{"Authorization: Bearer " + token}, nil)
		if err == nil && status == http.StatusOK {
			var page struct {
				NextCursor *string `json:"next_cursor"`
			}
			if json.Unmarshal(c.Body(), &page) == nil && page.NextCursor != nil {
				cursors.Store(token, *page.NextCursor)
			} else {
				cursors.Delete(token)
			}
		}
		return status, err
	}, tokens, nil)
	list.row("GET /v1/orders, 20 a page (first and later pages)", fmt.Sprintf("p99 ≤ %s", targetListP99), list.all.Pct(99) <= targetListP99)
	return nil
}

func placeOrder(ctx context.Context, c *load.Conn, token, productID string, quantity int) (int, error) {
	body := fmt.Appendf(nil, `{"lines":[{"product_id":%q,"quantity":%d}],"destination_country":"JP","incoterm":"FOB"}`, productID, quantity)
	return c.Do(ctx, http.MethodPost, "/v1/orders", []string{"Authorization: Bearer " + token,
		"Content-Type: application/json", "Idempotency-Key: " + uuid.NewString()}, body)
}

// prepare makes the catalogue made to order but for one hot product with
// stock, and returns the published products (with their MOQs).
func prepare(ctx context.Context, db *pgx.Conn, hotStock int) ([]product, string, error) {
	if _, err := db.Exec(ctx, `UPDATE products SET stock = NULL WHERE stock IS NOT NULL`); err != nil {
		return nil, "", fmt.Errorf("prepare: %w", err)
	}
	rows, err := db.Query(ctx, `SELECT id::text, moq FROM products WHERE status = 'published' AND price_minor IS NOT NULL ORDER BY md5(id::text)`)
	if err != nil {
		return nil, "", fmt.Errorf("prepare: %w", err)
	}
	var out []product
	for rows.Next() {
		var p product
		if err := rows.Scan(&p.id, &p.moq); err != nil {
			return nil, "", err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("prepare: %w", err)
	}
	if len(out) < 2 {
		return nil, "", fmt.Errorf("prepare: %d published products; seed the catalogue first", len(out))
	}
	hot := out[0].id
	if _, err := db.Exec(ctx, `UPDATE products SET stock = $2, moq = 1, price_tiers = '[]' WHERE id = $1`, hot, hotStock); err != nil {
		return nil, "", fmt.Errorf("prepare the hot product: %w", err)
	}
	return out[1:], hot, nil
}

// importers registers n importers through the API and returns their tokens.
func importers(ctx context.Context, api string, n int) ([]string, error) {
	client := &http.Client{Timeout: 30 * time.Second}
	post := func(path string, body any) (map[string]any, error) {
		b, _ := json.Marshal(body)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, api+path, bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close() //nolint:errcheck // read-only
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode >= 300 {
			return nil, fmt.Errorf("%s: %d %v", path, resp.StatusCode, out)
		}
		return out, nil
	}
	tokens := make([]string, n)
	countries := []string{"JP", "DE", "US", "SG", "CN", "FR", "AE", "KR"}
	for i := range tokens {
		email := fmt.Sprintf("bench-importer-%s@example.com", uuid.NewString())
		password := "bench-importer-pass-" + uuid.NewString()
		if _, err := post("/v1/auth/register", map[string]string{"email": email, "password": password, "role": "importer",
			"display_name": fmt.Sprintf("Bench Importer %d", i), "country": countries[i%len(countries)]}); err != nil {
			return nil, err
		}
		login, err := post("/v1/auth/login", map[string]string{"email": email, "password": password})
		if err != nil {
			return nil, err
		}
		tokens[i], _ = login["token"].(string)
	}
	return tokens, nil
}

type result struct {
	all                 load.Latencies
	ok, conflicts, errs atomic.Int64
	elapsed             time.Duration
}

func (r *result) rate() float64 { return float64(len(r.all)) / r.elapsed.Seconds() }

func (r *result) row(label, target string, met bool) {
	verdict := "met"
	if !met {
		verdict = "NOT met"
	}
	fmt.Printf("| %s | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %d | %s: %s |\n", label, len(r.all), r.rate(),
		r.all.PctMs(50), r.all.PctMs(90), r.all.PctMs(99), r.all.MaxMs(), r.errs.Load(), target, verdict)
}

// hammer runs do from -concurrency workers for -duration (or until done
// says so), each worker an importer's token in turn, and times every request.
func hammer(ctx context.Context, o options, do func(*rand.Rand, *load.Conn, string) (int, error), tokens []string, done func() bool) *result {
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
				res.errs.Add(1)
				return
			}
			defer c.Close()
			r := rand.New(rand.NewPCG(uint64(w), 7))
			var mine load.Latencies
			for i := 0; time.Now().Before(stop) && ctx.Err() == nil && (done == nil || !done()); i++ {
				token := tokens[(w+i*o.concurrency)%len(tokens)]
				t0 := time.Now()
				status, err := do(r, c, token)
				mine = append(mine, time.Since(t0))
				switch {
				case err != nil && !errors.Is(err, context.Canceled):
					res.errs.Add(1)
				case status == http.StatusCreated || status == http.StatusOK:
					res.ok.Add(1)
				case status == http.StatusConflict:
					res.conflicts.Add(1)
				default:
					res.errs.Add(1)
					if res.errs.Load() <= 3 {
						fmt.Fprintf(os.Stderr, "unexpected status %d: %.300s\n", status, c.Body())
					}
				}
			}
			mu.Lock()
			res.all = append(res.all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	slices.Sort(res.all)
	return &res
}
