// Command curationbench measures the Select centers' curation (make bench,
// BENCH_ONLY=curation) against a running `otop serve` on loopback:
//
//  1. prepare: brings each of the four centers' queues to -pending/4
//     products, moving products of the seeded published catalogue back to
//     pending_review in SQL, submitted over the past 30 days, each with a unique tag
//     benchq<n> that search finds once it is published again; the outbox
//     triggers tell serve's indexer to drop them from the index, and the
//     command waits until search_outbox is empty;
//  2. queue: GET /v1/curation/queue at -concurrency for -duration, with the
//     curators of the four centers, first pages and pages reached by
//     cursor, some with one filter (category, province, cluster, creative
//     industry of that center's pending products);
//  3. approve: -approvals products approved by -approve-concurrency
//     curators at once, each taking the version (If-Match) from the queue
//     item it read, back to back (the CPU saturated);
//     then -paced-approvals products at a steady -paced-rate a second over
//     all curators, each timed from when it was due (an open loop);
//  4. approve → searchable: -searchable products, -searchable-parallel at
//     a time after a random pause, approved and then looked up with
//     GET /v1/search?q=benchq<n> every -poll until a reply holds the product.
//
// Results print as Markdown tables on stdout, progress on stderr.
//
//	curationbench -api http://127.0.0.1:18080 -database-url postgres://… \
//	    -login cm@example.com:secret,kk@example.com:secret,…
//
// Staff are given as bearer tokens (-tokens) or as email:password pairs to
// log in with (-login); each one's Select center comes from GET /v1/me.
// Every phase is bounded by a count and a time limit, and the whole run
// by -timeout. The API must be on a loopback address.
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
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/otopmarket/otop/scripts/bench/internal/load"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "curationbench:", err)
		os.Exit(1)
	}
}

// The targets.
const (
	targetQueueP99      = 20 * time.Millisecond
	targetApproveP99    = 30 * time.Millisecond
	targetSearchableP99 = time.Second
)

type options struct {
	api, databaseURL   string
	tokens, logins     string
	prepare            bool
	pending            int
	resubmitted        int
	outboxTimeout      time.Duration
	concurrency        int
	duration, warmup   time.Duration
	maxDepth           int
	filterShare        int
	approvals          int
	approveConcurrency int
	pacedApprovals     int
	pacedRate          float64
	searchable         int
	searchableParallel int
	poll, gap          time.Duration
	searchableTimeout  time.Duration
	timeout            time.Duration
	pid                int
	pprof, profileDir  string
	dbName             string // of databaseURL, for its backends' CPU time (with -pid)
}

