// Command imagebench measures the image pipeline (internal/media) on a
// synthetic 12-megapixel phone photo: wall time per Process call and peak
// memory growth, printed as Markdown tables for BENCHMARKS.md.
//
//	go run ./scripts/bench/imagebench -n 5
//
// With -worst N it instead runs N concurrent worst-case uploads (40 MP
// 16-bit PNG; 40 MP progressive JPEGs with full-resolution chroma, made with
// libjpeg-turbo's cjpeg when installed) through media.Admission, the
// admission of the server's uploads, under each of the -budgets with and
// without a soft memory limit (-memlimit-over), after running each image
// alone to compare its peak memory with the admission's estimate:
//
//	go run ./scripts/bench/imagebench -worst 16
//
// Peak memory is measured two ways:
//   - VmHWM (peak resident set size) from /proc/self/status, minus the
//     resident size (VmRSS) at the baseline, taken after the input is
//     generated and a forced GC has returned freed memory to the OS. Linux
//     lets a process reset its VmHWM (write "5" to /proc/self/clear_refs);
//     when that works each run is measured on its own, otherwise the figure
//     is cumulative over all runs and includes the generation of the input.
//   - the maximum of runtime.MemStats.HeapInuse, sampled every 5 ms during
//     each run, minus HeapInuse at the baseline.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/otopmarket/otop/internal/media"
	"github.com/otopmarket/otop/internal/media/mediatest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "imagebench:", err)
		os.Exit(1)
	}
}

type runStats struct {
	wall      time.Duration
	cpu       time.Duration // user+system CPU time of the whole process during the run
	hwmGrowth int64         // bytes; -1 when unknown
	heapPeak  int64         // bytes of HeapInuse above the baseline
	outBytes  int
}

