// Command searchbench measures catalogue search (make bench): a full rebuild
// of an embedded index of its own from PostgreSQL, then a fixed mixed set of
// queries at a fixed concurrency, once straight against that index in
// process and once through the API of a running `otop serve`
// (GET /v1/search, whose own embedded index was built from the same
// database). Results print as Markdown tables on stdout, progress on stderr.
//
//	go run ./scripts/bench/searchbench -api http://127.0.0.1:18080 -pid 1234
//
// DATABASE_URL must name a migrated database holding the demo catalogue
// (seed --demo). Every query is defined once as a catalog.SearchQuery; its
// GET /v1/search parameters are derived from it (queryString). Before the
// load runs each query is also run on its own, a few times through both:
// its hit totals are compared between the two indexes (a query without
// hits, or with different totals, is flagged) and its latency without
// concurrent load is reported beside its latency under load.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/config"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/taxonomy"
	"github.com/otopmarket/otop/scripts/bench/internal/load"
	"github.com/otopmarket/otop/search/embedded"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "searchbench:", err)
		os.Exit(1)
	}
}

type options struct {
	databaseURL string
	api         string
	concurrency int
	duration    time.Duration
	warmup      time.Duration
	pid         int
	pprof       string
	dir         string
	serveIndex  string
	serveReady  time.Duration
	serveHWM    int64
	batch       int
	cpuProfile  string
	apiOnly     string
	engineOnly  string
	withAPI     bool
	tail        int
	rebuildOnly bool
}