func run() error {
	var o options
	flag.StringVar(&o.api, "api", "http://127.0.0.1:18080", "base URL of the running otop serve (loopback only)")
	flag.StringVar(&o.databaseURL, "database-url", os.Getenv("DATABASE_URL"), "serve's PostgreSQL (default $DATABASE_URL)")
	flag.StringVar(&o.tokens, "tokens", "", "comma-separated bearer tokens of curators (one per Select center)")
	flag.StringVar(&o.logins, "login", "", "comma-separated email:password pairs of curators to log in with")
	flag.BoolVar(&o.prepare, "prepare", true, "bring the queues to -pending products first (false: use the queues as they are, e.g. prepared by an earlier run)")
	flag.IntVar(&o.pending, "pending", 10000, "products pending review in all, a quarter in each Select center's queue (the seed's, topped up from its published products)")
	flag.IntVar(&o.resubmitted, "resubmitted", 27, "percent of the products prepare moves that are resubmissions of a published product (the seed's queues: 15 of 55)")
	flag.DurationVar(&o.outboxTimeout, "outbox-timeout", 10*time.Minute, "longest wait for serve's indexer to empty search_outbox")
	flag.IntVar(&o.concurrency, "concurrency", 16, "concurrent queue readers (spread over the curators)")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "measured duration of the queue load")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured warm-up before the queue load")
	flag.IntVar(&o.maxDepth, "max-depth", 6, "a reader follows up to this many cursors (uniformly 0..max-depth) before starting again from a first page")
	flag.IntVar(&o.filterShare, "filter-share", 35, "percent of a reader's walks through the queue with one filter")
	flag.IntVar(&o.approvals, "approvals", 2000, "products approved in the approve run")
	flag.IntVar(&o.approveConcurrency, "approve-concurrency", 4, "curators approving at once (spread over the centers)")
	flag.IntVar(&o.pacedApprovals, "paced-approvals", 1000, "products approved at a steady rate after the back-to-back run (0: none)")
	flag.Float64Var(&o.pacedRate, "paced-rate", 100, "approvals a second, over all curators, of the paced run")
	flag.IntVar(&o.searchable, "searchable", 100, "products approved and then polled for in search")
	flag.IntVar(&o.searchableParallel, "searchable-parallel", 4, "of those, approved and polled at once")
	flag.DurationVar(&o.poll, "poll", 10*time.Millisecond, "interval between the searches for an approved product")
	flag.DurationVar(&o.gap, "gap", time.Second, "random pause (uniform from 0 to this) before each of those approvals, so that they fall at any phase of the indexer's polling")
	flag.DurationVar(&o.searchableTimeout, "searchable-timeout", 10*time.Second, "give up on a product not searchable within this")
	flag.DurationVar(&o.timeout, "timeout", 30*time.Minute, "bound on the whole run")
	flag.IntVar(&o.pid, "pid", 0, "pid of the otop serve process, for its CPU time per request and that of its database's PostgreSQL backends (0 = not reported)")
	flag.StringVar(&o.pprof, "pprof", "", "base URL of serve's profiles (its PPROF_ADDR, e.g. http://127.0.0.1:6060)")
	flag.StringVar(&o.profileDir, "profile-dir", "", "with -pprof: write CPU profiles of serve to this directory: curation-queue.pprof (the queue run's measured window), curation-approve.pprof (the first 5 s of the approvals), curation-paced.pprof (the first 5 s of the paced approvals), curation-searchable.pprof (the first 10 s of approve → searchable)")
	flag.Parse()
	switch {
	case o.databaseURL == "":
		return errors.New("set DATABASE_URL or -database-url")
	case o.tokens == "" && o.logins == "":
		return errors.New("give curators with -tokens or -login")
	case o.concurrency < 1 || o.duration <= 0 || o.warmup < 0 || o.pending < 4 || o.approvals < 0 ||
		o.approveConcurrency < 1 || o.pacedApprovals < 0 || o.pacedRate <= 0 || o.searchable < 0 || o.searchableParallel < 1 || o.poll <= 0 || o.maxDepth < 0:
		return errors.New("bad counts or durations")
	}
	o.api = strings.TrimRight(o.api, "/")
	if err := loopbackOnly(o.api); err != nil {
		return err
	}
	if cfg, err := pgx.ParseConfig(o.databaseURL); err == nil && o.pid > 0 && loopbackHost(cfg.Host) {
		o.dbName = cfg.Database
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()

	curators, err := staff(ctx, o)
	if err != nil {
		return err
	}
	db, err := pgx.Connect(ctx, o.databaseURL)
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	defer db.Close(context.WithoutCancel(ctx)) //nolint:errcheck // closing at exit

	if o.prepare {
		if err := prepare(ctx, db, o); err != nil {
			return err
		}
	}
	counts, err := pendingByCenter(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "curationbench: pending per center: %v\n", counts)
	filters, err := queueFilters(ctx, db)
	if err != nil {
		return err
	}

	q, err := queueLoad(ctx, o, curators, filters)
	if err != nil {
		return err
	}
	fmt.Printf("| queue workload (concurrency %d over %d curators, %s) | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | items/page | errors |\n",
		o.concurrency, len(curators), o.duration)
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	fmt.Println(q.all.row("API `GET /v1/curation/queue`, all pages", q.elapsed, true))
	for k := range kinds {
		fmt.Println(q.byKind[k].row("… "+kindNames[k], q.elapsed, true))
	}
	fmt.Println()
	if c := q.cpu.perRequest(len(q.all.d) + q.all.errors); c != "" {
		fmt.Printf("CPU time per queue request: %s.\n\n", c)
	}
	if q.all.firstErr != nil {
		fmt.Fprintf(os.Stderr, "curationbench: warning: queue: %d errors, first: %v\n", q.all.errors, q.all.firstErr)
	}

	var ap *series
	apCPU := newCPUMeter(o.pid, o.dbName)
	if o.approvals > 0 {
		ap, err = approveRun(ctx, o, curators, apCPU)
		if err != nil {
			return err
		}
		fmt.Printf("| approve (%d products, %d curators at once) | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |\n",
			o.approvals, approvers(o, curators))
		fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
		fmt.Println(ap.row("API `POST /v1/products/{id}/approve` (If-Match from the queue item)", ap.elapsed, false))
		fmt.Println()
		if c := apCPU.perRequest(len(ap.d) + ap.errors); c != "" {
			fmt.Printf("CPU time per approval (with the queue pages read to find them, 1 per 100): %s.\n\n", c)
		}
		if ap.firstErr != nil {
			fmt.Fprintf(os.Stderr, "curationbench: warning: approve: %d errors, first: %v\n", ap.errors, ap.firstErr)
		}
		waited, err := waitOutbox(ctx, db, o.outboxTimeout)
		if err != nil {
			return err
		}
		fmt.Printf("After the approvals, serve's indexer emptied search_outbox %.1f s after the last one.\n\n", waited.Seconds())
	}

	var paced *series
	if o.pacedApprovals > 0 {
		pacedCPU := newCPUMeter(o.pid, o.dbName)
		paced, err = pacedRun(ctx, o, curators, pacedCPU)
		if err != nil {
			return err
		}
		fmt.Printf("| approve at a steady %.0f a second (%d products over %d curators) | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |\n",
			o.pacedRate, o.pacedApprovals, len(curators))
		fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
		fmt.Println(paced.row("API `POST /v1/products/{id}/approve`, timed from when it was due", paced.elapsed, false))
		fmt.Println()
		if c := pacedCPU.perRequest(len(paced.d) + paced.errors); c != "" {
			fmt.Printf("CPU time per approval at that rate: %s.\n\n", c)
		}
		if paced.firstErr != nil {
			fmt.Fprintf(os.Stderr, "curationbench: warning: paced approve: %d errors, first: %v\n", paced.errors, paced.firstErr)
		}
		if _, err := waitOutbox(ctx, db, o.outboxTimeout); err != nil {
			return err
		}
	}

	var sr *searchableResult
	if o.searchable > 0 {
		sr, err = searchableRun(ctx, o, curators)
		if err != nil {
			return err
		}
		fmt.Printf("| approve → searchable (%d products, %d at a time, search every %s) | products | p50 ms | p95 ms | p99 ms | max ms | not found in %s |\n",
			o.searchable, o.searchableParallel, o.poll, o.searchableTimeout)
		fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
		fmt.Println(sr.fromSent.searchRow("from sending the approve to the first search reply holding the product", sr.notFound))
		fmt.Println(sr.fromApproved.searchRow("from the approve's reply (committed) to that search reply", sr.notFound))
		fmt.Println(sr.approve.searchRow("(the approve requests themselves)", 0))
		fmt.Println()
		fmt.Printf("Searches per product until found: mean %.1f; found before the approve: %d; approvals refused: %d.\n\n",
			sr.meanPolls(), sr.visibleBefore, sr.approve.errors)
		if sr.approve.firstErr != nil {
			fmt.Fprintf(os.Stderr, "curationbench: warning: approve→searchable: first error: %v\n", sr.approve.firstErr)
		}
	}

	fmt.Println("| target | measured p99 | target | |")
	fmt.Println("| --- | ---: | ---: | --- |")
	fmt.Println(targetRow("queue page at concurrency 16", q.all, targetQueueP99))
	if ap != nil {
		fmt.Println(targetRow(fmt.Sprintf("approve, %d curators back to back", approvers(o, curators)), ap, targetApproveP99))
	}
	if paced != nil {
		fmt.Println(targetRow(fmt.Sprintf("approve at a steady %.0f a second", o.pacedRate), paced, targetApproveP99))
	}
	if sr != nil {
		fmt.Println(targetRow("approve → searchable", &sr.fromSent, targetSearchableP99))
	}
	fmt.Println()
	return ctx.Err()
}

