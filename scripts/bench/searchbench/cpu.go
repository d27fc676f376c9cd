package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A cpuClock reads the CPU time (user and system) a process has used so
// far; load runs read them at the start and the end of their measured
// window, so that CPU per request can be compared between the engine in
// process and the API, whatever the latencies' queueing does.
type cpuClock struct {
	name string
	read func() (time.Duration, error)
}

// selfCPU is this process's CPU time.
func selfCPU() cpuClock {
	return cpuClock{"searchbench", func() (time.Duration, error) {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			return 0, fmt.Errorf("getrusage: %w", err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
	}}
}

// clockTicks is the unit of /proc/PID/stat's times (USER_HZ: 100 on Linux).
const clockTicks = 100

// procCPU is process pid's CPU time, from /proc/PID/stat (10 ms steps).
func procCPU(pid int) cpuClock {
	return cpuClock{"serve", func() (time.Duration, error) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return 0, err
		}
		// The command name, in parentheses, may hold spaces: the fields
		// counted start after its closing parenthesis (field 3, state).
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 13 {
			return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
		}
		var ticks int64
		for _, v := range f[11:13] { // utime, stime: fields 14 and 15
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
			}
			ticks += n
		}
		return time.Duration(ticks) * time.Second / clockTicks, nil
	}}
}

// cpuPerRequest is the CPU time per request of each clock in a load run's
// measured window, in milliseconds (0 when unknown).
func (r *result) cpuPerRequest(name string) float64 {
	n := len(r.all) + r.errors
	d, ok := r.cpu[name]
	if !ok || n == 0 {
		return 0
	}
	return ms(d) / float64(n)
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