func run() error {
	var o options
	flag.StringVar(&o.databaseURL, "database-url", os.Getenv("DATABASE_URL"), "PostgreSQL with the demo catalogue (default $DATABASE_URL)")
	flag.StringVar(&o.api, "api", "http://127.0.0.1:18080", "base URL of the running otop serve")
	flag.IntVar(&o.concurrency, "concurrency", 16, "concurrent searches")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "measured duration of each load run")
	flag.DurationVar(&o.warmup, "warmup", 3*time.Second, "unmeasured warm-up before each load run")
	flag.IntVar(&o.pid, "pid", 0, "pid of the otop serve process, for its memory (0 = not reported)")
	flag.StringVar(&o.pprof, "pprof", "", "base URL of serve's profiles (its PPROF_ADDR, e.g. http://127.0.0.1:6060): a CPU profile of each API run's measured window gives the engine's share of serve's CPU time")
	flag.StringVar(&o.dir, "dir", "", "parent directory of the temporary index (default the system's temporary directory)")
	flag.StringVar(&o.serveIndex, "serve-index", "", "serve's index directory (DATA_DIR/search), for its size on disk")
	flag.DurationVar(&o.serveReady, "serve-ready", 0, "time serve took from its start to /readyz 200, building its index (0 = not reported)")
	flag.Int64Var(&o.serveHWM, "serve-ready-hwm-kb", -1, "serve's VmHWM in kB once ready (-1 = not reported)")
	flag.IntVar(&o.batch, "batch", 1000, "rebuild batch size (reindex uses 1000)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.BoolVar(&o.rebuildOnly, "rebuild-only", false, "stop after the rebuild (no query runs)")
	flag.IntVar(&o.tail, "tail", 0, "with -api-only: percent of requests made unique (never in a cache) by a price ceiling above every price")
	flag.StringVar(&o.engineOnly, "engine-only", "", "only run the query set against this existing embedded index directory (serve's DATA_DIR/search, serve stopped): each query alone, then under load")
	flag.BoolVar(&o.withAPI, "with-api", false, "with -engine-only: also time each query alone through the API at -api (a serve on a copy of the index, with the same documents)")
	flag.StringVar(&o.apiOnly, "api-only", "", "only run the query set through the API under load and print one row with this label (no index of its own)")
	flag.Parse()
	switch {
	case o.databaseURL == "":
		return errors.New("set DATABASE_URL or -database-url")
	case o.concurrency < 1 || o.duration <= 0 || o.warmup < 0 || o.batch < 1:
		return errors.New("-concurrency and -batch must be at least 1, -duration positive")
	}
	o.api, o.pprof = strings.TrimRight(o.api, "/"), strings.TrimRight(o.pprof, "/")
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close() //nolint:errcheck // profile file
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tax, err := taxonomy.Load()
	if err != nil {
		return err
	}
	db, err := postgres.Open(ctx, o.databaseURL, postgres.Options{MaxOpenConns: 4, MaxIdleConns: 4})
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	defer postgres.Close(db) //nolint:errcheck // closing a pool at exit
	if o.apiOnly != "" {
		queries, paths, _, err := apiQueries(ctx, db, o)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "searchbench: %d queries through %s/v1/search, concurrency %d, %s warm-up then %s\n",
			len(queries), o.api, o.concurrency, o.warmup, o.duration)
		api, err := apiLoad(ctx, o, paths, o.tail)
		if err != nil {
			return err
		}
		printLoadHeader(o)
		fmt.Println(api.row(o.apiOnly))
		fmt.Println()
		if c := api.cpuPerRequest("serve"); c > 0 {
			fmt.Printf("CPU time per request under load: %.3f ms in serve, %.3f ms in the load generator.\n\n",
				c, api.cpuPerRequest("searchbench"))
		}
		printShare(api)
		if api.firstErr != nil {
			fmt.Fprintf(os.Stderr, "searchbench: warning: %d errors, first: %v\n", api.errors, api.firstErr)
		}
		return ctx.Err()
	}

	if o.engineOnly != "" {
		return engineOnly(ctx, db, o)
	}

	dir, err := os.MkdirTemp(o.dir, "searchbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir) //nolint:errcheck // best effort
	ix, err := embedded.Open(filepath.Join(dir, "search"))
	if err != nil {
		return err
	}
	defer ix.Close() //nolint:errcheck // closing at exit

	// 1. A full rebuild, exactly as `otop reindex` does it.
	outbox := postgres.NewOutbox(db, func(code string) (string, string) {
		p, _ := tax.Province(code)
		return p.NameTH, p.NameEN
	}, func(key string) string { return "http://127.0.0.1:9000/otop/" + key })
	fmt.Fprintln(os.Stderr, "searchbench: rebuilding an embedded index from PostgreSQL in", dir)
	runtime.GC()
	var docs int
	start := time.Now()
	// The rebuild reindex runs, without its outbox side: it must not forget
	// outbox entries a running serve has yet to apply.
	err = ix.Rebuild(ctx, func(add func([]catalog.SearchDocument) error) error {
		return outbox.PublishedDocuments(ctx, time.Now(), o.batch, func(batch []catalog.SearchDocument) error {
			if err := add(batch); err != nil {
				return err
			}
			docs += len(batch)
			return nil
		})
	})
	rebuildTime := time.Since(start)
	if err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	if docs == 0 {
		return errors.New("no published product to index (seed --demo first)")
	}
	runtime.GC()
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	rb := rebuildStats{docs: docs, took: rebuildTime, heap: int64(mem.HeapInuse)}
	rb.hwm, _ = procStatus("self", "VmHWM")
	if n, err := dirSize(dir); err == nil {
		fmt.Fprintf(os.Stderr, "searchbench: rebuilt %d documents in %.1f s, index %.1f MiB on disk\n", docs, rebuildTime.Seconds(), mib(n))
	}
	if o.rebuildOnly {
		return nil
	}

	// 2. The query set; each query once at a time through both, for its
	// hit totals and its latency without concurrent load.
	queries, paths, client, err := apiQueries(ctx, db, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "searchbench: %d queries, one at a time (%d runs each)\n", len(queries), aloneRuns)
	singles := make([]single, len(queries))
	for i, q := range queries {
		s := &singles[i]
		for r := range aloneRuns + 1 { // the first run is not timed
			t0 := time.Now()
			res, err := ix.Search(ctx, q)
			d := time.Since(t0)
			if err != nil {
				return fmt.Errorf("query %d (%s) on the engine: %w", i+1, display(q), err)
			}
			s.engineTotal = res.Total
			total, da, err := apiTotal(ctx, client, paths[i])
			if err != nil {
				return fmt.Errorf("query %d (%s) through the API: %w", i+1, display(q), err)
			}
			s.apiTotal = total
			if r > 0 {
				s.engine = append(s.engine, d)
				s.api = append(s.api, da)
			}
		}
		slices.Sort(s.engine)
		slices.Sort(s.api)
	}

	// 3. The load runs.
	fmt.Fprintf(os.Stderr, "searchbench: concurrency %d, %s warm-up then %s, in process\n", o.concurrency, o.warmup, o.duration)
	engine := engineLoad(ctx, o, ix, queries)
	var before procMemory
	if o.pid > 0 {
		before = readProcMemory(o.pid)
		// Reset serve's peak RSS so that VmHWM covers the API run only.
		before.hwmReset = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", o.pid), []byte("5"), 0) == nil
	}
	fmt.Fprintf(os.Stderr, "searchbench: the same through %s/v1/search\n", o.api)
	api, err := apiLoad(ctx, o, paths, 0)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var after procMemory
	if o.pid > 0 {
		after = readProcMemory(o.pid)
	}

	// The sizes on disk are taken last: files merged away are removed
	// some time after a rebuild.
	rb.size, err = dirSize(dir)
	if err != nil {
		return err
	}
	serveSize := int64(-1)
	if o.serveIndex != "" {
		if serveSize, err = dirSize(o.serveIndex); err != nil {
			fmt.Fprintln(os.Stderr, "searchbench: serve's index size:", err)
			serveSize = -1
		}
	}

	printRebuild(o, rb, serveSize)
	printLoad(o, len(queries), engine, api, singles)
	if o.pid > 0 {
		printServeMemory(o.pid, before, after)
	}
	problems := printQueries(queries, singles, engine, api)
	if err := printSuggest(ctx, ix); err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "searchbench: warning:", p)
	}
	for _, r := range []*result{engine, api} {
		if r.firstErr != nil {
			fmt.Fprintf(os.Stderr, "searchbench: warning: %d errors in the %s run, first: %v\n", r.errors, r.name, r.firstErr)
		}
	}
	return nil
}