// loopbackOnly refuses an API that is not on this machine's loopback.
func loopbackOnly(base string) error {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" || u.Hostname() == "" {
		return fmt.Errorf("-api %q: want http://127.0.0.1:PORT", base)
	}
	if !loopbackHost(u.Hostname()) || strings.HasPrefix(u.Hostname(), "/") {
		return fmt.Errorf("-api %q: loopback addresses only", base)
	}
	return nil
}

// loopbackHost tells a host of this machine's (a unix socket directory too).
func loopbackHost(h string) bool {
	if h == "localhost" || strings.HasPrefix(h, "/") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// ---------------------------------------------------------------------------
// Staff

type curator struct {
	email, token, center string
}

// staff logs in (or takes the tokens) and reads each one's Select center.
func staff(ctx context.Context, o options) ([]curator, error) {
	client := &http.Client{Timeout: 30 * time.Second}
	var out []curator
	for t := range strings.SplitSeq(o.tokens, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, curator{token: t})
		}
	}
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
		if err := callJSON(ctx, client, http.MethodPost, o.api+"/v1/auth/login", "", body, &reply); err != nil {
			return nil, fmt.Errorf("login %s: %w", email, err)
		}
		out = append(out, curator{email: email, token: reply.Token})
	}
	for i := range out {
		var me struct {
			Email          string  `json:"email"`
			Role           string  `json:"role"`
			SelectCenterID *string `json:"select_center_id"`
		}
		if err := callJSON(ctx, client, http.MethodGet, o.api+"/v1/me", out[i].token, nil, &me); err != nil {
			return nil, fmt.Errorf("GET /v1/me: %w", err)
		}
		if me.Role != "curator" || me.SelectCenterID == nil {
			return nil, fmt.Errorf("%s is a %s, not a curator of a Select center", me.Email, me.Role)
		}
		out[i].email, out[i].center = me.Email, *me.SelectCenterID
	}
	slices.SortFunc(out, func(a, b curator) int { return strings.Compare(a.center, b.center) })
	seen := map[string]bool{}
	for _, c := range out {
		if seen[c.center] {
			return nil, fmt.Errorf("two curators of %s: give one per Select center", c.center)
		}
		seen[c.center] = true
	}
	fmt.Fprintf(os.Stderr, "curationbench: %d curators: %v\n", len(out), centersOf(out))
	return out, nil
}