func run() error {
	n := flag.Int("n", 5, "number of Process runs")
	width := flag.Int("w", 4000, "photo width")
	height := flag.Int("h", 3000, "photo height")
	quality := flag.Int("quality", 92, "JPEG quality of the generated input (phones use 90–95)")
	orientation := flag.Int("orientation", 1, "EXIF orientation of the input (6 = phone held upright)")
	seed := flag.Int64("seed", 1, "generator seed")
	worst := flag.Int("worst", 0, "instead: run this many worst-case uploads at once through media.Admission")
	budgets := flag.String("budgets", "1024,512", "-worst: admission budgets in MB (IMAGE_MEMORY_MB), comma-separated")
	worstW := flag.Int("worst-w", 4000, "-worst: width of the generated inputs")
	worstH := flag.Int("worst-h", 10000, "-worst: height of the generated inputs (4000×10000 is the 40 MP limit)")
	gcPercent := flag.Int("gogc", 400, "-worst: GOGC of the concurrent runs (serve's own is 400)")
	memLimit := flag.String("memlimit-over", "0,512", "-worst: soft memory limits (GOMEMLIMIT) of the concurrent runs, in MB over the budget, comma-separated; 0: none (serve's default)")
	singleGC := flag.String("single-gogc", "1,400", "-worst: GOGC values of the runs of one image alone")
	cjpeg := flag.String("cjpeg", "cjpeg", "-worst: libjpeg-turbo's cjpeg, to make progressive JPEGs")
	jpegQ := flag.Int("jpeg-quality", 90, "-worst: quality of the progressive JPEGs (lowered until the file fits the size limit)")
	memProfile := flag.String("memprofile", "", "-worst: write an allocation profile of the runs of one image alone to this file")
	timeout := flag.Duration("timeout", 10*time.Minute, "-worst: deadline of each run")
	flag.Parse()
	if *worst > 0 {
		b, err := parseInts(*budgets, false)
		if err != nil {
			return fmt.Errorf("-budgets: %w", err)
		}
		limits, err := parseInts(*memLimit, true)
		if err != nil {
			return fmt.Errorf("-memlimit-over: %w", err)
		}
		gcs, err := parseInts(*singleGC, false)
		if err != nil {
			return fmt.Errorf("-single-gogc: %w", err)
		}
		c := worstConfig{n: *worst, budgetsMB: b, w: *worstW, h: *worstH, gcPercent: *gcPercent, limitMB: limits,
			cjpeg: *cjpeg, jpegQ: *jpegQ, timeoutDur: *timeout, memProfile: *memProfile}
		for _, g := range gcs {
			c.singleGC = append(c.singleGC, int(g))
		}
		return runWorst(c)
	}
	if *n < 1 {
		return fmt.Errorf("-n must be at least 1")
	}

	in := mediatest.WithEXIF(mediatest.JPEG(mediatest.Photo(*width, *height, *seed), *quality), *orientation, "GPS-SECRET-18.7883N")
	p := media.NewProcessor(media.DefaultLimits())

	runtime.GC()
	debug.FreeOSMemory()
	baseRSS, err := procStatus("VmRSS")
	if err != nil {
		return err
	}
	baseHWM, _ := procStatus("VmHWM")
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	perRunHWM := resetHWM() == nil

	fmt.Printf("## imagebench: %d×%d JPEG (quality %d, EXIF orientation %d), %s input\n\n",
		*width, *height, *quality, *orientation, mb(int64(len(in))))
	fmt.Printf("%s, %s/%s, NumCPU %d, GOMAXPROCS %d, %s\n\n",
		cpuModel(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	fmt.Printf("baseline after generating the input and GC: VmRSS %s, VmHWM %s, HeapInuse %s; per-run VmHWM reset: %v\n\n",
		mb(baseRSS), mb(baseHWM), mb(int64(base.HeapInuse)), perRunHWM)
	fmt.Println("| run | wall time | CPU time | peak RSS growth (VmHWM) | peak HeapInuse growth | output bytes (all variants) |")
	fmt.Println("| ---: | ---: | ---: | ---: | ---: | ---: |")

	var all []runStats
	for i := range *n {
		if perRunHWM {
			perRunHWM = resetHWM() == nil
		}
		var peak atomic.Uint64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() { sampleHeap(&peak, stop) })

		cpu0 := cpuTime()
		start := time.Now()
		res, err := p.Process(context.Background(), bytes.NewReader(in))
		wall := time.Since(start)
		cpu := cpuTime() - cpu0
		close(stop)
		wg.Wait()
		if err != nil {
			return fmt.Errorf("run %d: %w", i+1, err)
		}

		s := runStats{wall: wall, cpu: cpu, hwmGrowth: -1, heapPeak: int64(peak.Load()) - int64(base.HeapInuse)}
		if hwm, err := procStatus("VmHWM"); err == nil {
			s.hwmGrowth = hwm - baseRSS
		}
		s.outBytes = len(res.Original.Data)
		for _, v := range res.Variants {
			s.outBytes += len(v.Data)
		}
		all = append(all, s)
		fmt.Printf("| %d | %d ms | %d ms | %s | %s | %d |\n",
			i+1, s.wall.Milliseconds(), s.cpu.Milliseconds(), mb(s.hwmGrowth), mb(s.heapPeak), s.outBytes)
		res = nil
		runtime.GC()
	}

	walls := make([]time.Duration, len(all))
	cpus := make([]time.Duration, len(all))
	var maxHWM, maxHeap int64
	for i, s := range all {
		walls[i], cpus[i] = s.wall, s.cpu
		maxHWM = max(maxHWM, s.hwmGrowth)
		maxHeap = max(maxHeap, s.heapPeak)
	}
	slices.Sort(walls)
	fmt.Println()
	fmt.Println("| input | runs | wall min | wall median | wall max | CPU median | peak RSS growth (VmHWM) | peak HeapInuse growth |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	fmt.Printf("| %d×%d JPEG q%d, %s | %d | %d ms | %d ms | %d ms | %d ms | %s | %s |\n",
		*width, *height, *quality, mb(int64(len(in))), len(all),
		walls[0].Milliseconds(), median(walls).Milliseconds(), walls[len(walls)-1].Milliseconds(),
		median(cpus).Milliseconds(), mb(maxHWM), mb(maxHeap))
	fmt.Printf("\nload average at the end: %s (other processes on the machine inflate wall times; CPU time is less sensitive)\n", loadAvg())
	if !perRunHWM {
		fmt.Println("\nVmHWM could not be reset between runs: the RSS figures are cumulative and may include the input generation.")
	}
	return nil
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[len(s)/2]
}

// cpuTime returns the user+system CPU time used by this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// sampleHeap records the highest HeapInuse seen every 5 ms until stop closes.
func sampleHeap(peak *atomic.Uint64, stop <-chan struct{}) {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	var ms runtime.MemStats
	for {
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > peak.Load() {
			peak.Store(ms.HeapInuse)
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

// resetHWM resets the peak resident set size of this process to its current
// resident size (Linux 4.0+).
func resetHWM() error {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// procStatus returns a "kB" field of /proc/self/status in bytes.
func procStatus(field string) (int64, error) {
	return readProc("/proc/self/status", field)
}

// readProc returns a "kB" field of a /proc file such as /proc/meminfo in bytes.
func readProc(path, field string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("parse %s: %w", field, err)
		}
		return kb * 1024, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no %s in %s", field, path)
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if name, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func mb(b int64) string {
	if b < 0 {
		return "n/a"
	}
	return strconv.FormatFloat(float64(b)/(1<<20), 'f', 1, 64) + " MB"
}