// engineOnly runs the query set against an existing index: each query
// alone, then all of them under load (for profiling the engine with
// -cpuprofile without rebuilding an index).
func engineOnly(ctx context.Context, db *gorm.DB, o options) error {
	ix, err := embedded.Open(o.engineOnly)
	if err != nil {
		return err
	}
	defer ix.Close() //nolint:errcheck // closing at exit
	queries, paths, client, err := apiQueries(ctx, db, o)
	if err != nil {
		return err
	}
	fmt.Println("| # | query | hits | alone: engine ms | alone: API ms |")
	fmt.Println("| ---: | --- | ---: | ---: | ---: |")
	var sum, sumAPI float64
	for i, q := range queries {
		var took, tookAPI load.Latencies
		var total int
		for r := range aloneRuns + 1 { // the first run is not timed
			t0 := time.Now()
			res, err := ix.Search(ctx, q)
			if err != nil {
				return fmt.Errorf("query %d (%s): %w", i+1, display(q), err)
			}
			if r > 0 {
				took = append(took, time.Since(t0))
			}
			total = res.Total
			if o.withAPI {
				n, d, err := apiTotal(ctx, client, paths[i])
				if err != nil {
					return fmt.Errorf("query %d (%s) through the API: %w", i+1, display(q), err)
				}
				if n != total {
					return fmt.Errorf("query %d (%s): %d hits in process, %d through the API", i+1, display(q), total, n)
				}
				if r > 0 {
					tookAPI = append(tookAPI, d)
				}
			}
		}
		slices.Sort(took)
		slices.Sort(tookAPI)
		sum += took.PctMs(50)
		api := "-"
		if o.withAPI {
			sumAPI += tookAPI.PctMs(50)
			api = fmt.Sprintf("%.2f", tookAPI.PctMs(50))
		}
		fmt.Printf("| %d | `%s` | %d | %.2f | %s |\n", i+1, display(q), total, took.PctMs(50), api)
	}
	fmt.Printf("\nOne at a time, the %d queries take %.1f ms", len(queries), sum)
	if o.withAPI {
		fmt.Printf(" in process and %.1f ms through the API (%.2f×)", sumAPI, ratio(sumAPI, sum))
	}
	fmt.Print(".\n\n")
	engine := engineLoad(ctx, o, ix, queries)
	printLoadHeader(o)
	fmt.Println(engine.row(fmt.Sprintf("engine `Search` in process (embedded, %d queries)", len(queries))))
	fmt.Printf("\nCPU time per search under load: %.3f ms.\n\n", engine.cpuPerRequest("searchbench"))
	if engine.firstErr != nil {
		return fmt.Errorf("%d errors, first: %w", engine.errors, engine.firstErr)
	}
	return printSuggest(ctx, ix)
}

// suggestPrefixes are what a user types, keystroke by keystroke: the
// first letters match the most names.
var suggestPrefixes = []string{"s", "si", "sil", "umbr", "handwoven c", "ผ", "ผ้", "ผ้าไ", "เชียง"}

