package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/media"
	"github.com/otopmarket/otop/internal/media/mediatest"
)

// worstConfig is the -worst mode: many concurrent worst-case uploads through
// media.Admission, the admission the server's uploads go through.
type worstConfig struct {
	n          int     // concurrent uploads
	budgetsMB  []int64 // admission budgets to run them under
	w, h       int     // size of the generated inputs
	gcPercent  int     // GOGC during the concurrent runs (serve's own)
	limitMB    []int64 // soft memory limits (GOMEMLIMIT) over the budget; 0: none, as serve by default
	singleGC   []int   // GOGC values of the runs of one image alone
	cjpeg      string  // libjpeg-turbo's cjpeg, for progressive JPEGs
	jpegQ      int     // starting quality of the progressive JPEGs
	timeoutDur time.Duration
	memProfile string // where to write an allocation profile of the runs of one image alone
}

type worstInput struct {
	name     string
	data     []byte
	estimate int64 // Inspected.Memory
}

func runWorst(c worstConfig) error {
	if c.n < 1 {
		return errors.New("-worst needs at least one upload")
	}
	if len(c.limitMB) == 0 {
		c.limitMB = []int64{0}
	}
	limits := media.DefaultLimits()
	p := media.NewProcessor(limits)
	inputs, skipped, err := worstInputs(c, p)
	if err != nil {
		return err
	}

	fmt.Printf("## imagebench -worst %d: worst-case uploads through media.Admission\n\n", c.n)
	fmt.Printf("%s, %s/%s, NumCPU %d, GOMAXPROCS %d, %s, %s\n\n",
		cpuModel(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), memTotal())
	for _, s := range skipped {
		fmt.Println("skipped:", s)
	}
	if len(skipped) > 0 {
		fmt.Println()
	}
	fmt.Println("| input | file | estimate (Inspected.Memory) |")
	fmt.Println("| --- | ---: | ---: |")
	for _, in := range inputs {
		fmt.Printf("| %s | %s | %s |\n", in.name, mb(int64(len(in.data))), mb(in.estimate))
	}

	// One image alone, under several GC targets: a low one keeps the heap
	// close to what is live (what the estimate models); serve runs at 400.
	if len(c.singleGC) > 0 {
		fmt.Println("\n### One image alone (budget = its estimate, so it is admitted)")
		fmt.Println()
		fmt.Println("| input | GOGC | wall | CPU | peak RSS growth (VmHWM) | peak HeapInuse growth | allocated | GCs | growth / estimate |")
		fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	}
	if c.memProfile != "" {
		runtime.MemProfileRate = 64 << 10
	}
	for _, in := range inputs {
		for _, gc := range c.singleGC {
			m, err := measure(gc, 0, func(ctx context.Context) error {
				_, err := media.NewAdmission(in.estimate, runtime.NumCPU()).Process(ctx, p, bytes.NewReader(in.data))
				return err
			}, c.timeoutDur)
			if err != nil {
				return fmt.Errorf("%s alone: %w", in.name, err)
			}
			fmt.Printf("| %s | %d | %s | %s | %s | %s | %s | %d | %.2f |\n", in.name, gc, secs(m.wall), secs(m.cpu),
				mb(m.rssGrowth), mb(m.heapGrowth), mb(m.allocated), m.gcs, float64(m.rssGrowth)/float64(in.estimate))
		}
	}

	if c.memProfile != "" {
		if err := writeHeapProfile(c.memProfile); err != nil {
			return err
		}
		runtime.MemProfileRate = 0
	}

	// N uploads at once, each reading its own copy of the body first (as a
	// request does), inputs taken in turn.
	var bodies int64
	for i := range c.n {
		bodies += int64(len(inputs[i%len(inputs)].data))
	}
	if len(c.budgetsMB) == 0 {
		return nil
	}
	fmt.Printf("\n### %d concurrent uploads (inputs in turn), GOGC %d, %d decoding slots\n\n", c.n, c.gcPercent, runtime.NumCPU())
	fmt.Printf("Bodies read before admission, outside the budget: %s in all.\n\n", mb(bodies))
	fmt.Println("| budget | GOMEMLIMIT | wall | CPU | processed | refused (422) | peak admitted estimate | peak RSS growth (VmHWM) | peak HeapInuse growth | GCs | peak RSS growth / (budget + bodies) |")
	fmt.Println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	var notes []string
	for _, budgetMB := range c.budgetsMB {
		for _, extra := range c.limitMB {
			if err := c.concurrent(p, inputs, budgetMB, extra, bodies, &notes); err != nil {
				return err
			}
		}
	}
	for _, n := range notes {
		fmt.Printf("\n%s", n)
	}
	if len(notes) > 0 {
		fmt.Println()
	}
	fmt.Printf("\nload average at the end: %s\n", loadAvg())
	return nil
}

