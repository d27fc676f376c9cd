package main

import (
	"fmt"
	"os"
	"time"

	"github.com/otopmarket/otop/scripts/bench/internal/load"
)

// A cpuClock is a CPU clock named as the reports name it, so that CPU per
// request can be compared between the engine in process and the API.
type cpuClock struct {
	name string
	read load.CPUClock
}

// selfCPU is this process's CPU time.
func selfCPU() cpuClock { return cpuClock{"searchbench", load.SelfCPU} }

// procCPU is serve's CPU time (process pid).
func procCPU(pid int) cpuClock { return cpuClock{"serve", load.ProcCPU(pid)} }

// cpuPerRequest is the CPU time per request of each clock in a load run's
// measured window, in milliseconds (0 when unknown).
func (r *result) cpuPerRequest(name string) float64 {
	n := len(r.all) + r.errors
	d, ok := r.cpu[name]
	if !ok || n == 0 {
		return 0
	}
	return load.Ms(d) / float64(n)
}

// readClocks reads every clock, reporting failures on stderr (a clock
// that fails is left out).
func readClocks(clocks []cpuClock) map[string]time.Duration {
	out := make(map[string]time.Duration, len(clocks))
	for _, c := range clocks {
		d, err := c.read()
		if err != nil {
			fmt.Fprintf(os.Stderr, "searchbench: CPU time of %s: %v\n", c.name, err)
			continue
		}
		out[c.name] = d
	}
	return out
}