func centersOf(cs []curator) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.center
	}
	return out
}

func callJSON(ctx context.Context, client *http.Client, method, u, token string, body []byte, into any) error {
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
	resp, err := client.Do(req)
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

// ---------------------------------------------------------------------------
// Measurements

// series is the latencies of one kind of request.
type series struct {
	d        load.Latencies
	errors   int
	firstErr error
	items    int // queue items read (queue pages)
	elapsed  time.Duration
}

func (s *series) add(d time.Duration, err error) {
	if err != nil {
		s.errors++
		if s.firstErr == nil {
			s.firstErr = err
		}
		return
	}
	s.d = append(s.d, d)
}

func (s *series) merge(o *series) {
	s.d = append(s.d, o.d...)
	s.errors += o.errors
	s.items += o.items
	if s.firstErr == nil {
		s.firstErr = o.firstErr
	}
}

func (s *series) sort() { slices.Sort(s.d) }

// row is a Markdown row; withItems adds the mean number of queue items per page.
func (s *series) row(label string, elapsed time.Duration, withItems bool) string {
	n := len(s.d) + s.errors
	rate := float64(n) / elapsed.Seconds()
	items := ""
	if withItems {
		items = " |"
		if len(s.d) > 0 {
			items = fmt.Sprintf(" %.1f |", float64(s.items)/float64(len(s.d)))
		}
	}
	return fmt.Sprintf("| %s | %d | %.0f | %.2f | %.2f | %.2f | %.2f |%s %d |", label, n, rate,
		s.d.PctMs(50), s.d.PctMs(95), s.d.PctMs(99), s.d.MaxMs(), items, s.errors)
}

func (s *series) searchRow(label string, notFound int) string {
	return fmt.Sprintf("| %s | %d | %.1f | %.1f | %.1f | %.1f | %d |", label, len(s.d),
		s.d.PctMs(50), s.d.PctMs(95), s.d.PctMs(99), s.d.MaxMs(), notFound)
}

func targetRow(label string, s *series, target time.Duration) string {
	verdict := "met"
	if s.errors > 0 || len(s.d) == 0 {
		verdict = fmt.Sprintf("not measured cleanly (%d errors)", s.errors)
	}
	if s.d.Pct(99) > target {
		verdict = "**not met**"
	}
	return fmt.Sprintf("| %s | %.2f ms | ≤ %d ms | %s |", label, s.d.PctMs(99), target.Milliseconds(), verdict)
}

// authHeader is the Authorization header line of a curator.
func authHeader(c curator) string { return "Authorization: Bearer " + c.token }

// ---------------------------------------------------------------------------
// 2. The queue

const (
	kindFirst = iota
	kindFirstFiltered
	kindCursor
	kindCursorFiltered
	kinds
)

var kindNames = [kinds]string{"first page", "first page, one filter", "page reached by cursor", "page reached by cursor, one filter"}

type queueResult struct {
	all     *series
	byKind  [kinds]*series
	elapsed time.Duration
	cpu     *cpuMeter
}

// queueLoad reads the queues at o.concurrency: worker w is curator w mod
// len(curators). A worker walks its queue from a first page (with one
// filter in o.filterShare % of the walks) through 0 to o.maxDepth pages
// reached by cursor, then starts again.
func queueLoad(ctx context.Context, o options, curators []curator, filters map[string][]string) (*queueResult, error) {
	fmt.Fprintf(os.Stderr, "curationbench: queue: concurrency %d, %s warm-up then %s\n", o.concurrency, o.warmup, o.duration)
	begin := time.Now()
	from, end := begin.Add(o.warmup), begin.Add(o.warmup+o.duration)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		res     = &queueResult{all: &series{}, cpu: newCPUMeter(o.pid, o.dbName)}
		lastEnd time.Time
	)
	started := make(chan struct{})
	time.AfterFunc(o.warmup, func() { res.cpu.start(); close(started) })
	profiled := make(chan func(), 1)
	go func() {
		select {
		case <-ctx.Done():
			profiled <- func() {}
		case <-started:
			profiled <- o.startProfile(ctx, "curation-queue.pprof", o.duration)
		}
	}()
	for k := range kinds {
		res.byKind[k] = &series{}
	}
	for w := range o.concurrency {
		cur := curators[w%len(curators)]
		c, err := load.NewConn(o.api)
		if err != nil {
			return nil, err
		}
		wg.Go(func() {
			defer c.Close()
			rng := rand.New(rand.NewPCG(uint64(w), 11))
			hdr := []string{authHeader(cur)}
			var mine [kinds]series
			var filter, cursor string
			depth := 0
			for {
				t0 := time.Now()
				if !t0.Before(end) || ctx.Err() != nil {
					break
				}
				kind := kindCursor
				if cursor == "" || depth == 0 {
					filter, cursor, kind = "", "", kindFirst
					if fs := filters[cur.center]; len(fs) > 0 && rng.IntN(100) < o.filterShare {
						filter = fs[rng.IntN(len(fs))]
					}
					depth = rng.IntN(o.maxDepth + 1)
				} else {
					depth--
				}
				if filter != "" {
					kind++ // the filtered variant
				}
				path := "/v1/curation/queue"
				sep := "?"
				if filter != "" {
					path += sep + filter
					sep = "&"
				}
				if cursor != "" {
					path += sep + "cursor=" + url.QueryEscape(cursor)
				}
				status, err := c.Do(ctx, "GET", path, hdr, nil)
				err = c.Expect(status, err, http.StatusOK)
				d := time.Since(t0)
				cursor = ""
				items := 0
				if err == nil {
					cursor, err = nextCursor(c.Body())
					items = bytes.Count(c.Body(), []byte(`"waiting_days":`))
					if err == nil && items == 0 && kind == kindFirst {
						err = fmt.Errorf("%s: the first page of %s's queue is empty", path, cur.center)
					}
				}
				if !t0.Before(from) {
					mine[kind].add(d, err)
					if err == nil {
						mine[kind].items += items
					}
				}
				if err != nil {
					cursor = ""
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for k := range kinds {
				res.byKind[k].merge(&mine[k])
			}
			if now := time.Now(); now.After(lastEnd) {
				lastEnd = now
			}
		})
	}
	wg.Wait()
	res.elapsed = lastEnd.Sub(from)
	select {
	case <-started:
		res.cpu.stop()
	default:
	}
	(<-profiled)()
	for k := range kinds {
		res.all.merge(res.byKind[k])
		res.byKind[k].sort()
	}
	res.all.sort()
	return res, ctx.Err()
}

// nextCursor reads next_cursor from a list reply without decoding it all:
// the field comes last ({"items": [...], "next_cursor": ...}).
func nextCursor(body []byte) (string, error) {
	key := []byte(`"next_cursor":`)
	i := bytes.LastIndex(body, key)
	if i < 0 {
		return "", errors.New("reply without next_cursor")
	}
	rest := bytes.TrimLeft(body[i+len(key):], " \t\r\n")
	if bytes.HasPrefix(rest, []byte("null")) {
		return "", nil
	}
	if len(rest) == 0 || rest[0] != '"' {
		return "", fmt.Errorf("next_cursor: unexpected %q", rest[:min(len(rest), 20)])
	}
	j := bytes.IndexByte(rest[1:], '"')
	if j < 0 {
		return "", errors.New("next_cursor: unterminated string")
	}
	raw := rest[:j+2]
	if bytes.IndexByte(raw, '\\') >= 0 { // escapes: let encoding/json read it (a quote inside is not expected)
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("next_cursor: %w", err)
		}
		return s, nil
	}
	return string(raw[1 : len(raw)-1]), nil
}

// queueItem is what the approve runs read of a queue item.
type queueItem struct {
	ID             string   `json:"id"`
	Version        int      `json:"version"`
	Status         string   `json:"status"`
	SelectCenterID string   `json:"select_center_id"`
	Tags           []string `json:"tags"`
}

type queuePage struct {
	Items      []queueItem `json:"items"`
	NextCursor *string     `json:"next_cursor"`
}

// readQueue reads one page of a curator's queue.
func readQueue(ctx context.Context, c *load.Conn, cur curator, limit int, cursor string) (queuePage, error) {
	path := fmt.Sprintf("/v1/curation/queue?limit=%d", limit)
	if cursor != "" {
		path += "&cursor=" + url.QueryEscape(cursor)
	}
	status, err := c.Do(ctx, "GET", path, []string{authHeader(cur)}, nil)
	if err := c.Expect(status, err, http.StatusOK); err != nil {
		return queuePage{}, fmt.Errorf("queue of %s: %w", cur.center, err)
	}
	var p queuePage
	if err := json.Unmarshal(c.Body(), &p); err != nil {
		return queuePage{}, fmt.Errorf("queue of %s: %w", cur.center, err)
	}
	return p, nil
}

// ---------------------------------------------------------------------------
// 3. Approve

// feed walks a curator's queue from its start and sends n of its items
// (those keep accepts, every one when keep is nil), then closes out.
func feed(ctx context.Context, o options, cur curator, n int, keep func(queueItem) bool, out chan<- queueItem) error {
	defer close(out)
	c, err := load.NewConn(o.api)
	if err != nil {
		return err
	}
	defer c.Close()
	cursor := ""
	for sent := 0; sent < n; {
		p, err := readQueue(ctx, c, cur, 100, cursor)
		if err != nil {
			return err
		}
		for _, it := range p.Items {
			if sent == n {
				break
			}
			if keep != nil && !keep(it) {
				continue
			}
			select {
			case out <- it:
				sent++
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if p.NextCursor == nil || len(p.Items) == 0 {
			if sent < n {
				return fmt.Errorf("queue of %s: only %d products to take, %d wanted", cur.center, sent, n)
			}
			break
		}
		cursor = *p.NextCursor
	}
	return nil
}

// approve approves one queue item with the version read from the queue.
func approve(ctx context.Context, c *load.Conn, cur curator, it queueItem) error {
	status, err := c.Do(ctx, "POST", "/v1/products/"+it.ID+"/approve",
		[]string{authHeader(cur), fmt.Sprintf(`If-Match: "%d"`, it.Version)}, nil)
	if err := c.Expect(status, err, http.StatusOK); err != nil {
		return fmt.Errorf("approve %s: %w", it.ID, err)
	}
	if !bytes.Contains(c.Body(), []byte(`"status":"published"`)) {
		return fmt.Errorf("approve %s: the reply is not a published product: %.200s", it.ID, c.Body())
	}
	return nil
}

// approvers is the number of approving workers: -approve-concurrency,
// at least one per center (each center's queue reader needs one).
func approvers(o options, curators []curator) int { return max(o.approveConcurrency, len(curators)) }

// approveRun approves o.approvals products, as many from each center, by
// o.approveConcurrency curators at once (spread over the centers); each
// center's queue is walked by a reader that hands its items out.
func approveRun(ctx context.Context, o options, curators []curator, meter *cpuMeter) (*series, error) {
	fmt.Fprintf(os.Stderr, "curationbench: approving %d products, %d at once\n", o.approvals, o.approveConcurrency)
	workers := approvers(o, curators)
	var wg sync.WaitGroup
	feeds, feedErr := startFeeds(ctx, o, curators, o.approvals, &wg)
	var (
		mu    sync.Mutex
		total = &series{}
	)
	meter.start()
	profiled := o.startProfile(ctx, "curation-approve.pprof", 5*time.Second)
	defer profiled()
	start := time.Now()
	for w := range workers {
		i := w % len(curators)
		cur := curators[i]
		c, err := load.NewConn(o.api)
		if err != nil {
			return nil, err
		}
		wg.Go(func() {
			defer c.Close()
			var mine series
			for it := range feeds[i] {
				t0 := time.Now()
				err := approve(ctx, c, cur, it)
				mine.add(time.Since(t0), err)
			}
			mu.Lock()
			total.merge(&mine)
			mu.Unlock()
		})
	}
	wg.Wait()
	total.elapsed = time.Since(start)
	meter.stop()
	total.sort()
	for _, err := range feedErr {
		if err != nil {
			return nil, err
		}
	}
	return total, ctx.Err()
}

// startFeeds starts a queue reader per curator (in wg) handing out n
// products in all, as many from each center; each reader's error is in
// errs once wg is done.
func startFeeds(ctx context.Context, o options, curators []curator, n int, wg *sync.WaitGroup) (feeds []chan queueItem, errs []error) {
	feeds, errs = make([]chan queueItem, len(curators)), make([]error, len(curators))
	for i, cur := range curators {
		mine := n / len(curators)
		if i < n%len(curators) {
			mine++
		}
		feeds[i] = make(chan queueItem, 100)
		wg.Go(func() { errs[i] = feed(ctx, o, cur, mine, nil, feeds[i]) })
	}
	return feeds, errs
}

// pacedRun approves o.pacedApprovals products at o.pacedRate a second, the
// centers in turn, whatever the replies' speed (an open loop): each
// approval's time runs from when it was due, so a slow reply that delays
// the next ones counts in theirs too.
func pacedRun(ctx context.Context, o options, curators []curator, meter *cpuMeter) (*series, error) {
	fmt.Fprintf(os.Stderr, "curationbench: approving %d products at %.0f a second\n", o.pacedApprovals, o.pacedRate)
	var wg sync.WaitGroup
	feeds, feedErr := startFeeds(ctx, o, curators, o.pacedApprovals, &wg)
	type job struct {
		cur curator
		it  queueItem
		due time.Time
	}
	jobs := make(chan job, o.pacedApprovals)
	var (
		mu    sync.Mutex
		total = &series{}
	)
	// Enough connections that none waits for another while PostgreSQL
	// and serve keep up.
	for range 4 * len(curators) {
		c, err := load.NewConn(o.api)
		if err != nil {
			return nil, err
		}
		wg.Go(func() {
			defer c.Close()
			var mine series
			for j := range jobs {
				err := approve(ctx, c, j.cur, j.it)
				mine.add(time.Since(j.due), err)
			}
			mu.Lock()
			total.merge(&mine)
			mu.Unlock()
		})
	}
	meter.start()
	profiled := o.startProfile(ctx, "curation-paced.pprof", 5*time.Second)
	defer profiled()
	start := time.Now()
	every := time.Duration(float64(time.Second) / o.pacedRate)
	for k := range o.pacedApprovals {
		i := k % len(curators)
		it, ok := <-feeds[i]
		if !ok {
			break // that center's queue ran out
		}
		due := start.Add(time.Duration(k) * every)
		if d := time.Until(due); d > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
		jobs <- job{cur: curators[i], it: it, due: due}
	}
	close(jobs)
	for _, f := range feeds { // let the readers finish
		for range f {
		}
	}
	wg.Wait()
	total.elapsed = time.Since(start)
	meter.stop()
	total.sort()
	for _, err := range feedErr {
		if err != nil {
			return nil, err
		}
	}
	return total, ctx.Err()
}

// ---------------------------------------------------------------------------
// 4. Approve → searchable

type searchableResult struct {
	fromSent, fromApproved, approve series
	notFound, visibleBefore         int
	polls                           int
}

func (r *searchableResult) meanPolls() float64 {
	if len(r.fromSent.d) == 0 {
		return 0
	}
	return float64(r.polls) / float64(len(r.fromSent.d))
}

// benchTag is the unique tag prepare gave a product.
func benchTag(it queueItem) string {
	for _, t := range it.Tags {
		if strings.HasPrefix(t, "benchq") {
			return t
		}
	}
	return ""
}

// searchableRun takes o.searchable products from the queues (as many from
// each center), then o.searchableParallel workers each: pause a random
// time up to o.gap, check that search does not show the product yet,
// approve it, and search for its tag every o.poll until a reply holds it.
func searchableRun(ctx context.Context, o options, curators []curator) (*searchableResult, error) {
	fmt.Fprintf(os.Stderr, "curationbench: approve → searchable for %d products, %d at a time\n", o.searchable, o.searchableParallel)
	type job struct {
		cur curator
		it  queueItem
	}
	var jobs []job
	for i, cur := range curators {
		n := o.searchable / len(curators)
		if i < o.searchable%len(curators) {
			n++
		}
		// The products prepare tagged (not those the seed put in the queue).
		ch := make(chan queueItem, n)
		if err := feed(ctx, o, cur, n, func(it queueItem) bool { return benchTag(it) != "" }, ch); err != nil {
			return nil, err
		}
		for it := range ch {
			jobs = append(jobs, job{cur, it})
		}
	}
	rand.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })
	queue := make(chan job, len(jobs))
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		res = &searchableResult{}
	)
	var polls, notFound, before atomic.Int64
	profiled := o.startProfile(ctx, "curation-searchable.pprof", 10*time.Second)
	defer profiled()
	for w := range o.searchableParallel {
		approver, err := load.NewConn(o.api)
		if err != nil {
			return nil, err
		}
		searcher, err := load.NewConn(o.api)
		if err != nil {
			return nil, err
		}
		wg.Go(func() {
			defer approver.Close()
			defer searcher.Close()
			rng := rand.New(rand.NewPCG(uint64(w), 13))
			var sent, approved, appr series
			for j := range queue {
				if ctx.Err() != nil {
					break
				}
				if o.gap > 0 {
					time.Sleep(time.Duration(rng.Int64N(int64(o.gap))))
				}
				tag := benchTag(j.it)
				path := "/v1/search?per_page=20&q=" + url.QueryEscape(tag)
				needle := []byte(`"` + j.it.ID + `"`)
				status, err := searcher.Do(ctx, "GET", path, nil, nil)
				if err := searcher.Expect(status, err, http.StatusOK); err != nil {
					appr.add(0, fmt.Errorf("search before approve: %w", err))
					continue
				}
				if bytes.Contains(searcher.Body(), needle) {
					before.Add(1)
				}
				t0 := time.Now()
				err = approve(ctx, approver, j.cur, j.it)
				t1 := time.Now()
				appr.add(t1.Sub(t0), err)
				if err != nil {
					continue
				}
				found := false
				for ctx.Err() == nil && time.Since(t0) < o.searchableTimeout {
					tp := time.Now()
					status, err := searcher.Do(ctx, "GET", path, nil, nil)
					polls.Add(1)
					if err == nil && status == http.StatusOK && bytes.Contains(searcher.Body(), needle) {
						t2 := time.Now()
						sent.add(t2.Sub(t0), nil)
						approved.add(t2.Sub(t1), nil)
						found = true
						break
					}
					time.Sleep(time.Until(tp.Add(o.poll)))
				}
				if !found {
					notFound.Add(1)
				}
			}
			mu.Lock()
			res.fromSent.merge(&sent)
			res.fromApproved.merge(&approved)
			res.approve.merge(&appr)
			mu.Unlock()
		})
	}
	wg.Wait()
	res.polls, res.notFound, res.visibleBefore = int(polls.Load()), int(notFound.Load()), int(before.Load())
	res.fromSent.sort()
	res.fromApproved.sort()
	res.approve.sort()
	return res, ctx.Err()
}