// concurrent runs c.n uploads at once under one budget and, when extraMB is
// positive, a soft memory limit of budget+extraMB.
func (c worstConfig) concurrent(p *media.Processor, inputs []worstInput, budgetMB, extraMB, bodies int64, notes *[]string) error {
	budget := budgetMB << 20
	var limit int64
	limitText := "none"
	if extraMB > 0 {
		limit = (budgetMB + extraMB) << 20
		limitText = fmt.Sprintf("%d MB", budgetMB+extraMB)
	}
	adm := media.NewAdmission(budget, runtime.NumCPU())
	var ok, refused atomic.Int64
	var refusedBy sync.Map
	m, err := measure(c.gcPercent, limit, func(ctx context.Context) error {
		var wg sync.WaitGroup
		errc := make(chan error, c.n)
		for i := range c.n {
			in := inputs[i%len(inputs)]
			wg.Go(func() {
				_, err := adm.Process(ctx, p, bytes.NewReader(in.data))
				var ve *errs.ValidationError
				switch {
				case err == nil:
					ok.Add(1)
				case errors.As(err, &ve):
					refused.Add(1)
					refusedBy.Store(in.name, true)
				default:
					errc <- fmt.Errorf("%s: %w", in.name, err)
				}
			})
		}
		wg.Wait()
		close(errc)
		return <-errc
	}, c.timeoutDur)
	if err != nil {
		return fmt.Errorf("budget %d MB: %w", budgetMB, err)
	}
	_, peak := adm.Admitted()
	fmt.Printf("| %d MB | %s | %s | %s | %d | %d | %s | %s | %s | %d | %.2f |\n", budgetMB, limitText, secs(m.wall), secs(m.cpu),
		ok.Load(), refused.Load(), mb(peak), mb(m.rssGrowth), mb(m.heapGrowth), m.gcs,
		float64(m.rssGrowth)/float64(budget+bodies))
	var names []string
	refusedBy.Range(func(k, _ any) bool {
		names = append(names, k.(string))
		return true
	})
	if len(names) > 0 {
		slices.Sort(names)
		note := fmt.Sprintf("budget %d MB refused (estimate above the budget): %s", budgetMB, strings.Join(names, "; "))
		if !slices.Contains(*notes, note) {
			*notes = append(*notes, note)
		}
	}
	return nil
}

type measurement struct {
	wall, cpu  time.Duration
	rssGrowth  int64 // VmHWM during the run minus VmRSS before it
	heapGrowth int64 // highest HeapInuse sampled during the run minus HeapInuse before it
	allocated  int64 // bytes allocated during the run (TotalAlloc)
	gcs        uint32
}

// measure runs fn at the given GOGC and soft memory limit (none when 0)
// after returning freed memory to the OS, and reports the peak resident
// growth over the resident size before.
func measure(gcPercent int, limit int64, fn func(context.Context) error, timeout time.Duration) (measurement, error) {
	previous := debug.SetGCPercent(gcPercent)
	defer debug.SetGCPercent(previous)
	if limit > 0 {
		previousLimit := debug.SetMemoryLimit(limit)
		defer debug.SetMemoryLimit(previousLimit)
	}
	runtime.GC()
	debug.FreeOSMemory()
	base, err := procStatus("VmRSS")
	if err != nil {
		return measurement{}, err
	}
	if err := resetHWM(); err != nil {
		return measurement{}, fmt.Errorf("the peak RSS cannot be reset (/proc/self/clear_refs), so it cannot be measured per run: %w", err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	baseHeap, baseGC, baseAlloc := ms.HeapInuse, ms.NumGC, ms.TotalAlloc
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { sampleHeap(&peak, stop) })

	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cpu0, start := cpuTime(), time.Now()
	err = fn(ctx)
	m := measurement{wall: time.Since(start), cpu: cpuTime() - cpu0}
	close(stop)
	wg.Wait()
	if err != nil {
		return m, err
	}
	hwm, err := procStatus("VmHWM")
	if err != nil {
		return m, err
	}
	runtime.ReadMemStats(&ms)
	m.rssGrowth = hwm - base
	m.heapGrowth = int64(peak.Load()) - int64(baseHeap)
	m.gcs = ms.NumGC - baseGC
	m.allocated = int64(ms.TotalAlloc - baseAlloc)
	return m, nil
}

// worstInputs builds the worst cases the upload limits let through, at w×h
// (40 megapixels by default): a 16-bit PNG and, when cjpeg is installed,
// progressive JPEGs with full-resolution chroma (YCbCr 4:4:4 and RGB),
// whose decoders keep every DCT coefficient until the last scan.
func worstInputs(c worstConfig, p *media.Processor) ([]worstInput, []string, error) {
	var inputs []worstInput
	var skipped []string
	add := func(name string, data []byte) error {
		in, err := p.Inspect(context.Background(), bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("the generated %s is refused by the upload limits: %w", name, err)
		}
		inputs = append(inputs, worstInput{name: name, data: data, estimate: in.Memory})
		return nil
	}
	deep, err := smoothPNG16(c.w, c.h)
	if err != nil {
		return nil, nil, err
	}
	if err := add(fmt.Sprintf("%d×%d 16-bit PNG", c.w, c.h), deep); err != nil {
		return nil, nil, err
	}

	path, lookErr := exec.LookPath(c.cjpeg)
	if lookErr != nil { // a reason to skip, not a failure
		skipped = append(skipped, fmt.Sprintf("progressive JPEGs: %s is not installed (Debian: apt-get install libjpeg-turbo-progs; Go cannot encode progressive JPEG): %v", c.cjpeg, lookErr))
		return inputs, skipped, nil
	}
	ppm := toPPM(mediatest.Photo(c.w, c.h, 1))
	for _, v := range []struct {
		name string
		args []string
	}{
		{"progressive JPEG, YCbCr 4:4:4", []string{"-progressive", "-sample", "1x1"}},
		{"progressive JPEG, RGB", []string{"-progressive", "-rgb"}},
	} {
		data, q, err := cjpegUnder(path, ppm, v.args, c.jpegQ, p.Limits().MaxBytes, c.timeoutDur)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", v.name, err)
		}
		if err := add(fmt.Sprintf("%d×%d %s q%d", c.w, c.h, v.name, q), data); err != nil {
			return nil, nil, err
		}
	}
	return inputs, skipped, nil
}

