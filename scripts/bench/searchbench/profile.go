package main

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"time"

	"github.com/google/pprof/profile"

	"github.com/otopmarket/otop/scripts/bench/internal/load"
)

// engineFunc is the function the in-process runs call: inside serve, the
// samples under it are the engine's own time.
const engineFunc = "github.com/otopmarket/otop/search/embedded.(*Index).Search"

// cpuShare is what a CPU profile of serve over a load run's measured
// window says of the engine's part: the CPU time sampled in all and under
// engineFunc. Background work of the runtime (garbage collection,
// sweeping) is counted as serve's, not the engine's, though the engine
// allocates most of the memory it collects.
type cpuShare struct {
	total, engine time.Duration
	err           error
}

// overhead is serve's CPU time over its engine's, in the same process and
// window (0 when unknown).
func (s cpuShare) overhead() float64 {
	if s.err != nil || s.engine == 0 {
		return 0
	}
	return float64(s.total) / float64(s.engine)
}

// profileShare takes a CPU profile of d (whole seconds) from serve's
// PPROF_ADDR (base URL pprofURL) and measures engineFunc's share of it.
func profileShare(ctx context.Context, pprofURL string, d time.Duration) cpuShare {
	var p *profile.Profile
	err := load.CPUProfile(ctx, pprofURL, d, func(r io.Reader) (err error) {
		p, err = profile.Parse(r)
		return err
	})
	if err != nil {
		return cpuShare{err: fmt.Errorf("CPU profile: %w", err)}
	}
	return shareOf(p, engineFunc)
}

// shareOf sums p's CPU time, and the part of it whose stacks hold fn
// (each sample once, however often fn recurses in it). It filters p.
func shareOf(p *profile.Profile, fn string) cpuShare {
	value := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			value = i
		}
	}
	if value < 0 {
		return cpuShare{err: fmt.Errorf("not a CPU profile: sample types %v", p.SampleType)}
	}
	sum := func() time.Duration {
		var d time.Duration
		for _, sample := range p.Sample {
			d += time.Duration(sample.Value[value])
		}
		return d
	}
	s := cpuShare{total: sum()}
	p.FilterSamplesByName(regexp.MustCompile("^"+regexp.QuoteMeta(fn)+"$"), nil, nil, nil)
	s.engine = sum()
	return s
}
