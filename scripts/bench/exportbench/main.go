// Command exportbench measures the catalogue export (make bench,
// BENCH_ONLY=export) against a running `otop serve` on loopback, on the
// seeded catalogue: GET /v1/exports/products.csv of the published products
// and of every status, and GET /v1/exports/products.xlsx of the published
// products, each as an admin (-login), -runs times one after the other.
//
// Each run gives the rows per second (rows counted in the reply, from the
// request to its last byte), the time to the first byte, serve's CPU time
// (-pid), and the growth of serve's peak resident set size: VmHWM after the
// run minus VmRSS before it, VmHWM being reset before the run through
// /proc/<pid>/clear_refs; where that is not allowed, the highest VmRSS
// sampled every 10 ms instead. Every reply is checked: its rows must be the
// products SELECT count(*) finds. A CSV's rows are counted as it arrives,
// by its line ends outside quotes (parsing it whole would take the CPU
// serve is measured on; the API tests parse it).
//
// Results print as a Markdown table on stdout, progress on stderr.
//
//	exportbench -api http://127.0.0.1:18080 -database-url postgres://… -login admin@example.com:secret -pid 1234
package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"github.com/otopmarket/otop/scripts/bench/internal/load"
)

// The target for an export of 100k products.
const targetRowsPerSecond = 20_000

type options struct {
	api, databaseURL, login string
	pid, runs               int
	timeout                 time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.api, "api", "http://127.0.0.1:18080", "base URL of the API (loopback only)")
	flag.StringVar(&o.databaseURL, "database-url", os.Getenv("DATABASE_URL"), "the API's database, to count the rows expected")
	flag.StringVar(&o.login, "login", "", "email:password of an admin")
	flag.IntVar(&o.pid, "pid", 0, "serve's process id, for its memory (0: not measured)")
	flag.IntVar(&o.runs, "runs", 3, "runs of each export")
	flag.DurationVar(&o.timeout, "timeout", 30*time.Minute, "bound of the whole run")
	flag.Parse()
	if err := runFor(o); err != nil {
		fmt.Fprintln(os.Stderr, "exportbench:", err)
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

// export is one export measured.
type export struct {
	label, path, format, where string
}

func run(ctx context.Context, o options) error {
	u, err := url.Parse(o.api)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-api %s: the load stays on loopback (give 127.0.0.1)", o.api)
	}
	token, err := login(ctx, o)
	if err != nil {
		return err
	}
	const every = "draft,pending_review,published,rejected,archived"
	exports := []export{
		{"CSV, published (admin)", "/v1/exports/products.csv?status=published", "csv", "status = 'published'"},
		{"CSV, every status (admin)", "/v1/exports/products.csv?status=" + every, "csv", "true"},
		{"XLSX, published (admin)", "/v1/exports/products.xlsx?status=published", "xlsx", "status = 'published'"},
	}
	db, err := pgx.Connect(ctx, o.databaseURL)
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	defer db.Close(context.Background()) //nolint:errcheck // the run is over
	var total int64
	if err := db.QueryRow(ctx, "SELECT count(*) FROM products").Scan(&total); err != nil {
		return err
	}
	fmt.Printf("| export of the seeded catalogue (%d products), %d runs each | rows | MB | first byte ms (median) | seconds (median) | rows/s (median; min–max) | serve CPU s (median) | serve peak RSS growth (max) | target |\n", total, o.runs)
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
	for _, e := range exports {
		var want int64
		if err := db.QueryRow(ctx, "SELECT count(*) FROM products WHERE "+e.where).Scan(&want); err != nil {
			return err
		}
		var runs []measurement
		for i := range o.runs {
			m, err := measure(ctx, o, token, e)
			if err != nil {
				return fmt.Errorf("%s, run %d: %w", e.label, i+1, err)
			}
			if m.rows != want {
				return fmt.Errorf("%s, run %d: %d rows, want %d", e.label, i+1, m.rows, want)
			}
			fmt.Fprintf(os.Stderr, "exportbench: %s, run %d: %d rows, %.1f MB in %s (first byte %s), %.0f rows/s, serve CPU %s, peak RSS +%s (%s)\n",
				e.label, i+1, m.rows, float64(m.bytes)/1e6, m.total.Round(time.Millisecond), m.firstByte.Round(time.Millisecond),
				m.rate(), m.serveCPU.Round(10*time.Millisecond), mib(m.rssGrowth), m.rssMethod)
			runs = append(runs, m)
		}
		report(e.label, runs)
	}
	return nil
}

func report(label string, runs []measurement) {
	byRate := slices.Clone(runs)
	slices.SortFunc(byRate, func(a, b measurement) int { return cmp.Compare(a.rate(), b.rate()) })
	mid := byRate[len(byRate)/2]
	firstBytes := make([]time.Duration, len(runs))
	cpu := make([]time.Duration, len(runs))
	var peak int64
	for i, m := range runs {
		firstBytes[i], cpu[i] = m.firstByte, m.serveCPU
		peak = max(peak, m.rssGrowth)
	}
	slices.Sort(firstBytes)
	slices.Sort(cpu)
	verdict := "met"
	if mid.rate() < targetRowsPerSecond {
		verdict = "NOT met"
	}
	fmt.Printf("| %s | %d | %.1f | %.0f | %.2f | %.0f; %.0f–%.0f | %.2f | %s (%s) | ≥ %d rows/s: %s |\n", label, mid.rows, float64(mid.bytes)/1e6,
		load.Ms(firstBytes[len(firstBytes)/2]), mid.total.Seconds(), mid.rate(), byRate[0].rate(), byRate[len(byRate)-1].rate(),
		cpu[len(cpu)/2].Seconds(), mib(peak), runs[0].rssMethod, targetRowsPerSecond, verdict)
}