// smoothPNG16 draws an opaque 16-bit image of flat diamonds under smooth
// lighting: 40 megapixels of it compress to a few megabytes, as a real
// photo at 16 bits would not (it would not pass the upload size limit).
func smoothPNG16(w, h int) ([]byte, error) {
	img := image.NewRGBA64(image.Rect(0, 0, w, h))
	for y := range h {
		row := img.Pix[y*img.Stride:]
		sy := math.Sin(float64(y) / 900)
		dy := (y%300 - 150) * (y%300 - 150) / 300
		for x := range w {
			dx := (x%400 - 200) * (x%400 - 200) / 400
			d := float64((dx + dy) / 40)
			l := 0.75 + 0.2*sy*math.Cos(float64(x/64*64)/700)
			r, g, b := uint16((9000+d*5000)*l), uint16((20000+d*3000)*l), uint16((30000-d*2000)*l)
			px := row[x*8 : x*8+8 : x*8+8]
			px[0], px[1], px[2], px[3], px[4], px[5], px[6], px[7] = byte(r>>8), byte(r), byte(g>>8), byte(g), byte(b>>8), byte(b), 0xFF, 0xFF
		}
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode the 16-bit PNG: %w", err)
	}
	return buf.Bytes(), nil
}

func toPPM(img *image.RGBA) []byte {
	b := img.Bounds()
	out := make([]byte, 0, 32+3*b.Dx()*b.Dy())
	out = fmt.Appendf(out, "P6\n%d %d\n255\n", b.Dx(), b.Dy())
	for i := 0; i < len(img.Pix); i += 4 {
		out = append(out, img.Pix[i], img.Pix[i+1], img.Pix[i+2])
	}
	return out
}

// cjpegUnder encodes ppm with cjpeg at the highest quality from q down, by
// fives, whose file fits in maxBytes.
func cjpegUnder(path string, ppm []byte, args []string, q int, maxBytes int64, timeout time.Duration) ([]byte, int, error) {
	for ; q >= 50; q -= 5 {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		cmd := exec.CommandContext(ctx, path, append(slices.Clone(args), "-quality", strconv.Itoa(q))...)
		cmd.Stdin = bytes.NewReader(ppm)
		var out, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &stderr
		err := cmd.Run()
		cancel()
		if err != nil {
			return nil, 0, fmt.Errorf("%s %s: %w: %s", path, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
		}
		if int64(out.Len()) <= maxBytes {
			return out.Bytes(), q, nil
		}
	}
	return nil, 0, fmt.Errorf("no quality from 50 up fits in %s", mb(maxBytes))
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

func secs(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
}

func memTotal() string {
	b, err := readProc("/proc/meminfo", "MemTotal")
	if err != nil {
		return "memory unknown"
	}
	return strconv.FormatFloat(float64(b)/(1<<30), 'f', 1, 64) + " GiB RAM"
}

// parseInts reads a comma-separated list of positive numbers (or zeros).
func parseInts(s string, zero bool) ([]int64, error) {
	var out []int64
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil || v < 0 || v == 0 && !zero {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, v)
	}
	return out, nil
}