// printSuggest times ix.Suggest (limit 10, as GET /v1/search/suggest)
// for each of suggestPrefixes alone, in process.
func printSuggest(ctx context.Context, ix *embedded.Index) error {
	fmt.Println("| suggest prefix (limit 10) | names | alone: engine ms |")
	fmt.Println("| --- | ---: | ---: |")
	for _, prefix := range suggestPrefixes {
		var took load.Latencies
		var names int
		for r := range aloneRuns + 1 { // the first run is not timed
			t0 := time.Now()
			got, err := ix.Suggest(ctx, prefix, 10)
			if err != nil {
				return fmt.Errorf("suggest %q: %w", prefix, err)
			}
			if r > 0 {
				took = append(took, time.Since(t0))
			}
			names = len(got)
		}
		slices.Sort(took)
		fmt.Printf("| `%s` | %d | %.2f |\n", prefix, names, took.PctMs(50))
	}
	fmt.Println()
	return nil
}

// apiQueries returns the query set, each query's /v1/search URL and the
// HTTP client to send them.
func apiQueries(ctx context.Context, db *gorm.DB, o options) ([]catalog.SearchQuery, []string, *http.Client, error) {
	var producer string
	if err := db.WithContext(ctx).Raw(`SELECT producer_id::text FROM products WHERE status = 'published'
		GROUP BY producer_id ORDER BY count(*) DESC, producer_id LIMIT 1`).Row().Scan(&producer); err != nil {
		return nil, nil, nil, fmt.Errorf("pick a producer: %w", err)
	}
	queries := querySet(producer)
	paths := make([]string, len(queries))
	for i, q := range queries {
		paths[i] = o.api + "/v1/search?" + queryString(q)
	}
	client := &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConns:        4 * o.concurrency,
			MaxIdleConnsPerHost: 4 * o.concurrency,
			IdleConnTimeout:     time.Minute,
		},
	}
	return queries, paths, client, nil
}

