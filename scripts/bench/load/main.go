// Command load sends GET requests to a server on this machine at a fixed
// concurrency for a fixed time and prints latency percentiles and throughput.
//
//	go run ./scripts/bench/load -base http://127.0.0.1:18080 -paths paths.txt -c 32 -d 20s
//
// Each worker cycles through the paths file (one request path per line)
// from its own offset. Only loopback targets are accepted.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"time"
)

func main() {
	base := flag.String("base", "http://127.0.0.1:18080", "server base URL (loopback only)")
	pathsFile := flag.String("paths", "", "file with one request path per line")
	concurrency := flag.Int("c", 32, "concurrent clients")
	duration := flag.Duration("d", 20*time.Second, "measured duration")
	warmup := flag.Duration("warmup", 3*time.Second, "unmeasured warm-up")
	label := flag.String("label", "", "name printed with the results")
	flag.Parse()
	if err := run(*base, *pathsFile, *concurrency, *duration, *warmup, *label); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(base, pathsFile string, concurrency int, duration, warmup time.Duration, label string) error {
	u, err := url.Parse(base)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(u.Hostname()); (ip == nil || !ip.IsLoopback()) && u.Hostname() != "localhost" {
		return fmt.Errorf("refusing a non-loopback target %q", u.Hostname())
	}
	paths, err := readLines(pathsFile)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return errors.New("no paths")
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency, MaxConnsPerHost: concurrency}, Timeout: 10 * time.Second}

	// Warm up (caches, connection pools), then measure.
	send(client, base, paths, concurrency, warmup)
	lat, errs, elapsed := send(client, base, paths, concurrency, duration)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	fmt.Printf("| %s | %d | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %d |\n", label, concurrency, len(lat),
		float64(len(lat))/elapsed.Seconds(), ms(pct(0.50)), ms(pct(0.90)), ms(pct(0.99)), ms(pct(1)), errs)
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func send(client *http.Client, base string, paths []string, concurrency int, d time.Duration) ([]time.Duration, int, time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var (
		mu   sync.Mutex
		all  []time.Duration
		errs int
		wg   sync.WaitGroup
	)
	start := time.Now()
	for w := range concurrency {
		wg.Go(func() {
			local := make([]time.Duration, 0, 4096)
			bad := 0
			for i := w * len(paths) / concurrency; ctx.Err() == nil; i++ {
				t0 := time.Now()
				ok := get(ctx, client, base+paths[i%len(paths)])
				if ctx.Err() != nil {
					break
				}
				if !ok {
					bad++
					continue
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			all = append(all, local...)
			errs += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	return all, errs, time.Since(start)
}

func get(ctx context.Context, client *http.Client, target string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode == http.StatusOK
}

func readLines(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); line != "" {
			out = append(out, line)
		}
	}
	return out, sc.Err()
}
