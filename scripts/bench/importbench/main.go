// Command importbench measures catalogue imports (make bench, BENCH_ONLY=import)
// against a running `otop serve` on loopback:
//
//  1. prepare: -producers producer accounts and profiles, inserted in SQL,
//     and a CSV of -rows products spread over them (every column of the
//     sheet but photos);
//  2. the same file three times through POST /v1/imports as an admin: a dry
//     run, the import (every row created) and the import again (every row
//     unchanged); each from the first byte of the upload until the job is
//     done, and for the import until the search outbox is drained too;
//  3. serve's resident memory, sampled every 50 ms during each run (peak
//     VmRSS) beside its VmRSS before it;
//  4. with -otop, a file of as many new products (for new producers)
//     through `otop import --as` the admin, a process of its own: until it
//     exits and until serve drained the outbox, with its peak RSS and CPU.
//
// Results print as a Markdown table on stdout, progress on stderr.
//
//	importbench -api http://127.0.0.1:18080 -database-url postgres://… \
//	    -login admin@example.com:secret -pid 1234 [-otop bin/otop]
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// The targets.
const (
	targetRowsPerSecond = 5000
	targetRSSBytes      = 300 << 20
)

type options struct {
	api, databaseURL, login, otop string
	rows, producers, pid          int
	timeout                       time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.api, "api", "http://127.0.0.1:18080", "base URL of the API (loopback only)")
	flag.StringVar(&o.databaseURL, "database-url", "", "the serve's database, to add producers and watch the outbox")
	flag.StringVar(&o.login, "login", "", "an admin's email:password")
	flag.IntVar(&o.rows, "rows", 100_000, "rows in the imported file")
	flag.IntVar(&o.producers, "producers", 60, "producers the rows are spread over (each lists at most 2000 products)")
	flag.IntVar(&o.pid, "pid", 0, "serve's process id, for its memory")
	flag.DurationVar(&o.timeout, "timeout", 20*time.Minute, "bound of each run")
	flag.StringVar(&o.otop, "otop", "", "the otop binary: a fourth run imports a file of new products with `otop import --as` (the admin of -login), "+
		"in a process of its own, configured by this environment (DATABASE_URL, MINIO_*)")
	flag.Parse()
	if err := runFor(o); err != nil {
		fmt.Fprintln(os.Stderr, "importbench:", err)
		os.Exit(1)
	}
}

func runFor(o options) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, o)
}

func run(ctx context.Context, o options) error {
	if !strings.HasPrefix(o.api, "http://127.0.0.1:") && !strings.HasPrefix(o.api, "http://localhost:") {
		return errors.New("-api must be on loopback")
	}
	conn, err := pgx.Connect(ctx, o.databaseURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx) //nolint:errcheck // at exit
	file, _, err := prepare(ctx, o, conn)
	if err != nil {
		return err
	}
	defer os.Remove(file) //nolint:errcheck // temporary
	token, err := login(ctx, o.api, o.login)
	if err != nil {
		return err
	}
	fmt.Println("| run | rows | wall time | rows/s | serve VmRSS before | serve peak VmRSS | created | updated | unchanged | invalid |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range []struct {
		name          string
		dryRun, drain bool
	}{{"dry run", true, false}, {"import (all created)", false, true}, {"import again (all unchanged)", false, false}} {
		res, err := importOnce(ctx, o, conn, file, token, r.dryRun, r.drain)
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		name := r.name
		if r.drain {
			name += ", until the search outbox is drained"
		}
		rate := float64(o.rows) / res.wall.Seconds()
		fmt.Printf("| %s | %d | %.1f s | %.0f%s | %s | %s%s | %d | %d | %d | %d |\n", name, o.rows, res.wall.Seconds(),
			rate, mark(rate >= targetRowsPerSecond), mib(res.rssBefore), mib(res.rssPeak), mark(res.rssPeak < targetRSSBytes),
			res.report.Created, res.report.Updated, res.report.Unchanged, res.report.Invalid)
		if r.drain {
			rate := float64(o.rows) / res.jobWall.Seconds()
			fmt.Printf("| %s, until the job is done | %d | %.1f s | %.0f%s | | | | | | |\n", r.name, o.rows, res.jobWall.Seconds(), rate, mark(rate >= targetRowsPerSecond))
		}
	}
	if o.otop != "" {
		return cliImport(ctx, o, conn)
	}
	return nil
}

