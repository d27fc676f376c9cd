package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/otopmarket/otop/scripts/bench/internal/load"
)

// backendsCPU is the CPU time of the PostgreSQL backends connected to
// database db on this machine (processes titled "postgres: USER DB ..."):
// the share of serve's queries. A backend that exits within a window loses
// its part of that window, so this is a lower bound; serve's pool keeps its
// connections.
func backendsCPU(db string) load.CPUClock {
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
			if d, err := load.ProcCPU(pid)(); err == nil {
				total += d
			}
		}
		return total, nil
	}
}

// cpuMeter measures the CPU time of serve (when its pid is known) and of
// this process over a window.
type cpuMeter struct {
	serve, pg           load.CPUClock
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
		m.serve = load.ProcCPU(pid)
	}
	if db != "" {
		m.pg = backendsCPU(db)
	}
	return m
}

func (m *cpuMeter) start() {
	var err error
	m.ok = true
	if m.self0, err = load.SelfCPU(); err != nil {
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
	if d, err := load.SelfCPU(); err == nil {
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
	s := fmt.Sprintf("load generator %.3f ms", load.Ms(m.selfD)/float64(n))
	if m.pgKnown {
		s = fmt.Sprintf("PostgreSQL backends of its database %.2f ms (at least), ", load.Ms(m.pgD)/float64(n)) + s
	}
	if m.serveKnown {
		s = fmt.Sprintf("serve %.2f ms, ", load.Ms(m.serveD)/float64(n)) + s
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
	return load.CPUProfile(ctx, pprofURL, d, func(r io.Reader) error {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, r); err != nil {
			_ = f.Close()
			return err
		}
		return f.Close()
	})
}
