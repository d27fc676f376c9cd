package config

import "testing"

func TestServeProcs(t *testing.T) {
	for _, c := range []struct {
		env         string
		procs, cpus int
		want        int
	}{
		{"", 2, 2, 4},
		{"", 8, 8, 16},
		{"", 1, 1, 2},
		{"3", 3, 2, 3}, // set by the operator
		{"2", 2, 2, 2}, // set by the operator, even to the default
		{"", 2, 8, 2},  // a CPU quota of 2 on an 8-CPU machine
		{"", 3, 4, 3},
	} {
		if got := ServeProcs(c.env, c.procs, c.cpus); got != c.want {
			t.Errorf("ServeProcs(%q, %d, %d) = %d, want %d", c.env, c.procs, c.cpus, got, c.want)
		}
	}
}