// cliImport imports a file of new products (for new producers) with `otop
// import --as`, which runs the job in its own process: the memory an import
// takes is that process's peak (its rusage), where serve's holds the search
// index besides. serve, still running, drains the search outbox.
func cliImport(ctx context.Context, o options, conn *pgx.Conn) error {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	file, producers, err := prepare(ctx, o, conn)
	if err != nil {
		return err
	}
	defer os.Remove(file) //nolint:errcheck // temporary
	email, _, _ := strings.Cut(o.login, ":")
	start := time.Now()
	cmd := exec.CommandContext(ctx, o.otop, "import", file, "--as", email) //nolint:gosec // our own binary and file
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("otop import: %w: %s", err, out.String())
	}
	jobWall := time.Since(start)
	usage, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return errors.New("otop import: no resource usage")
	}
	if err := waitOutboxEmpty(ctx, conn); err != nil {
		return err
	}
	wall := time.Since(start)
	if !strings.Contains(out.String(), fmt.Sprintf("%d created", o.rows)) {
		return fmt.Errorf("otop import did not create %d products: %s", o.rows, out.String())
	}
	// A process that never ran the job (another took it) would use almost no
	// CPU: say how much it used, so that its memory figure can be trusted.
	cpu := time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
	peak := usage.Maxrss << 10 // kB on Linux
	rate := float64(o.rows) / wall.Seconds()
	fmt.Println()
	fmt.Println("| `otop import --as` (its own process) | rows | until the job is done | until the outbox is drained | rows/s | its CPU time | its peak RSS |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
	fmt.Printf("| new products of %d new producers | %d | %.1f s | %.1f s | %.0f%s | %.1f s | %s%s |\n", len(producers), o.rows,
		jobWall.Seconds(), wall.Seconds(), rate, mark(rate >= targetRowsPerSecond), cpu.Seconds(), mib(peak), mark(peak < targetRSSBytes))
	return nil
}

// prepare adds o.producers new producers and writes a temporary CSV of
// o.rows new products spread over them; it returns the file's path.
func prepare(ctx context.Context, o options, conn *pgx.Conn) (string, []uuid.UUID, error) {
	producers, err := addProducers(ctx, conn, o.producers)
	if err != nil {
		return "", nil, err
	}
	file, err := os.CreateTemp("", "importbench-*.csv")
	if err != nil {
		return "", nil, err
	}
	size, err := writeSheet(file, producers, o.rows)
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(file.Name())
		return "", nil, err
	}
	fmt.Fprintf(os.Stderr, "importbench: %d rows, %.1f MiB, over %d producers\n", o.rows, float64(size)/(1<<20), len(producers))
	return file.Name(), producers, nil
}

