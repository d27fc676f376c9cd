package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuClock reads the CPU time (user and system) a process has used so far.
type cpuClock func() (time.Duration, error)

// selfCPU is this process's CPU time: the load generator's.
func selfCPU() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

// clockTicks is the unit of /proc/PID/stat's times (USER_HZ: 100 on Linux).
const clockTicks = 100

// procCPU is process pid's CPU time, from /proc/PID/stat (10 ms steps).
func procCPU(pid int) cpuClock {
	return func() (time.Duration, error) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return 0, err
		}
		// The command name, in parentheses, may hold spaces: the fields
		// counted start after its closing parenthesis (field 3, state).
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		f := strings.Fields(s[i+1:])
		if i < 0 || len(f) < 13 {
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
	}
}

// backendsCPU is the CPU time of the PostgreSQL backends connected to
// database db on this machine (processes titled "postgres: USER DB ..."):
// the share of serve's queries. A backend that exits within a window loses
// its part of that window, so this is a lower bound; serve's pool keeps its
// connections.
func backendsCPU(db string) cpuClock {
	return func() (time.Duration, error) {
		files, err := filepath.Glob("/proc/[0-9]*/cmdline")
		if err != nil {
			return 0, err
		}
		var total time.Duration
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				continue // gone
			}
			f := strings.Fields(strings.ReplaceAll(string(b), "\x00", " "))
			if len(f) < 3 || f[0] != "postgres:" || f[2] != db {
				continue
			}
			pid, err := strconv.Atoi(filepath.Base(filepath.Dir(name)))
			if err != nil {
				continue
			}
			if d, err := procCPU(pid)(); err == nil {
				total += d
			}
		}
		return total, nil
	}
}

// cpuMeter measures the CPU time of serve (when its pid is known) and of
// this process over a window.
type cpuMeter struct {
	serve, pg           cpuClock
	serve0, pg0, self0  time.Duration
	ok                  bool
	serveD, pgD, selfD  time.Duration
	serveKnown, pgKnown bool
}

// newCPUMeter measures serve (pid, when not 0) and the backends of
// database db (when not empty).
func newCPUMeter(pid int, db string) *cpuMeter {
	m := &cpuMeter{}
	if pid > 0 {
		m.serve = procCPU(pid)
	}
	if db != "" {
		m.pg = backendsCPU(db)
	}
	return m
}

func (m *cpuMeter) start() {
	var err error
	m.ok = true
	if m.self0, err = selfCPU(); err != nil {
		m.ok = false
	}
	if m.serve != nil {
		if m.serve0, err = m.serve(); err != nil {
			fmt.Fprintln(os.Stderr, "curationbench: serve's CPU time:", err)
			m.serve = nil
		}
	}
	if m.pg != nil {
		if m.pg0, err = m.pg(); err != nil {
			fmt.Fprintln(os.Stderr, "curationbench: PostgreSQL's CPU time:", err)
			m.pg = nil
		}
	}
}

func (m *cpuMeter) stop() {
	if !m.ok {
		return
	}
	if d, err := selfCPU(); err == nil {
		m.selfD = d - m.self0
	}
	if m.serve != nil {
		if d, err := m.serve(); err == nil {
			m.serveD, m.serveKnown = d-m.serve0, true
		}
	}
	if m.pg != nil {
		if d, err := m.pg(); err == nil && d > m.pg0 {
			m.pgD, m.pgKnown = d-m.pg0, true
		}
	}
}

// perRequest describes the CPU time per request of the window.
func (m *cpuMeter) perRequest(n int) string {
	if !m.ok || n == 0 {
		return ""
	}
	s := fmt.Sprintf("load generator %.3f ms", ms(m.selfD)/float64(n))
	if m.pgKnown {
		s = fmt.Sprintf("PostgreSQL backends of its database %.2f ms (at least), ", ms(m.pgD)/float64(n)) + s
	}
	if m.serveKnown {
		s = fmt.Sprintf("serve %.2f ms, ", ms(m.serveD)/float64(n)) + s
	}
	return s
}

// startProfile starts a CPU profile of serve over the next d, written to
// name in o.profileDir, when -pprof and -profile-dir are set; the function
// it returns waits for the profile.
func (o options) startProfile(ctx context.Context, name string, d time.Duration) func() {
	if o.pprof == "" || o.profileDir == "" {
		return func() {}
	}
	path := filepath.Join(o.profileDir, name)
	done := make(chan error, 1)
	go func() { done <- saveProfile(ctx, strings.TrimRight(o.pprof, "/"), d, path) }()
	return func() {
		if err := <-done; err != nil {
			fmt.Fprintf(os.Stderr, "curationbench: warning: CPU profile %s: %v\n", name, err)
			return
		}
		fmt.Fprintf(os.Stderr, "curationbench: CPU profile of serve over %s: %s\n", d, path)
	}
}

// saveProfile writes a CPU profile of serve over the next d to path.
func saveProfile(ctx context.Context, pprofURL string, d time.Duration, path string) error {
	u := fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", pprofURL, max(int(d.Round(time.Second)/time.Second), 1))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close() //nolint:errcheck // read-only body
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %d", u, resp.StatusCode)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