// apiLoad runs paths (URLs under o.api) through the API under load, each
// worker on a connection of its own. With tail > 0, that percent of the
// requests is made unique: a price ceiling of 100 000 to 1 000 000 baht
// filters nothing from the demo catalogue but makes the query one of its
// own (never in a cache).
func apiLoad(ctx context.Context, o options, paths []string, tail int) (*result, error) {
	conns := make([]*load.Conn, o.concurrency)
	for w := range conns {
		c, err := load.NewConn(o.api)
		if err != nil {
			return nil, err
		}
		conns[w] = c
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	clocks := []cpuClock{selfCPU()}
	if o.pid > 0 {
		clocks = append(clocks, procCPU(o.pid))
	}
	var share chan cpuShare
	if o.pprof != "" {
		// The profile covers the measured window: it starts when the
		// warm-up ends.
		share = make(chan cpuShare, 1)
		go func() {
			select {
			case <-ctx.Done():
				share <- cpuShare{err: ctx.Err()}
			case <-time.After(o.warmup):
				share <- profileShare(ctx, o.pprof, o.duration)
			}
		}()
	}
	r := runLoad(ctx, "API", o, len(paths), clocks, func(ctx context.Context, w, i int) error {
		p := strings.TrimPrefix(paths[i], o.api)
		if tail > 0 && rand.IntN(100) < tail && !strings.Contains(p, "price") {
			p += fmt.Sprintf("&max_price=%d", 10_000_000+rand.IntN(90_000_000))
		}
		return conns[w].Get(ctx, p)
	})
	if share != nil {
		s := <-share
		r.share = &s
	}
	return r, nil
}

// engineLoad runs queries against ix in process under load, with serve's
// number of Ps (config.ServeProcs), as its garbage collection target
// (runLoad), so that the engine's CPU time and latencies compare with serve's.
func engineLoad(ctx context.Context, o options, ix *embedded.Index, queries []catalog.SearchQuery) *result {
	procs := config.ServeProcs(os.Getenv("GOMAXPROCS"), runtime.GOMAXPROCS(0), runtime.NumCPU())
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	return runLoad(ctx, "engine", o, len(queries), []cpuClock{selfCPU()}, func(ctx context.Context, _, i int) error {
		_, err := ix.Search(ctx, queries[i])
		return err
	})
}

// serveGCPercent is serve's garbage collection target (serve.go).
const serveGCPercent = 400

// aloneRuns is how many times each query is timed on its own.
const aloneRuns = 3

type rebuildStats struct {
	docs int
	took time.Duration
	heap int64 // Go heap in use after the rebuild and a GC
	hwm  int64 // peak RSS of this process
	size int64 // on disk
}

// single is one query run on its own: hit totals and latencies.
type single struct {
	engineTotal, apiTotal int
	engine, api           load.Latencies
}

func printRebuild(o options, rb rebuildStats, serveSize int64) {
	fmt.Printf("### Search: embedded index of %d documents\n\n", rb.docs)
	fmt.Printf("| embedded index built from PostgreSQL (as `otop reindex`, batch %d) | documents | seconds | docs/s | Go heap in use after, MiB | peak RSS, MiB | index on disk, MiB |\n", o.batch)
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
	fmt.Printf("| searchbench's own index (full rebuild) | %d | %.1f | %.0f | %.1f | %s | %s |\n", rb.docs, rb.took.Seconds(),
		float64(rb.docs)/rb.took.Seconds(), mib(rb.heap), mibOrBlank(rb.hwm), mibOrBlank(rb.size))
	if o.serveIndex == "" && o.serveReady <= 0 {
		fmt.Println()
		return
	}
	secs, rate := "", ""
	if o.serveReady > 0 {
		secs = fmt.Sprintf("%.1f", o.serveReady.Seconds())
		rate = fmt.Sprintf("%.0f", float64(rb.docs)/o.serveReady.Seconds())
	}
	hwm := ""
	if o.serveHWM >= 0 {
		hwm = mibOrBlank(o.serveHWM << 10)
	}
	fmt.Printf("| serve's index, built at its startup (seconds: from its start to /readyz 200) | %d | %s | %s | | %s | %s |\n\n",
		rb.docs, secs, rate, hwm, mibOrBlank(serveSize))
}

// printLoadHeader starts a table of load runs (result.row).
func printLoadHeader(o options) {
	fmt.Printf("| search workload (concurrency %d, %s) | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors |\n", o.concurrency, o.duration)
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
}

func printLoad(o options, n int, engine, api *result, singles []single) {
	label := fmt.Sprintf("%d queries", n)
	printLoadHeader(o)
	fmt.Println(engine.row("engine `Search` in process (embedded, " + label + ")"))
	fmt.Println(api.row("API `GET /v1/search` (the same " + label + ")"))
	e, a := engine.all, api.all
	fmt.Printf("| API / engine | | %.2f× | %.2f× | %.2f× | %.2f× | %.2f× | |\n\n", ratio(api.rate(), engine.rate()),
		ratio(a.PctMs(50), e.PctMs(50)), ratio(a.PctMs(90), e.PctMs(90)), ratio(a.PctMs(99), e.PctMs(99)), ratio(a.MaxMs(), e.MaxMs()))
	var es, as float64
	for _, s := range singles {
		es += s.engine.PctMs(50)
		as += s.api.PctMs(50)
	}
	fmt.Printf("Under load, latency is mostly waiting for a CPU: mean %.2f ms in process, %.2f ms through the API. "+
		"One query at a time (median of %d runs each), the %s take %.1f ms in process and %.1f ms through the API (%.2f×).\n\n",
		engine.mean(), api.mean(), aloneRuns, label, es, as, ratio(as, es))
	printCPU(engine, api)
}

// printCPU prints the CPU time per search of the load runs' measured
// windows: the engine's in this process, serve's and the load generator's
// through the API.
func printCPU(engine, api *result) {
	e, s, g := engine.cpuPerRequest("searchbench"), api.cpuPerRequest("serve"), api.cpuPerRequest("searchbench")
	if e == 0 || s == 0 {
		return
	}
	fmt.Printf("CPU time per search under load: the engine in process %.3f ms; through the API %.3f ms in serve "+
		"(serve / engine: %.2f×), and %.3f ms in the load generator on the same cores.\n\n", e, s, ratio(s, e), g)
	printShare(api)
}

// printShare prints the engine's part of serve's CPU time in an API run
// (-pprof): the engine's own time measured inside serve, under the same
// load and beside the same load generator and loopback networking, where
// the in-process run has the two cores to itself.
func printShare(api *result) {
	if api.share == nil {
		return
	}
	s := *api.share
	if s.err != nil {
		fmt.Fprintln(os.Stderr, "searchbench: warning: no profile of serve:", s.err)
		return
	}
	n := float64(len(api.all) + api.errors)
	if s.engine == 0 || n == 0 {
		fmt.Fprintf(os.Stderr, "searchbench: warning: the profile of serve has no samples under %s (is serve on the embedded engine?)\n", engineFunc)
		return
	}
	fmt.Printf("Inside serve (a CPU profile of the measured window): the engine's `Search` took %.1f %% of serve's CPU time, "+
		"%.3f ms a request of %.3f; serve / its engine: %.2f×.\n\n",
		100*float64(s.engine)/float64(s.total), load.Ms(s.engine)/n, load.Ms(s.total)/n, s.overhead())
}

func printServeMemory(pid int, before, after procMemory) {
	peak := "VmHWM during the API run"
	if !before.hwmReset {
		peak = "VmHWM since its start (could not reset it)"
	}
	fmt.Printf("| otop serve (pid %d) | VmHWM before: startup index build and earlier runs, MiB | VmRSS before, MiB | %s, MiB | VmRSS after, MiB |\n", pid, peak)
	fmt.Println("| --- | ---: | ---: | ---: | ---: |")
	fmt.Printf("| memory | %s | %s | %s | %s |\n\n", mibOrBlank(before.hwm), mibOrBlank(before.rss), mibOrBlank(after.hwm), mibOrBlank(after.rss))
}

// printQueries prints each query's hit totals and latencies and returns
// the problems found: no hits, or totals that differ between the indexes.
func printQueries(queries []catalog.SearchQuery, singles []single, engine, api *result) []string {
	fmt.Println("| # | query (GET /v1/search parameters) | hits, engine | hits, API | alone: engine ms | alone: API ms | loaded: engine p50 | engine p99 | API p50 | API p99 |")
	fmt.Println("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	var problems []string
	for i, q := range queries {
		s, mark := singles[i], ""
		switch {
		case s.engineTotal == 0 || s.apiTotal == 0:
			mark = " (no hits)"
			problems = append(problems, fmt.Sprintf("query %d (%s) has no hits", i+1, display(q)))
		case s.engineTotal != s.apiTotal:
			mark = " (totals differ)"
			problems = append(problems, fmt.Sprintf("query %d (%s): %d hits in searchbench's index, %d through the API", i+1, display(q), s.engineTotal, s.apiTotal))
		}
		e, a := engine.byQuery[i], api.byQuery[i]
		fmt.Printf("| %d | `%s`%s | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n", i+1, display(q), mark, s.engineTotal, s.apiTotal,
			s.engine.PctMs(50), s.api.PctMs(50), e.PctMs(50), e.PctMs(99), a.PctMs(50), a.PctMs(99))
	}
	fmt.Println()
	return problems
}

func ptr[T any](v T) *T { return &v }

// querySet is the fixed mixed query set, built from the demo catalogue's
// vocabulary (internal/demo): Thai and English words, synonyms, typos, a
// prefix being typed, several words, every filter, every facet, every sort
// and pages beyond the first. producer is the id of a producer with
// published products.
func querySet(producer string) []catalog.SearchQuery {
	all := catalog.SearchFacets()
	type f = catalog.SearchFilters
	return []catalog.SearchQuery{
		// Thai: words, substrings inside longer names, synonyms, province names.
		{Text: "ผ้าไหม"},
		{Text: "มัดหมี่"},
		{Text: "ศิลาดล"}, // synonym of celadon; the demo names say เซลาดอน
		{Text: "ร่มกระดาษสา"},
		{Text: "ข้าวหอมมะลิ", Lang: "th"},
		{Text: "น้ำปลา"},
		{Text: "สมุนไพร", Lang: "th"},
		{Text: "เชียงใหม่"},
		{Text: "นครราชสีมา"},
		{Text: "กาแฟ คั่วบด"},
		{Text: "ทอมือ"},
		// English: words, synonyms, several words, place names, an HS code.
		{Text: "silk"},
		{Text: "umbrella"},
		{Text: "jasmine rice"},
		{Text: "fish sauce"},
		{Text: "celadon vase"},
		{Text: "benjarong tea cup set"},
		{Text: "handwoven cotton scarf"},
		{Text: "Bo Sang umbrella", Lang: "en"},
		{Text: "Chiang Mai"},
		{Text: "krajood"},
		{Text: "500720"},
		// Typos and a word being typed.
		{Text: "silck"},
		{Text: "umbrela"}, //nolint:misspell // a typo on purpose
		{Text: "cofee"},
		{Text: "potery"},
		{Text: "ผาไหม"},      // ผ้าไหม without its tone mark
		{Text: "มัดหมี้"},    // มัดหมี่ with another tone mark
		{Text: "ข้าวหอมมลิ"}, // ข้าวหอมมะลิ with a vowel dropped: a word allowed two typos
		{Text: "ตะไคล้"},     // ตะไคร้ with ล for ร
		{Text: "umbr"},
		{Text: "benj"},
		// Filters, alone and with text.
		{Filters: f{Province: "TH-50"}},
		{Text: "silk", Filters: f{Region: "northeast"}},
		{Text: "coffee", Filters: f{Region: "north", MinStars: 4}},
		{Text: "umbrella", Filters: f{Cluster: "upper-north-1"}},
		{Text: "cotton", Filters: f{SelectCenter: "khon-kaen", CreativeIndustry: "crafts"}},
		{Text: "rice", Filters: f{MinPrice: ptr(int64(5000)), MaxPrice: ptr(int64(15000))}},
		{Filters: f{Certification: "halal", Region: "south"}},
		{Filters: f{Producer: producer}},
		{Filters: f{Topotop: ptr(true)}, Facets: all},
		// Facets and sorts.
		{Facets: all},
		{Text: "silk", Facets: all},
		{Text: "ผ้า", Facets: []string{"category", "region", "certifications"}},
		{Text: "silk", Sort: catalog.SearchSortPriceDesc},
		{Filters: f{Category: "household"}, Sort: catalog.SearchSortName},
		{Text: "herbal", Sort: catalog.SearchSortNewest},
		{Filters: f{Category: "food"}, Sort: catalog.SearchSortPriceAsc, PerPage: 50},
		// Pages beyond the first.
		{Text: "silk", Page: 3},
		{Text: "cotton", Page: 2, PerPage: 50},
		{Page: 20},
	}
}

// queryString is q as GET /v1/search parameters (api/search.go), every
// field of catalog.SearchQuery included; zero values are left out, as the
// API reads a missing parameter as the zero value.
func queryString(q catalog.SearchQuery) string {
	v := url.Values{}
	set := func(name, s string) {
		if s != "" {
			v.Set(name, s)
		}
	}
	setInt := func(name string, n int) {
		if n != 0 {
			v.Set(name, strconv.Itoa(n))
		}
	}
	f := q.Filters
	set("q", q.Text)
	set("lang", q.Lang)
	set("province", f.Province)
	set("cluster", f.Cluster)
	set("region", f.Region)
	set("category", f.Category)
	set("select_center", f.SelectCenter)
	set("creative_industry", f.CreativeIndustry)
	if f.Topotop != nil {
		v.Set("topotop", strconv.FormatBool(*f.Topotop))
	}
	setInt("min_stars", f.MinStars)
	set("producer", f.Producer)
	if f.MinPrice != nil {
		v.Set("min_price", strconv.FormatInt(*f.MinPrice, 10))
	}
	if f.MaxPrice != nil {
		v.Set("max_price", strconv.FormatInt(*f.MaxPrice, 10))
	}
	set("certification", f.Certification)
	set("facets", strings.Join(q.Facets, ","))
	set("sort", q.Sort)
	setInt("page", q.Page)
	setInt("per_page", q.PerPage)
	return v.Encode()
}

// display is q's parameters unescaped, for reading; a producer id and the
// full facet list are shortened.
func display(q catalog.SearchQuery) string {
	if q.Filters.Producer != "" {
		q.Filters.Producer = "<id>"
	}
	if slices.Equal(q.Facets, catalog.SearchFacets()) {
		q.Facets = []string{"<all>"}
	}
	s, err := url.QueryUnescape(queryString(q))
	if err != nil {
		return queryString(q)
	}
	return s
}

// apiTotal runs one search through the API and returns its total.
// apiTotal sends one search and returns its total and how long the API
// took: until the last byte of the reply arrived (the client's own decoding
// of the reply is not the API's time).
func apiTotal(ctx context.Context, client *http.Client, u string) (int, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	took := time.Since(start)
	if err != nil {
		return 0, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	var r struct {
		Total *int `json:"total"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Total == nil {
		return 0, 0, fmt.Errorf("no total in the reply: %.200s", body)
	}
	return *r.Total, took, nil
}

// result is one load run.
type result struct {
	name     string
	all      load.Latencies   // successful requests
	byQuery  []load.Latencies // successful requests per query
	errors   int
	firstErr error
	elapsed  time.Duration            // from the end of the warm-up to the last answer
	cpu      map[string]time.Duration // CPU time of each clock in that window
	share    *cpuShare                // the engine's part of serve's CPU time in that window (-pprof)
}

// mean is the mean latency of the successful requests, in milliseconds.
func (r *result) mean() float64 {
	if len(r.all) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range r.all {
		sum += d
	}
	return load.Ms(sum) / float64(len(r.all))
}

func (r *result) rate() float64 { return float64(len(r.all)+r.errors) / r.elapsed.Seconds() }

func (r *result) row(label string) string {
	return fmt.Sprintf("| %s | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %d |", label, len(r.all)+r.errors, r.rate(),
		r.all.PctMs(50), r.all.PctMs(90), r.all.PctMs(99), r.all.MaxMs(), r.errors)
}

type sample struct {
	query int
	d     time.Duration
}

// runLoad runs do with o.concurrency workers for o.warmup, unmeasured, then
// for o.duration, recording the latency of every request started in the
// measured window. Each worker runs the set in an order of its own,
// shuffled again each time through: every query runs about equally often,
// and the workers do not fall into step (walking the set in the same
// order, they formed convoys that made some queries wait for others).
func runLoad(ctx context.Context, name string, o options, n int, clocks []cpuClock,
	do func(ctx context.Context, worker, query int) error,
) *result {
	// In process, searches collect garbage as serve's do (its GOGC of 400),
	// so that their CPU time compares with serve's.
	defer debug.SetGCPercent(debug.SetGCPercent(serveGCPercent))
	begin := time.Now()
	from, end := begin.Add(o.warmup), begin.Add(o.warmup+o.duration)
	cpuFrom := make(chan map[string]time.Duration, 1)
	time.AfterFunc(o.warmup, func() { cpuFrom <- readClocks(clocks) })
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		samples  = make([][]sample, o.concurrency)
		errCount int
		firstErr error
	)
	for w := range o.concurrency {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			order := rng.Perm(n)
			var mine []sample
			for k := 0; ; k++ {
				if k == n {
					k = 0
					rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
				}
				q := order[k]
				t0 := time.Now()
				if !t0.Before(end) || ctx.Err() != nil {
					break
				}
				err := do(ctx, w, q)
				d := time.Since(t0)
				if !t0.Before(from) {
					if err != nil {
						mu.Lock()
						errCount++
						if firstErr == nil {
							firstErr = fmt.Errorf("query %d: %w", q+1, err)
						}
						mu.Unlock()
					} else {
						mine = append(mine, sample{q, d})
					}
				}
			}
			samples[w] = mine
		})
	}
	wg.Wait()
	r := &result{name: name, byQuery: make([]load.Latencies, n), errors: errCount, firstErr: firstErr, elapsed: time.Since(from),
		cpu: map[string]time.Duration{}}
	cpuTo := readClocks(clocks)
	select {
	case at := <-cpuFrom:
		for k, d := range cpuTo {
			if d0, ok := at[k]; ok {
				r.cpu[k] = d - d0
			}
		}
	default: // cancelled before the measured window
	}
	for _, s := range samples {
		for _, x := range s {
			r.all = append(r.all, x.d)
			r.byQuery[x.query] = append(r.byQuery[x.query], x.d)
		}
	}
	slices.Sort(r.all)
	for _, l := range r.byQuery {
		slices.Sort(l)
	}
	return r
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// procMemory is a process's resident set size and its peak, in bytes
// (-1 when unknown).
type procMemory struct {
	rss, hwm int64
	hwmReset bool
}

func readProcMemory(pid int) procMemory {
	rss, err := procStatus(strconv.Itoa(pid), "VmRSS")
	if err != nil {
		fmt.Fprintln(os.Stderr, "searchbench:", err)
	}
	hwm, _ := procStatus(strconv.Itoa(pid), "VmHWM")
	return procMemory{rss: rss, hwm: hwm}
}

// procStatus reads a "kB" field of /proc/<pid>/status, in bytes; -1 when
// it cannot.
func procStatus(pid, field string) (int64, error) {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return -1, err
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return -1, fmt.Errorf("/proc/%s/status %s: %w", pid, field, err)
			}
			return kb << 10, nil
		}
	}
	return -1, fmt.Errorf("/proc/%s/status has no %s", pid, field)
}

// dirSize is the total size of the regular files under dir.
func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	return n, err
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func mibOrBlank(b int64) string {
	if b < 0 {
		return ""
	}
	return fmt.Sprintf("%.1f", mib(b))
}
