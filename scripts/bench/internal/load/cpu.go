package load

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A CPUClock reads the CPU time (user and system) a process has used so
// far. Load runs read clocks at the start and the end of their measured
// window, so that CPU per request can be compared whatever queueing does to
// the latencies.
type CPUClock func() (time.Duration, error)

// SelfCPU is this process's CPU time: the load generator's.
func SelfCPU() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

// clockTicks is the unit of /proc/PID/stat's times (USER_HZ, fixed on Linux).
const clockTicks = 100

// ProcCPU is process pid's CPU time, from /proc/PID/stat, in steps of one
// clock tick.
func ProcCPU(pid int) CPUClock {
	return func() (time.Duration, error) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return 0, err
		}
		// The command name, in parentheses, may hold spaces: the fields
		// counted start after its closing parenthesis (with state).
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
		for _, v := range f[11:13] { // utime and stime (proc(5))
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
			}
			ticks += n
		}
		return time.Duration(ticks) * time.Second / clockTicks, nil
	}
}