// waitOutboxEmpty returns once serve's indexer has emptied the search
// outbox: the import's products are searchable.
func waitOutboxEmpty(ctx context.Context, conn *pgx.Conn) error {
	for {
		var n int64
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM search_outbox").Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func mark(ok bool) string {
	if ok {
		return " ✓"
	}
	return " ✗"
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// addProducers inserts producer accounts with profiles in the places of the
// seeded producers (their province, region and cluster).
func addProducers(ctx context.Context, conn *pgx.Conn, n int) ([]uuid.UUID, error) {
	type place struct {
		province, region string
		cluster          *string
	}
	rows, err := conn.Query(ctx, "SELECT DISTINCT province_code, region, cluster_id FROM producers ORDER BY 1")
	if err != nil {
		return nil, err
	}
	places, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (place, error) {
		var p place
		return p, r.Scan(&p.province, &p.region, &p.cluster)
	})
	if err != nil {
		return nil, err
	}
	if len(places) == 0 {
		return nil, errors.New("no producer to take places from: seed the database first")
	}
	run := uuid.NewString()[:8]
	ids := make([]uuid.UUID, 0, n)
	for i := range n {
		pl := places[i%len(places)]
		var id uuid.UUID
		err := conn.QueryRow(ctx, `WITH u AS (
				INSERT INTO users (email, password_hash, role, display_name)
				VALUES ($1, 'x', 'producer', 'Import bench producer') RETURNING id)
			INSERT INTO producers (user_id, name_th, name_en, kind, province_code, region, cluster_id, amphoe, tambon,
				enterprise_level, created_at, updated_at, version)
			SELECT u.id, 'วิสาหกิจชุมชนทดสอบ', 'Import bench group', 'community_enterprise', $2, $3, $4, 'Mueang', 'Nai Mueang',
				2, now(), now(), 1 FROM u RETURNING id`,
			fmt.Sprintf("importbench-%s-%d@example.com", run, i), pl.province, pl.region, pl.cluster).Scan(&id)
		if err != nil {
			return nil, fmt.Errorf("add producer: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// writeSheet writes rows products as a CSV and returns its size.
func writeSheet(f *os.File, producers []uuid.UUID, rows int) (int64, error) {
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	header := []string{"producer_id", "sku", "name_th", "name_en", "description_th", "description_en", "category",
		"creative_industry", "price_amount_minor", "price_tiers", "moq", "unit", "monthly_capacity", "lead_time_days",
		"hs_code", "weight_grams", "stock", "tags", "certifications"}
	if err := w.Write(header); err != nil {
		return 0, err
	}
	kinds := []struct{ th, en, category, industry, unit, hs string }{
		{"ผ้าไหมมัดหมี่", "Mudmee silk", "textile", "crafts", "piece", "500720"},
		{"ชาใบหม่อน", "Mulberry leaf tea", "beverage", "thai_food", "box", "090240"},
		{"น้ำพริกเผา", "Roasted chilli paste", "food", "thai_food", "jar", "210390"},
		{"ยาดมสมุนไพร", "Herbal inhaler", "herbal", "thai_traditional_medicine", "piece", "330499"},
		{"ตะกร้าสานไม้ไผ่", "Woven bamboo basket", "household", "crafts", "piece", "460219"},
	}
	for i := range rows {
		k := kinds[i%len(kinds)]
		price := 5000 + (i%500)*100
		rec := []string{producers[i%len(producers)].String(), "BENCH-" + strconv.Itoa(i),
			k.th + " รุ่น " + strconv.Itoa(i), k.en + " no. " + strconv.Itoa(i),
			"สินค้าชุมชนคุณภาพ ผลิตด้วยมือ", "Community product, made by hand in the village.", k.category, k.industry,
			strconv.Itoa(price), "50:" + strconv.Itoa(price-500) + ";200:" + strconv.Itoa(price-1000), "10", k.unit, "1000", "14", k.hs,
			"250", "", "otop;handmade", "mor_phor_chor:มผช." + strconv.Itoa(i%900+1) + "/2566:2028-12-31"}
		if err := w.Write(rec); err != nil {
			return 0, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return 0, err
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

func login(ctx context.Context, api, cred string) (string, error) {
	email, password, ok := strings.Cut(cred, ":")
	if !ok {
		return "", errors.New("-login wants email:password")
	}
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, api+"/v1/auth/login", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close() //nolint:errcheck // read below
	var out struct {
		Token string `json:"token"`
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return "", fmt.Errorf("login: %d %s", resp.StatusCode, b)
	}
	err = json.NewDecoder(resp.Body).Decode(&out)
	return out.Token, err
}

type report struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Invalid   int `json:"invalid"`
}

type job struct {
	ID        string `json:"id"`
	State     string `json:"state"`
	RowsDone  int    `json:"rows_done"`
	RowsTotal int    `json:"rows_total"`
	Report    report `json:"report"`
	Error     string `json:"error"`
}

type result struct {
	wall, jobWall      time.Duration
	rssBefore, rssPeak int64
	report             report
}

func importOnce(ctx context.Context, o options, conn *pgx.Conn, path, token string, dryRun, drain bool) (result, error) {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	var res result
	res.rssBefore = rss(o.pid)
	var peak int64
	var mu sync.Mutex
	sampling, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if v := rss(o.pid); v > 0 {
				mu.Lock()
				peak = max(peak, v)
				mu.Unlock()
			}
			select {
			case <-sampling.Done():
				return
			case <-t.C:
			}
		}
	}()
	start := time.Now()
	id, err := upload(ctx, o.api, path, token, dryRun)
	if err != nil {
		return res, err
	}
	var j job
	lastLog := time.Now()
	for {
		if j, err = getJob(ctx, o.api, id, token); err != nil {
			return res, err
		}
		if j.State == "done" || j.State == "failed" {
			break
		}
		if time.Since(lastLog) > 5*time.Second {
			lastLog = time.Now()
			fmt.Fprintf(os.Stderr, "importbench: %s %d/%d\n", j.State, j.RowsDone, j.RowsTotal)
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	res.jobWall = time.Since(start)
	if j.State != "done" {
		return res, fmt.Errorf("job %s failed: %s", id, j.Error)
	}
	if drain {
		if err := waitOutboxEmpty(ctx, conn); err != nil {
			return res, err
		}
	}
	res.wall = time.Since(start)
	stopSampling()
	mu.Lock()
	res.rssPeak = peak
	mu.Unlock()
	res.report = j.Report
	return res, nil
}

// upload streams the file as a multipart import request.
func upload(ctx context.Context, api, path, token string, dryRun bool) (string, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := func() error {
			if err := mw.WriteField("dry_run", strconv.FormatBool(dryRun)); err != nil {
				return err
			}
			fw, err := mw.CreateFormFile("file", "bench.csv")
			if err != nil {
				return err
			}
			f, err := os.Open(path) //nolint:gosec // our own temporary file
			if err != nil {
				return err
			}
			defer f.Close() //nolint:errcheck // read-only
			if _, err := io.Copy(fw, f); err != nil {
				return err
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, api+"/v1/imports", pr)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close() //nolint:errcheck // read below
	if resp.StatusCode != http.StatusAccepted {
		b, _ := io.ReadAll(resp.Body)
		return "", fmt.Errorf("POST /v1/imports: %d %s", resp.StatusCode, b)
	}
	var j job
	err = json.NewDecoder(resp.Body).Decode(&j)
	return j.ID, err
}

func getJob(ctx context.Context, api, id, token string) (job, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, api+"/v1/imports/"+id, nil)
	if err != nil {
		return job{}, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return job{}, err
	}
	defer resp.Body.Close() //nolint:errcheck // read below
	var j job
	if resp.StatusCode != http.StatusOK {
		return j, fmt.Errorf("GET /v1/imports/%s: %d", id, resp.StatusCode)
	}
	err = json.NewDecoder(resp.Body).Decode(&j)
	return j, err
}

// rss is a process's resident set size, 0 when it cannot be read.
func rss(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