// measurement is one export's figures.
type measurement struct {
	rows, bytes      int64
	firstByte, total time.Duration
	serveCPU         time.Duration
	rssGrowth        int64
	rssMethod        string
}

func (m measurement) rate() float64 { return float64(m.rows) / m.total.Seconds() }

func measure(ctx context.Context, o options, token string, e export) (measurement, error) {
	cpu := func() (time.Duration, error) { return 0, nil }
	if o.pid != 0 {
		cpu = load.ProcCPU(o.pid)
	}
	cpuBefore, err := cpu()
	if err != nil {
		return measurement{}, err
	}
	mem := watchMemory(ctx, o.pid)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.api+e.path, nil)
	if err != nil {
		return measurement{}, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		mem.stop()
		return measurement{}, err
	}
	defer resp.Body.Close() //nolint:errcheck // read-only body
	m := measurement{firstByte: time.Since(start)}
	if resp.StatusCode != http.StatusOK {
		mem.stop()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return m, load.ErrStatus{Status: resp.StatusCode, Body: string(b)}
	}
	body := &counter{r: resp.Body}
	var sheet *os.File
	if e.format == "csv" {
		m.rows, err = csvRows(body)
	} else {
		// The workbook is read once whole; counted after the clock stops.
		if sheet, err = os.CreateTemp("", "exportbench-*.xlsx"); err == nil {
			defer os.Remove(sheet.Name()) //nolint:errcheck // a temporary file
			defer sheet.Close()           //nolint:errcheck // read-only from here
			_, err = io.Copy(sheet, body)
		}
	}
	m.total = time.Since(start)
	m.bytes = body.n
	m.rssGrowth, m.rssMethod = mem.stop()
	if err != nil {
		return m, err
	}
	cpuAfter, err := cpu()
	if err != nil {
		return m, err
	}
	m.serveCPU = cpuAfter - cpuBefore
	if sheet != nil {
		m.rows, err = xlsxRows(sheet.Name())
	}
	return m, err
}

// csvRows counts the data rows of a CSV export as it arrives: its line
// ends outside quoted cells (a doubled quote inside one toggles twice),
// less the header's.
func csvRows(r io.Reader) (int64, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	bom, err := br.Peek(3)
	if err != nil {
		return 0, fmt.Errorf("read the CSV: %w", err)
	}
	if !bytes.Equal(bom, []byte("\xEF\xBB\xBF")) {
		return 0, fmt.Errorf("the CSV does not start with a byte-order mark: %q", bom)
	}
	var (
		lines  int64
		quoted bool
		buf    = make([]byte, 64<<10)
	)
	for {
		n, err := br.Read(buf)
		for _, b := range buf[:n] {
			switch {
			case b == '"':
				quoted = !quoted
			case b == '\n' && !quoted:
				lines++
			}
		}
		if errors.Is(err, io.EOF) {
			if quoted {
				return 0, errors.New("the CSV ends inside a quoted cell")
			}
			return lines - 1, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// xlsxRows counts the data rows of a workbook's only sheet.
func xlsxRows(path string) (int64, error) {
	book, err := excelize.OpenFile(path)
	if err != nil {
		return 0, fmt.Errorf("open the workbook: %w", err)
	}
	defer book.Close() //nolint:errcheck // read only
	rows, err := book.Rows(book.GetSheetList()[0])
	if err != nil {
		return 0, err
	}
	defer rows.Close() //nolint:errcheck // read only
	var n int64
	for rows.Next() {
		n++
	}
	return n - 1, rows.Error()
}

type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// memoryWatch follows serve's resident set size during one export.
type memoryWatch struct {
	pid   int
	base  int64
	reset bool // VmHWM was reset: it is the peak of this run
	done  chan struct{}
	wg    sync.WaitGroup
	peak  int64 // of the samples, when VmHWM could not be reset
}

func watchMemory(ctx context.Context, pid int) *memoryWatch {
	w := &memoryWatch{pid: pid, done: make(chan struct{})}
	if pid == 0 {
		return w
	}
	w.base, _ = procStatus(pid, "VmRSS")
	w.reset = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0) == nil
	w.peak = w.base
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-w.done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				if rss, err := procStatus(pid, "VmRSS"); err == nil {
					w.peak = max(w.peak, rss)
				}
			}
		}
	}()
	return w
}

// stop ends the watch and returns the growth of the peak over the baseline.
func (w *memoryWatch) stop() (int64, string) {
	if w.pid == 0 {
		return 0, "not measured"
	}
	close(w.done)
	w.wg.Wait()
	// The peak is at least the baseline: a resident set that shrank (the Go
	// runtime returning memory) did not grow.
	if w.reset {
		if hwm, err := procStatus(w.pid, "VmHWM"); err == nil {
			return max(hwm-w.base, 0), "VmHWM"
		}
	}
	return max(w.peak-w.base, 0), "VmRSS sampled every 10 ms"
}

// procStatus reads a size field (in kB) of /proc/<pid>/status, in bytes.
func procStatus(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no %s", pid, field)
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// login returns an admin's token.
func login(ctx context.Context, o options) (string, error) {
	email, password, ok := strings.Cut(o.login, ":")
	if !ok {
		return "", fmt.Errorf("-login %q: want email:password", o.login)
	}
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.api+"/v1/auth/login", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close() //nolint:errcheck // read-only body
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("login %s: %w", email, load.ErrStatus{Status: resp.StatusCode, Body: string(b)})
	}
	var reply struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(b, &reply); err != nil {
		return "", err
	}
	return reply.Token, nil
}
